// Figures of the WebGPU int8 path that need no GPU: the weights bytes of real layer shapes as f32 (conv/matmul
// + bias) and as a quantized layer (i8 weights packed four per u32, plus the per-channel zero-point
// corrections and the f32 scale and bias its epilogue reads), and how many u8 outputs of a requantized layer
// differ from the reference interpreter. With --time, SwiftShader run times of one layer (f32, int8 dot4,
// int8 core WGSL): a CPU emulating a GPU, NOT representative of any GPU.
//   npx tsx scripts/int8-webgpu-figures.ts [--time]
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../cli/webgpu-node.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { interpret } from '../compiler/interpreter.js';
import { seededRandom } from '../compiler/random.js';
import '../compiler/ops/index.js';
import { compileToWebgpu, type WebgpuProgram } from '../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../codegen/wgsl/run-program.js';
import { fuseOps } from '../passes/fuse-ops.js';

const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
function ints(n: number, seed: number, lo: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => lo + Math.floor(((r() + 1) / 2) * 256));
}
function floats(n: number, seed: number, scale: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => r() * scale);
}

interface Shape {
  name: string;
  matmul: boolean;
  x: number[];
  w: number[];
  attrs?: Record<string, number[] | number>;
}

function graphOf(s: Shape, quantized: boolean): Graph {
  const g = new Graph(s.name);
  const x = new Value('x', { dtype: quantized ? 'u8' : 'f32', shape: s.x });
  g.inputs = [x];
  const b = new GraphBuilder(g);
  const channels = s.matmul ? s.w[1] : s.w[0];
  const perChannel = s.matmul ? [channels] : [channels, 1, 1];
  const scale = b.constant(Tensor.fromArray('f32', perChannel, floats(channels, 3, 1e-4).map((v) => 1e-4 + Math.abs(v))));
  const bias = b.constant(Tensor.fromArray('f32', perChannel, floats(channels, 4, 0.5)));
  if (!quantized) {
    const w = b.constant(Tensor.fromArray('f32', s.w, floats(size(s.w), 5, 1)));
    const y = s.matmul ? b.emit('add', [b.emit('matmul', [x, w])[0], bias])[0] : b.emit('conv', [x, w, b.constant(Tensor.fromArray('f32', [channels], floats(channels, 4, 0.5)))], s.attrs ?? {})[0];
    g.outputs = [b.emit('relu', [y])[0]];
    return g;
  }
  const w = b.constant(Tensor.fromArray('i8', s.w, ints(size(s.w), 5, -128)));
  const acc = b.emit(s.matmul ? 'matmul_integer' : 'conv_integer', [x, w, b.constant(Tensor.scalar('u8', 3))], s.matmul ? {} : (s.attrs ?? {}))[0];
  const lit = (v: number) => b.constant(Tensor.scalar('f32', v));
  let v = b.emit('add', [b.emit('mul', [b.emit('cast', [acc], { to: 'f32' })[0], scale])[0], bias])[0];
  v = b.emit('relu', [v])[0];
  v = b.emit('round', [b.emit('div', [v, lit(0.05)])[0]])[0];
  v = b.emit('clip', [b.emit('add', [v, lit(3)])[0], lit(0), lit(255)])[0];
  g.outputs = [b.emit('cast', [v], { to: 'u8' })[0]];
  return g;
}

const SHAPES: Shape[] = [
  { name: 'ResNet-50 conv 3×3, 256 → 256', matmul: false, x: [1, 256, 14, 14], w: [256, 256, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
  { name: 'MobileNetV2 conv 1×1, 160 → 960', matmul: false, x: [1, 160, 7, 7], w: [960, 160, 1, 1] },
  { name: 'MobileNetV2 depthwise 3×3 ×960', matmul: false, x: [1, 960, 7, 7], w: [960, 1, 3, 3], attrs: { pads: [1, 1, 1, 1], group: 960 } },
  { name: 'BERT-base FFN matmul 768 → 3072', matmul: true, x: [1, 16, 768], w: [768, 3072] },
];

const weightsBytes = (p: WebgpuProgram) => p.weights?.data.length ?? 0;

async function main(): Promise<void> {
  console.log('weights bytes on WebGPU (weights.bin = GPU memory), f32 layer vs quantized layer:');
  for (const s of SHAPES) {
    const f = compileToWebgpu(fuseOps(graphOf(s, false)));
    const q = compileToWebgpu(fuseOps(graphOf(s, true)));
    const packed = q.weights?.encodings.reduce((n, e) => n + e.bytes, 0) ?? 0;
    console.log(`  ${s.name}: f32 ${weightsBytes(f)} B, int8 ${weightsBytes(q)} B (${(weightsBytes(f) / weightsBytes(q)).toFixed(2)}× smaller; ` +
      `${packed} B of i8x4-packed weights, the rest per-channel corrections, scale and bias), ${q.kernels} kernel`);
  }
  const device = await nodeGpuDevice();
  const dawn = await nodeWgslLanguageFeatures();
  const check = { name: 'conv 3×3 64 → 64 on 1×64×28×28 → u8', matmul: false, x: [1, 64, 28, 28], w: [64, 64, 3, 3], attrs: { pads: [1, 1, 1, 1] } };
  const g = graphOf(check, true);
  const x = Tensor.fromArray('u8', check.x, ints(size(check.x), 9, 0));
  const want = interpret(g, { x })[g.outputs[0].name];
  const program = compileToWebgpu(fuseOps(g));
  for (const [variant, features] of [['dot4', dawn], ['core', new Set<string>()]] as const) {
    const loaded = await loadWebgpuProgram(device, program, features);
    const got = (await loaded.run({ x }))[g.outputs[0].name];
    let differ = 0;
    let max = 0;
    for (let i = 0; i < want.size; i++) {
      const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
      if (d) differ++;
      max = Math.max(max, d);
    }
    console.log(`${check.name}, ${variant}: ${differ} of ${want.size} u8 outputs differ from the interpreter (max |Δ| ${max})`);
    if (process.argv.includes('--time')) {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) await loaded.run({ x });
      console.log(`  SwiftShader (CPU, not representative of a GPU): ${((performance.now() - t0) / 5).toFixed(1)} ms per run`);
    }
    await loaded.release();
  }
  if (process.argv.includes('--time')) {
    const f = graphOf(check, false);
    const loaded = await loadWebgpuProgram(device, compileToWebgpu(fuseOps(f)));
    const xf = Tensor.fromArray('f32', check.x, floats(size(check.x), 9, 1));
    await loaded.run({ x: xf });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await loaded.run({ x: xf });
    console.log(`${check.name} as f32: SwiftShader ${((performance.now() - t0) / 5).toFixed(1)} ms per run (not representative of a GPU)`);
    await loaded.release();
  }
  process.exit(0);
}

void main();
