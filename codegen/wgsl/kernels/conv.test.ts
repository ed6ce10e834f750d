import { nodeGpuDevice } from '../../../cli/webgpu-node.js';
import type { Attrs } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { wgslEpilogueOf } from '../epilogue.js';
import { buildGraph, kernelContext, kernelMismatches, randomTensor } from '../../../tests/util/wgsl-kernels.js';
import { convKernel, convTransposeKernel } from './conv.js';
import type { WgslKernelContext } from './kernel.js';
import { DEFAULT_GPU_MATMUL, type GpuMatmulSchedule } from '../../schedule.js';

interface ConvCase {
  x: number[];
  w: number[];
  attrs?: Attrs;
  bias?: boolean;
  /** Weights as a graph input instead of a constant. */
  runtimeWeights?: boolean;
  /** An activation fused as the epilogue. */
  activation?: string;
}

function convGraph(op: 'conv' | 'conv_transpose', c: ConvCase) {
  const inputs: Record<string, number[]> = { x: c.x };
  if (c.runtimeWeights) inputs.w = c.w;
  return buildGraph(inputs, (b, v) => {
    const w = v.w ?? b.constant(randomTensor(c.w, 7));
    const biasSize = op === 'conv' ? c.w[0] : c.w[1] * ((c.attrs?.group as number | undefined) ?? 1);
    const bias = c.bias === false ? null : b.constant(randomTensor([biasSize], 8));
    const [y] = b.emit(op, [v.x, w, bias], c.attrs ?? {});
    if (!c.activation) return [y];
    const bounds = c.activation === 'clip' ? [b.constant(Tensor.scalar('f32', 0)), b.constant(Tensor.scalar('f32', 0.5))] : [];
    return b.emit(c.activation, [y, ...bounds]);
  });
}

/** The context with its GPU conv schedule replaced (as a schedule file's per-node override would). */
function withConvSchedule(k: WgslKernelContext, conv: GpuMatmulSchedule): WgslKernelContext {
  return { ...k, schedules: { ...k.schedules, gpu: { ...k.schedules.gpu, conv } } };
}

async function convMismatches(op: 'conv' | 'conv_transpose', c: ConvCase, schedule: Partial<GpuMatmulSchedule> = {}): Promise<string[]> {
  const g = convGraph(op, c);
  const epilogue = c.activation ? wgslEpilogueOf(g.nodes[1]) : undefined;
  if (c.activation) expect(epilogue).toBeDefined();
  // Tiled unless the schedule says otherwise (the small test sizes would all run untiled by default).
  const generator = op === 'conv' ? (k: WgslKernelContext) => convKernel(withConvSchedule(k, { ...DEFAULT_GPU_MATMUL, directBelow: 0, ...schedule })) : convTransposeKernel;
  return kernelMismatches(await nodeGpuDevice(), g, generator, { epilogue });
}

describe('conv on WebGPU matches the interpreter', () => {
  const cases: [string, ConvCase][] = [
    ['3×3 pad 1, odd sizes, bias', { x: [2, 5, 13, 11], w: [7, 5, 3, 3], attrs: { pads: [1, 1, 1, 1] } }],
    ['strides and asymmetric pads, no bias', { x: [1, 6, 9, 11], w: [5, 6, 3, 2], attrs: { strides: [2, 3], pads: [0, 1, 2, 1] }, bias: false }],
    ['dilations', { x: [1, 6, 9, 11], w: [4, 6, 3, 3], attrs: { dilations: [2, 2], pads: [2, 2, 2, 2] } }],
    ['groups', { x: [1, 6, 7, 9], w: [4, 3, 3, 3], attrs: { group: 2, pads: [1, 0, 1, 0] } }],
    ['1×1 as a matmul (vec4 rows)', { x: [2, 6, 4, 5], w: [7, 6, 1, 1] }],
    ['1×1 over a plane not a multiple of 4', { x: [1, 6, 3, 5], w: [9, 6, 1, 1] }],
    ['1×1 with stride 2', { x: [1, 8, 7, 7], w: [5, 8, 1, 1], attrs: { strides: [2, 2] } }],
    ['depthwise 3×3 stride 2', { x: [1, 6, 9, 10], w: [6, 1, 3, 3], attrs: { group: 6, pads: [1, 1, 1, 1], strides: [2, 2] } }],
    ['depthwise 5×5 (PP-OCR)', { x: [1, 8, 20, 20], w: [8, 1, 5, 5], attrs: { group: 8, pads: [2, 2, 2, 2] } }],
    ['depthwise with channel multiplier 2', { x: [1, 4, 7, 6], w: [8, 1, 3, 3], attrs: { group: 4, pads: [1, 1, 1, 1] } }],
    ['weights given at run time', { x: [1, 3, 8, 8], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, runtimeWeights: true }],
    ['1-D', { x: [1, 4, 10], w: [3, 4, 3], attrs: { pads: [1, 1] } }],
    ['3-D', { x: [1, 2, 4, 5, 6], w: [3, 2, 2, 3, 3], attrs: { pads: [0, 1, 1, 1, 1, 0], strides: [1, 2, 1] } }],
    ['split K: a 4×4 output over K = 2304', { x: [1, 256, 4, 4], w: [32, 256, 3, 3], attrs: { pads: [1, 1, 1, 1] } }],
  ];
  test.each(cases)('%s', async (_, c) => {
    expect(await convMismatches('conv', c)).toEqual([]);
  });

  test.each(cases)('untiled, %s', async (_, c) => {
    expect(await convMismatches('conv', c, { directBelow: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  test('PP-OCR stem: 1×3×320×320, 3×3 stride 2 pad 1, hard_swish fused', async () => {
    expect(await convMismatches('conv', { x: [1, 3, 320, 320], w: [8, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, activation: 'hard_swish' })).toEqual([]);
  });

  test.each(['relu', 'clip', 'hard_sigmoid'])('fused %s on implicit GEMM, 1×1 and depthwise', async (activation) => {
    expect(await convMismatches('conv', { x: [1, 4, 6, 6], w: [5, 4, 3, 3], attrs: { pads: [1, 1, 1, 1] }, activation })).toEqual([]);
    expect(await convMismatches('conv', { x: [1, 4, 6, 6], w: [5, 4, 1, 1], activation })).toEqual([]);
    expect(await convMismatches('conv', { x: [1, 4, 6, 6], w: [4, 1, 3, 3], attrs: { group: 4, pads: [1, 1, 1, 1] }, activation })).toEqual([]);
  });

  test('scalar loads and a small tile give the same result', async () => {
    const c: ConvCase = { x: [1, 5, 10, 9], w: [6, 5, 3, 3], attrs: { pads: [1, 1, 1, 1] } };
    expect(await convMismatches('conv', c, { vector: 1 })).toEqual([]);
    expect(await convMismatches('conv', c, { tileM: 16, tileN: 32, tileK: 8, threadM: 2, threadN: 4, splitK: 1 })).toEqual([]);
  });

  test('the split-K case runs two dispatches, a large output one', () => {
    const tiled = { ...DEFAULT_GPU_MATMUL, directBelow: 0 };
    const split = convGraph('conv', { x: [1, 256, 4, 4], w: [32, 256, 3, 3], attrs: { pads: [1, 1, 1, 1] } });
    expect(convKernel(withConvSchedule(kernelContext(split), tiled)).length).toBe(2);
    const big = convGraph('conv', { x: [1, 16, 64, 64], w: [32, 16, 3, 3], attrs: { pads: [1, 1, 1, 1] } });
    expect(convKernel(withConvSchedule(kernelContext(big), tiled)).length).toBe(1);
  });
});

describe('conv_transpose on WebGPU matches the interpreter', () => {
  const cases: [string, ConvCase][] = [
    ['strides and groups, weights at run time', { x: [1, 4, 5, 6], w: [4, 3, 3, 2], attrs: { strides: [1, 2], group: 2 }, runtimeWeights: true, bias: false }],
    ['stride 2, 2×2 kernel (PP-OCR upsampling), bias', { x: [1, 4, 5, 6], w: [4, 3, 2, 2], attrs: { strides: [2, 2] } }],
    ['pads and output padding', { x: [1, 4, 5, 6], w: [4, 2, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } }],
    ['dilations', { x: [1, 3, 4, 5], w: [3, 2, 3, 3], attrs: { dilations: [2, 1], strides: [2, 1] } }],
    ['1-D with relu', { x: [2, 3, 7], w: [3, 4, 3], attrs: { strides: [3] }, activation: 'relu' }],
  ];
  test.each(cases)('%s', async (_, c) => {
    expect(await convMismatches('conv_transpose', c)).toEqual([]);
  });
});
