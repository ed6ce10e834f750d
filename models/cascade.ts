// A two-stage cascade, in the shape PyTorch's exporter writes a data-dependent branch (`if score >= t:` in a
// scripted module): a small first-stage classifier (conv → relu → max pool → gemm → softmax) whose confidence,
// the largest probability, decides at run time whether a larger second stage (four convs) runs on the same
// input. GreaterOrEqual → Cast(bool) → If, the branches reading outer-scope values (the input, the first
// stage's logits); the else-branch returns the first stage's logits through an Identity, as the exporter does.
// Both branches give logits of one shape, [1, classes].
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import type { OnnxGraphSpec, OnnxModelSpec, OnnxNodeSpec } from '../compiler/onnx/writer.js';

export interface CascadeOptions {
  /** Input height and width (the input is [1, 3, size, size]); a multiple of 8. */
  size?: number;
  classes?: number;
  /** The confidence at or above which the second stage runs. */
  threshold?: number;
}

/** Outputs: `logits` (the second stage's when it ran, else the first stage's) and `score` (the confidence, [1]). */
export function cascadeModel(options: CascadeOptions = {}): OnnxModelSpec {
  const { size = 16, classes = 10, threshold = 0.5 } = options;
  const rand = seededRandom(13);
  const initializers: { name: string; tensor: Tensor }[] = [];
  const w = (name: string, shape: number[], scale: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    initializers.push({ name, tensor: Tensor.fromArray('f32', shape, Array.from({ length: n }, () => rand() * scale)) });
    return name;
  };
  let n = 0;
  const node = (nodes: OnnxNodeSpec[], op: string, inputs: string[], attrs?: OnnxNodeSpec['attrs'], output?: string): string => {
    const name = `/${op}_${n++}`;
    const out = output ?? `${name}_output_0`;
    nodes.push({ op, inputs, outputs: [out], name, ...(attrs ? { attrs } : {}) });
    return out;
  };
  const conv = (nodes: OnnxNodeSpec[], x: string, cin: number, cout: number, stride: number, prefix: string) =>
    node(nodes, 'Relu', [node(nodes, 'Conv', [x, w(`${prefix}.weight`, [cout, cin, 3, 3], Math.sqrt(6 / (9 * cin))), w(`${prefix}.bias`, [cout], 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [stride, stride] })]);

  // Stage 1: conv(3→4, stride 2) → relu → max pool 2 → flatten → gemm → softmax; score = max probability.
  const main: OnnxNodeSpec[] = [];
  const c1 = conv(main, 'x', 3, 4, 2, 'stage1.conv');
  const p1 = node(main, 'MaxPool', [c1], { kernel_shape: [2, 2], strides: [2, 2] });
  const flat = (size / 4) * (size / 4) * 4;
  const logits1 = node(main, 'Gemm', [node(main, 'Flatten', [p1], { axis: 1 }), w('stage1.fc.weight', [classes, flat], 2 / Math.sqrt(flat)), w('stage1.fc.bias', [classes], 0.5)], { transB: 1 });
  const probs = node(main, 'Softmax', [logits1], { axis: 1 });
  node(main, 'ReduceMax', [probs], { axes: [1], keepdims: 0 }, 'score');
  const threshold0 = node(main, 'Constant', [], { value: Tensor.fromArray('f32', [], [threshold]) });
  const confident = node(main, 'Cast', [node(main, 'GreaterOrEqual', ['score', threshold0])], { to: 9 });

  // Stage 2 (then): conv(3→8) → conv(8→8) → max pool 2 → conv(8→16, stride 2) → global average pool → gemm.
  const second: OnnxNodeSpec[] = [];
  const c2 = conv(second, conv(second, 'x', 3, 8, 1, 'stage2.conv1'), 8, 8, 1, 'stage2.conv2');
  const c3 = conv(second, conv(second, node(second, 'MaxPool', [c2], { kernel_shape: [2, 2], strides: [2, 2] }), 8, 16, 2, 'stage2.conv3'), 16, 16, 1, 'stage2.conv4');
  const pooled = node(second, 'Flatten', [node(second, 'GlobalAveragePool', [c3])], { axis: 1 });
  const logits2 = node(second, 'Gemm', [pooled, w('stage2.fc.weight', [classes, 16], 0.5), w('stage2.fc.bias', [classes], 0.1)], { transB: 1 });
  const thenBranch: OnnxGraphSpec = { name: 'then_branch', inputs: [], outputs: [{ name: logits2, dtype: 'f32', shape: [1, classes] }], nodes: second };

  // Else: the first stage's logits, through an Identity.
  const cheap: OnnxNodeSpec[] = [];
  const kept = node(cheap, 'Identity', [logits1]);
  const elseBranch: OnnxGraphSpec = { name: 'else_branch', inputs: [], outputs: [{ name: kept, dtype: 'f32', shape: [1, classes] }], nodes: cheap };

  node(main, 'If', [confident], { then_branch: { graph: thenBranch }, else_branch: { graph: elseBranch } }, 'logits');
  return {
    name: 'main_graph',
    producer: 'pytorch',
    inputs: [{ name: 'x', dtype: 'f32', shape: [1, 3, size, size] }],
    outputs: [
      { name: 'logits', dtype: 'f32', shape: [1, classes] },
      { name: 'score', dtype: 'f32', shape: [1] },
    ],
    nodes: main,
    initializers,
  };
}

/**
 * Inputs for the default cascade whose first-stage confidence is below 0.5 (`cheap`: the else arm, the first
 * stage's logits) and above it (`second`: the then arm), seeded.
 */
export function cascadeInputs(): Record<'cheap' | 'second', Tensor> {
  const input = (seed: number, scale: number) => {
    const r = seededRandom(seed);
    return Tensor.fromArray('f32', [1, 3, 16, 16], Array.from({ length: 768 }, () => r() * scale));
  };
  return { cheap: input(1, 0.5), second: input(5, 2.5) };
}
