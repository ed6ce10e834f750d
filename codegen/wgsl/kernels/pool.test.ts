import { nodeGpuDevice } from '../../../cli/webgpu-node.js';
import type { Attrs } from '../../../compiler/ir/graph.js';
import { buildGraph, kernelMismatches } from '../../../tests/util/wgsl-kernels.js';
import { globalPoolKernel, poolKernel } from './pool.js';

async function poolMismatches(op: string, x: number[], attrs: Attrs = {}): Promise<string[]> {
  const g = buildGraph({ x }, (b, v) => b.emit(op, [v.x], attrs, 1));
  return kernelMismatches(await nodeGpuDevice(), g, op.startsWith('global') ? globalPoolKernel : poolKernel);
}

describe('pools on WebGPU match the interpreter', () => {
  const cases: [string, string, number[], Attrs][] = [
    ['max 3×3 stride 2 pad 1', 'max_pool', [1, 3, 11, 10], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['max with ceil_mode and dilations', 'max_pool', [1, 2, 9, 8], { kernel_shape: [2, 3], strides: [2, 2], dilations: [2, 1], ceil_mode: 1 }],
    ['average excluding pads', 'average_pool', [2, 3, 7, 9], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['average counting pads, ceil_mode', 'average_pool', [1, 2, 8, 7], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], count_include_pad: 1, ceil_mode: 1 }],
    ['1-D average', 'average_pool', [1, 3, 10], { kernel_shape: [3], strides: [2] }],
    ['3-D max', 'max_pool', [1, 2, 4, 5, 6], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }],
  ];
  test.each(cases)('%s', async (_, op, x, attrs) => {
    expect(await poolMismatches(op, x, attrs)).toEqual([]);
  });

  test.each([
    ['global average', 'global_average_pool', [2, 5, 7, 9]],
    ['global max over a 160×160 plane', 'global_max_pool', [1, 3, 160, 160]],
    ['global average over a 160×160 plane', 'global_average_pool', [1, 3, 160, 160]],
    ['global max, 1-D', 'global_max_pool', [3, 4, 5]],
  ] as [string, string, number[]][])('%s', async (_, op, x) => {
    expect(await poolMismatches(op, x)).toEqual([]);
  });
});
