// Inputs and outputs of a compiled model as the runtime takes and gives them (one typed array per tensor):
// seeded random feeds, feeds from .npy files, conversion to the compiler's Tensor for comparison, and a
// short printed form.
import * as fs from 'node:fs';
import { DlcError, UsageError } from '../compiler/errors.js';
import { f16BitsToF32, f32ToF16Bits, isFloat, type DType } from '../compiler/ir/dtype.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { arrayConstructor, elementCount, type TypedArray } from '../runtime/dtypes.js';
import { DlcRuntimeError, type TensorInfo } from '../runtime/index.js';
import { readNpy } from './npy.js';

export type Feeds = Record<string, TypedArray>;

/** `name=file.npy` (repeatable) → file names by input name. */
export function parseInputFiles(specs: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--input '${spec}' must look like name=file.npy`);
    const name = spec.slice(0, eq);
    if (name in files) throw new UsageError(`--input given twice for '${name}'`);
    files[name] = spec.slice(eq + 1);
  }
  return files;
}

/**
 * Feeds for `inputs`: from the .npy files given by name, the others seeded random when `random` is set.
 * Random floats are uniform in [0, 1), integers in {0, 1, 2, 3} (valid as small indices), bools 0 or 1.
 */
export function loadFeeds(inputs: readonly TensorInfo[], files: Record<string, string>, random: { seed: number } | undefined): Feeds {
  const known = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(files)) {
    if (!known.has(name)) throw new UsageError(`--input names '${name}', which is not an input of the model (inputs: ${[...known].join(', ')})`);
  }
  const rand = seededRandom(random?.seed ?? 0);
  const feeds: Feeds = {};
  for (const info of inputs) {
    const file = files[info.name];
    if (file !== undefined) feeds[info.name] = readFeed(info, file);
    else if (random) feeds[info.name] = randomFeed(info, () => (rand() + 1) / 2);
    else throw new UsageError(`no value for input '${info.name}' (${info.dtype}[${info.shape}]): give --input ${info.name}=FILE.npy or --random`);
  }
  return feeds;
}

function readFeed(info: TensorInfo, file: string): TypedArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DlcError(`cannot read input '${info.name}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  const array = readNpy(bytes, file);
  if (array.dtype !== info.dtype) throw new DlcError(`input '${info.name}' is ${info.dtype}, the file holds ${array.dtype}`, { file });
  if (array.shape.join(',') !== info.shape.join(',')) {
    throw new DlcError(`input '${info.name}' has shape [${info.shape}], the file holds [${array.shape}]`, { file });
  }
  return array.data;
}

function randomFeed(info: TensorInfo, unit: () => number): TypedArray {
  const n = elementCount(info.shape);
  const out = new (arrayConstructor(info.dtype))(n);
  for (let i = 0; i < n; i++) {
    const u = unit();
    if (info.dtype === 'f16') out[i] = f32ToF16Bits(u);
    else if (isFloat(info.dtype)) out[i] = u;
    else if (info.dtype === 'bool') out[i] = u < 0.5 ? 0 : 1;
    else if (info.dtype === 'i64' || info.dtype === 'u64') out[i] = BigInt(Math.floor(u * 4));
    else out[i] = Math.floor(u * 4);
  }
  return out;
}

/** The compiler's Tensor of a runtime array (f16 bits become their values, 64-bit integers numbers). */
export function toTensor(dtype: DType, shape: readonly number[], data: TypedArray): Tensor {
  if (dtype === 'f16') return new Tensor(dtype, shape, Array.from(data as Uint16Array, f16BitsToF32));
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return new Tensor(dtype, shape, Array.from(data, Number));
  return new Tensor(dtype, shape, data);
}

/** The first `count` values, printed short: `[0.5, -1.25, 3, …]` (f32 to 6 significant digits). */
export function formatValues(dtype: DType, data: TypedArray, count = 8): string {
  const shown = Array.from(data.subarray(0, count) as ArrayLike<number | bigint>, (v) => formatValue(dtype, v));
  return `[${shown.join(', ')}${data.length > count ? ', …' : ''}]`;
}

export function headValues(dtype: DType, data: TypedArray, count = 8): (number | string)[] {
  return Array.from(data.subarray(0, count) as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : dtype === 'f16' ? f16BitsToF32(v) : v));
}

function formatValue(dtype: DType, v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  const x = dtype === 'f16' ? f16BitsToF32(v) : v;
  return isFloat(dtype) && Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** Runs `body`, turning the runtime's errors into the CLI's (one line, exit 1). */
export async function withRuntimeErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DlcRuntimeError) throw new DlcError(e.message);
    throw e;
  }
}
