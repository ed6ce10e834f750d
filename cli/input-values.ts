// `--input-value name=v0,v1,...` or `--input-value name=file.npy` (repeatable): the values of the inputs a
// compile specializes on, the inputs whose values decide shapes (a Reshape's shape, a Slice's starts). A list
// of numbers takes the dtype and shape the model declares for the input (the frontend checks it); a .npy file
// brings its own, which must match the declaration.
import * as fs from 'node:fs';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { toTensor } from '../api/feeds.js';
import { readNpy } from '../api/npy.js';

/** The values given by `--input-value` flags, by input name: lists of numbers, or tensors read from .npy files. */
export function parseInputValues(specs: readonly string[]): Record<string, number[] | Tensor> {
  const values: Record<string, number[] | Tensor> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input-value '${spec}' must look like name=v0,v1,... or name=file.npy`);
    const name = spec.slice(0, eq);
    const text = spec.slice(eq + 1).trim();
    if (Object.hasOwn(values, name)) throw new UsageError(`--input-value given twice for '${name}'`);
    values[name] = text.toLowerCase().endsWith('.npy') ? readNpyTensor(text) : parseNumbers(spec, text);
  }
  return values;
}

/** Comma-separated numbers as JavaScript reads them (1, -2.5, 1e-3, 0x10), and nan, inf, -inf. */
function parseNumbers(spec: string, text: string): number[] {
  if (text === '') return [];
  return text.split(',').map((token) => {
    const t = token.trim();
    if (/^nan$/i.test(t)) return NaN;
    if (/^[+-]?inf$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    const x = t === '' ? NaN : Number(t);
    if (Number.isNaN(x)) throw new UsageError(`--input-value '${spec}': '${t}' is not a number`);
    return x;
  });
}

function readNpyTensor(file: string): Tensor {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DlcError(`cannot read --input-value file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 2);
  }
  const array = readNpy(bytes, file);
  return toTensor(array.dtype, array.shape, array.data);
}
