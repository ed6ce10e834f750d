import { runOp, tensor, values } from '../../tests/util/op-harness.js';

describe('layout ops', () => {
  const x = tensor([0, 1, 2, 3, 4, 5, 6, 7], [1, 8, 1, 1]);

  test('depth_to_space DCR and CRD', () => {
    const [dcr] = runOp('depth_to_space', [x], { blocksize: 2 });
    expect(dcr.shape).toEqual([1, 2, 2, 2]);
    expect(values(dcr)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(values(runOp('depth_to_space', [x], { blocksize: 2, mode: 'CRD' })[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('space_to_depth inverts DCR depth_to_space', () => {
    const [dcr] = runOp('depth_to_space', [x], { blocksize: 2 });
    const [back] = runOp('space_to_depth', [dcr], { blocksize: 2 });
    expect(back.shape).toEqual([1, 8, 1, 1]);
    expect(values(back)).toEqual(values(x));
  });

  test('dropout is the identity at inference, with a mask of ones', () => {
    const [y, mask] = runOp('dropout', [x], {}, 2);
    expect(values(y)).toEqual(values(x));
    expect(mask.dtype).toBe('bool');
    expect(values(mask)).toEqual(new Array(8).fill(1));
  });

  test('training-mode dropout drops about the ratio of the elements by its seeded hash, scaling the rest by 1 / (1 − ratio)', () => {
    const ones = tensor(new Array(2000).fill(1), [2000]);
    const [y, mask] = runOp('dropout', [ones, tensor([0.25], []), tensor([1], [], 'bool')], { seed: 3 }, 2);
    const kept = Array.from(mask.data).filter((m) => m === 1).length;
    expect(kept / 2000).toBeGreaterThan(0.7);
    expect(kept / 2000).toBeLessThan(0.8);
    expect(Array.from(y.data).every((v, i) => (mask.data[i] ? Math.abs(v - 4 / 3) < 1e-6 : v === 0))).toBe(true);
    const [again] = runOp('dropout', [ones, tensor([0.25], []), tensor([1], [], 'bool')], { seed: 4 }, 1);
    expect(Array.from(again.data)).not.toEqual(Array.from(y.data));
    expect(values(runOp('dropout', [x, tensor([0], []), tensor([1], [], 'bool')])[0])).toEqual(values(x));
  });
});
