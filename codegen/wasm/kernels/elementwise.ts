// Element-wise kernels with numpy broadcasting over any rank: one loop nest (dims merged where every operand
// is contiguous), operands loaded into locals, the op's scalar expression from the C-like renderer stored.
// Single-element constants become literals.
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { renderElementwise, type ScalarOperand } from '../../c-like.js';
import { AS_TARGET, asLiteral, asType } from '../as-target.js';
import { at, shapeOf, type KernelContext } from './kernel.js';
import { broadcastStridesOf, loopNest } from './loops.js';

/** The body of a loop computing one output element; `offsets` are the output's, then each loaded operand's. */
function elementBody(k: KernelContext, node: Node, operands: (Value | null)[], offsets: string[], out: Value): string {
  const lines: string[] = [];
  const xs: ScalarOperand[] = [];
  let j = 0;
  operands.forEach((v, i) => {
    if (!v) return;
    const c = k.constantOf(v);
    const dtype = v.type.dtype;
    const name = `x${i}`;
    if (c && c.size === 1) lines.push(`const ${name}: ${asType(dtype)} = ${asLiteral(c.data[0], dtype)};`);
    else lines.push(`const ${name}: ${asType(dtype)} = load<${asType(dtype)}>(${at(k.ptr(v), offsets[++j], dtype)});`);
    xs[i] = { expr: name, dtype };
  });
  const dense = xs.filter((x): x is ScalarOperand => x !== undefined);
  // Clip's absent bounds stay holes in `xs` (its renderer looks operands up by position).
  const exprOperands = node.op === 'clip' ? xs : dense;
  const expr = renderElementwise(node, exprOperands, out.type.dtype, AS_TARGET);
  lines.push(`store<${asType(out.type.dtype)}>(${at(k.ptr(out), offsets[0], out.type.dtype)}, ${expr});`);
  return lines.join('\n');
}

export function elementwiseKernel(k: KernelContext): string {
  const node = k.node;
  const out = k.output(0);
  const outShape = shapeOf(out);
  const operands = node.op === 'expand' ? [node.inputs[0]] : node.inputs;
  const present = operands.filter((v): v is Value => v !== null && !(k.constantOf(v)?.size === 1));
  const strides = [stridesOf(outShape), ...present.map((v) => broadcastStridesOf(shapeOf(v), outShape))];
  return loopNest({ dims: outShape, strides }, (offsets) => elementBody(k, node, operands, offsets, out));
}
