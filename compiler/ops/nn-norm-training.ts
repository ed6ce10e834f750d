// BatchNormalization with training_mode = 1 (opset 14+), decomposed at import into ops every target has:
// the batch's statistics over every axis but the channel axis 1, then inference batch norm with them.
//
//   mean = ReduceMean(x, axes ≠ 1)            var = ReduceMean((x − mean)², axes ≠ 1)   (population variance)
//   y = (x − mean) / √(var + ε) · scale + B
//   running_mean = input_mean · momentum + mean · (1 − momentum)
//   running_var  = input_var  · momentum + var  · (1 − momentum)
import { DlcError } from '../errors.js';
import type { Attrs, Value } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { ImportBuilder, OnnxNode } from './registry.js';

export function trainingBatchNorm(node: OnnxNode, b: ImportBuilder): Value[] {
  const [x, scale, bias, inputMean, inputVar] = node.inputs;
  if (!x || !scale || !bias || !inputMean || !inputVar) throw new DlcError('training-mode BatchNormalization needs all five inputs');
  const rank = x.type.shape.length;
  if (rank < 2) throw new DlcError(`training-mode BatchNormalization needs rank 2 or more, got ${rank}`);
  const dtype = x.type.dtype;
  const scalar = (v: number) => b.constant(Tensor.scalar(dtype, v));
  const axes = b.constant(Tensor.fromArray('i64', [rank - 1], [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]));
  const toChannels = (v: Value) => b.emit('reshape', [v, b.constant(Tensor.fromArray('i64', [1], [-1]))])[0];
  const meanKept = b.emit('reduce_mean', [x, axes], { keepdims: 1 })[0];
  const centered = b.emit('sub', [x, meanKept])[0];
  const varKept = b.emit('reduce_mean', [b.emit('mul', [centered, centered])[0], axes], { keepdims: 1 })[0];
  const [mean, variance] = [toChannels(meanKept), toChannels(varKept)];
  const epsilon: Attrs = node.attrs.epsilon === undefined ? {} : { epsilon: node.attrs.epsilon };
  const y = b.emit('batch_normalization', [x, scale, bias, mean, variance], epsilon, 1)[0];
  const momentum = (node.attrs.momentum as number | undefined) ?? 0.9;
  const running = (given: Value, batch: Value) =>
    b.emit('add', [b.emit('mul', [given, scalar(momentum)])[0], b.emit('mul', [batch, scalar(1 - momentum)])[0]])[0];
  return [y, running(inputMean, mean), running(inputVar, variance)].slice(0, node.numOutputs);
}
