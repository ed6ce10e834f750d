// Runs a compiled WasmProgram in this process on Tensor feeds — what the runtime does, without the artifact
// — so that the code generator is tested on its own against the reference interpreter.
import { allocData, bf16BitsToF32, f16BitsToF32, f32ToBF16Bits, f32ToF16Bits } from '../../compiler/ir/dtype.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { actualShape } from '../../runtime/run-time-extent.js';
import type { TensorSlot, WasmProgram } from './program.js';

/** Writes `t` into `slot` of a module's memory, as the kernels read it (little-endian, the dtype's width; f16 as its bits). */
export function writeSlot(view: DataView, slot: TensorSlot, t: Tensor): void {
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i];
    switch (slot.dtype) {
      case 'f32': view.setFloat32(slot.offset + 4 * i, v, true); break;
      case 'f64': view.setFloat64(slot.offset + 8 * i, v, true); break;
      case 'f16': view.setUint16(slot.offset + 2 * i, f32ToF16Bits(v), true); break;
      case 'bf16': view.setUint16(slot.offset + 2 * i, f32ToBF16Bits(v), true); break;
      case 'i64': view.setBigInt64(slot.offset + 8 * i, BigInt(v), true); break;
      case 'u64': view.setBigUint64(slot.offset + 8 * i, BigInt(v), true); break;
      case 'i32': view.setInt32(slot.offset + 4 * i, v, true); break;
      case 'u32': view.setUint32(slot.offset + 4 * i, v, true); break;
      case 'i16': view.setInt16(slot.offset + 2 * i, v, true); break;
      case 'u16': view.setUint16(slot.offset + 2 * i, v, true); break;
      case 'i8': view.setInt8(slot.offset + i, v); break;
      default: view.setUint8(slot.offset + i, v);
    }
  }
}

/** The tensor a module's memory holds in `slot`. */
export function readSlot(view: DataView, slot: TensorSlot): Tensor {
  // A run-time-sized output is trimmed to the extent the run wrote.
  const shape = slot.extent ? actualShape(slot.shape, slot.extent, view.getInt32(slot.extent.offset, true)) : slot.shape;
  const n = shape.reduce((p, d) => p * d, 1);
  const out = allocData(slot.dtype, n);
  for (let i = 0; i < n; i++) {
    switch (slot.dtype) {
      case 'f32': out[i] = view.getFloat32(slot.offset + 4 * i, true); break;
      case 'f64': out[i] = view.getFloat64(slot.offset + 8 * i, true); break;
      case 'f16': out[i] = f16BitsToF32(view.getUint16(slot.offset + 2 * i, true)); break;
      case 'bf16': out[i] = bf16BitsToF32(view.getUint16(slot.offset + 2 * i, true)); break;
      case 'i64': out[i] = Number(view.getBigInt64(slot.offset + 8 * i, true)); break;
      case 'u64': out[i] = Number(view.getBigUint64(slot.offset + 8 * i, true)); break;
      case 'i32': out[i] = view.getInt32(slot.offset + 4 * i, true); break;
      case 'u32': out[i] = view.getUint32(slot.offset + 4 * i, true); break;
      case 'i16': out[i] = view.getInt16(slot.offset + 2 * i, true); break;
      case 'u16': out[i] = view.getUint16(slot.offset + 2 * i, true); break;
      case 'i8': out[i] = view.getInt8(slot.offset + i); break;
      default: out[i] = view.getUint8(slot.offset + i);
    }
  }
  return new Tensor(slot.dtype, shape, out);
}

export interface LoadedProgram {
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
  /** Calls `run()` alone, on whatever the memory holds (for benchmarks). */
  runRaw(): void;
  /**
   * Replaces the weights image with another of the same layout (a program of the same signature): the kernels
   * then compute that program (the compiled accuracy guard's candidates).
   */
  setWeights(image: Uint8Array): void;
}

export async function loadProgram(program: WasmProgram): Promise<LoadedProgram> {
  const { instance } = await WebAssembly.instantiate(program.wasm as Uint8Array<ArrayBuffer>, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const runRaw = instance.exports.run as () => void;
  const { layout } = program;
  if (memory.buffer.byteLength < layout.memoryBytes) memory.grow(Math.ceil((layout.memoryBytes - memory.buffer.byteLength) / 65536));
  const setWeights = (image: Uint8Array) => {
    if (image.length !== layout.weightsBytes) throw new Error(`a weights image of ${image.length} bytes for a program of ${layout.weightsBytes}`);
    new Uint8Array(memory.buffer, layout.weightsOffset, layout.weightsBytes).set(image);
  };
  setWeights(program.weights);
  return {
    runRaw,
    setWeights,
    run(feeds) {
      const view = new DataView(memory.buffer);
      for (const slot of layout.inputs) writeSlot(view, slot, feeds[slot.name]);
      runRaw();
      const out: Record<string, Tensor> = {};
      for (const slot of layout.outputs) out[slot.name] = readSlot(new DataView(memory.buffer), slot);
      return out;
    },
  };
}
