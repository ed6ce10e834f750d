// The TargetInfo (compiler/target-info.ts) of each code generation target: the ops its kernel table runs
// (element-wise ops through the C-like base) and the limits of one kernel.
import type { TargetInfo } from '../compiler/target-info.js';
import { ELEMENTWISE_OPS } from '../compiler/ops/scalar-forms.js';
import { MAX_OPERANDS } from './wasm/kernels/group-epilogue.js';
import { KERNELS } from './wasm/kernels/index.js';
import { MAX_EPILOGUE_OPERANDS } from './wgsl/group-epilogue.js';
import { WGSL_KERNELS } from './wgsl/kernels/index.js';
import { WGSL_LIMITS } from './wgsl/kernels/kernel.js';

export const TARGET_NAMES = ['wasm', 'webgpu'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

const nativeOps = (table: Readonly<Record<string, unknown>>) => new Set([...Object.keys(table), ...ELEMENTWISE_OPS]);

export const TARGET_INFO: Readonly<Record<TargetName, TargetInfo>> = {
  // A wasm kernel addresses linear memory: no binding limit of its own, only the epilogue's.
  wasm: { name: 'wasm', nativeOps: nativeOps(KERNELS), limits: { bindingsPerKernel: Infinity, epilogueOperands: MAX_OPERANDS } },
  webgpu: {
    name: 'webgpu',
    nativeOps: nativeOps(WGSL_KERNELS),
    limits: { bindingsPerKernel: WGSL_LIMITS.storageBuffersPerStage, epilogueOperands: MAX_EPILOGUE_OPERANDS },
  },
};
