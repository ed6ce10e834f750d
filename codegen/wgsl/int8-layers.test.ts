// Quantized layers as the int8 pipeline hands them to code generation — conv_integer/matmul_integer, cast to
// f32, per-channel scale, bias, an activation, then the legalized quantize_linear (div → round → add → clip →
// cast to u8/i8) or a dequantize — through fuse-ops, compileToWebgpu, the artifact and the runtime on Dawn:
// ONE kernel per layer, outputs within one quantization step of the reference interpreter (|Δ| ≤ 1: the f32
// requantization rounds a value that sits on a .5 tie either way when WGSL's division is an ulp off), with the
// dot4 modules where Dawn lists the feature and the core-WGSL ones when the runtime is told it is absent.
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../../cli/webgpu-node.js';
import { interpret } from '../../compiler/interpreter.js';
import type { GraphBuilder } from '../../compiler/ir/builder.js';
import type { DType } from '../../compiler/ir/dtype.js';
import type { Attrs, Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';
import { fuseOps } from '../../passes/fuse-ops.js';
import { buildGraph } from '../../tests/util/graphs.js';
import type { ScheduleOverrides } from '../schedule.js';
import { DOT4_FEATURE } from './kernels/int8-gemm.js';
import { compileToWebgpu } from './program.js';
import { loadWebgpuProgram } from './run-program.js';

function values(n: number, seed: number, lo: number, span: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => lo + Math.floor(((rand() + 1) / 2) * span));
}

const f32 = (b: GraphBuilder, shape: number[], v: number[]) => b.constant(Tensor.fromArray('f32', shape, v));
const scalar = (b: GraphBuilder, v: number) => b.constant(Tensor.scalar('f32', v));
const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** The legalized quantize_linear of f32 `v` to `to` with scale ys and zero point yzp. */
function quantize(b: GraphBuilder, v: Value, ys: number, yzp: number, to: 'u8' | 'i8'): Value {
  const [lo, hi] = to === 'u8' ? [0, 255] : [-128, 127];
  const r = b.emit('round', [b.emit('div', [v, scalar(b, ys)])[0]])[0];
  const c = b.emit('clip', [b.emit('add', [r, scalar(b, yzp)])[0], scalar(b, lo), scalar(b, hi)])[0];
  return b.emit('cast', [c], { to })[0];
}

interface Layer {
  op: 'conv_integer' | 'matmul_integer';
  /** Weights shape ([M, C/g, kh, kw] or [K, N]); channels M or columns N get the scale and bias. */
  w: number[];
  attrs?: Attrs;
  xType: 'u8' | 'i8';
  zp: number;
  /** After scale and bias: relu or nothing; then quantize to u8/i8, dequantize, or stop at the i32 sum. */
  relu?: boolean;
  end: 'u8' | 'i8' | 'dequantize' | 'i32';
}

/** One quantized layer on `x`, as the IR the int8 pipeline gives fuse-ops. */
function layer(b: GraphBuilder, x: Value, l: Layer, seed: number): Value {
  const wq = b.constant(Tensor.fromArray('i8', l.w, values(size(l.w), seed, -128, 256)));
  const acc = b.emit(l.op, [x, wq, b.constant(Tensor.scalar(l.xType, l.zp))], l.attrs ?? {})[0];
  if (l.end === 'i32') return acc;
  const channels = l.op === 'conv_integer' ? l.w[0] : l.w[1];
  const perChannel = l.op === 'conv_integer' ? [channels, 1, 1] : [channels];
  const rand = seededRandom(seed + 1);
  // x_scale · w_scale[m], and a bias of a few quantization steps.
  const scale = f32(b, perChannel, Array.from({ length: channels }, () => 0.02 * (1.5 + rand()) * 0.004));
  const bias = f32(b, perChannel, Array.from({ length: channels }, () => rand() * 0.5));
  const sum = b.emit('cast', [acc], { to: 'f32' })[0];
  // A dequantized output: (Σ − offset) · scale[m], in f32.
  if (l.end === 'dequantize') return b.emit('mul', [b.emit('sub', [sum, scalar(b, 100)])[0], scale])[0];
  let v = b.emit('add', [b.emit('mul', [sum, scale])[0], bias])[0];
  if (l.relu) v = b.emit('relu', [v])[0];
  return quantize(b, v, 0.05, l.end === 'u8' ? 3 : -2, l.end);
}

function network(x: { dtype: DType; shape: number[] }, layers: Layer[]): Graph {
  return buildGraph({ inputs: { x }, build: (b, { x: input }) => [layers.reduce((v, l, i) => layer(b, v, l, 11 + 7 * i), input)] });
}

interface Outcome {
  kernels: number;
  /** Output elements that differ from the reference, and the largest difference. */
  differing: number;
  maxDiff: number;
  elements: number;
  /** Steps running a module that requires a WGSL language feature. */
  featureSteps: number;
}

async function run(graph: Graph, features: ReadonlySet<string>, schedules?: ScheduleOverrides): Promise<Outcome> {
  const x = graph.inputs[0];
  const feed = Tensor.fromArray(x.type.dtype, x.type.shape as number[], values(size(x.type.shape as number[]), 5, x.type.dtype === 'u8' ? 0 : -128, 256));
  const want = interpret(graph, { x: feed })[graph.outputs[0].name];
  const program = compileToWebgpu(fuseOps(graph), { schedules });
  const loaded = await loadWebgpuProgram(await nodeGpuDevice(), program, features);
  try {
    const got = (await loaded.run({ x: feed }))[graph.outputs[0].name];
    let differing = 0;
    let maxDiff = 0;
    for (let i = 0; i < want.size; i++) {
      const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
      if (d > 0) differing++;
      maxDiff = Math.max(maxDiff, d);
    }
    const featureSteps = loaded.stepModules.filter((m) => program.modules[m].requires).length;
    return { kernels: program.kernels, differing, maxDiff, elements: want.size, featureSteps };
  } finally {
    await loaded.release();
  }
}

const TILED: ScheduleOverrides = { gpu: { conv: { directBelow: 0 }, matmul: { directBelow: 0 } } };

const NETWORKS: [string, Graph, number][] = [
  ['conv 3×3 (u8, zp 3) + scale + bias + relu → u8, then depthwise 3×3 stride 2 → u8, then 1×1 dequantized to f32', network({ dtype: 'u8', shape: [1, 8, 11, 11] }, [
    { op: 'conv_integer', w: [16, 8, 3, 3], attrs: { pads: [1, 1, 1, 1] }, xType: 'u8', zp: 3, relu: true, end: 'u8' },
    { op: 'conv_integer', w: [16, 1, 3, 3], attrs: { pads: [1, 1, 1, 1], strides: [2, 2], group: 16 }, xType: 'u8', zp: 3, relu: true, end: 'u8' },
    { op: 'conv_integer', w: [12, 16, 1, 1], xType: 'u8', zp: 3, end: 'dequantize' },
  ]), 3],
  ['matmul with batch dims (i8 activations, zp −1), scale + bias → i8', network({ dtype: 'i8', shape: [2, 3, 9] }, [
    { op: 'matmul_integer', w: [9, 10], xType: 'i8', zp: -1, end: 'i8' },
  ]), 1],
  ['conv without an epilogue: the i32 sum', network({ dtype: 'u8', shape: [2, 5, 6, 7] }, [
    { op: 'conv_integer', w: [6, 5, 3, 3], attrs: { pads: [0, 1, 1, 0] }, xType: 'u8', zp: 200, end: 'i32' },
  ]), 1],
];

describe('quantized layers on WebGPU, through fuse-ops, the artifact and the runtime', () => {
  for (const [name, graph, kernels] of NETWORKS) {
    for (const [variant, schedules] of [['default schedules', undefined], ['tiled', TILED]] as const) {
      test(`${name} (${variant}): one kernel per layer, both variants within one step`, async () => {
        const dawn = await nodeWgslLanguageFeatures();
        expect(dawn.has(DOT4_FEATURE)).toBe(true);
        const dot4 = await run(graph, dawn, schedules);
        const core = await run(graph, new Set(), schedules);
        for (const r of [dot4, core]) {
          expect(r.kernels).toBe(kernels);
          // A dequantized output is a float of the exact sums: the f32 bound, relative to its magnitude.
          expect(r.maxDiff).toBeLessThanOrEqual(graph.outputs[0].type.dtype === 'f32' ? 1e-3 : 1);
          // Ties are rare: at most 1% of the elements may sit on one.
          expect(r.differing).toBeLessThanOrEqual(Math.ceil(r.elements / 100));
        }
        if (graph.outputs[0].type.dtype === 'i32') expect([dot4.differing, core.differing]).toEqual([0, 0]);
        // The runtime ran the dot4 modules where Dawn lists the feature, and only core modules without it.
        expect(dot4.featureSteps).toBe(kernels);
        expect(core.featureSteps).toBe(0);
      });
    }
  }
});
