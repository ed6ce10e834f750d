import { compareTensors } from './compare.js';
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
});
