// The legalized forms of the ops that no ONNX conformance case covers run on both targets: each output of one
// graph, compiled without a pipeline (code generation legalizes it), matches the reference interpreter.
import { Tensor } from '../compiler/ir/tensor.js';
import { buildGraph } from '../tests/util/graphs.js';
import { forEachTarget } from '../tests/util/targets.js';

const graph = () => buildGraph({
  inputs: { x: { dtype: 'f32', shape: [2, 6, 3, 4] }, s: { dtype: 'f32', shape: [6] }, b: { dtype: 'f32', shape: [6] }, i: { dtype: 'i64', shape: [2, 3] }, y: { dtype: 'f32', shape: [2, 6, 7] } },
  build: (g, { x, s, b, i, y }) => [
    g.emit('group_normalization', [x, s, b], { num_groups: 3 })[0],
    g.emit('group_normalization', [x, g.constant(Tensor.fromArray('f32', [2], [0.5, 2])), g.constant(Tensor.fromArray('f32', [2], [1, -1]))], { num_groups: 2 })[0],
    g.emit('lp_normalization', [x], { p: 1, axis: 1 })[0],
    g.emit('lp_normalization', [x], { p: 2, axis: -1 })[0],
    g.emit('global_lp_pool', [x], { p: 3 })[0],
    g.emit('global_lp_pool', [x], { p: 2 })[0],
    g.emit('lp_pool', [x], { p: 2, kernel_shape: [2, 2], strides: [1, 2], pads: [1, 0, 0, 0] })[0],
    g.emit('lp_pool', [y], { p: 3, kernel_shape: [3], pads: [1, 1] })[0],
    g.emit('center_crop_pad', [x, g.constant(Tensor.fromArray('i64', [4], [2, 4, 5, 2]))])[0],
    g.emit('one_hot', [i, g.constant(Tensor.scalar('i64', 5)), g.constant(Tensor.fromArray('f32', [2], [0, 1]))], { axis: 1 })[0],
    g.emit('constant_of_shape', [g.constant(Tensor.fromArray('i64', [2], [3, 2]))], { value: Tensor.fromArray('f32', [1], [1.5]) })[0],
    g.emit('hann_window', [g.constant(Tensor.scalar('i64', 8))])[0],
    g.emit('range', [g.constant(Tensor.scalar('f32', 1)), g.constant(Tensor.scalar('f32', 4)), g.constant(Tensor.scalar('f32', 0.5))])[0],
    g.emit('mel_weight_matrix', [8, 64, 8000, 0, 4000].map((v, i) => g.constant(Tensor.scalar(i < 3 ? 'i64' : 'f32', v))))[0],
    g.emit('einsum', [x, y], { equation: 'bjik,bjl->bjikl' })[0],
  ],
});

forEachTarget('legalized ops no conformance case covers', graph);
