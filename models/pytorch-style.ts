// Models in the shape PyTorch's ONNX exporter writes, for tests that must see what users bring rather than our
// own tidy graphs: sizes taken at run time through Shape → Gather → Unsqueeze → Concat chains feeding Reshape
// and Slice, Identity nodes, constants as Constant nodes, and dynamic axes named in the inputs.
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import type { OnnxModelSpec, OnnxNodeSpec } from '../compiler/onnx/writer.js';

/**
 * One self-attention encoder layer as `torch.onnx.export` writes it with `dynamic_axes={'x': {0: 'batch',
 * 1: 'seq'}}`: a learned positional table sliced to the sequence length (`pe[:, :x.size(1)]`), heads split
 * and merged with `x.view(b, s, h, d)` (Reshape on a Concat of Shape-derived sizes), scaled dot-product
 * attention under GPT-2's causal mask (a buffer sliced from run-time sizes), LayerNormalization and a ReLU
 * feed-forward.
 */
export function pytorchTransformer(d = 32, heads = 4, maxSeq = 64): OnnxModelSpec {
  const rand = seededRandom(77);
  const initializers: { name: string; tensor: Tensor }[] = [];
  const w = (name: string, shape: number[], scale = 0.2) => {
    initializers.push({ name, tensor: Tensor.fromArray('f32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * scale)) });
    return name;
  };
  const nodes: OnnxNodeSpec[] = [];
  let n = 0;
  const node = (op: string, inputs: string[], attrs?: OnnxNodeSpec['attrs'], outputs = 1): string[] => {
    const name = `/${op}_${n++}`;
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    nodes.push({ op, inputs, outputs: outs, name, ...(attrs ? { attrs } : {}) });
    return outs;
  };
  const constant = (values: number[], dtype: 'i64' | 'f32' = 'i64', shape = [values.length]) => node('Constant', [], { value: Tensor.fromArray(dtype, shape, values) })[0];
  /** `t.size(axis)` as a 1-element i64 tensor, the way the exporter spells it. */
  const size = (t: string, axis: number) => node('Unsqueeze', [node('Gather', [node('Shape', [t])[0], constant([axis], 'i64', [])], { axis: 0 })[0], constant([0])])[0];
  const linear = (x: string, inF: number, outF: number, prefix: string) => node('Add', [node('MatMul', [x, w(`${prefix}.weight`, [inF, outF])])[0], w(`${prefix}.bias`, [outF])])[0];
  const dh = d / heads;

  const [x0] = node('Identity', ['x']);
  const pe = node('Slice', [w('pe', [1, maxSeq, d], 0.1), constant([0]), size(x0, 1), constant([1])])[0];
  const [h] = node('Add', [x0, pe]);
  const splitHeads = (t: string) =>
    node('Transpose', [node('Reshape', [t, node('Concat', [size(h, 0), size(h, 1), constant([heads]), constant([dh])], { axis: 0 })[0]])[0]], { perm: [0, 2, 1, 3] })[0];
  const q = splitHeads(linear(h, d, d, 'q'));
  const k = splitHeads(linear(h, d, d, 'k'));
  const v = splitHeads(linear(h, d, d, 'v'));
  const raw = node('Div', [node('MatMul', [q, node('Transpose', [k], { perm: [0, 1, 3, 2] })[0]])[0], constant([Math.sqrt(dh)], 'f32', [])])[0];
  // GPT-2's causal mask: a [1,1,max,max] buffer sliced `bias[:, :, klen - qlen : klen, :klen]`, the start
  // computed from two sizes at run time, then `torch.where(mask, scores, finfo.min)`.
  const qlen = size(q, 2);
  const klen = size(k, 2);
  const tril = Array.from({ length: maxSeq * maxSeq }, (_, i) => (i % maxSeq <= Math.floor(i / maxSeq) ? 1 : 0));
  initializers.push({ name: 'bias', tensor: Tensor.fromArray('bool', [1, 1, maxSeq, maxSeq], tril) });
  const rows = node('Slice', ['bias', node('Sub', [klen, qlen])[0], klen, constant([2])])[0];
  const mask = node('Slice', [rows, constant([0]), klen, constant([3])])[0];
  const scores = node('Where', [mask, raw, constant([-3.4028234663852886e38], 'f32', [])])[0];
  const attn = node('MatMul', [node('Softmax', [scores], { axis: -1 })[0], v])[0];
  const merged = node('Reshape', [node('Transpose', [attn], { perm: [0, 2, 1, 3] })[0], node('Concat', [size(h, 0), size(h, 1), constant([-1])], { axis: 0 })[0]])[0];
  const [r1] = node('Add', [h, linear(merged, d, d, 'out')]);
  const [n1] = node('LayerNormalization', [r1, w('ln1.weight', [d], 0.1), w('ln1.bias', [d], 0.1)], { axis: -1, epsilon: { float: 1e-5 } });
  const ff = linear(node('Relu', [linear(n1, d, 2 * d, 'ff1')])[0], 2 * d, d, 'ff2');
  const [out] = node('LayerNormalization', [node('Add', [n1, ff])[0], w('ln2.weight', [d], 0.1), w('ln2.bias', [d], 0.1)], { axis: -1, epsilon: { float: 1e-5 } });
  nodes.push({ op: 'Identity', inputs: [out], outputs: ['y'], name: '/Identity_out' });
  return {
    name: 'main_graph',
    producer: 'pytorch',
    inputs: [{ name: 'x', dtype: 'f32', shape: ['batch', 'seq', d] }],
    outputs: [{ name: 'y', dtype: 'f32', shape: ['batch', 'seq', d] }],
    nodes,
    initializers,
  };
}

/** What the torchvision exports take: the input's side (224 as torchvision is exported; smaller for tests) and the opset. */
export interface TorchvisionExportOptions {
  size?: number;
  opset?: number;
}

/**
 * Builds a graph as `torch.onnx.export` (2.x, eval mode, `do_constant_folding=True`) writes a torchvision
 * model: nodes named by their module scope (`/features/features.3/squeeze/Conv`), outputs `<node>_output_0`,
 * constants as Constant nodes, parameters under their state-dict names, and the tensors the exporter computed
 * itself (batch norm folded into a conv) as `onnx::Conv_<n>`.
 */
class TorchExport {
  readonly nodes: OnnxNodeSpec[] = [];
  readonly initializers: { name: string; tensor: Tensor }[] = [];
  private readonly rand: () => number;
  private readonly used = new Map<string, number>();
  private valueNumber = 300;

  constructor(seed: number) {
    this.rand = seededRandom(seed);
  }

  /** A node in module scope `scope` (e.g. `/features/features.0`); a repeated op in one scope gets `_1`, `_2`, … as torch names it. */
  node(scope: string, op: string, inputs: string[], attrs?: OnnxNodeSpec['attrs'], output?: string): string {
    const base = `${scope}/${op}`;
    const k = this.used.get(base) ?? 0;
    this.used.set(base, k + 1);
    const name = k === 0 ? base : `${base}_${k}`;
    const out = output ?? `${name}_output_0`;
    this.nodes.push({ op, inputs, outputs: [out], name, ...(attrs ? { attrs } : {}) });
    return out;
  }

  constant(scope: string, dtype: 'f32' | 'i64', values: number[], shape: number[] = [values.length]): string {
    return this.node(scope, 'Constant', [], { value: Tensor.fromArray(dtype, shape, values) });
  }

  /**
   * A seeded tensor of standard deviation `std` under `name` (or the exporter's next `onnx::Conv_<n>`): uniform
   * on ±√3·std, as torch's `kaiming_uniform_` draws conv weights.
   */
  param(shape: number[], std: number, name?: string): string {
    const id = name ?? `onnx::Conv_${this.valueNumber}`;
    this.valueNumber += 3;
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const half = Math.sqrt(3) * std;
    for (let i = 0; i < n; i++) values[i] = half * this.rand();
    this.initializers.push({ name: id, tensor: Tensor.fromArray('f32', shape, values) });
    return id;
  }

  /**
   * Conv2d's weight and bias, Kaiming-scaled (std √(gain/fan_in): gain 2 before a ReLU, 1 before nothing) so
   * that activations keep their scale through the depth of the network. With `foldedBatchNorm` the bias is
   * absent in the module and the pair is what folding a BatchNorm2d leaves: per-channel scales near 1 folded
   * into the weight, a shift as the bias, named `onnx::Conv_<n>`.
   */
  convParams(prefix: string | undefined, cout: number, cinPerGroup: number, k: number, gain: number): [string, string] {
    const std = Math.sqrt(gain / (cinPerGroup * k * k));
    if (prefix !== undefined) return [this.param([cout, cinPerGroup, k, k], std, `${prefix}.weight`), this.param([cout], 0.05, `${prefix}.bias`)];
    const w = this.param([cout, cinPerGroup, k, k], std);
    const weight = this.initializers[this.initializers.length - 1].tensor;
    const per = cinPerGroup * k * k;
    for (let o = 0; o < cout; o++) {
      const scale = 1 + 0.25 * this.rand();
      for (let i = 0; i < per; i++) weight.data[o * per + i] *= scale;
    }
    return [w, this.param([cout], 0.1)];
  }

  conv(scope: string, x: string, [w, b]: [string, string], k: number, opts: { stride?: number; pad?: number; group?: number } = {}): string {
    const [s, p] = [opts.stride ?? 1, opts.pad ?? 0];
    return this.node(scope, 'Conv', [x, w, b], { dilations: [1, 1], group: opts.group ?? 1, kernel_shape: [k, k], pads: [p, p, p, p], strides: [s, s] });
  }

  model(name: string, opset: number, size: number, output: string, classes: number): OnnxModelSpec {
    return {
      name: 'main_graph',
      producer: 'pytorch',
      producerVersion: '2.1.0',
      docString: `torchvision.models.${name}() exported by torch.onnx.export (dlc models/pytorch-style.ts, seeded weights)`,
      opset,
      inputs: [{ name: 'input', dtype: 'f32', shape: [1, 3, size, size] }],
      outputs: [{ name: output, dtype: 'f32', shape: [1, classes] }],
      nodes: this.nodes,
      initializers: this.initializers,
    };
  }
}

/**
 * torchvision's `squeezenet1_1()` as exported: conv 3×3/2 to 64 channels and ReLU, max pools 3/2 with
 * `ceil_mode=True` (pads 0, ceil_mode 1 in ONNX), eight Fire modules (squeeze 1×1 + ReLU, expand 1×1 and
 * expand 3×3 + ReLU each, joined by Concat on channels), then the classifier: Dropout (gone in an eval
 * export), conv 1×1 to 1000 classes, ReLU, AdaptiveAvgPool2d((1, 1)) as GlobalAveragePool, and
 * `torch.flatten(x, 1)` as Flatten. 1.24 M parameters (4.9 MB of weights) under their state-dict names.
 */
export function torchvisionSqueezeNet11(opts: TorchvisionExportOptions = {}): OnnxModelSpec {
  const [size, opset, classes] = [opts.size ?? 224, opts.opset ?? 17, 1000];
  const t = new TorchExport(1101);
  const relu = (scope: string, x: string) => t.node(scope, 'Relu', [x]);
  const maxPool = (scope: string, x: string) => t.node(scope, 'MaxPool', [x], { ceil_mode: 1, dilations: [1, 1], kernel_shape: [3, 3], pads: [0, 0, 0, 0], strides: [2, 2] });
  const fire = (index: number, x: string, cin: number, squeeze: number, expand: number) => {
    const scope = `/features/features.${index}`;
    const prefix = `features.${index}`;
    const s = relu(`${scope}/squeeze_activation`, t.conv(`${scope}/squeeze`, x, t.convParams(`${prefix}.squeeze`, squeeze, cin, 1, 2), 1));
    const e1 = relu(`${scope}/expand1x1_activation`, t.conv(`${scope}/expand1x1`, s, t.convParams(`${prefix}.expand1x1`, expand, squeeze, 1, 2), 1));
    const e3 = relu(`${scope}/expand3x3_activation`, t.conv(`${scope}/expand3x3`, s, t.convParams(`${prefix}.expand3x3`, expand, squeeze, 3, 2), 3, { pad: 1 }));
    return t.node(scope, 'Concat', [e1, e3], { axis: 1 });
  };
  let x = relu('/features/features.1', t.conv('/features/features.0', 'input', t.convParams('features.0', 64, 3, 3, 2), 3, { stride: 2 }));
  x = maxPool('/features/features.2', x);
  x = fire(4, fire(3, x, 64, 16, 64), 128, 16, 64);
  x = maxPool('/features/features.5', x);
  x = fire(7, fire(6, x, 128, 32, 128), 256, 32, 128);
  x = maxPool('/features/features.8', x);
  x = fire(9, x, 256, 48, 192);
  x = fire(10, x, 384, 48, 192);
  x = fire(11, x, 384, 64, 256);
  x = fire(12, x, 512, 64, 256);
  x = relu('/classifier/classifier.2', t.conv('/classifier/classifier.1', x, t.convParams('classifier.1', classes, 512, 1, 2), 1));
  x = t.node('/classifier/classifier.3', 'GlobalAveragePool', [x]);
  t.node('', 'Flatten', [x], { axis: 1 }, 'output');
  return t.model('squeezenet1_1', opset, size, 'output', classes);
}

/** torchvision's `_make_divisible`: channels rounded to a multiple of 8, never below 90% of the request. */
function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/**
 * torchvision's `mobilenet_v2(width_mult=w)` as exported: every Conv2d + BatchNorm2d pair folded by the
 * exporter into one Conv with bias (`onnx::Conv_<n>` initializers), ReLU6 as Clip with its bounds as inputs
 * (opset ≥ 11), the 17 inverted residuals (1×1 expand, 3×3 depthwise, 1×1 linear project; Add where stride 1
 * keeps the channels), the 1×1 conv to 1280, `adaptive_avg_pool2d` as GlobalAveragePool and
 * `x.reshape(x.shape[0], -1)` as the exporter spells it (Shape → Gather → Unsqueeze → Concat → Reshape),
 * then Dropout (gone in eval) and Linear(1280, 1000) as Gemm. The Clip bounds are two Constant nodes that
 * later Clips read through Identity nodes, as the exporter's deduplication of equal constants leaves them.
 * 3.5 M parameters (14 MB) at width 1.
 */
export function torchvisionMobileNetV2(opts: TorchvisionExportOptions & { widthMult?: number } = {}): OnnxModelSpec {
  const [size, opset, classes, width] = [opts.size ?? 224, opts.opset ?? 17, 1000, opts.widthMult ?? 1];
  const t = new TorchExport(2202);
  let bounds: [string, string] | undefined;
  const relu6 = (scope: string, x: string) => {
    if (!bounds) {
      bounds = [t.constant(scope, 'f32', [0], []), t.constant(scope, 'f32', [6], [])];
      return t.node(scope, 'Clip', [x, ...bounds]);
    }
    return t.node(scope, 'Clip', [x, t.node(scope, 'Identity', [bounds[0]]), t.node(scope, 'Identity', [bounds[1]])]);
  };
  /** Conv2dNormActivation: conv (batch norm folded) and ReLU6, in scope `scope` (`….0` conv, `….2` ReLU6). */
  const convBnRelu6 = (scope: string, x: string, cin: number, cout: number, k: number, stride = 1, group = 1) => {
    const leaf = scope.slice(scope.lastIndexOf('/') + 1);
    const y = t.conv(`${scope}/${leaf}.0`, x, t.convParams(undefined, cout, cin / group, k, 2), k, { stride, pad: (k - 1) / 2, group });
    return relu6(`${scope}/${leaf}.2`, y);
  };
  const settings: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let cin = makeDivisible(32 * width);
  const last = makeDivisible(1280 * Math.max(1, width));
  let x = convBnRelu6('/features/features.0', 'input', 3, cin, 3, 2);
  let index = 1;
  for (const [expand, c, repeats, firstStride] of settings) {
    const cout = makeDivisible(c * width);
    for (let r = 0; r < repeats; r++, index++) {
      const stride = r === 0 ? firstStride : 1;
      const scope = `/features/features.${index}/conv`;
      const hidden = Math.round(cin * expand);
      let y = x;
      let layer = 0;
      if (expand !== 1) y = convBnRelu6(`${scope}/conv.${layer++}`, y, cin, hidden, 1);
      y = convBnRelu6(`${scope}/conv.${layer++}`, y, hidden, hidden, 3, stride, hidden);
      // The linear bottleneck: no activation, so its weights keep unit gain.
      y = t.conv(`${scope}/conv.${layer}`, y, t.convParams(undefined, cout, hidden, 1, 1), 1);
      x = stride === 1 && cin === cout ? t.node(`/features/features.${index}`, 'Add', [x, y]) : y;
      cin = cout;
    }
  }
  x = convBnRelu6(`/features/features.${index}`, x, cin, last, 1);
  x = t.node('', 'GlobalAveragePool', [x]);
  const batch = t.node('', 'Unsqueeze', [t.node('', 'Gather', [t.node('', 'Shape', [x]), t.constant('', 'i64', [0], [])], { axis: 0 }), t.constant('', 'i64', [0])]);
  const flat = t.node('', 'Reshape', [x, t.node('', 'Concat', [batch, t.constant('', 'i64', [-1])], { axis: 0 })]);
  const weight = t.param([classes, last], Math.sqrt(1 / last), 'classifier.1.weight');
  const bias = t.param([classes], 0.01, 'classifier.1.bias');
  t.node('/classifier/classifier.1', 'Gemm', [flat, weight, bias], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, 'output');
  return t.model('mobilenet_v2', opset, size, 'output', classes);
}

/** The torchvision exports at their exported size, by the names the benchmarks list them under. */
export const TORCHVISION_EXPORTS: Record<string, () => OnnxModelSpec> = {
  'torchvision-squeezenet1_1': () => torchvisionSqueezeNet11(),
  'torchvision-mobilenet_v2': () => torchvisionMobileNetV2(),
};
