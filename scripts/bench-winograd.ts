// npx tsx scripts/bench-winograd.ts [--rounds R] [--only NAME] [--tiles T1,T2,...] [--accuracy]: the wasm target's Winograd
// F(2×2, 3×3) conv against the GEMM convs (implicit-gemm, im2col-gemm) on 3×3 stride-1 layers of ResNet, VGG,
// SqueezeNet and PP-OCR det (each conv + bias + relu, fused as in a model; one thread). The kinds run in
// interleaved rounds, one run each per round, so that a shared machine's load falls on all of them alike, and
// each run is timed in this process's CPU time (not wall time: other processes' turns on the cores drop out); the
// table prints medians and the speed-up of Winograd over the faster GEMM, and whether the default picks it.
// --tiles times Winograd with each of several block sizes (the schedule's winogradTiles) instead.
// --accuracy instead prints the largest error against the reference interpreter, Winograd and implicit-gemm,
// for models/zoo.ts's ResNet and a 256-channel conv with He-initialized weights.
import '../compiler/ops/index.js';
import type { Graph, Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { interpret } from '../compiler/interpreter.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { seededRandom } from '../compiler/random.js';
import { optimize } from '../api/optimize.js';
import { fuseOps } from '../passes/fuse-ops.js';
import { TARGET_INFO } from '../codegen/targets.js';
import type { ConvAlgorithm, ScheduleOverrides } from '../codegen/schedule.js';
import { compileToWasm } from '../codegen/wasm/program.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import { chooseConvAlgorithm } from '../codegen/wasm/kernels/conv-algorithm.js';
import { convShapeOf } from '../codegen/window-geometry.js';
import { describeFusedGroup } from '../compiler/kernel-groups.js';
import { buildGraph } from '../tests/util/graphs.js';
import { resnet } from '../models/zoo.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(opt('--rounds') ?? 15);
const ONLY = opt('--only');
const TILES = opt('--tiles')?.split(',').map(Number);

interface Layer { name: string; c: number; k: number; h: number; w: number }

/** 3×3, stride 1, pad 1 layers (the output is H × W). */
const LAYERS: Layer[] = [
  { name: 'resnet conv2', c: 64, k: 64, h: 56, w: 56 },
  { name: 'resnet conv3', c: 128, k: 128, h: 28, w: 28 },
  { name: 'resnet conv4', c: 256, k: 256, h: 14, w: 14 },
  { name: 'resnet conv5', c: 512, k: 512, h: 7, w: 7 },
  { name: 'vgg conv2 (56²)', c: 128, k: 128, h: 56, w: 56 },
  { name: 'vgg conv3', c: 256, k: 256, h: 28, w: 28 },
  { name: 'vgg conv4', c: 512, k: 512, h: 14, w: 14 },
  { name: 'squeezenet fire2', c: 16, k: 64, h: 55, w: 55 },
  { name: 'squeezenet fire4', c: 32, k: 128, h: 27, w: 27 },
  { name: 'squeezenet fire6', c: 48, k: 192, h: 13, w: 13 },
  { name: 'squeezenet fire8', c: 64, k: 256, h: 13, w: 13 },
  { name: 'ppocr det fpn 160²', c: 96, k: 24, h: 160, w: 160 },
  { name: 'ppocr det fpn 80²', c: 96, k: 24, h: 80, w: 80 },
  { name: 'ppocr det fpn 40²', c: 96, k: 24, h: 40, w: 40 },
  { name: 'ppocr det fpn 20²', c: 96, k: 24, h: 20, w: 20 },
  { name: 'ppocr det fpn 10²', c: 96, k: 24, h: 10, w: 10 },
  { name: 'small 16→16 32²', c: 16, k: 16, h: 32, w: 32 },
  { name: 'small 32→32 16²', c: 32, k: 32, h: 16, w: 16 },
  { name: 'small 32→32 32²', c: 32, k: 32, h: 32, w: 32 },
  { name: 'small 8→8 64²', c: 8, k: 8, h: 64, w: 64 },
  { name: 'small 16→32 28²', c: 16, k: 32, h: 28, w: 28 },
  { name: 'small 32→8 28²', c: 32, k: 8, h: 28, w: 28 },
  { name: 'small 64→64 4²', c: 64, k: 64, h: 4, w: 4 },
  { name: 'small 64→64 7²', c: 64, k: 64, h: 7, w: 7 },
  { name: 'small 16→16 8²', c: 16, k: 16, h: 8, w: 8 },
  { name: 'small 24→24 28²', c: 24, k: 24, h: 28, w: 28 },
  { name: 'rgb stem 3→32 112²', c: 3, k: 32, h: 112, w: 112 },
];

function tensor(shape: number[], scale: number, seed: number, offset = 0): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromArray('f32', shape, Array.from({ length: n }, () => offset + rand() * scale));
}

/** conv(x, W, b) + relu with He-scaled weights, fused for the wasm target. */
function layerGraph(l: Layer): Graph {
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [1, l.c, l.h, l.w] } },
    build: (b, { x }) => {
      const w = b.constant(tensor([l.k, l.c, 3, 3], Math.sqrt(6 / (9 * l.c)), 7));
      const conv = b.emit('conv', [x, w, b.constant(tensor([l.k], 0.1, 8))], { pads: [1, 1, 1, 1] })[0];
      return b.emit('relu', [conv]);
    },
  });
  return fuseOps(g, TARGET_INFO.wasm.limits);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Variant { label: string; conv: { kind: ConvAlgorithm; winogradTiles?: number } }

const VARIANTS: Variant[] = TILES
  ? [{ label: 'implicit-gemm', conv: { kind: 'implicit-gemm' } }, ...TILES.map((t): Variant => ({ label: `wino/${t}`, conv: { kind: 'winograd', winogradTiles: t } }))]
  : (['implicit-gemm', 'im2col-gemm', 'winograd'] as const).map((kind) => ({ label: kind, conv: { kind } }));

function defaultKind(g: Graph): ConvAlgorithm {
  const n = describeFusedGroup(g.nodes[0]).anchor!;
  const shape = (i: number) => n.inputs[i]!.type.shape as number[];
  return chooseConvAlgorithm(convShapeOf(n, shape(0), shape(1), n.outputs[0].type.shape as number[], false, (d) => { throw new Error(d); }), undefined);
}

async function timeLayer(l: Layer): Promise<void> {
  const g = layerGraph(l);
  const feeds = { x: tensor([1, l.c, l.h, l.w], 1, 9, 1) };
  const runs = await Promise.all(VARIANTS.map(async ({ conv }) => {
    const program = await loadProgram(await compileToWasm(g, { schedules: { conv } }));
    program.run(feeds);
    return program;
  }));
  // Each sample repeats the run for at least ~5 ms, so that short runs are not lost in the clock's granularity.
  const reps = runs.map((p) => {
    const t = process.hrtime.bigint();
    p.runRaw();
    return Math.max(1, Math.ceil(5e6 / Number(process.hrtime.bigint() - t)));
  });
  const times: number[][] = VARIANTS.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    runs.forEach((p, i) => {
      const t = process.cpuUsage();
      for (let j = 0; j < reps[i]; j++) p.runRaw();
      const used = process.cpuUsage(t);
      times[i].push((used.user + used.system) / 1e3 / reps[i]);
    });
  }
  const ms = times.map(median);
  const tiles = Math.ceil(l.h / 2) * Math.ceil(l.w / 2);
  const cells = [l.name.padEnd(20), `${l.c}→${l.k}`.padStart(8), `${l.h}×${l.w}`.padStart(8), String(tiles).padStart(5), ...ms.map((t) => t.toFixed(3).padStart(13))];
  if (!TILES) cells.push(`${(Math.min(ms[0], ms[1]) / ms[2]).toFixed(2)}×`.padStart(7), defaultKind(g).padStart(14));
  console.log(cells.join(' '));
}

/** Largest absolute error and that error over the largest |reference|, per output. */
function errors(got: Tensor, want: Tensor): { abs: number; rel: number } {
  let abs = 0;
  let top = 0;
  for (let i = 0; i < want.size; i++) {
    abs = Math.max(abs, Math.abs(got.data[i] - want.data[i]));
    top = Math.max(top, Math.abs(want.data[i]));
  }
  return { abs, rel: abs / top };
}

/** Per-node overrides naming `kind` for every 3×3 stride-1 conv of the graph. */
function onEligibleConvs(g: Graph, kind: ConvAlgorithm): ScheduleOverrides {
  const nodes: Record<string, { conv: { kind: ConvAlgorithm } }> = {};
  const eligible = (n: Node) => n.op === 'conv' && (n.inputs[1]!.type.shape as number[]).slice(2).join() === '3,3' &&
    ((n.attrs.strides as number[] | undefined) ?? [1, 1]).every((s) => s === 1) && ((n.attrs.group as number | undefined) ?? 1) === 1;
  // A fused group's schedule is its anchor's (codegen/lower.ts).
  const anchors = g.nodes.map((n) => (n.op === 'fused' ? describeFusedGroup(n).anchor : n));
  for (const n of anchors) if (n && eligible(n)) nodes[n.name] = { conv: { kind } };
  return { nodes };
}

async function accuracy(): Promise<void> {
  // The -O2 pipeline, as `dlc compile` runs it: batch-norms folded into the convs, residual adds fused.
  const fused = optimize(encodeOnnxModel(resnet()), { target: 'wasm' }).graph;
  const big: Layer = { name: 'C=256', c: 256, k: 256, h: 14, w: 14 };
  const cases: [string, Graph, Record<string, Tensor>][] = [
    ['zoo resnet (logits)', fused, { image: tensor([1, 3, 32, 32], 1, 5) }],
    ['conv 256→256 14² + relu', layerGraph(big), { x: tensor([1, 256, 14, 14], 1, 9, 1) }],
  ];
  for (const [name, g, feeds] of cases) {
    const want = interpret(g, feeds);
    const out = g.outputs[0].name;
    for (const kind of ['implicit-gemm', 'winograd'] as const) {
      const program = await loadProgram(await compileToWasm(g, { schedules: onEligibleConvs(g, kind) }));
      const e = errors(program.run(feeds)[out], want[out]);
      console.log(`${name.padEnd(26)} ${kind.padEnd(14)} max abs error ${e.abs.toExponential(2)}, relative to max |y| ${e.rel.toExponential(2)} (${Object.keys(onEligibleConvs(g, kind).nodes!).length} convs)`);
    }
  }
}

async function main(): Promise<void> {
  if (args.includes('--accuracy')) return accuracy();
  console.log(`median of ${ROUNDS} interleaved rounds, ms of CPU time per run (one thread)`);
  const ratio = TILES ? [] : ['wino×'.padStart(7), 'default'.padStart(14)];
  console.log(['layer'.padEnd(20), 'C→K'.padStart(8), 'H×W'.padStart(8), 'tiles', ...VARIANTS.map((v) => v.label.padStart(13)), ...ratio].join(' '));
  for (const l of LAYERS) if (!ONLY || l.name.includes(ONLY)) await timeLayer(l);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
