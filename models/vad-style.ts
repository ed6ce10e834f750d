// A voice-activity detector in the shape of the public Silero VAD v4 export, built as ONNX with our writer and
// seeded weights (its numbers mean nothing; its structure is what a compiler meets):
//
//   input f32[1,512] (one chunk of audio), sr i64[] (its sample rate), h, c f32[2,1,64] (the LSTMs' state)
//   If(sr == 16000) ─ then: the 16 kHz front end ─┐
//                   └ else: the  8 kHz front end ─┴▶ features f32[1,1,64]
//   front end: reflect pad ▶ STFT-like Conv1d (|re + i·im| per bin) ▶ Conv1d + ReLU ▶ Conv1d (stride 2) + ReLU ▶ mean over time
//   two LSTM layers (64 → 64) over the one step, initial h/c from the inputs ▶ hn, cn f32[2,1,64]
//   ReLU ▶ Linear (64 → 1) ▶ Sigmoid ▶ output f32[1,1], the probability of speech in the chunk
//
// The two front ends differ in window, hop and padding (256/128/64 samples at 16 kHz, 128/64/32 at 8 kHz), as
// the real model's do; a stream feeds hn, cn back as h, c of the next chunk.
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import type { OnnxAttrSpec, OnnxGraphSpec, OnnxModelSpec, OnnxNodeSpec } from '../compiler/onnx/writer.js';

export const VAD_CHUNK = 512;
export const VAD_HIDDEN = 64;
/** Frequency bins of the STFT-like convolution (its output has a real and an imaginary channel per bin). */
const BINS = 16;
const ENCODER = [BINS, 32, VAD_HIDDEN];

interface FrontEnd {
  window: number;
  hop: number;
  pad: number;
}

const FRONT_ENDS: Record<'16k' | '8k', FrontEnd> = {
  '16k': { window: 256, hop: 128, pad: 64 },
  '8k': { window: 128, hop: 64, pad: 32 },
};

/** Nodes of one graph (the main graph or a branch), with seeded initializers kept in the main graph. */
class VadBuilder {
  readonly nodes: OnnxNodeSpec[] = [];

  constructor(
    private readonly initializers: { name: string; tensor: Tensor }[],
    private readonly rand: () => number,
    private readonly prefix: string,
    private readonly names: { count: number },
  ) {}

  branch(prefix: string): VadBuilder {
    return new VadBuilder(this.initializers, this.rand, prefix, this.names);
  }

  private fresh(hint: string): string {
    return `${this.prefix}${hint}_${this.names.count++}`;
  }

  weight(shape: number[], scale: number): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const name = this.fresh('w');
    this.initializers.push({ name, tensor: Tensor.fromArray('f32', shape, Array.from({ length: n }, () => this.rand() * scale)) });
    return name;
  }

  constant(dtype: 'f32' | 'i64', values: number[], shape = [values.length]): string {
    const name = this.fresh('c');
    this.initializers.push({ name, tensor: Tensor.fromArray(dtype, shape, values) });
    return name;
  }

  op(op: string, inputs: string[], attrs: Record<string, OnnxAttrSpec> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: names, attrs });
    return names;
  }

  one(op: string, inputs: string[], attrs: Record<string, OnnxAttrSpec> = {}): string {
    return this.op(op, inputs, attrs)[0];
  }

  conv1d(x: string, cin: number, cout: number, k: number, stride: number, pad: number, bias = true): string {
    const w = this.weight([cout, cin, k], Math.sqrt(3 / (cin * k)));
    const inputs = bias ? [x, w, this.weight([cout], 0.1)] : [x, w];
    return this.one('Conv', inputs, { kernel_shape: [k], strides: [stride], pads: [pad, pad] });
  }

  /** Rows [start, end) of `x` along `axis`. */
  slice(x: string, axis: number, start: number, end: number): string {
    return this.one('Slice', [x, this.constant('i64', [start]), this.constant('i64', [end]), this.constant('i64', [axis])]);
  }

  /** Chunk [1,512] → features [1,1,64]. */
  frontEnd(input: string, fe: FrontEnd): string {
    const x = this.one('Unsqueeze', [input, this.constant('i64', [1])]);
    const padded = this.one('Pad', [x, this.constant('i64', [0, 0, fe.pad, 0, 0, fe.pad])], { mode: 'reflect' });
    const spectrum = this.conv1d(padded, 1, 2 * BINS, fe.window, fe.hop, 0, false);
    const re = this.slice(spectrum, 1, 0, BINS);
    const im = this.slice(spectrum, 1, BINS, 2 * BINS);
    const power = this.one('Add', [this.one('Mul', [re, re]), this.one('Mul', [im, im])]);
    let y = this.one('Sqrt', [power]);
    for (let i = 1; i < ENCODER.length; i++) {
      y = this.one('Relu', [this.conv1d(y, ENCODER[i - 1], ENCODER[i], 3, i, 1)]);
    }
    const mean = this.one('ReduceMean', [y], { axes: [2], keepdims: 0 });
    return this.one('Unsqueeze', [mean, this.constant('i64', [0])]);
  }

  /** One LSTM layer over the one step: [1,1,64] → y [1,1,64], h [1,1,64], c [1,1,64]. */
  lstm(x: string, h0: string, c0: string): [string, string, string] {
    const n = VAD_HIDDEN;
    const scale = 1 / Math.sqrt(n);
    const [y, h, c] = this.op('LSTM', [x, this.weight([1, 4 * n, n], scale), this.weight([1, 4 * n, n], scale), this.weight([1, 8 * n], 0.1), '', h0, c0], { hidden_size: n }, 3);
    return [this.one('Squeeze', [y, this.constant('i64', [1])]), h, c];
  }
}

function branchGraph(b: VadBuilder, name: string, fe: FrontEnd): OnnxGraphSpec {
  const features = b.frontEnd('input', fe);
  return {
    name,
    inputs: [],
    outputs: [{ name: features, dtype: 'f32', shape: [1, 1, VAD_HIDDEN] }],
    nodes: b.nodes,
  };
}

/** The VAD model, seeded: the same seed gives the same bytes. */
export function vadStyle(seed = 16000): OnnxModelSpec {
  const initializers: { name: string; tensor: Tensor }[] = [];
  const main = new VadBuilder(initializers, seededRandom(seed), '', { count: 0 });
  const is16k = main.one('Equal', ['sr', main.constant('i64', [16000], [])]);
  const features = main.one('If', [is16k], {
    then_branch: { graph: branchGraph(main.branch('fe16k/'), 'front_end_16k', FRONT_ENDS['16k']) },
    else_branch: { graph: branchGraph(main.branch('fe8k/'), 'front_end_8k', FRONT_ENDS['8k']) },
  });
  let x = features;
  const hs: string[] = [];
  const cs: string[] = [];
  for (let layer = 0; layer < 2; layer++) {
    const [y, h, c] = main.lstm(x, main.slice('h', 0, layer, layer + 1), main.slice('c', 0, layer, layer + 1));
    x = y;
    hs.push(h);
    cs.push(c);
  }
  main.nodes.push({ op: 'Concat', inputs: hs, outputs: ['hn'], attrs: { axis: 0 } });
  main.nodes.push({ op: 'Concat', inputs: cs, outputs: ['cn'], attrs: { axis: 0 } });
  const flat = main.one('Squeeze', [x, main.constant('i64', [0])]);
  const logit = main.one('Gemm', [main.one('Relu', [flat]), main.weight([1, VAD_HIDDEN], 0.3), main.weight([1], 0.1)], { transB: 1 });
  main.nodes.push({ op: 'Sigmoid', inputs: [logit], outputs: ['output'] });
  const state = { dtype: 'f32' as const, shape: [2, 1, VAD_HIDDEN] };
  return {
    producer: 'dlc models/vad-style.ts',
    opset: 17,
    inputs: [
      { name: 'input', dtype: 'f32', shape: [1, VAD_CHUNK] },
      { name: 'sr', dtype: 'i64', shape: [] },
      { name: 'h', ...state },
      { name: 'c', ...state },
    ],
    outputs: [
      { name: 'output', dtype: 'f32', shape: [1, 1] },
      { name: 'hn', ...state },
      { name: 'cn', ...state },
    ],
    nodes: main.nodes,
    initializers,
  };
}
