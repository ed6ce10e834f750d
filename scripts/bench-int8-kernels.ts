// npm run bench:int8-kernels -- [--runs R] [--filter REGEX] [--int8-schedules JSON]: milliseconds of single layers of real networks
// on the wasm target (one thread), each compiled by dlc (fuse-ops for wasm, then compileToWasm) in f32 (conv /
// matmul + bias + relu) and in the int8 form the quantize pass and the QDQ import produce (conv_integer /
// matmul_integer over u8 activations and i8 weights, requantized to u8 by its fused epilogue:
// tests/util/quantized-layers.ts); median (and best) of R runs after a warm-up, the two forms run alternately,
// and the speed-up of int8 over f32.
import type { Graph } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import type { ScheduleOverrides } from '../codegen/schedule.js';
import { TARGET_INFO } from '../codegen/targets.js';
import { compileToWasm } from '../codegen/wasm/program.js';
import { loadProgram } from '../codegen/wasm/run-program.js';
import { fuseOps } from '../passes/fuse-ops.js';
import { f32Layer, quantizedInput, quantizedLayer, type Layer } from '../tests/util/quantized-layers.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(opt('--runs') ?? 21);
const FILTER = new RegExp(opt('--filter') ?? '.');
/** Schedules for the int8 form only (a JSON ScheduleOverrides), to compare register tiles and blocks. */
const INT8_SCHEDULES = JSON.parse(opt('--int8-schedules') ?? '{}') as ScheduleOverrides;

const LAYERS: [string, Layer][] = [
  ['MobileNetV2 1×1 conv 32→192 @56²', { kind: 'conv', c: 32, m: 192, h: 56, w: 56, kernel: [1, 1] }],
  ['MobileNetV2 1×1 expand 24→144 @56²', { kind: 'conv', c: 24, m: 144, h: 56, w: 56, kernel: [1, 1] }],
  ['MobileNetV2 1×1 project 144→24 @56²', { kind: 'conv', c: 144, m: 24, h: 56, w: 56, kernel: [1, 1] }],
  ['3×3 conv 64→64 @56²', { kind: 'conv', c: 64, m: 64, h: 56, w: 56, kernel: [3, 3], pads: [1, 1, 1, 1] }],
  ['depthwise 3×3 144 @56²', { kind: 'conv', c: 144, m: 144, h: 56, w: 56, kernel: [3, 3], pads: [1, 1, 1, 1], group: 144 }],
  ['depthwise 3×3/2 144 @56²', { kind: 'conv', c: 144, m: 144, h: 56, w: 56, kernel: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2], group: 144 }],
  ['PP-OCR det-like 3×3/2 conv 32→64 @160²', { kind: 'conv', c: 32, m: 64, h: 160, w: 160, kernel: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }],
  ['PP-OCR rec-like 3×3 conv 64→64 @12×80', { kind: 'conv', c: 64, m: 64, h: 12, w: 80, kernel: [3, 3], pads: [1, 1, 1, 1] }],
  ['matmul 256×256×256', { kind: 'matmul', m: 256, k: 256, n: 256 }],
  ['matmul 1×512×512', { kind: 'matmul', m: 1, k: 512, n: 512 }],
];

/** Compiles `g` as dlc compiles a model for wasm; returns one run of it with input `x`. */
async function compiled(g: Graph, x: Tensor, schedules: ScheduleOverrides = {}): Promise<{ run: () => void; kernels: number }> {
  const program = await compileToWasm(fuseOps(g, TARGET_INFO.wasm.limits), { schedules });
  const loaded = await loadProgram(program);
  loaded.run({ x });
  return { run: () => loaded.runRaw(), kernels: program.kernels };
}

const elapsedMs = (f: () => void) => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

/**
 * Medians of `runs` timings of each, in milliseconds. Both warm up first for at least WARM_UP_MS (V8 runs a
 * wasm function in its baseline tier until it has run a while, then tiers up in the background), then run
 * alternately, so that both see the same load of a shared machine.
 */
function medians(fs: (() => void)[], runs: number): { median: number; best: number }[] {
  for (const f of fs) for (let spent = 0, i = 0; i < 5 || spent < WARM_UP_MS; i++) spent += elapsedMs(f);
  const times = fs.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) fs.forEach((f, j) => times[j].push(elapsedMs(f)));
  return times.map((t) => t.sort((a, b) => a - b)).map((t) => ({ median: t[Math.floor(runs / 2)], best: t[0] }));
}

const WARM_UP_MS = 300;

function f32Input(g: Graph): Tensor {
  const rand = seededRandom(5);
  const shape = g.inputs[0].type.shape as number[];
  return Tensor.fromArray('f32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand));
}

async function main(): Promise<void> {
  const rows: string[][] = [['layer', 'f32 ms', 'int8 ms', 'speed-up', 'best f32 / int8 ms', 'best speed-up']];
  for (const [name, layer] of LAYERS) {
    if (!FILTER.test(name)) continue;
    const f = f32Layer(layer);
    const q = quantizedLayer(layer, { xZeroPoint: 128 });
    const [a, b] = [await compiled(f, f32Input(f)), await compiled(q, quantizedInput(q), INT8_SCHEDULES)];
    const [fT, qT] = medians([a.run, b.run], RUNS);
    const [fMs, qMs] = [fT.median, qT.median];
    rows.push([name, fMs.toFixed(3), qMs.toFixed(3), `${(fMs / qMs).toFixed(2)}×`, `${fT.best.toFixed(3)} / ${qT.best.toFixed(3)}`, `${(fT.best / qT.best).toFixed(2)}×`]);
    console.error(`${name}: f32 ${fMs.toFixed(3)} ms (${a.kernels} kernels), int8 ${qMs.toFixed(3)} ms (${b.kernels} kernels)`);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log([line(rows[0]), `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`, ...rows.slice(1).map(line)].join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
