// Small seeded copies of the classic model families, built as ONNX with our writer so that tests need no
// download: a ResNet (residual blocks with batch-norm, a strided 1x1 shortcut), a MobileNetV2 (inverted
// residuals: 1x1 expand, ReLU6, depthwise 3x3, 1x1 project), a SqueezeNet (fire modules with concat) and a
// transformer encoder layer (multi-head self-attention, layer norm, GELU feed-forward in its erf spelling).
// Their structure is what matters for a compiler; the widths are kept small so tests run in seconds.
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import type { OnnxAttrSpec, OnnxModelSpec, OnnxNodeSpec } from '../compiler/onnx/writer.js';

/** Accumulates nodes and seeded initializers under unique names. */
class ModelBuilder {
  readonly nodes: OnnxNodeSpec[] = [];
  readonly initializers: { name: string; tensor: Tensor }[] = [];
  private readonly rand: () => number;
  private count = 0;

  constructor(seed: number) {
    this.rand = seededRandom(seed);
  }

  private fresh(hint: string): string {
    return `${hint}_${this.count++}`;
  }

  weight(shape: number[], scale: number, offset = 0): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const name = this.fresh('w');
    this.initializers.push({ name, tensor: Tensor.fromArray('f32', shape, Array.from({ length: n }, () => offset + this.rand() * scale)) });
    return name;
  }

  constant(dtype: 'f32' | 'i64', values: number[], shape = [values.length]): string {
    const name = this.fresh('c');
    this.initializers.push({ name, tensor: Tensor.fromArray(dtype, shape, values) });
    return name;
  }

  op(op: string, inputs: string[], attrs: Record<string, OnnxAttrSpec> = {}): string {
    const out = this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** conv (+ batch-norm) (+ activation). */
  conv(x: string, cin: number, cout: number, k: number, opts: { stride?: number; group?: number; bn?: boolean; act?: 'relu' | 'relu6' } = {}): string {
    const group = opts.group ?? 1;
    const p = (k - 1) / 2;
    const w = this.weight([cout, cin / group, k, k], Math.sqrt(2 / ((cin / group) * k * k)));
    let y = this.op('Conv', opts.bn ? [x, w] : [x, w, this.weight([cout], 0.1)], {
      kernel_shape: [k, k], pads: [p, p, p, p], strides: [opts.stride ?? 1, opts.stride ?? 1], group,
    });
    if (opts.bn) {
      y = this.op('BatchNormalization', [y, this.weight([cout], 0.2, 1), this.weight([cout], 0.1), this.weight([cout], 0.1), this.weight([cout], 0.2, 1)], { epsilon: { float: 1e-5 } });
    }
    if (opts.act === 'relu') y = this.op('Relu', [y]);
    if (opts.act === 'relu6') y = this.op('Clip', [y, this.constant('f32', [0], []), this.constant('f32', [6], [])]);
    return y;
  }

  classifier(x: string, channels: number, classes: number): string {
    const flat = this.op('Flatten', [this.op('GlobalAveragePool', [x])]);
    return this.op('Gemm', [flat, this.weight([classes, channels], 0.3), this.weight([classes], 0.1)], { transB: 1 });
  }

  model(input: { name: string; shape: number[] }, output: string, outShape: number[]): OnnxModelSpec {
    this.nodes.push({ op: 'Identity', inputs: [output], outputs: ['output'] });
    return {
      producer: 'dlc models/zoo.ts',
      opset: 17,
      inputs: [{ name: input.name, dtype: 'f32', shape: input.shape }],
      outputs: [{ name: 'output', dtype: 'f32', shape: outShape }],
      nodes: this.nodes,
      initializers: this.initializers,
    };
  }
}

export function resnet(): OnnxModelSpec {
  const b = new ModelBuilder(101);
  const block = (x: string, cin: number, cout: number, stride: number) => {
    const y = b.conv(b.conv(x, cin, cout, 3, { stride, bn: true, act: 'relu' }), cout, cout, 3, { bn: true });
    const shortcut = stride === 1 && cin === cout ? x : b.conv(x, cin, cout, 1, { stride, bn: true });
    return b.op('Relu', [b.op('Add', [y, shortcut])]);
  };
  let x = b.conv('image', 3, 16, 3, { bn: true, act: 'relu' });
  x = block(block(x, 16, 16, 1), 16, 32, 2);
  x = block(x, 32, 32, 1);
  return b.model({ name: 'image', shape: [1, 3, 32, 32] }, b.classifier(x, 32, 10), [1, 10]);
}

export function mobilenetV2(): OnnxModelSpec {
  const b = new ModelBuilder(202);
  const invertedResidual = (x: string, cin: number, cout: number, stride: number, expand: number) => {
    const hidden = cin * expand;
    let y = b.conv(x, cin, hidden, 1, { bn: true, act: 'relu6' });
    y = b.conv(y, hidden, hidden, 3, { stride, group: hidden, bn: true, act: 'relu6' });
    y = b.conv(y, hidden, cout, 1, { bn: true });
    return stride === 1 && cin === cout ? b.op('Add', [x, y]) : y;
  };
  let x = b.conv('image', 3, 16, 3, { stride: 2, bn: true, act: 'relu6' });
  x = invertedResidual(x, 16, 16, 1, 1);
  x = invertedResidual(x, 16, 24, 2, 6);
  x = invertedResidual(x, 24, 24, 1, 6);
  x = b.conv(x, 24, 64, 1, { bn: true, act: 'relu6' });
  return b.model({ name: 'image', shape: [1, 3, 64, 64] }, b.classifier(x, 64, 10), [1, 10]);
}

export function squeezenet(): OnnxModelSpec {
  const b = new ModelBuilder(303);
  const fire = (x: string, cin: number, squeeze: number, expand: number) => {
    const s = b.conv(x, cin, squeeze, 1, { act: 'relu' });
    return b.op('Concat', [b.conv(s, squeeze, expand, 1, { act: 'relu' }), b.conv(s, squeeze, expand, 3, { act: 'relu' })], { axis: 1 });
  };
  let x = b.conv('image', 3, 32, 3, { stride: 2, act: 'relu' });
  x = b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] });
  x = fire(fire(x, 32, 8, 16), 32, 8, 16);
  x = b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] });
  x = fire(x, 32, 16, 32);
  // No ReLU on the classifier conv (the original has one): with seeded weights it would zero most logits
  // and leave a uniform softmax that checks nothing.
  x = b.conv(x, 64, 10, 1);
  const logits = b.op('Flatten', [b.op('GlobalAveragePool', [x])]);
  return b.model({ name: 'image', shape: [1, 3, 64, 64] }, b.op('Softmax', [logits], { axis: 1 }), [1, 10]);
}

export function transformerEncoder(): OnnxModelSpec {
  const b = new ModelBuilder(404);
  const [seq, d, heads] = [16, 32, 4];
  const dh = d / heads;
  const linear = (x: string, din: number, dout: number) => b.op('Add', [b.op('MatMul', [x, b.weight([din, dout], 1 / Math.sqrt(din))]), b.weight([dout], 0.05)]);
  const splitHeads = (x: string) => b.op('Transpose', [b.op('Reshape', [x, b.constant('i64', [1, seq, heads, dh])])], { perm: [0, 2, 1, 3] });
  const layerNorm = (x: string) => b.op('LayerNormalization', [x, b.weight([d], 0.1, 1), b.weight([d], 0.05)], { axis: -1, epsilon: { float: 1e-5 } });

  const x = 'tokens';
  const q = splitHeads(linear(x, d, d));
  const k = b.op('Transpose', [b.op('Reshape', [linear(x, d, d), b.constant('i64', [1, seq, heads, dh])])], { perm: [0, 2, 3, 1] });
  const v = splitHeads(linear(x, d, d));
  const scores = b.op('Div', [b.op('MatMul', [q, k]), b.constant('f32', [Math.sqrt(dh)], [])]);
  const attn = b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), v]);
  const merged = b.op('Reshape', [b.op('Transpose', [attn], { perm: [0, 2, 1, 3] }), b.constant('i64', [1, seq, d])]);
  const h = layerNorm(b.op('Add', [x, linear(merged, d, d)]));
  // GELU as PyTorch exports it: 0.5 · x · (1 + erf(x / √2)).
  const up = linear(h, d, 4 * d);
  const erf = b.op('Erf', [b.op('Div', [up, b.constant('f32', [Math.SQRT2], [])])]);
  const gelu = b.op('Mul', [b.op('Mul', [up, b.op('Add', [erf, b.constant('f32', [1], [])])]), b.constant('f32', [0.5], [])]);
  const out = layerNorm(b.op('Add', [h, linear(gelu, 4 * d, d)]));
  return b.model({ name: 'tokens', shape: [1, seq, d] }, out, [1, seq, d]);
}

export const ZOO: Record<string, () => OnnxModelSpec> = {
  resnet,
  'mobilenet-v2': mobilenetV2,
  squeezenet,
  'transformer-encoder': transformerEncoder,
};
