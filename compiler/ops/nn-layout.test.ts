import { DlcError } from '../errors.js';
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

  test('training-mode dropout is refused', () => {
    expect(() => runOp('dropout', [x, tensor([0.5], []), tensor([1], [], 'bool')])).toThrow(DlcError);
    expect(values(runOp('dropout', [x, tensor([0], []), tensor([1], [], 'bool')])[0])).toEqual(values(x));
  });
});
