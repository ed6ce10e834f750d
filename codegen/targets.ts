// The TargetInfo (compiler/target-info.ts) of each code generation target: the ops its kernel table runs
// (element-wise ops through the C-like base) and the limits of one kernel.
import type { Node } from '../compiler/ir/graph.js';
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

/**
 * wasm's int8 convs beat f32 from a few hundred thousand multiply-adds and a full register tile of output
 * channels (`npm run bench:int8-kernels`: 1.2–2× on MobileNetV2, PP-OCR and 3×3 layers); below that the
 * unfold, the requantizing epilogue and the quantize of the input cost more than the multiply-adds save
 * (LeNet-5's convs, 6 and 16 channels, 0.1 and 0.2 M multiply-adds: the model was 1.25× slower with them in
 * int8, 1.1× faster without). Matmuls and gemms pay at every size measured (LeNet's 10-column gemm included).
 */
const WASM_INT8_MIN_CONV_MACS = 500_000;
const WASM_INT8_MIN_CONV_CHANNELS = 8;

function wasmInt8Pays(layer: Node): boolean {
  if (layer.op !== 'conv') return true;
  const y = layer.outputs[0].type.shape;
  const w = layer.inputs[1]?.type.shape;
  if (!w || !y.every((d): d is number => typeof d === 'number') || !w.every((d): d is number => typeof d === 'number')) return true;
  const macs = y.reduce((a, b) => a * b, 1) * w.slice(1).reduce((a, b) => a * b, 1);
  return macs >= WASM_INT8_MIN_CONV_MACS && (w[0] >= WASM_INT8_MIN_CONV_CHANNELS || w[1] === 1);
}

export const TARGET_INFO: Readonly<Record<TargetName, TargetInfo>> = {
  // A wasm kernel addresses linear memory: no binding limit of its own, only the epilogue's.
  wasm: { name: 'wasm', nativeOps: nativeOps(KERNELS), limits: { bindingsPerKernel: Infinity, epilogueOperands: MAX_OPERANDS, concatInPlace: true }, int8Pays: wasmInt8Pays },
  webgpu: {
    name: 'webgpu',
    nativeOps: nativeOps(WGSL_KERNELS),
    limits: { bindingsPerKernel: WGSL_LIMITS.storageBuffersPerStage, epilogueOperands: MAX_EPILOGUE_OPERANDS },
  },
};
