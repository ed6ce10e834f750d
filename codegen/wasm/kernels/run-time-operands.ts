// Operands given at run time that kernels otherwise want as constants: trilu's k and cum_sum's axis, which the
// kernel loads from memory (a constant operand goes to the compile-time kernels of movement.ts, which bake it
// in). Neither changes the output's shape. (An operand with no elements, such as reduce_*'s empty axes fed as a
// graph input, is known from its shape alone: withEmptyOperandsKnown in codegen/movement-geometry.ts.)
import type { Value } from '../../../compiler/ir/graph.js';
import { asType } from '../as-target.js';
import { shapeOf, sizeOfValue, type KernelContext } from './kernel.js';
import { cumSumAlong, cumSumKernel, triluAbout, triluKernel } from './movement.js';

/** The first element of an integer operand, as an i64 expression. */
function scalarOf(k: KernelContext, v: Value): string {
  return `<i64>load<${asType(v.type.dtype)}>(${k.ptr(v)})`;
}

/** y = x where column − row ≥ k (upper) or ≤ k (lower), else 0, over the last two axes. */
export function runTimeTriluKernel(k: KernelContext): string {
  const kv = k.node.inputs[1];
  if (!kv || k.constantOf(kv)) return triluKernel(k);
  if (sizeOfValue(k.output(0)) === 0) return '';
  return [`const diag: i64 = ${scalarOf(k, kv)};`, triluAbout(k, 'diag')].join('\n');
}

/** Running sums along the run-time axis: one branch per axis the input has, each with its loops baked in. */
export function runTimeCumSumKernel(k: KernelContext): string {
  const axis = k.input(1);
  if (k.constantOf(axis)) return cumSumKernel(k);
  const rank = shapeOf(k.input(0)).length;
  if (sizeOfValue(k.output(0)) === 0) return '';
  const branches = Array.from({ length: rank }, (_, a) => `if (axis == ${a}) {\n${cumSumAlong(k, a).replace(/^/gm, '  ')}\n}`);
  return [`const given: i64 = ${scalarOf(k, axis)};`, `const axis: i64 = given < 0 ? given + ${rank} : given;`, branches.join(' else ')].join('\n');
}
