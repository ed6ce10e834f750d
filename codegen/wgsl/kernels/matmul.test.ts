import { nodeGpuDevice } from '../../../cli/webgpu-node.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { buildGraph, kernelContext, kernelMismatches, randomTensor } from '../../../tests/util/wgsl-kernels.js';
import { wgslEpilogueOf } from '../epilogue.js';
import type { WgslKernelContext } from './kernel.js';
import { DEFAULT_GPU_MATMUL, type GpuMatmulSchedule } from '../../schedule.js';
import { gemmKernel, matmulKernel } from './matmul.js';

// Tiled unless a test asks for the untiled form (the small test sizes would all run untiled by default).
const TILED: Partial<GpuMatmulSchedule> = { directBelow: 0 };
const UNTILED: Partial<GpuMatmulSchedule> = { directBelow: Number.MAX_SAFE_INTEGER };
/** The context with its GPU matmul schedule replaced (as a schedule file's per-node override would). */
const scheduled = (k: WgslKernelContext, s: Partial<GpuMatmulSchedule>): WgslKernelContext => ({ ...k, schedules: { ...k.schedules, gpu: { ...k.schedules.gpu, matmul: { ...DEFAULT_GPU_MATMUL, ...TILED, ...s } } } });
const matmul = (s: Partial<GpuMatmulSchedule> = {}) => (k: WgslKernelContext) => matmulKernel(scheduled(k, s));
const gemm = (s: Partial<GpuMatmulSchedule> = {}) => (k: WgslKernelContext) => gemmKernel(scheduled(k, s));

describe('tiled matmul on WebGPU matches the interpreter', () => {
  const cases: [string, number[], number[]][] = [
    ['tile multiple', [64, 32], [32, 64]],
    ['odd sizes', [37, 29], [29, 53]],
    ['N a multiple of 4, M and K odd', [5, 7], [7, 12]],
    ['batched with broadcast A', [3, 1, 9, 11], [2, 11, 6]],
    ['batched B under a shared A', [17, 8], [2, 3, 8, 5]],
    ['batched A over a shared B (rows folded)', [2, 3, 7, 4], [4, 9]],
    ['1-D A', [7], [7, 13]],
    ['1-D B', [5, 7], [7]],
  ];
  test.each(cases)('%s: [%s] × [%s]', async (_, as, bs) => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: as, b: bs }, (b, x) => b.emit('matmul', [x.a, x.b]));
    expect(await kernelMismatches(device, g, matmul())).toEqual([]);
  });

  test.each(cases)('untiled, %s: [%s] × [%s]', async (_, as, bs) => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: as, b: bs }, (b, x) => b.emit('matmul', [x.a, x.b]));
    const dispatches = matmul(UNTILED)(kernelContext(g))!;
    expect(dispatches.map((d) => /var<workgroup>/.test(d.code))).toEqual([false]);
    expect(await kernelMismatches(device, g, matmul(UNTILED))).toEqual([]);
  });

  test('the default schedule runs a small GEMM untiled and a large one tiled', () => {
    const small = buildGraph({ a: [64, 64], b: [64, 64] }, (b, x) => b.emit('matmul', [x.a, x.b]));
    const large = buildGraph({ a: [256, 256], b: [256, 512] }, (b, x) => b.emit('matmul', [x.a, x.b]));
    const tiled = (g: typeof small) => matmulKernel(kernelContext(g))!.some((d) => /var<workgroup>/.test(d.code));
    expect([tiled(small), tiled(large)]).toEqual([false, true]);
  });

  test('every schedule gives the same result, scalar and vec4', async () => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: [45, 70], b: [70, 36] }, (b, x) => b.emit('matmul', [x.a, x.b]));
    const schedules: Partial<GpuMatmulSchedule>[] = [
      { vector: 1 },
      { tileM: 32, tileN: 32, tileK: 8, threadM: 2, threadN: 4 },
      { tileM: 64, tileN: 32, tileK: 32, threadM: 8, threadN: 8 },
      { tileM: 16, tileN: 64, tileK: 4, threadM: 1, threadN: 4 },
    ];
    for (const s of schedules) expect(await kernelMismatches(device, g, matmul(s))).toEqual([]);
  });

  test('split K: forced and chosen for a small output over a long K', async () => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: [3, 1000], b: [1000, 10] }, (b, x) => b.emit('matmul', [x.a, x.b]));
    expect(await kernelMismatches(device, g, matmul())).toEqual([]);
    expect(matmul()(kernelContext(g)).length).toBe(2);
    const g4 = buildGraph({ a: [8, 512], b: [512, 16] }, (b, x) => b.emit('matmul', [x.a, x.b]));
    expect(await kernelMismatches(device, g4, matmul({ splitK: 3 }))).toEqual([]);
    expect(await kernelMismatches(device, g4, matmul({ splitK: 5, vector: 1 }))).toEqual([]);
  });

  test('constant weights not a multiple of 4 wide ship padded to vec4 rows', async () => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: [6, 10] }, (b, x) => [
      b.emit('matmul', [x.a, b.constant(randomTensor([10, 7], 5))])[0],
    ]);
    expect(await kernelMismatches(device, g, matmul())).toEqual([]);
    const h = buildGraph({ b: [9, 8] }, (b, x) => [b.emit('matmul', [b.constant(randomTensor([2, 5, 9], 6)), x.b])[0]]);
    expect(await kernelMismatches(device, h, matmul())).toEqual([]);
  });

  test.each(['relu', 'leaky_relu', 'clip', 'hard_sigmoid', 'hard_swish'])('fused %s epilogue', async (op) => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: [9, 16], b: [16, 12] }, (b, x) => {
      const [y] = b.emit('matmul', [x.a, x.b]);
      const bounds = op === 'clip' ? [b.constant(Tensor.scalar('f32', -0.5)), b.constant(Tensor.scalar('f32', 0.75))] : [];
      return b.emit(op, [y, ...bounds], op === 'leaky_relu' ? { alpha: 0.3 } : {});
    });
    const epilogue = wgslEpilogueOf(g.nodes[1]);
    expect(epilogue).toBeDefined();
    expect(await kernelMismatches(device, g, matmul(), { epilogue })).toEqual([]);
    expect(await kernelMismatches(device, g, matmul({ vector: 1 }), { epilogue })).toEqual([]);
  });
});

describe('gemm on WebGPU matches the interpreter', () => {
  test('transposes (constant and not), alpha, beta, broadcast bias', async () => {
    const device = await nodeGpuDevice();
    const w = randomTensor([10, 6], 9);
    const graphs = [
      buildGraph({ a: [5, 6], c: [10] }, (b, x) => b.emit('gemm', [x.a, b.constant(w), x.c], { transB: 1 })),
      buildGraph({ at: [6, 5], b: [6, 10], c: [10] }, (b, x) => b.emit('gemm', [x.at, x.b, x.c], { transA: 1, alpha: 0.5, beta: 2 })),
      buildGraph({ a: [5, 6], bt: [10, 6] }, (b, x) => b.emit('gemm', [x.a, x.bt, b.constant(Tensor.fromArray('f32', [5, 1], [1, 2, 3, 4, 5]))], { transB: 1 })),
      buildGraph({ a: [5, 6], b: [6, 10] }, (b, x) => b.emit('gemm', [x.a, x.b], { alpha: 1.5 })),
      buildGraph({ at: [6, 5], bt: [10, 6] }, (b, x) => b.emit('gemm', [x.at, x.bt], { transA: 1, transB: 1 })),
      buildGraph({ a: [7, 6], b: [6, 12], c: [7, 12] }, (b, x) => b.emit('gemm', [x.a, x.b, x.c], { beta: -1 })),
      buildGraph({ a: [3, 6], b: [6, 8], c: [1] }, (b, x) => b.emit('gemm', [x.a, x.b, x.c], { beta: 0.5 })),
      buildGraph({ a: [6, 7] }, (b, x) => b.emit('gemm', [x.a, b.constant(randomTensor([6, 9], 3)), b.constant(randomTensor([9], 4))], { transA: 1 })),
    ];
    for (const g of graphs) {
      expect(await kernelMismatches(device, g, gemm())).toEqual([]);
      expect(await kernelMismatches(device, g, gemm({ vector: 1 }))).toEqual([]);
      expect(await kernelMismatches(device, g, gemm(UNTILED))).toEqual([]);
    }
  });

  test('a classifier head (1 × 1280 by 1280 × 1000) with relu splits K', async () => {
    const device = await nodeGpuDevice();
    const g = buildGraph({ a: [1, 1280] }, (b, x) => {
      const [y] = b.emit('gemm', [x.a, b.constant(randomTensor([1000, 1280], 11)), b.constant(randomTensor([1000], 12))], { transB: 1 });
      return b.emit('relu', [y]);
    });
    expect(await kernelMismatches(device, g, gemm(), { epilogue: wgslEpilogueOf(g.nodes[1]) })).toEqual([]);
  });
});
