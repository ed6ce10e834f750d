// The inputs an ONNX model declares (names, dtypes, dims after --input-shape), read from its protobuf without
// importing its graph, so that `verify` checks the values it is given before it spends time compiling.
import { DlcError, UsageError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import { decodeModel, dtypeFromOnnx, toNumber } from '../compiler/onnx/proto.js';
import { arrayConstructor, type TypedArray } from '../runtime/dtypes.js';

export interface DeclaredInput {
  name: string;
  dtype: DType;
  /** A number where the model (or an --input-shape) fixes the dim, its symbol or '?' where not. */
  dims: (number | string)[];
}

/** The graph inputs that are not initializers, minus those specialized by value, with the given shapes applied. */
export function declaredInputs(bytes: Uint8Array, file: string, options: { inputShapes?: Record<string, number[]>; inputValues?: Record<string, unknown> } = {}): DeclaredInput[] {
  const gp = decodeModel(bytes, file).graph;
  const initializers = new Set((gp?.initializer ?? []).map((t) => t.name ?? ''));
  return (gp?.input ?? [])
    .filter((vi) => !initializers.has(vi.name ?? '') && !(options.inputValues && (vi.name ?? '') in options.inputValues))
    .map((vi) => {
      const name = vi.name ?? '';
      const tt = vi.type?.tensorType;
      const given = options.inputShapes?.[name];
      const dims = given ?? (tt?.shape?.dim ?? []).map((d) => (d.dimValue !== null && d.dimValue !== undefined && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : d.dimParam || '?'));
      return { name, dtype: dtypeFromOnnx(tt?.elemType), dims };
    });
}

/** A usage error when a name is not one of the inputs; `who` says where the names came from (`--input`). */
export function checkInputNames(declared: readonly DeclaredInput[], names: readonly string[], who: string): void {
  const known = new Set(declared.map((i) => i.name));
  const unknown = names.find((n) => !known.has(n));
  if (unknown !== undefined) throw new UsageError(`${who} names '${unknown}', which is not an input of the model (inputs: ${[...known].join(', ')})`);
}

const describe = (dtype: DType, dims: readonly (number | string)[]) => `${dtype}[${dims.join(',')}]`;

/**
 * Throws one clear DlcError when `given` (values by input name, each a dtype and a shape, or a typed array
 * whose kind and length are all it says) names no input or disagrees with the input's dtype or fixed dims.
 */
export function checkGivenInputs(declared: readonly DeclaredInput[], given: Record<string, { dtype: DType; shape: readonly number[] } | TypedArray>, file: string): void {
  checkInputNames(declared, Object.keys(given), 'options.inputs');
  const byName = new Map(declared.map((d) => [d.name, d]));
  for (const [name, value] of Object.entries(given)) {
    const d = byName.get(name)!;
    const want = describe(d.dtype, d.dims);
    if (ArrayBuffer.isView(value)) {
      if (!(value instanceof arrayConstructor(d.dtype))) throw new DlcError(`input '${name}' is ${want}, the value given is a ${value.constructor.name}`, { file });
      const fixed = d.dims.every((x) => typeof x === 'number');
      const count = (d.dims as number[]).reduce((p, x) => p * x, 1);
      if (fixed && value.length !== count) throw new DlcError(`input '${name}' is ${want} (${count} elements), the value given has ${value.length}`, { file });
      continue;
    }
    const ok = value.dtype === d.dtype && value.shape.length === d.dims.length && d.dims.every((x, i) => typeof x !== 'number' || x === value.shape[i]);
    if (!ok) throw new DlcError(`input '${name}' is ${want}, the value given is ${describe(value.dtype, value.shape)}`, { file });
  }
}
