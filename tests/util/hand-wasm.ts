// A small hand-written WASM model in the shape the WASM code generator produces (imports nothing, exports
// `memory` and `run()` over a static memory plan), for testing the artifact writer, the runtime and the CLI
// apart from the code generator:
//   inputs  x: f32[2,2] at 64, k: i64[2] at 96
//   weights w: f32[2,2] at 128 (16 bytes: 1, 2, 3, 4)
//   outputs y: f32[2,2] = x + w at 192, z: i64[2] = k * 3 at 224, b: bool[2] = k > 0 at 240
import type { WasmProgram } from '../../codegen/wasm/program.js';

const SOURCE = `
export function run(): void {
  for (let i = 0; i < 4; i++) store<f32>(192 + i * 4, load<f32>(64 + i * 4) + load<f32>(128 + i * 4));
  for (let i = 0; i < 2; i++) {
    const k = load<i64>(96 + i * 8);
    store<i64>(224 + i * 8, k * 3);
    store<u8>(240 + i, k > 0 ? 1 : 0);
  }
}`;

export const HAND_WEIGHTS = [1, 2, 3, 4];

let compiled: Promise<Uint8Array> | undefined;

async function compileSource(): Promise<Uint8Array> {
  const asc = await import('assemblyscript/asc');
  const result = await asc.compileString(SOURCE, { runtime: 'stub', use: ['abort='], optimizeLevel: 2 });
  if (result.error || !result.binary) throw new Error(`AssemblyScript: ${result.error?.message}\n${result.stderr.toString()}`);
  return result.binary;
}

export async function handWrittenProgram(): Promise<WasmProgram> {
  compiled ??= compileSource();
  return {
    wasm: await compiled,
    weights: new Uint8Array(new Float32Array(HAND_WEIGHTS).buffer),
    layout: {
      memoryBytes: 256,
      weightsOffset: 128,
      weightsBytes: 16,
      inputs: [
        { name: 'x', dtype: 'f32', shape: [2, 2], offset: 64 },
        { name: 'k', dtype: 'i64', shape: [2], offset: 96 },
      ],
      outputs: [
        { name: 'y', dtype: 'f32', shape: [2, 2], offset: 192 },
        { name: 'z', dtype: 'i64', shape: [2], offset: 224 },
        { name: 'b', dtype: 'bool', shape: [2], offset: 240 },
      ],
    },
    kernels: 3,
  };
}
