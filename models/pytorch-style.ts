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
