// A WebGPU device for Node: Dawn (npm `webgpu`). Without a GPU, Dawn runs on SwiftShader, the Vulkan CPU
// driver that Debian's chromium package ships (scripts/setup-system.sh installs it); VK_ICD_FILENAMES points
// the Vulkan loader at it unless the caller chose a driver. The runtime itself never imports this: in a
// browser, or with a device of the caller's, it uses that device.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DlcError } from '../compiler/errors.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let devicePromise: Promise<GPUDevice> | undefined;
/** Dawn's GPU object must outlive its devices: once garbage-collected, Dawn aborts in the next pipeline creation. */
let gpuInstance: GPU | undefined;

/** Dawn's globals (GPUBufferUsage, GPUMapMode, …) installed on globalThis, and its GPU object. */
async function dawn(): Promise<GPU> {
  if (!process.env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // Vulkan's window-system probing prints "error: XDG_RUNTIME_DIR is invalid or not set" to stderr on a
  // headless machine without it; a compute-only device never uses it, and a command must print only its own lines.
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = os.tmpdir();
  let mod: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw new DlcError(`WebGPU in Node needs the npm package 'webgpu' (Dawn): ${(e as Error).message}`);
  }
  Object.assign(globalThis, mod.globals);
  return mod.create([]);
}

async function createDevice(): Promise<GPUDevice> {
  const gpu = await dawn();
  gpuInstance = gpu;
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new DlcError(`no WebGPU adapter: run scripts/setup-system.sh (Debian's chromium ships SwiftShader, ${SWIFTSHADER_ICD}) or set VK_ICD_FILENAMES`);
  }
  // timestamp-query lets dlc profile time each dispatch on the GPU itself (api/profile.ts).
  const features = (['shader-f16', 'timestamp-query'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  return adapter.requestDevice({ requiredFeatures: features });
}

/** The WGSL language features of Dawn's GPU object (what navigator.gpu.wgslLanguageFeatures is in a browser). */
export async function nodeWgslLanguageFeatures(): Promise<ReadonlySet<string>> {
  await nodeGpuDevice();
  return new Set(gpuInstance?.wgslLanguageFeatures ?? []);
}

/** One device per process (Dawn's adapters are expensive to create). */
export function nodeGpuDevice(): Promise<GPUDevice> {
  devicePromise ??= createDevice();
  return devicePromise;
}
