// Tolerance comparison of computed tensors with expected ones: the conformance cases, the real-model tests
// and `dlc verify` judge a result by this one rule.
import type { Tensor } from './ir/tensor.js';
import { isFloat } from './ir/dtype.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Difference {
  maxAbsError: number;
  maxRelError: number;
  /** Why the tensors differ beyond tolerance; undefined when they match. */
  mismatch?: string;
}

/** |got - want| <= atol + rtol * |want| element-wise; NaN matches NaN; integers must be exact. */
export function compareTensors(got: Tensor, want: Tensor, tol: Tolerance): Difference {
  if (got.dtype !== want.dtype) return { maxAbsError: Infinity, maxRelError: Infinity, mismatch: `dtype ${got.dtype}, expected ${want.dtype}` };
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return { maxAbsError: Infinity, maxRelError: Infinity, mismatch: `shape [${got.shape}], expected [${want.shape}]` };
  }
  const exact = !isFloat(want.dtype);
  let maxAbs = 0;
  let maxRel = 0;
  let bad = -1;
  for (let i = 0; i < want.size; i++) {
    const g = got.data[i];
    const w = want.data[i];
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    if (g === w) continue;
    const abs = Math.abs(g - w);
    const rel = abs / Math.max(Math.abs(w), 1e-30);
    if (!(abs <= maxAbs)) maxAbs = abs;
    if (!(rel <= maxRel)) maxRel = rel;
    const ok = exact ? false : abs <= tol.atol + tol.rtol * Math.abs(w);
    if (!ok && bad < 0) bad = i;
  }
  const mismatch = bad >= 0 ? `element ${bad} is ${got.data[bad]}, expected ${want.data[bad]}` : undefined;
  return { maxAbsError: maxAbs, maxRelError: maxRel, mismatch };
}
