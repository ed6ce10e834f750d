import { Tensor } from '../ir/tensor.js';
import { t, vals, run, infer, dlcError } from '../../tests/util/tensor-op-harness.js';

const scalar = (v: number) => Tensor.scalar('i64', v);

describe('stft', () => {
  test('frames of frame_length every frame_step; a constant signal has only a DC term, the frame length', () => {
    const x = t('f32', [1, 10, 1], new Array<number>(10).fill(1));
    const [y] = run('stft', [x, scalar(3), null, scalar(4)]);
    // ⌊(10 − 4)/3⌋ + 1 = 3 frames, ⌊4/2⌋ + 1 = 3 bins, each (re, im).
    expect(y.shape).toEqual([1, 3, 3, 2]);
    vals(y).forEach((v, e) => expect(v).toBeCloseTo(e % 6 === 0 ? 4 : 0, 6));
  });

  test('a cosine at bin 2 peaks there; the window scales each sample, two-sided output has frame_length bins', () => {
    const n = 8;
    const x = t('f32', [1, n, 1], Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * 2 * j) / n)));
    const w = t('f32', [n], new Array<number>(n).fill(0.5));
    const [y] = run('stft', [x, scalar(n), w], { onesided: 0 });
    expect(y.shape).toEqual([1, 1, n, 2]);
    // X[k] = 0.5 · n/2 at k = 2 and k = n − 2, 0 elsewhere.
    const re = vals(y).filter((_, e) => e % 2 === 0);
    re.forEach((v, k) => expect(v).toBeCloseTo(k === 2 || k === n - 2 ? 2 : 0, 5));
  });

  test('shapes: frames from a run-time frame_step stay symbolic; no window and no frame_length is an error', () => {
    const [y] = infer('stft', [{ dtype: 'f32', shape: [2, 100, 1] }, { dtype: 'i64', shape: [] }, null, scalar(16)]);
    expect(y.shape[0]).toBe(2);
    expect(typeof y.shape[1]).toBe('string');
    expect(y.shape.slice(2)).toEqual([9, 2]);
    expect(dlcError(() => infer('stft', [{ dtype: 'f32', shape: [1, 8, 1] }, scalar(2)]))).toMatch('needs a window or a frame_length');
  });
});
