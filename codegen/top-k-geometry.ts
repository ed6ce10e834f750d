// The geometry of top_k as every target's kernel reads it: the selected axis split into rows (outer × inner
// independent lines of length d), K from its constant operand (the output's shape already holds it), and the
// order. Both targets select by the same partial selection: pass r picks the best element ranked after the
// one pass r − 1 picked, in the order (value, then lower index first), so ties keep ascending indices as ONNX
// requires and no scratch memory marks what was taken. That is O(K·d) per row: meant for small K.
import type { Attrs } from '../compiler/ir/graph.js';
import { attrInt, normalizeAxis } from '../compiler/ops/util.js';
import type { Refuse } from './window-geometry.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

export interface TopKGeometry {
  /** Rows before the axis. */
  outer: number;
  /** The axis' length. */
  d: number;
  /** Elements after the axis: the stride between successive positions along it. */
  inner: number;
  k: number;
  largest: boolean;
}

export function topKGeometry(attrs: Attrs, xs: readonly number[], ys: readonly number[], refuse: Refuse): TopKGeometry {
  const axis = normalizeAxis(attrInt(attrs, 'axis'), xs.length);
  const [d, k] = [xs[axis], ys[axis]];
  if (k > d) refuse(`K ${k} exceeds the axis size ${d}`);
  return { outer: prod(xs.slice(0, axis)), d, inner: prod(xs.slice(axis + 1)), k, largest: attrInt(attrs, 'largest') !== 0 };
}

/**
 * The comparisons of the selection, as expressions of the candidate (`v`, `j`) in the target's spelling:
 * `after` holds when the candidate ranks after the previous pick (`pv`, `pj`), `better` when it beats the best
 * so far (`bv`; candidates are scanned in ascending j, so an equal value keeps the earlier index).
 */
export function topKComparisons(largest: boolean): { after: string; better: string } {
  const [beyond, beats] = largest ? ['<', '>'] : ['>', '<'];
  return { after: `(v ${beyond} pv || (v == pv && j > pj))`, better: `v ${beats} bv` };
}
