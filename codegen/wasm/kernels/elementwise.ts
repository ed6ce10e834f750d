// Element-wise kernels with numpy broadcasting over any rank: one loop nest (dims merged where every operand
// is contiguous). A kernel computes a fused group of element-wise nodes (see codegen/fusion.ts): each
// external operand is loaded once into a local, each node's scalar expression from the C-like renderer
// becomes a local, and only the group's last value is stored. Single-element constants become literals.
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { renderElementwise, type ScalarOperand } from '../../c-like.js';
import { AS_TARGET, asLiteral, asType } from '../as-target.js';
import { at, shapeOf, type KernelContext } from './kernel.js';
import { broadcastStridesOf, loopNest } from './loops.js';

/** The operands a node's expression takes: expand's target shape is no operand. */
function operandsOf(node: Node): (Value | null)[] {
  return node.op === 'expand' ? [node.inputs[0]] : node.inputs;
}

/** Computes `nodes` (in order; each reads graph values or earlier nodes' outputs) and stores the last one's output. */
export function elementwiseGroupKernel(k: KernelContext, nodes: readonly Node[]): string {
  const out = nodes[nodes.length - 1].outputs[0];
  const outShape = shapeOf(out);
  const inside = new Set(nodes.map((n) => n.outputs[0]));
  const loaded: Value[] = [];
  for (const n of nodes) {
    for (const v of operandsOf(n)) if (v && !inside.has(v) && !loaded.includes(v) && !(k.constantOf(v)?.size === 1)) loaded.push(v);
  }
  const strides = [stridesOf(outShape), ...loaded.map((v) => broadcastStridesOf(shapeOf(v), outShape))];
  return loopNest({ dims: outShape, strides }, (offsets) => {
    const lines: string[] = [];
    const local = new Map<Value, string>();
    loaded.forEach((v, i) => {
      local.set(v, `x${i}`);
      lines.push(`const x${i}: ${asType(v.type.dtype)} = load<${asType(v.type.dtype)}>(${at(k.ptr(v), offsets[i + 1], v.type.dtype)});`);
    });
    const operand = (v: Value): ScalarOperand => {
      const c = k.constantOf(v);
      const expr = local.get(v) ?? (c && c.size === 1 ? asLiteral(c.data[0], v.type.dtype) : undefined);
      if (expr === undefined) throw new Error(`code generator bug: no operand for '${v.name}'`);
      return { expr, dtype: v.type.dtype };
    };
    nodes.forEach((n, j) => {
      // Clip's absent bounds stay holes of a sparse array (its renderer looks operands up by position).
      const xs: ScalarOperand[] = [];
      operandsOf(n).forEach((v, i) => {
        if (v) xs[n.op === 'clip' ? i : xs.length] = operand(v);
      });
      const expr = renderElementwise(n, xs, n.outputs[0].type.dtype, AS_TARGET);
      const dtype = n.outputs[0].type.dtype;
      if (j === nodes.length - 1) lines.push(`store<${asType(dtype)}>(${at(k.ptr(out), offsets[0], dtype)}, ${expr});`);
      else {
        lines.push(`const t${j}: ${asType(dtype)} = ${expr};`);
        local.set(n.outputs[0], `t${j}`);
      }
    });
    return lines.join('\n');
  });
}

export function elementwiseKernel(k: KernelContext): string {
  return elementwiseGroupKernel(k, [k.node]);
}
