// The geometry of dft as every target's kernel reads it: the transformed axis, the signal length n (the
// dft_length, padding or truncating the axis), the output length along the axis, and the twiddle table,
// resolved once from the node's constant operands and concrete shapes. `refuse` is the calling target's "not
// supported" error.
import { attrInt, normalizeAxis } from '../compiler/ops/util.js';
import type { ConstantOperands } from './movement-geometry.js';
import type { Refuse } from './window-geometry.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/**
 * X[k] = s Σ_j x[j] e^{∓2πi jk/n} along `axis` (s = 1/n for the inverse), j < min(n, d); the input is
 * [outer…, d, inner…, width] (width 1: real, 2: complex), the output [outer…, outLen, inner…, 2].
 */
export interface DftGeometry {
  axis: number;
  /** The input's length along the axis. */
  d: number;
  n: number;
  outLen: number;
  /** Elements (of width) between successive positions along the axis. */
  inner: number;
  width: number;
  inverse: boolean;
  /** cos and sin of ∓2π m/n for m < n, interleaved, computed in f64 (the index jk mod n picks one). */
  twiddles: number[];
}

export function dftGeometry(k: ConstantOperands, xs: readonly number[], ys: readonly number[], refuse: Refuse): DftGeometry {
  const [lengthV, axisV] = [k.node.inputs[1], k.node.inputs[2]];
  const lengthT = lengthV ? k.constantOf(lengthV) : undefined;
  const axisT = axisV ? k.constantOf(axisV) : undefined;
  if ((lengthV && !lengthT) || (axisV && !axisT)) refuse('dft_length or axis known only at run time');
  const axis = normalizeAxis(axisT ? axisT.data[0] : -2, xs.length);
  const d = xs[axis];
  const n = lengthT ? lengthT.data[0] : d;
  const inverse = attrInt(k.node.attrs, 'inverse') !== 0;
  const sign = inverse ? 1 : -1;
  const twiddles = Array.from({ length: 2 * n }, (_, e) => (e % 2 ? Math.sin : Math.cos)((sign * 2 * Math.PI * Math.floor(e / 2)) / n));
  return { axis, d, n, outLen: ys[axis], inner: prod(xs.slice(axis + 1, -1)), width: xs.at(-1)!, inverse, twiddles };
}
