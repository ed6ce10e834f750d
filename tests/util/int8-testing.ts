// Runs an int8 layer (tests/util/quantized-layers.ts) the way a compiled model runs it — fuse-ops for the wasm
// target, then compileToWasm — and compares it with the reference interpreter: the i32 sum must be exact, a
// requantized u8/i8 output within one quantization step (f32 rounding may tip a value lying on a .5 boundary),
// a dequantized f32 output within the f32 tolerance.
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { fuseOps } from '../../passes/fuse-ops.js';
import { TARGET_INFO } from '../../codegen/targets.js';
import { compileToWasm, type WasmCompileOptions } from '../../codegen/wasm/program.js';
import { loadProgram } from '../../codegen/wasm/run-program.js';
import { quantizedInput } from './quantized-layers.js';
import { TOLERANCES } from './targets.js';

export interface Int8Run {
  /** Kernels of the compiled program. */
  kernels: number;
  /** Elements whose value differs from the reference at all. */
  differing: number;
  /** The largest difference. */
  maxDiff: number;
  size: number;
  /** Elements outside the bound for the output's dtype (one step for u8/i8, exact for i32, the f32 tolerance). */
  outOfBound: number;
  /** Whether the module contains i32x4.dot_i16x8_s (the integer GEMM, not the direct loops, computed it). */
  dot: boolean;
}

/** i32x4.dot_i16x8_s in a module's code: the SIMD prefix 0xfd, then opcode 186 as LEB128 (0xba 0x01). */
function containsDot(wasm: Uint8Array): boolean {
  for (let i = 0; i + 2 < wasm.length; i++) if (wasm[i] === 0xfd && wasm[i + 1] === 0xba && wasm[i + 2] === 0x01) return true;
  return false;
}

export async function runInt8(g: Graph, options: WasmCompileOptions = {}, seed = 7): Promise<Int8Run> {
  const x = quantizedInput(g, seed);
  const want = interpret(g, { x })[g.outputs[0].name];
  const program = await compileToWasm(fuseOps(g, TARGET_INFO.wasm.limits), options);
  const got: Tensor = (await loadProgram(program)).run({ x })[g.outputs[0].name];
  const dtype = g.outputs[0].type.dtype;
  const f32 = TOLERANCES.wasm.f32!;
  let [differing, maxDiff, outOfBound] = [0, 0, 0];
  for (let i = 0; i < want.size; i++) {
    const d = Math.abs(got.data[i] - want.data[i]);
    if (!(d === 0)) differing++;
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
    const bound = dtype === 'f32' ? f32.atol + f32.rtol * Math.abs(want.data[i]) : dtype === 'i32' ? 0 : 1;
    if (!(d <= bound)) outOfBound++;
  }
  return { kernels: program.kernels, differing, maxDiff, size: want.size, outOfBound, dot: containsDot(program.wasm) };
}
