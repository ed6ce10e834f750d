// The packed int8 kernels (int8-gemm.ts) on Dawn/SwiftShader, each variant forced: the core-WGSL module
// (`code`, unpacking words with shifts) and the dot4I8Packed one (`preferred.code`). Their i32 sums must EQUAL
// the reference interpreter's, tiled and untiled, over ragged tiles, strides, pads, dilations, groups,
// depthwise convs, depths not a multiple of 4, batches and batched matmuls, u8 and i8 activations.
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../../../cli/webgpu-node.js';
import { interpret } from '../../../compiler/interpreter.js';
import type { DType } from '../../../compiler/ir/dtype.js';
import type { Attrs, Graph } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { seededRandom } from '../../../compiler/random.js';
import { buildGraph } from '../../../tests/util/graphs.js';
import { kernelContext, runDispatches } from '../../../tests/util/wgsl-kernels.js';
import { DEFAULT_GPU_MATMUL, type GpuMatmulSchedule } from '../../schedule.js';
import { DOT4_FEATURE, packedInt8Kernel } from './int8-gemm.js';
import { packInt8Rows } from './int8-packing.js';
import type { WgslKernelContext } from './kernel.js';

/** Seeded integers spread over the whole range of `dtype` (u8: 0..255, i8: −128..127). */
function fullRange(dtype: DType, shape: number[], seed: number): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const lo = dtype === 'u8' ? 0 : -128;
  return Tensor.fromArray(dtype, shape, Array.from({ length: n }, () => lo + Math.floor(((rand() + 1) / 2) * 256)));
}

interface Case {
  op: 'conv_integer' | 'matmul_integer';
  x: number[];
  w: number[];
  /** The activation dtype (u8 by default) and zero point (absent: none). */
  xType?: 'u8' | 'i8';
  zp?: number;
  attrs?: Attrs;
}

function graphOf(c: Case): Graph {
  const xType = c.xType ?? 'u8';
  return buildGraph({
    inputs: { x: { dtype: xType, shape: c.x } },
    build: (b, { x }) => {
      const zp = c.zp === undefined ? null : b.constant(Tensor.scalar(xType, c.zp));
      return [b.emit(c.op, [x, b.constant(fullRange('i8', c.w, 7)), zp], c.attrs ?? {})[0]];
    },
  });
}

type Variant = 'core' | 'dot4';

/** Elements of the kernel's output that differ from the interpreter's (exact i32), under a forced variant. */
async function mismatches(c: Case, variant: Variant, schedule: Partial<GpuMatmulSchedule>): Promise<number> {
  const g = graphOf(c);
  const ctx = kernelContext(g);
  const s = { ...DEFAULT_GPU_MATMUL, ...schedule };
  const k: WgslKernelContext = { ...ctx, schedules: { ...ctx.schedules, gpu: { matmul: s, conv: s } } };
  const dispatches = packedInt8Kernel(k);
  if (!dispatches) throw new Error('not a packed int8 kernel');
  for (const d of dispatches) {
    if (!d.preferred) throw new Error('a packed int8 dispatch without its dot4 variant');
    if (variant === 'dot4') d.code = d.preferred.code;
  }
  const x = fullRange(c.xType ?? 'u8', c.x, 3);
  const want = interpret(g, { x })[g.outputs[0].name];
  const feed = c.xType === 'i8' ? Int32Array.from(x.data, Number) : Uint32Array.from(x.data, Number);
  const got = await runDispatches(await nodeGpuDevice(), dispatches, new Map([[g.inputs[0], feed]]));
  const sums = new Int32Array(got.get(g.outputs[0])!.buffer);
  let bad = 0;
  for (let i = 0; i < want.size; i++) if (sums[i] !== Number(want.data[i])) bad++;
  expect(want.size).toBeGreaterThan(0);
  return bad;
}

const conv = (x: number[], w: number[], attrs: Attrs = {}, more: Partial<Case> = {}): Case => ({ op: 'conv_integer', x, w, attrs, zp: 131, ...more });
const matmul = (x: number[], w: number[], more: Partial<Case> = {}): Case => ({ op: 'matmul_integer', x, w, zp: 117, ...more });

const CASES: [string, Case][] = [
  ['3×3 pad 1, ragged tiles (odd planes, 7 channels), K = 45', conv([2, 5, 13, 11], [7, 5, 3, 3], { pads: [1, 1, 1, 1] })],
  ['strides and asymmetric pads', conv([1, 6, 9, 11], [36, 6, 3, 2], { strides: [2, 3], pads: [0, 1, 2, 1] })],
  ['dilations', conv([1, 6, 9, 11], [9, 6, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] })],
  ['groups of 6 channels', conv([1, 6, 7, 9], [12, 3, 3, 3], { group: 2, pads: [1, 0, 1, 0] })],
  ['depthwise 3×3 stride 2 (group = C)', conv([1, 6, 9, 10], [6, 1, 3, 3], { group: 6, pads: [1, 1, 1, 1], strides: [2, 2] })],
  ['1×1, K = 6 (not a multiple of 4), batch 2', conv([2, 6, 4, 5], [40, 6, 1, 1])],
  ['i8 activations with a zero point', conv([1, 8, 6, 6], [16, 8, 3, 3], { pads: [1, 1, 1, 1] }, { xType: 'i8', zp: -3 })],
  ['u8 activations without a zero point', conv([1, 4, 5, 5], [8, 4, 3, 3], {}, { zp: undefined })],
  ['1-D', conv([1, 4, 10], [5, 4, 3], { pads: [1, 1] })],
  ['3-D', conv([1, 2, 4, 5, 6], [5, 2, 2, 3, 3], { pads: [0, 1, 1, 1, 1, 0], strides: [1, 2, 1] })],
  ['long K = 2304 (256 channels, 3×3)', conv([1, 256, 4, 4], [32, 256, 3, 3], { pads: [1, 1, 1, 1] })],
  ['matmul, K = 7, 10 columns', matmul([5, 7], [7, 10])],
  ['matmul with batch dims [2, 3], K = 33, 37 columns', matmul([2, 3, 9, 33], [33, 37])],
  ['matmul, i8 activations, K = 64', matmul([40, 64], [64, 48], { xType: 'i8', zp: 5 })],
];

const TILED: Partial<GpuMatmulSchedule> = { directBelow: 0 };
const UNTILED: Partial<GpuMatmulSchedule> = { directBelow: Number.MAX_SAFE_INTEGER };

describe('packed int8 conv/matmul on WebGPU: exact i32 sums', () => {
  test('Dawn lists the dot4 language feature (so the dot4 modules below really run)', async () => {
    expect((await nodeWgslLanguageFeatures()).has(DOT4_FEATURE)).toBe(true);
  });

  // The variants differ in the inner product only, the forms in the indexing around it: every case runs in each
  // form with one variant, and the other variant in each form on the first cases (a tiled pipeline takes seconds
  // to compile on SwiftShader, so the full cross product would take minutes).
  const CROSS = 3;
  test.each(CASES)('dot4, tiled: %s', async (_, c) => {
    expect(await mismatches(c, 'dot4', TILED)).toBe(0);
  });
  test.each(CASES)('core, untiled: %s', async (_, c) => {
    expect(await mismatches(c, 'core', UNTILED)).toBe(0);
  });
  test.each(CASES.slice(0, CROSS))('core, tiled: %s', async (_, c) => {
    expect(await mismatches(c, 'core', TILED)).toBe(0);
  });
  test.each(CASES.slice(0, CROSS))('dot4, untiled: %s', async (_, c) => {
    expect(await mismatches(c, 'dot4', UNTILED)).toBe(0);
  });

  test('a tile of 64×32 with 8×4 per thread and tileK 32', async () => {
    const schedule = { directBelow: 0, tileM: 64, tileN: 32, threadM: 8, threadN: 4, tileK: 32 };
    expect(await mismatches(conv([1, 16, 9, 9], [70, 16, 3, 3], { pads: [1, 1, 1, 1] }), 'dot4', schedule)).toBe(0);
    expect(await mismatches(conv([1, 16, 9, 9], [70, 16, 3, 3], { pads: [1, 1, 1, 1] }), 'core', schedule)).toBe(0);
  });

  test('the core module uses no packed-integer built-in; the dot4 one requires the feature', () => {
    const [d] = packedInt8Kernel(kernelContext(graphOf(conv([1, 4, 5, 5], [8, 4, 3, 3]))))!;
    expect(d.code).not.toMatch(/dot4I8Packed|unpack4xI8|pack4xI8|requires/);
    expect(d.preferred!.code.startsWith(`requires ${DOT4_FEATURE};`)).toBe(true);
    expect(d.preferred!.code).toContain('dot4I8Packed(');
  });

  test('runtime weights, u8 weights and weight zero points are not packed (the direct kernels compute them)', () => {
    const withZp = buildGraph({
      inputs: { x: { dtype: 'u8', shape: [1, 2, 4, 4] } },
      build: (b, { x }) => [b.emit('conv_integer', [x, b.constant(fullRange('i8', [3, 2, 3, 3], 1)), null, b.constant(Tensor.scalar('i8', 2))])[0]],
    });
    const u8Weights = buildGraph({
      inputs: { x: { dtype: 'u8', shape: [3, 4] } },
      build: (b, { x }) => [b.emit('matmul_integer', [x, b.constant(fullRange('u8', [4, 2], 1))])[0]],
    });
    const runtime = buildGraph({
      inputs: { x: { dtype: 'u8', shape: [3, 4] }, w: { dtype: 'i8', shape: [4, 2] } },
      build: (b, { x, w }) => [b.emit('matmul_integer', [x, w])[0]],
    });
    for (const g of [withZp, u8Weights, runtime]) expect(packedInt8Kernel(kernelContext(g))).toBeUndefined();
  });

  test('packing: element 4q + j in byte j of word q, two’s complement, the last word zero-padded', () => {
    const rows = [[1, -1, 127, -128, 5], [0, 2, -3, 4, -5]];
    const { words, sums } = packInt8Rows(2, 5, (m, k) => rows[m][k]);
    expect(Array.from(words)).toEqual([0x807fff01, 0x05, 0x04fd0200, 0xfb]);
    expect(sums).toEqual([4, -2]);
  });
});
