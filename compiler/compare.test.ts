import { compareTensors, outputRule } from './compare.js';
import { Tensor } from './ir/tensor.js';

const tol = { atol: 1e-4, rtol: 1e-3 };
const f32 = (values: number[]) => Tensor.fromArray('f32', [values.length], values);

describe('compareTensors', () => {
  test('within atol + rtol·|want| passes and reports the largest errors', () => {
    const d = compareTensors(f32([1.0005, 0.00005, NaN]), f32([1, 0, NaN]), tol);
    expect(d.mismatch).toBeUndefined();
    expect(d.maxAbsError).toBeCloseTo(0.0005, 7);
    // 0.00005 against 0 divides by the 1e-30 floor.
    expect(d.maxRelError).toBeCloseTo(5e25, -20);
  });

  test('beyond tolerance names the first bad element', () => {
    expect(compareTensors(f32([1, 2.01, 3.5]), f32([1, 2, 3]), tol).mismatch).toBe('element 1 is 2.009999990463257, expected 2');
    expect(compareTensors(f32([NaN]), f32([0]), tol).mismatch).toBe('element 0 is NaN, expected 0');
  });

  test('integers must be exact', () => {
    const i32 = (v: number[]) => Tensor.fromArray('i32', [v.length], v);
    expect(compareTensors(i32([1, 2]), i32([1, 2]), tol)).toEqual({ maxAbsError: 0, maxRelError: 0, mismatch: undefined });
    expect(compareTensors(i32([1, 3]), i32([1, 2]), tol).mismatch).toBe('element 1 is 3, expected 2');
  });

  test('dtype and shape must agree', () => {
    expect(compareTensors(Tensor.fromArray('f64', [1], [1]), f32([1]), tol).mismatch).toBe('dtype f64, expected f32');
    expect(compareTensors(Tensor.fromArray('f32', [1, 1], [1]), f32([1]), tol).mismatch).toBe('shape [1,1], expected [1]');
  });

  test('an infinity matches only the same infinity (atol + rtol·∞ would pass any finite value)', () => {
    expect(compareTensors(f32([Infinity, -Infinity]), f32([Infinity, -Infinity]), tol).mismatch).toBeUndefined();
    expect(compareTensors(f32([2.2e38]), f32([Infinity]), tol).mismatch).toBe(`element 0 is ${Math.fround(2.2e38)}, expected Infinity`);
    expect(compareTensors(f32([-Infinity]), f32([-3e38]), tol).mismatch).toBe(`element 0 is -Infinity, expected ${Math.fround(-3e38)}`);
    expect(compareTensors(f32([NaN]), f32([Infinity]), tol).mismatch).toBe('element 0 is NaN, expected Infinity');
  });
});

describe('outputRule', () => {
  test('outputs of order 1 and above: atol as given', () => {
    const r = outputRule(f32([0.5, -3, Infinity]), tol, false);
    expect(r).toEqual({ tolerance: tol, text: '|a − b| ≤ atol + rtol·|b| = 0.0001 + 0.001·|b|' });
  });

  test('tiny outputs: atol relative to their largest magnitude, so that all-zero no longer passes', () => {
    const want = f32([3e-9, -1e-9, 0]);
    const r = outputRule(want, tol, false);
    expect(r.tolerance.atol).toBeCloseTo(3e-13, 20);
    expect(r.text).toBe('|a − b| ≤ atol·max|b| + rtol·|b| = 0.0001·3e-9 + 0.001·|b| (outputs below 1: atol relative to their largest magnitude)');
    expect(r.warning).toBeUndefined();
    expect(compareTensors(f32([0, 0, 0]), want, tol).mismatch).toBeUndefined();
    expect(compareTensors(f32([0, 0, 0]), want, r.tolerance).mismatch).toBe(`element 0 is 0, expected ${Math.fround(3e-9)}`);
    expect(compareTensors(f32([3.000001e-9, -1e-9, 0]), want, r.tolerance).mismatch).toBeUndefined();
  });

  test('a given atol above every reference value is applied, with a warning', () => {
    const r = outputRule(f32([3e-9, -1e-9]), tol, true);
    expect(r.tolerance).toEqual(tol);
    expect(r.warning).toBe('every reference value is within atol of 0 (max |b| 3e-9 ≤ atol 0.0001): any output that small passes, all-zero included');
  });

  test('degenerate references and rtol ≥ 1 are warned about; integers are exact', () => {
    expect(outputRule(f32([0, 0]), tol, false).warning).toBe('every reference value is 0: the check is only that ours are exactly 0');
    expect(outputRule(f32([NaN, Infinity]), tol, false).warning).toBe('no reference value is finite: only its NaNs and infinities are compared');
    expect(outputRule(f32([5]), { atol: 1e-4, rtol: 1 }, false).warning).toBe('rtol 1 ≥ 1 passes 0 for any reference value');
    expect(outputRule(Tensor.fromArray('i32', [1], [7]), tol, false)).toEqual({ tolerance: { atol: 0, rtol: 0 }, text: 'a = b (exact)' });
  });
});
