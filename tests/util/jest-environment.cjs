// Jest's node environment with the host realm's typed-array constructors, and a WebGPU driver for Dawn. onnxruntime-node checks tensor
// data with `instanceof Float32Array` against the host realm, so arrays made inside the test sandbox (with
// the sandbox's own constructors) would be refused.
// Dawn (npm `webgpu`) reads VK_ICD_FILENAMES from the worker's real environment, which a test's
// `process.env` (a copy) cannot change: point it at SwiftShader here, as cli/webgpu-node.ts does outside jest;
// likewise XDG_RUNTIME_DIR, without which the Vulkan loader prints an error line on a headless machine.
const fs = require('node:fs');
const os = require('node:os');
const { TestEnvironment } = require('jest-environment-node');

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = os.tmpdir();

const SHARED = ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array',
  'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

class HostTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = HostTypedArrayEnvironment;
