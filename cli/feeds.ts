// A compiled model's inputs from the command line: feeds from .npy files (`--input name=file.npy`), the others
// seeded random (api/feeds.ts), and a short printed form of values.
import * as fs from 'node:fs';
import { DlcError, UsageError } from '../compiler/errors.js';
import { bf16BitsToF32, f16BitsToF32, isFloat, type DType } from '../compiler/ir/dtype.js';
import type { TypedArray } from '../runtime/dtypes.js';
import type { TensorInfo } from '../runtime/index.js';
import { seededFeeds, type Feeds } from '../api/feeds.js';
import { readNpy, type NpyArray } from '../api/npy.js';

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

/** Feeds for `inputs`: from the .npy files given by name, the others seeded random (seededFeeds) when `random` is set. */
export function loadFeeds(inputs: readonly TensorInfo[], files: Record<string, string>, random: { seed: number } | undefined): Feeds {
  const known = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(files)) {
    if (!known.has(name)) throw new UsageError(`--input names '${name}', which is not an input of the model (inputs: ${[...known].join(', ')})`);
  }
  const randomFeed = random ? seededFeeds(random.seed) : undefined;
  const feeds: Feeds = {};
  for (const info of inputs) {
    const file = files[info.name];
    if (file !== undefined) feeds[info.name] = readFeed(info, file);
    else if (randomFeed) feeds[info.name] = randomFeed(info);
    else throw new UsageError(`no value for input '${info.name}' (${info.dtype}[${info.shape}]): give --input ${info.name}=FILE.npy or --random`);
  }
  return feeds;
}

/** The dtype and shape of each input file (read before compiling, so that a wrong file fails first). */
export function describeInputFiles(files: Record<string, string>): Record<string, { dtype: DType; shape: number[] }> {
  return Object.fromEntries(Object.entries(files).map(([name, file]) => {
    const { dtype, shape } = readInputFile(name, file);
    return [name, { dtype, shape }];
  }));
}

function readInputFile(name: string, file: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DlcError(`cannot read input '${name}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  return readNpy(bytes, file);
}

function readFeed(info: TensorInfo, file: string): TypedArray {
  const array = readInputFile(info.name, file);
  if (array.dtype !== info.dtype) throw new DlcError(`input '${info.name}' is ${info.dtype}, the file holds ${array.dtype}`, { file });
  if (array.shape.join(',') !== info.shape.join(',')) {
    throw new DlcError(`input '${info.name}' has shape [${info.shape}], the file holds [${array.shape}]`, { file });
  }
  return array.data;
}

/** The first `count` values, printed short: `[0.5, -1.25, 3, …]` (f32 to 6 significant digits). */
export function formatValues(dtype: DType, data: TypedArray, count = 8): string {
  const shown = Array.from(data.subarray(0, count) as ArrayLike<number | bigint>, (v) => formatValue(dtype, v));
  return `[${shown.join(', ')}${data.length > count ? ', …' : ''}]`;
}

export function headValues(dtype: DType, data: TypedArray, count = 8): (number | string)[] {
  return Array.from(data.subarray(0, count) as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v.toString() : dtype === 'f16' ? f16BitsToF32(v) : dtype === 'bf16' ? bf16BitsToF32(v) : v));
}

function formatValue(dtype: DType, v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  const x = dtype === 'f16' ? f16BitsToF32(v) : dtype === 'bf16' ? bf16BitsToF32(v) : v;
  return isFloat(dtype) && Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}
