// Element-wise kernels with numpy broadcasting: one invocation per output element. A kernel computes a fused
// group of element-wise nodes (codegen/fusion.ts): each external operand is loaded once into a local, each
// node's scalar expression from the C-like renderer becomes a local, and only the last value is stored.
// Single-element constants become literals, so they take no binding.
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { renderElementwise, type ScalarOperand } from '../../../compiler/ops/scalar-forms.js';
import { broadcastStridesOf } from '../../loops.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType, WGSL_TARGET, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, offsetsOf, perInvocation, stored, unsupported } from './shader.js';

/** The operands a node's expression takes: expand's target shape is no operand. */
function operandsOf(node: Node): (Value | null)[] {
  return node.op === 'expand' ? [node.inputs[0]] : node.inputs;
}

/** Computes `nodes` (in order; each reads graph values or earlier nodes' outputs) and stores the last one's output. */
export function elementwiseGroupKernel(k: WgslKernelContext, nodes: readonly Node[]): WgslDispatch[] {
  const out = nodes[nodes.length - 1].outputs[0];
  const outShape = shapeOf(out);
  if (sizeOfValue(out) === 0) return [];
  const inside = new Set(nodes.map((n) => n.outputs[0]));
  const loaded: Value[] = [];
  for (const n of nodes) {
    for (const v of operandsOf(n)) if (v && !inside.has(v) && !loaded.includes(v) && !(k.constantOf(v)?.size === 1)) loaded.push(v);
  }
  const b = new Bindings([out]);
  const y = b.of(out);
  const names = loaded.map((v) => b.of(v));
  if (b.list.length > 8) unsupported(nodes[nodes.length - 1], `${b.list.length} bindings`);
  const strides = [stridesOf(outShape), ...loaded.map((v) => broadcastStridesOf(shapeOf(v), outShape))];
  const lines = [offsetsOf(outShape, strides, 'i')];
  const local = new Map<Value, string>();
  loaded.forEach((v, j) => {
    local.set(v, `x${j}`);
    lines.push(`  let x${j} = ${names[j]}[o${j + 1}];`);
  });
  const operand = (v: Value): ScalarOperand => {
    const c = k.constantOf(v);
    const expr = local.get(v) ?? (c && c.size === 1 ? wgslLiteral(c.data[0], v.type.dtype) : undefined);
    if (expr === undefined) throw new Error(`code generator bug: no operand for '${v.name}'`);
    return { expr, dtype: v.type.dtype };
  };
  nodes.forEach((n, j) => {
    // Clip's absent bounds stay holes of a sparse array (its renderer looks operands up by position).
    const xs: ScalarOperand[] = [];
    operandsOf(n).forEach((v, i) => {
      if (v) xs[n.op === 'clip' ? i : xs.length] = operand(v);
    });
    const dtype = n.outputs[0].type.dtype;
    const expr = stored(renderElementwise(n, xs, dtype, WGSL_TARGET), dtype);
    if (j === nodes.length - 1) lines.push(`  ${y}[o0] = ${expr};`);
    else {
      lines.push(`  let t${j}: ${storageType(dtype)} = ${expr};`);
      local.set(n.outputs[0], `t${j}`);
    }
  });
  return [perInvocation({ bindings: b.list, count: sizeOfValue(out), body: lines.join('\n') })];
}

export function elementwiseKernel(k: WgslKernelContext): WgslDispatch[] {
  return elementwiseGroupKernel(k, [k.node]);
}
