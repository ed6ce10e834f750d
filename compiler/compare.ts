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

/** |got - want| <= atol + rtol * |want| element-wise; NaN matches NaN only, ±∞ the same infinity only; integers must be exact. */
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
    // An infinity (or NaN) matches only itself: atol + rtol·∞ would let any finite number pass for ∞.
    const ok = exact || !Number.isFinite(w) || !Number.isFinite(g) ? false : abs <= tol.atol + tol.rtol * Math.abs(w);
    if (!ok && bad < 0) bad = i;
  }
  const mismatch = bad >= 0 ? `element ${bad} is ${got.data[bad]}, expected ${want.data[bad]}` : undefined;
  return { maxAbsError: maxAbs, maxRelError: maxRel, mismatch };
}

/** The rule one output is judged by, as `dlc verify` applies and prints it. */
export interface OutputRule {
  /** The tolerance compareTensors applies (atol already scaled where the rule scales it). */
  tolerance: Tolerance;
  /** The rule with its numbers, e.g. `|a − b| ≤ 0.0001 + 0.001·|b|`. */
  text: string;
  /** Why the rule says little about this output, when it does. */
  warning?: string;
}

const num = (x: number) => (x === 0 || !Number.isFinite(x) ? String(x) : String(Number(x.toPrecision(3))));

/**
 * The rule for an output whose reference is `want` (b; ours is a). An absolute atol (given by the user, or
 * derived from quantization scales) applies as it is. Otherwise atol is an error budget for outputs of order 1,
 * and outputs whose largest magnitude m is below 1 get atol·m: an atol of 1e-4 against outputs of 3e-9 would
 * pass any output near 0, all-zero included. Integers and bools are compared exactly.
 */
export function outputRule(want: Tensor, tol: Tolerance, absoluteAtol: boolean): OutputRule {
  if (!isFloat(want.dtype)) return { tolerance: { atol: 0, rtol: 0 }, text: 'a = b (exact)' };
  let scale = 0;
  let finite = 0;
  for (let i = 0; i < want.size; i++) {
    const w = want.data[i];
    if (!Number.isFinite(w)) continue;
    finite++;
    if (Math.abs(w) > scale) scale = Math.abs(w);
  }
  const scaled = !absoluteAtol && scale < 1;
  const atol = scaled ? tol.atol * scale : tol.atol;
  const text = scaled
    ? `|a − b| ≤ atol·max|b| + rtol·|b| = ${num(tol.atol)}·${num(scale)} + ${num(tol.rtol)}·|b| (outputs below 1: atol relative to their largest magnitude)`
    : `|a − b| ≤ atol + rtol·|b| = ${num(atol)} + ${num(tol.rtol)}·|b|`;
  let warning: string | undefined;
  if (want.size > 0 && finite === 0) warning = 'no reference value is finite: only its NaNs and infinities are compared';
  else if (want.size > 0 && scale === 0) warning = `every reference value is 0: the check is only that ours are ${atol === 0 ? 'exactly 0' : `within ${num(atol)} of 0`}`;
  else if (!scaled && scale > 0 && scale <= atol) {
    warning = `every reference value is within atol of 0 (max |b| ${num(scale)} ≤ atol ${num(atol)}): any output that small passes, all-zero included`;
  } else if (tol.rtol >= 1) warning = `rtol ${num(tol.rtol)} ≥ 1 passes 0 for any reference value`;
  return { tolerance: { atol, rtol: tol.rtol }, text, ...(warning ? { warning } : {}) };
}
