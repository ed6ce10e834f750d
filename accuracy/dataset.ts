// Data-set folders: what calibration, evaluation and fine-tuning read. A folder holds, per model input, one
// `<input>.npy` with the samples stacked on a new first axis — [N, ...input shape], or [N, ...input shape
// without its leading 1] — and optionally the labels, as `labels.npy` (integers, [N]) or `labels.txt` (one
// string per line).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { toTensor } from '../api/feeds.js';
import { readNpy, writeNpy, type NpyArray } from '../api/npy.js';
import { DlcError } from '../compiler/errors.js';
import { isFloat, type DType } from '../compiler/ir/dtype.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import type { TypedArray } from '../runtime/dtypes.js';

/** A model input as a data set must match it; a string dim is symbolic and matches any size. */
export interface DatasetInput {
  name: string;
  shape: readonly (number | string)[];
  dtype: DType;
}

export type Labels = Int32Array | readonly string[];

export interface Dataset {
  dir: string;
  /** N, the number of samples. */
  count: number;
  /** Sample i's feeds, each shaped like its model input (a leading 1 put back where the file left it out). */
  sample(i: number): Record<string, Tensor>;
  labels?: Labels;
}

const LABELS_NPY = 'labels.npy';
const LABELS_TXT = 'labels.txt';

export function readDataset(dir: string, inputs: readonly DatasetInput[]): Dataset {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DlcError('not a data-set folder (no such directory)', { file: dir });
  if (inputs.length === 0) throw new DlcError('the model has no inputs to read a data set for', { file: dir });
  const arrays = inputs.map((input) => readInputArray(dir, input));
  const count = arrays[0].count;
  for (const a of arrays) {
    if (a.count !== count) throw new DlcError(`holds ${a.count} samples, ${arrays[0].file} holds ${count}`, { file: a.file });
  }
  const labels = readLabels(dir, count);
  return {
    dir,
    count,
    labels,
    sample(i: number): Record<string, Tensor> {
      if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`sample ${i} is outside the data set's ${count}`);
      const feeds: Record<string, Tensor> = {};
      for (const a of arrays) {
        feeds[a.input.name] = toTensor(a.input.dtype, a.sampleShape, a.data.subarray(i * a.sampleSize, (i + 1) * a.sampleSize) as TypedArray);
      }
      return feeds;
    },
  };
}

interface InputArray {
  input: DatasetInput;
  file: string;
  count: number;
  sampleShape: number[];
  sampleSize: number;
  data: TypedArray;
}

function readInputArray(dir: string, input: DatasetInput): InputArray {
  const file = path.join(dir, inputFileName(input.name));
  const wanted = `[${input.shape.join(',')}] ${input.dtype}`;
  if (!fs.existsSync(file)) throw new DlcError(`missing: the data set has no file for model input '${input.name}' (${wanted})`, { file });
  const array = readNpy(fs.readFileSync(file), file);
  if (array.dtype !== input.dtype) throw new DlcError(`holds ${array.dtype}, model input '${input.name}' is ${input.dtype}`, { file });
  const sampleShape = matchSampleShape(array.shape, input.shape);
  if (!sampleShape) {
    const without = input.shape.length > 0 && (input.shape[0] === 1 || typeof input.shape[0] === 'string') ? ` or [N,${input.shape.slice(1).join(',')}]` : '';
    throw new DlcError(`has shape [${array.shape.join(',')}], model input '${input.name}' needs [N,${input.shape.join(',')}]${without}`, { file });
  }
  const sampleSize = sampleShape.reduce((n, d) => n * d, 1);
  return { input, file, count: array.shape[0], sampleShape, sampleSize, data: array.data };
}

/** The shape of one sample if `stacked` is [N, ...shape] or [N, ...shape without a leading 1]. */
function matchSampleShape(stacked: readonly number[], shape: readonly (number | string)[]): number[] | undefined {
  const fits = (dims: readonly number[], want: readonly (number | string)[]) => dims.length === want.length && want.every((d, k) => typeof d === 'string' || d === dims[k]);
  const dims = stacked.slice(1);
  if (stacked.length === 0) return undefined;
  if (fits(dims, shape)) return dims;
  if (shape.length > 0 && (shape[0] === 1 || typeof shape[0] === 'string') && fits(dims, shape.slice(1))) return [1, ...dims];
  return undefined;
}

function readLabels(dir: string, count: number): Labels | undefined {
  const npyFile = path.join(dir, LABELS_NPY);
  const txtFile = path.join(dir, LABELS_TXT);
  const hasNpy = fs.existsSync(npyFile);
  const hasTxt = fs.existsSync(txtFile);
  if (hasNpy && hasTxt) throw new DlcError(`bad labels: both ${LABELS_NPY} and ${LABELS_TXT} are present (keep one)`, { file: dir });
  if (hasNpy) {
    const array = readNpy(fs.readFileSync(npyFile), npyFile);
    if (isFloat(array.dtype) || array.dtype === 'bool') throw new DlcError(`bad labels: ${array.dtype}, not integers`, { file: npyFile });
    if (array.shape.length !== 1 || array.shape[0] !== count) throw new DlcError(`bad labels: shape [${array.shape.join(',')}], the inputs need [${count}]`, { file: npyFile });
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = Number(array.data[i]);
      if (v !== (v | 0)) throw new DlcError(`bad labels: label ${i} is ${array.data[i]}, outside 32-bit integers`, { file: npyFile });
      labels[i] = v;
    }
    return labels;
  }
  if (hasTxt) {
    const lines = fs.readFileSync(txtFile, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/);
    const labels = lines.length === 1 && lines[0] === '' ? [] : lines;
    if (labels.length !== count) throw new DlcError(`bad labels: ${labels.length} lines, the inputs hold ${count} samples`, { file: txtFile });
    return labels;
  }
  return undefined;
}

/** The file a model input's samples are stored in. */
export function inputFileName(inputName: string): string {
  if (inputName === '' || /[/\\\0]/.test(inputName) || inputName === '.' || inputName === '..' || inputName === 'labels') {
    throw new DlcError(`model input '${inputName}' cannot name a data-set file`);
  }
  return `${inputName}.npy`;
}

/**
 * Writes a data-set folder: one .npy per input (arrays already stacked on their first axis) and the labels,
 * integers as labels.npy (int64), strings as labels.txt. It is built beside `dir` and renamed into place, so
 * that a failure leaves no half-written folder; an existing folder is replaced.
 */
export function writeDataset(dir: string, arrays: Record<string, NpyArray>, labels?: ArrayLike<number> | readonly string[]): void {
  const entries = Object.entries(arrays);
  if (entries.length === 0) throw new DlcError('a data set needs at least one input array', { file: dir });
  const count = entries[0][1].shape[0];
  for (const [name, a] of entries) {
    if (a.shape.length === 0 || a.shape[0] !== count) throw new DlcError(`input '${name}' has shape [${a.shape.join(',')}], not ${count} stacked samples`, { file: dir });
  }
  if (labels !== undefined && labels.length !== count) throw new DlcError(`bad labels: ${labels.length} of them for ${count} samples`, { file: dir });
  const files = entries.map(([name, a]) => ({ name: inputFileName(name), bytes: writeNpy(a) }));
  if (labels !== undefined) files.push(encodeLabels(dir, labels));

  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    for (const f of files) fs.writeFileSync(path.join(tmp, f.name), f.bytes);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** The labels file: strings as labels.txt, integers as labels.npy (int64). */
function encodeLabels(dir: string, labels: ArrayLike<number> | readonly string[]): { name: string; bytes: Uint8Array } {
  const values = Array.from(labels as ArrayLike<number | string>);
  if (values.length > 0 && values.every((l) => typeof l === 'string')) {
    const bad = values.findIndex((l) => /[\r\n]/.test(l as string));
    if (bad >= 0) throw new DlcError(`bad labels: label ${bad} holds a line break`, { file: path.join(dir, LABELS_TXT) });
    return { name: LABELS_TXT, bytes: new TextEncoder().encode(`${values.join('\n')}\n`) };
  }
  const data = new BigInt64Array(values.length);
  values.forEach((l, i) => {
    if (typeof l !== 'number' || !Number.isInteger(l)) throw new DlcError(`bad labels: label ${i} is ${JSON.stringify(l)}, not an integer`, { file: path.join(dir, LABELS_NPY) });
    data[i] = BigInt(l);
  });
  return { name: LABELS_NPY, bytes: writeNpy({ dtype: 'i64', shape: [values.length], data }) };
}
