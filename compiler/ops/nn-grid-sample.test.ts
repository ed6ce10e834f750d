import { importModel, runOp, tensor, values } from '../../tests/util/op-harness.js';
import { reflect } from './nn-grid-sample.js';

// X = [[1, 2], [3, 4]] on one channel; each grid point is (x, y) in [-1, 1].
const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
const at = (...points: number[]) => tensor(points, [1, 1, points.length / 2, 2]);
const sample = (grid: number[], attrs: Record<string, string | number>) => values(runOp('grid_sample', [x, at(...grid)], attrs)[0]);

describe('grid_sample', () => {
  test('linear: the centre averages the four pixels; align_corners puts ±1 on the corner pixels', () => {
    // (1, -1) is x = 1.5, y = -0.5: a quarter of pixel (0, 1), the other taps outside (zeros).
    expect(sample([0, 0, 1, -1], {})).toEqual([2.5, 0.5]);
    expect(sample([0, 0, 1, -1], { align_corners: 1 })).toEqual([2.5, 2]);
  });

  test('padding modes at a corner half a pixel outside: zeros fade, border and reflection read the edge', () => {
    expect(sample([-1, -1], { padding_mode: 'zeros' })).toEqual([0.25]);
    expect(sample([-1, -1], { padding_mode: 'border' })).toEqual([1]);
    expect(sample([-1, -1], { padding_mode: 'reflection' })).toEqual([1]);
    // Further out, reflection folds the point back in: x = -2 (align_corners) reflects twice, to 0.
    expect(sample([-5, 1], { padding_mode: 'reflection', align_corners: 1 })).toEqual([3]);
  });

  test('nearest rounds half to even', () => {
    // align_corners on 2 pixels: x = 0.5 rounds to 0, y = 1.
    expect(sample([0, 1], { mode: 'nearest', align_corners: 1 })).toEqual([3]);
  });

  test('cubic (A = -0.75) on a ramp: exact at a half pixel, Keys weights between', () => {
    const ramp = tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], [1, 1, 4, 4]);
    const [y] = runOp('grid_sample', [ramp, at(0, 0, 0.25, 0)], { mode: 'cubic', align_corners: 1 });
    // x = 1.875: weights of columns 0..3 are k(1.875), k(0.875), k(0.125), k(1.125) = -0.0102539, 0.1147461,
    // 0.9672852, -0.0717773 (by hand), so 0.1147461 + 2 · 0.9672852 - 3 · 0.0717773 = 1.8339844.
    expect(values(y)).toEqual([1.5, 1.83398]);
  });

  test('five-dimensional X: trilinear at the centre is the mean', () => {
    const cube = tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 2, 2]);
    const [y] = runOp('grid_sample', [cube, tensor([0, 0, 0], [1, 1, 1, 1, 3])], {});
    expect(y.shape).toEqual([1, 1, 1, 1, 1]);
    expect(values(y)).toEqual([4.5]);
  });

  test('reflect folds back and forth between the bounds', () => {
    expect([reflect(-1, 0, 3), reflect(4, 0, 3), reflect(7.5, 0, 3), reflect(-0.75, -0.5, 1.5)]).toEqual([1, 2, 1.5, -0.25]);
  });

  test('GridSample opset 16 imports its mode names to the canonical ones', () => {
    const g = importModel({
      opset: 16,
      inputs: [{ name: 'x', dtype: 'f32', shape: [1, 1, 2, 2] }, { name: 'g', dtype: 'f32', shape: [1, 3, 3, 2] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [1, 1, 3, 3] }],
      nodes: [{ op: 'GridSample', inputs: ['x', 'g'], outputs: ['y'], attrs: { mode: 'bicubic', padding_mode: 'border' } }],
    });
    expect(g.nodes[0].op).toBe('grid_sample');
    expect(g.nodes[0].attrs).toMatchObject({ mode: 'cubic', padding_mode: 'border' });
    expect(g.outputs[0].type.shape).toEqual([1, 1, 3, 3]);
  });
});
