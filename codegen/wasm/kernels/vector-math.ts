// f32x4 transcendental functions for the kernels (WebAssembly SIMD has none), added to a module once through
// KernelContext.helper.
import type { KernelContext } from './kernel.js';

/**
 * e^x on four lanes (Cephes expf, about 2 ulp): x = n·ln 2 + r with n = ⌊x·log₂e + ½⌋ and r split off in two
 * parts of ln 2 for accuracy, e^r by its degree-7 Taylor-like minimax polynomial, 2ⁿ built in the exponent
 * bits as 2ⁿ⁻¹ · 2. x is clamped to [−87.3, 89] first, so that n − 1 stays within the exponents: at the top the
 * final doubling overflows to +∞ exactly where e^x does (x > 88.72, +∞ included); at the bottom 2ⁿ⁻¹'s bits
 * are 0, so e^x is 0 below about −87 (−∞ included) where it would be below 1.2e−38. NaN stays NaN (f32x4.min
 * and max propagate it).
 */
const EXP4 = `
function exp4(v: v128): v128 {
  const x0 = f32x4.min(f32x4.max(v, f32x4.splat(-87.3)), f32x4.splat(89));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x0, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  const x = f32x4.sub(f32x4.sub(x0, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, x), x), x), f32x4.splat(1));
  const pow2n1 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(126)), 23);
  return f32x4.mul(f32x4.mul(y, pow2n1), f32x4.splat(2));
}
`;

/** The name to call for e^x on an f32x4. */
export function exp4(k: KernelContext): string {
  return k.helper('exp4', () => EXP4);
}
