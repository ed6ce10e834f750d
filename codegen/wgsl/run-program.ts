// Runs a compiled WebgpuProgram in this process on Tensor feeds, through the runtime's executor and the very
// manifest and kernels.wgsl an artifact would hold, so that the code generator is tested end to end against
// the reference interpreter without writing files.
import { allocData } from '../../compiler/ir/dtype.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { arrayConstructor, type TypedArray } from '../../runtime/dtypes.js';
import { bfloatToFloat, floatToBfloat, floatToHalf, halfToFloat } from '../../runtime/gpu-storage.js';
import { parseManifest, WEIGHTS_FILE, WGSL_FILE, type WebgpuManifest } from '../../runtime/manifest.js';
import { dimsOf } from '../../runtime/run-time-extent.js';
import { WebgpuExecutor } from '../../runtime/webgpu-executor.js';
import { weightsImage } from '../../runtime/weights-decode.js';
import { buildWebgpuArtifact, MANIFEST_FILE } from '../artifact.js';
import type { WebgpuProgram } from './program.js';

export interface LoadedWebgpuProgram {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  /** Frees its GPU buffers. */
  release(): Promise<void>;
}

function toArray(t: Tensor): TypedArray {
  const out = new (arrayConstructor(t.dtype))(t.size);
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i];
    out[i] = (t.dtype === 'i64' || t.dtype === 'u64' ? BigInt(v) : t.dtype === 'f16' ? floatToHalf(v) : t.dtype === 'bf16' ? floatToBfloat(v) : v) as never;
  }
  return out;
}

function toTensor(dtype: Tensor['dtype'], shape: readonly number[], data: TypedArray): Tensor {
  const out = allocData(dtype, data.length);
  for (let i = 0; i < data.length; i++) out[i] = dtype === 'f16' ? halfToFloat(Number(data[i])) : dtype === 'bf16' ? bfloatToFloat(Number(data[i])) : Number(data[i]);
  return new Tensor(dtype, shape, out);
}

/**
 * `wgslLanguageFeatures`: those of the device's GPU object (runtime/index.ts, LoadOptions), which pick each
 * kernel's variant; none by default (core WGSL only).
 */
export async function loadWebgpuProgram(device: GPUDevice, program: WebgpuProgram, wgslLanguageFeatures: ReadonlySet<string> = new Set()): Promise<LoadedWebgpuProgram & { stepModules: readonly number[] }> {
  const files = buildWebgpuArtifact(program, {});
  const manifest = parseManifest(new TextDecoder().decode(files.get(MANIFEST_FILE)), 'in-memory artifact') as WebgpuManifest;
  const executor = await WebgpuExecutor.create(device, new TextDecoder().decode(files.get(WGSL_FILE)), weightsImage(files.get(WEIGHTS_FILE)!, manifest.weightsEncoding === 'packed', manifest.weights?.bytes ?? 0, 'in-memory artifact'), manifest, 'in-memory artifact', wgslLanguageFeatures);
  return {
    async run(feeds) {
      const arrays: Record<string, TypedArray> = {};
      for (const slot of manifest.inputs) arrays[slot.name] = toArray(feeds[slot.name]);
      const out = await executor.run(arrays);
      const result: Record<string, Tensor> = {};
      for (const slot of manifest.outputs) result[slot.name] = toTensor(slot.dtype, dimsOf(slot.shape, slot.extent?.dim, out[slot.name].length), out[slot.name]);
      return result;
    },
    release: () => executor.release(),
    stepModules: executor.stepModules,
  };
}
