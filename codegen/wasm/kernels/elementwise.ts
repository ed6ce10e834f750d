// Element-wise kernels with numpy broadcasting over any rank: one loop nest (dims merged where every operand
// is contiguous). A kernel computes a fused group of element-wise nodes (see codegen/fusion.ts): each
// external operand is loaded once into a local, each node's scalar expression from the C-like renderer
// becomes a local, and only the group's last value is stored. Single-element constants become literals.
// In a threaded module a large kernel is split: each thread takes a share of the outermost loop (of the
// vector loop in whole vectors when it is the only one), so every element is computed as with one thread.
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { renderElementwise, type ScalarOperand } from '../../../compiler/ops/scalar-forms.js';
import { AS_TARGET, asLiteral, asLoad, asRounded, asStore, asWorkType } from '../as-target.js';
import { at, shapeOf, type KernelContext } from './kernel.js';
import { epilogueOf } from './epilogue.js';
import { exp4 } from './vector-math.js';
import { broadcastStridesOf, collapse, loopNest, type LoopSpace } from '../../loops.js';
import { isThreaded, sharedNest, threadShare } from './threads.js';

/** Fewer elements than this are not worth a split: the kernel runs on one thread. */
const SPLIT_MIN_ELEMENTS = 16384;

/** The operands a node's expression takes: expand's target shape is no operand. */
function operandsOf(node: Node): (Value | null)[] {
  return node.op === 'expand' ? [node.inputs[0]] : node.inputs;
}

/** The f32x4 form of a node's expression over vector operands, or undefined when it has none. */
function vectorExpr(k: KernelContext, node: Node, xs: string[]): string | undefined {
  const binary = (f: string) => (xs.length === 2 ? `f32x4.${f}(${xs[0]}, ${xs[1]})` : undefined);
  switch (node.op) {
    case 'add': return binary('add');
    case 'sub': return binary('sub');
    case 'mul': return binary('mul');
    case 'div': return binary('div');
    case 'max': case 'min': return xs.slice(1).reduce((acc, x) => `f32x4.${node.op}(${acc}, ${x})`, xs[0]);
    case 'neg': case 'abs': case 'sqrt': return `f32x4.${node.op}(${xs[0]})`;
    case 'expand': return xs[0];
    case 'exp': return `${exp4(k)}(${xs[0]})`;
    // 1 / (1 + e^−x)
    case 'sigmoid': return `f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), ${exp4(k)}(f32x4.neg(${xs[0]}))))`;
    // A unary activation's vector form does not read the stored element's position.
    default: return epilogueOf(node)?.vector(xs[0], '0');
  }
}

interface Operands {
  loaded: Value[];
  /** Each node's operand list as the scalar renderer takes it (clip's absent bounds stay holes). */
  operands(n: Node): (Value | undefined)[];
}

function operandsIn(k: KernelContext, nodes: readonly Node[]): Operands {
  const inside = new Set(nodes.map((n) => n.outputs[0]));
  const loaded: Value[] = [];
  for (const n of nodes) {
    for (const v of operandsOf(n)) if (v && !inside.has(v) && !loaded.includes(v) && !(k.constantOf(v)?.size === 1)) loaded.push(v);
  }
  const operands = (n: Node) => {
    const xs: (Value | undefined)[] = [];
    operandsOf(n).forEach((v, i) => {
      if (v) xs[n.op === 'clip' ? i : xs.length] = v;
    });
    return xs;
  };
  return { loaded, operands };
}

/** The scalar body at one element: `offsets[0]` the output's, `offsets[i + 1]` loaded operand i's. */
function scalarBody(k: KernelContext, nodes: readonly Node[], ops: Operands, offsets: string[]): string {
  const out = nodes[nodes.length - 1].outputs[0];
  const lines: string[] = [];
  const local = new Map<Value, string>();
  ops.loaded.forEach((v, i) => {
    local.set(v, `x${i}`);
    lines.push(`const x${i}: ${asWorkType(v.type.dtype)} = ${asLoad(at(k.ptr(v), offsets[i + 1], v.type.dtype), v.type.dtype)};`);
  });
  const operand = (v: Value): ScalarOperand => {
    const c = k.constantOf(v);
    const expr = local.get(v) ?? (c && c.size === 1 ? asLiteral(c.data[0], v.type.dtype) : undefined);
    if (expr === undefined) throw new Error(`code generator bug: no operand for '${v.name}'`);
    return { expr, dtype: v.type.dtype };
  };
  nodes.forEach((n, j) => {
    const xs: ScalarOperand[] = [];
    ops.operands(n).forEach((v, i) => (xs[i] = operand(v!)));
    const expr = renderElementwise(n, xs, n.outputs[0].type.dtype, AS_TARGET);
    const dtype = n.outputs[0].type.dtype;
    if (j === nodes.length - 1) lines.push(asStore(at(k.ptr(out), offsets[0], dtype), dtype, expr));
    else {
      // An f16 value inside the group is rounded as its store would round it.
      lines.push(`const t${j}: ${asWorkType(dtype)} = ${asRounded(expr, dtype)};`);
      local.set(n.outputs[0], `t${j}`);
    }
  });
  return lines.join('\n');
}

/**
 * The f32x4 body at four elements from `e` (each operand contiguous or broadcast along the innermost dim), or
 * undefined when some value is not f32 or some node has no vector form.
 */
function vectorBody(k: KernelContext, nodes: readonly Node[], ops: Operands, offsets: string[], innerStrides: number[]): string | undefined {
  const out = nodes[nodes.length - 1].outputs[0];
  if (nodes.some((n) => n.outputs[0].type.dtype !== 'f32' || ops.operands(n).some((v) => v && v.type.dtype !== 'f32'))) return undefined;
  const lines: string[] = [];
  const local = new Map<Value, string>();
  ops.loaded.forEach((v, i) => {
    local.set(v, `x${i}`);
    const base = `${k.ptr(v)} + (${offsets[i + 1]}) * 4`;
    lines.push(`const x${i} = ${innerStrides[i + 1] === 0 ? `v128.load32_splat(${base})` : `v128.load(${base} + e * 4)`};`);
  });
  for (const [j, n] of nodes.entries()) {
    const xs = ops.operands(n).map((v) => (v ? local.get(v) ?? `f32x4.splat(${asLiteral(k.constantOf(v)!.data[0], 'f32')})` : ''));
    // Clip's bounds are part of its vector form (constants only), not operands.
    const expr = vectorExpr(k, n, n.op === 'clip' ? xs.slice(0, 1) : xs);
    if (expr === undefined) return undefined;
    if (j === nodes.length - 1) lines.push(`v128.store(${k.ptr(out)} + (${offsets[0]} + e) * 4, ${expr});`);
    else {
      lines.push(`const t${j} = ${expr};`);
      local.set(n.outputs[0], `t${j}`);
    }
  }
  return lines.join('\n');
}

/**
 * Computes `nodes` (in order; each reads graph values or earlier nodes' outputs) and stores the last one's
 * output. When every operand is contiguous or broadcast along the innermost (merged) dim, that dim runs four
 * elements per f32x4 step with a scalar tail.
 */
export function elementwiseGroupKernel(k: KernelContext, nodes: readonly Node[]): string {
  const out = nodes[nodes.length - 1].outputs[0];
  const outShape = shapeOf(out);
  const ops = operandsIn(k, nodes);
  const space = collapse({ dims: outShape, strides: [stridesOf(outShape), ...ops.loaded.map((v) => broadcastStridesOf(shapeOf(v), outShape))] });
  const inner = space.dims[space.dims.length - 1] ?? 1;
  const innerStrides = space.strides.map((s) => s[s.length - 1]);
  const vectorizable = innerStrides.every((s) => s === 0 || s === 1) && k.decide('vector', () => inner >= 8);
  const vector = vectorizable ? vectorBody(k, nodes, ops, space.strides.map(() => '0'), innerStrides) : undefined;
  const split = isThreaded(k) && space.dims.reduce((p, d) => p * d, 1) >= SPLIT_MIN_ELEMENTS;
  if (vector === undefined) return splitNest(k, split, space, (offsets) => scalarBody(k, nodes, ops, offsets));
  const outer = { dims: space.dims.slice(0, -1), strides: space.strides.map((s) => s.slice(0, -1)) };
  // With no outer loop, a split shares the vector loop itself, in whole vectors.
  const [share, lo, hi] = split && outer.dims.length === 0 ? [threadShare(k, 'e', inner, 4), 'eLo', 'eHi'] : ['', '0', `${inner}`];
  const nest = splitNest(k, split && outer.dims.length > 0, outer, (offsets) => [
    `let e: i32 = ${lo};`,
    `for (; e + 4 <= ${hi}; e += 4) {`,
    vectorBody(k, nodes, ops, offsets, innerStrides)!.replace(/^/gm, '  '),
    '}',
    `for (; e < ${hi}; e++) {`,
    scalarBody(k, nodes, ops, offsets.map((o, i) => (innerStrides[i] === 0 ? o : `${o} + e`))).replace(/^/gm, '  '),
    '}',
  ].join('\n'));
  return share ? `${share}\n${nest}` : nest;
}

/** loopNest over a collapsed space, its leading dims shared among threads when `split` (threads.ts sharedNest). */
function splitNest(k: KernelContext, split: boolean, space: LoopSpace, body: (offsets: string[]) => string): string {
  return split ? sharedNest(k, space, body) : loopNest(space, body);
}

export function elementwiseKernel(k: KernelContext): string {
  return elementwiseGroupKernel(k, [k.node]);
}
