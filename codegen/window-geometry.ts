// The geometry of conv and pool windows as every target's kernels read it: the node's attributes resolved
// against concrete shapes and lifted to three spatial dims (compiler/ops/nn-window.ts), once for all targets.
// `refuse` is the calling target's "not supported" error.
import type { Node } from '../compiler/ir/graph.js';
import { unpoolDims } from '../compiler/ops/nn-pool.js';
import { liftTo3d, poolPads, readWindow, resolvePads, windowOutputDims, type Geom3 } from '../compiler/ops/nn-window.js';
import { attrInt, attrInts } from '../compiler/ops/util.js';

export type Refuse = (detail: string) => never;

export interface ConvShape {
  n: number;
  c: number;
  m: number;
  group: number;
  g: Geom3;
  inPlane: number;
  outPlane: number;
  kVol: number;
}

const prod = (d: readonly number[]) => d.reduce((p, v) => p * v, 1);

/** A conv's (or, with `transpose`, a conv_transpose's) shape from its input, weight and output shapes. */
export function convShapeOf(node: Node, xs: number[], ws: number[], ys: number[], transpose: boolean, refuse: Refuse): ConvShape {
  const r = xs.length - 2;
  if (r < 1 || r > 3) refuse(`${r}-D convolution`);
  const attrs = node.attrs;
  const win = readWindow(attrs, r, ws.slice(2));
  if (transpose && win.autoPad !== 'NOTSET') refuse('auto_pad left unresolved (give concrete input shapes)');
  const pads = transpose ? (attrInts(attrs, 'pads') ?? new Array<number>(2 * r).fill(0)) : resolvePads(win, xs.slice(2));
  const g = liftTo3d(win, xs.slice(2), ys.slice(2), pads);
  return { n: xs[0], c: xs[1], m: ys[1], group: attrInt(attrs, 'group'), g, inPlane: prod(g.inDims), outPlane: prod(g.outDims), kVol: prod(g.kernel) };
}

/** A max or average pool's window over input shape `xs` (the indices output of max_pool is refused). */
export function poolGeometry(node: Node, xs: number[], refuse: Refuse): Geom3 {
  if (node.outputs.length > 1) refuse('the indices output');
  return poolWindow(node, xs, refuse);
}

/** A pool's window over input shape `xs`, whatever outputs the node has. */
export function poolWindow(node: Node, xs: number[], refuse: Refuse): Geom3 {
  const r = xs.length - 2;
  if (r < 1 || r > 3) refuse(`${r}-D pooling`);
  const win = readWindow(node.attrs, r);
  const inDims = xs.slice(2);
  const ceil = attrInt(node.attrs, 'ceil_mode') !== 0;
  const outDims = windowOutputDims(win, inDims, ceil, () => '', true) as number[];
  return liftTo3d(win, inDims, outDims, poolPads(win, inDims, outDims, ceil));
}

/** max_unpool's natural output shape [N, C, (in − 1)·s − pads + k…], which its indices address. */
export function unpooledShape(node: Node, xs: readonly number[]): number[] {
  return [xs[0], xs[1], ...(unpoolDims(node.attrs, xs.slice(2)) as number[])];
}
