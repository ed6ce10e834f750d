// The concrete shapes codegen works with: every target bakes specialized shapes into its kernels, so a
// symbolic dim that reaches codegen is the user's missing `--input-shape`, reported as such.
import { DlcError } from '../compiler/errors.js';
import { isConcreteShape, type Value } from '../compiler/ir/graph.js';

/** The concrete shape of a value (codegen needs specialized shapes). */
export function shapeOf(v: Value): number[] {
  if (!isConcreteShape(v.type.shape)) throw new DlcError(`value '${v.name}' has symbolic shape [${v.type.shape}]; give concrete input shapes`);
  return v.type.shape;
}

export function sizeOfValue(v: Value): number {
  return shapeOf(v).reduce((n, d) => n * d, 1);
}
