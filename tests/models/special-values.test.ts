// NaN, ±∞ and out-of-domain inputs on both targets against onnxruntime-node, element by element (NaN matches
// NaN only, an infinity only the same infinity). The semantics are IEEE's, as onnxruntime computes: NaN in
// gives NaN out through activations, max/min, pools, reductions and softmax; log(0) = −∞; log, sqrt, acosh
// and atanh outside their domain are NaN; e^±∞ is ∞ and 0. Each graph goes through the whole compiler
// (ONNX import, -O2, fusion into conv epilogues) as a user's model does.
//
// Where onnxruntime itself is not IEEE the feeds stay where it is: its MaxPool and GlobalMaxPool keep a NaN
// only in some window positions (x86 maxps returns its second operand when either is NaN: MaxPool keeps a
// NaN first in its window, GlobalMaxPool one last in its plane), while both dlc targets propagate NaN from
// any position (IEEE 754-2019 maximum). The pool feeds put each NaN where onnxruntime keeps it, and one test
// checks the other positions against the IEEE rule.
import { compile } from '../../api/compile.js';
import { loadInMemory } from '../../api/session.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { compareTensors } from '../../compiler/compare.js';
import type { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { exportOnnxModel } from '../../compiler/onnx/export.js';
import { buildGraph } from '../util/graphs.js';
import { runOnnxruntime } from '../util/ort.js';
import { TARGETS, type TargetName } from '../util/targets.js';

/** The special values and ordinary ones around them, 16 to a row. */
const SPECIAL = [NaN, Infinity, -Infinity, -2, -0.5, 0, 0.5, 3, 100, -100, 1e30, -1e30, 1.5, -1.5, 30, -0];

interface SpecialCase {
  shape: number[];
  /** The input's values (repeated over the shape). */
  values: number[];
  build(b: GraphBuilder, x: Value): Value[];
}

const scalar = (b: GraphBuilder, v: number) => b.constant(Tensor.scalar('f32', v));
const unary = (op: string, attrs = {}): SpecialCase => ({ shape: [1, 16], values: SPECIAL, build: (b, x) => b.emit(op, [x], attrs) });

const CASES: Record<string, SpecialCase> = {
  relu: unary('relu'),
  'clip to [-1, 6]': { shape: [1, 16], values: SPECIAL, build: (b, x) => b.emit('clip', [x, scalar(b, -1), scalar(b, 6)]) },
  'sigmoid(log x)': { shape: [1, 16], values: SPECIAL, build: (b, x) => b.emit('sigmoid', b.emit('log', [x])) },
  'sigmoid(sqrt x)': { shape: [1, 16], values: SPECIAL, build: (b, x) => b.emit('sigmoid', b.emit('sqrt', [x])) },
  exp: unary('exp'),
  log: unary('log'),
  tanh: unary('tanh'),
  sign: unary('sign'),
  softplus: unary('softplus'),
  'hard_sigmoid': unary('hard_sigmoid', { alpha: 0.2, beta: 0.5 }),
  celu: unary('celu', { alpha: 1 }),
  selu: unary('selu', { alpha: 1.67326, gamma: 1.0507 }),
  cosh: unary('cosh'),
  acosh: unary('acosh'),
  atanh: unary('atanh'),
  asinh: unary('asinh'),
  'max and min with the reversed row': {
    shape: [1, 16],
    values: SPECIAL,
    build: (b, x) => {
      const r = b.constant(Tensor.fromArray('f32', [1, 16], [...SPECIAL].reverse()));
      return [b.emit('max', [x, r])[0], b.emit('min', [x, r])[0]];
    },
  },
  // Rows: NaN with ±∞, finite, +∞ with finite, all −∞ (−∞ − −∞ is NaN).
  'softmax and log_softmax': {
    shape: [4, 4],
    values: [NaN, Infinity, -Infinity, -2, -0.5, 0, 0.5, 3, Infinity, -100, 1e30, 7, -Infinity, -Infinity, -Infinity, -Infinity],
    build: (b, x) => [b.emit('softmax', [x], { axis: 1 })[0], b.emit('log_softmax', [x], { axis: 1 })[0]],
  },
  'reduce_max and reduce_min': {
    shape: [4, 4],
    values: [NaN, Infinity, -Infinity, -2, -0.5, 0, 0.5, 3, Infinity, -100, 1e30, 7, -Infinity, -Infinity, -Infinity, -Infinity],
    build: (b, x) => {
      const axes = b.constant(Tensor.fromArray('i64', [1], [1]));
      return [b.emit('reduce_max', [x, axes])[0], b.emit('reduce_min', [x, axes])[0]];
    },
  },
  // 2×2 windows of a 4×4 plane, stride 2: NaN first in a window (see above), ±∞ anywhere.
  'max_pool': {
    shape: [1, 1, 4, 4],
    values: [NaN, 1, 2, Infinity, 5, 6, -3, 4, -Infinity, -Infinity, 0, 1, -Infinity, -Infinity, 2, -1],
    build: (b, x) => b.emit('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2] }),
  },
  // Planes of four: NaN last in a plane (see above), ±∞. (A plane of −∞ alone is −3.4e38 on onnxruntime, whose
  // GlobalMaxPool starts from the lowest finite float; IEEE's maximum, and dlc's, is −∞.)
  'global_max_pool': {
    shape: [1, 4, 2, 2],
    values: [1, 2, 3, NaN, -Infinity, -Infinity, -5, -Infinity, 1, Infinity, -5, 0, -1, -2, -3, -4],
    build: (b, x) => b.emit('global_max_pool', [x]),
  },
  // A NaN pixel through a conv: its neighbours become NaN, and the fused ReLU and ReLU6 epilogues keep them NaN.
  'conv with fused relu and relu6 on a NaN and an infinite pixel': {
    shape: [1, 2, 4, 4],
    values: [...Array.from({ length: 16 }, (_, i) => (i === 5 ? NaN : i === 10 ? Infinity : Math.sin(i))), ...Array.from({ length: 16 }, (_, i) => Math.cos(i))],
    build: (b, x) => {
      const w = b.constant(Tensor.fromArray('f32', [4, 2, 3, 3], Array.from({ length: 72 }, (_, i) => Math.sin(i * 0.7))));
      const conv = (p: number) => b.emit('conv', [x, w], { pads: [p, p, p, p] })[0];
      return [b.emit('relu', [conv(1)])[0], b.emit('clip', [conv(0), scalar(b, 0), scalar(b, 6)])[0]];
    },
  },
  // WGSL promises sin and cos only on [−π, π]: larger arguments are reduced first.
  'sin and cos of arguments up to 1e4': {
    shape: [1, 16],
    values: [100.3, 1000.7, -5000.1, 9876.5, 3.3, -20.2, 12.5, -777.7, 1e4, -1e4, 31.4, 62.8, 0.1, -0.1, Infinity, NaN],
    build: (b, x) => [b.emit('sin', [x])[0], b.emit('cos', [x])[0]],
  },
};

function graphOf(c: SpecialCase) {
  return buildGraph({ inputs: { x: { dtype: 'f32', shape: c.shape } }, build: (b, { x }) => c.build(b, x) });
}

function feedOf(c: SpecialCase): Tensor {
  const n = c.shape.reduce((p, d) => p * d, 1);
  return Tensor.fromArray('f32', c.shape, Array.from({ length: n }, (_, i) => c.values[i % c.values.length]));
}

/** Runs the ONNX model through the whole compiler for `target` and returns each output. */
async function runDlc(model: Uint8Array, target: TargetName, x: Tensor): Promise<Record<string, Tensor>> {
  const artifact = await compile(model, { target });
  const session = await loadInMemory(artifact, 'special-values', target === 'webgpu' ? await nodeGpuDevice() : undefined);
  try {
    const out = await session.run({ x: Float32Array.from(x.data) });
    return Object.fromEntries(session.outputs.map((o) => [o.name, Tensor.fromArray(o.dtype, [...o.shape], Array.from(out[o.name] as Float32Array))]));
  } finally {
    await session.release();
  }
}

/** Each element that differs, as `output[i]: got vs want`. */
function differences(got: Record<string, Tensor>, want: Record<string, Tensor>): string[] {
  const out: string[] = [];
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    for (let i = 0; i < w.size; i++) {
      const d = compareTensors(Tensor.scalar('f32', g.data[i]), Tensor.scalar('f32', w.data[i]), { atol: 1e-4, rtol: 1e-3 });
      if (d.mismatch) out.push(`${name}[${i}]: ${g.data[i]} vs onnxruntime ${w.data[i]}`);
    }
  }
  return out;
}

describe('NaN, ±∞ and out-of-domain inputs match onnxruntime-node', () => {
  for (const [name, c] of Object.entries(CASES)) {
    for (const target of TARGETS) {
      test(`${target}: ${name}`, async () => {
        const model = exportOnnxModel(graphOf(c));
        const x = feedOf(c);
        const want = await runOnnxruntime(model, { x });
        expect(differences(await runDlc(model, target, x), want)).toEqual([]);
      });
    }
  }
});

describe('max pools propagate NaN from every window position (IEEE maximum; onnxruntime keeps only some)', () => {
  const plane = [1, NaN, 2, 3, 4, 5, 6, NaN];
  for (const target of TARGETS) {
    test(target, async () => {
      const model = exportOnnxModel(buildGraph({
        inputs: { x: { dtype: 'f32', shape: [1, 2, 2, 2] } },
        build: (b, { x }) => [b.emit('max_pool', [x], { kernel_shape: [2, 2] })[0], b.emit('global_max_pool', [x])[0]],
      }));
      const out = Object.values(await runDlc(model, target, Tensor.fromArray('f32', [1, 2, 2, 2], plane)));
      for (const t of out) expect(Array.from(t.data).map(Number.isNaN)).toEqual([true, true]);
    });
  }
});
