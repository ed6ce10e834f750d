import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph } from '../../wasm/testing.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });
const i64 = (...v: number[]) => Tensor.fromArray('i64', [v.length], v);

test('data-movement kernels match the interpreter', async () => {
  const g = buildGraph({
    inputs: { x: f32(2, 3, 4, 5), y: f32(2, 2, 4, 5), z: f32(1, 8, 4, 6), idx: { dtype: 'i64', shape: [2, 2] } },
    build: (b, { x, y, z, idx }) => {
      const r = b.emit('reshape', [x, b.constant(i64(6, 20))])[0];
      return [
        b.emit('relu', [r])[0],
        b.emit('flatten', [x], { axis: 2 })[0],
        b.emit('unsqueeze', [x, b.constant(i64(0))])[0],
        b.emit('transpose', [x], { perm: [0, 2, 3, 1] })[0],
        b.emit('transpose', [x])[0],
        b.emit('concat', [x, y], { axis: 1 })[0],
        b.emit('concat', [x, x], { axis: -1 })[0],
        ...b.emit('split', [x, b.constant(i64(1, 3))], { axis: 2 }),
        b.emit('slice', [x, b.constant(i64(1, -1)), b.constant(i64(3, 0)), b.constant(i64(2, 3)), b.constant(i64(1, -2))])[0],
        b.emit('gather', [x, idx], { axis: 2 })[0],
        b.emit('pad', [x, b.constant(i64(0, 1, 2, -1, 0, 0, 1, 2)), b.constant(Tensor.scalar('f32', 0.5))])[0],
        b.emit('expand', [y, b.constant(i64(3, 2, 2, 4, 5))])[0],
        b.emit('shape', [x], { start: 1, end: -1 })[0],
        b.emit('size', [y])[0],
        b.emit('gather_elements', [x, b.emit('cast', [b.emit('floor', [b.emit('mul', [x, b.constant(Tensor.scalar('f32', 3))])[0]])[0]], { to: 'i64' })[0]], { axis: 1 })[0],
        b.emit('trilu', [x, b.constant(Tensor.scalar('i64', 1))])[0],
        b.emit('trilu', [x], { upper: 0 })[0],
        b.emit('depth_to_space', [z], { blocksize: 2 })[0],
        b.emit('depth_to_space', [z], { blocksize: 2, mode: 'CRD' })[0],
        b.emit('space_to_depth', [z], { blocksize: 2 })[0],
        b.emit('cum_sum', [x, b.constant(Tensor.scalar('i64', 2))])[0],
        b.emit('cum_sum', [x, b.constant(Tensor.scalar('i64', -1))], { exclusive: 1, reverse: 1 })[0],
      ];
    },
  });
  expect(await mismatches(g)).toEqual([]);
});

test('dropout at inference with its mask, pad edge and reflect, reversed slice and tile match the interpreter', async () => {
  const g = buildGraph({
    inputs: { x: f32(2, 3, 4) },
    build: (b, { x }) => [
      ...b.emit('dropout', [x], {}, 2),
      b.emit('pad', [x, b.constant(i64(0, 1, 2, 0, 2, 3))], { mode: 'edge' })[0],
      b.emit('pad', [x, b.constant(i64(0, 2, 3, 0, 1, 2))], { mode: 'reflect' })[0],
      b.emit('slice', [x, b.constant(i64(-1, 3)), b.constant(i64(-10, 0)), b.constant(i64(1, 2)), b.constant(i64(-1, -2))])[0],
      b.emit('tile', [x, b.constant(i64(2, 1, 3))])[0],
    ],
  });
  expect(await mismatches(g)).toEqual([]);
});
