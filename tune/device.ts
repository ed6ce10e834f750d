// The device a measurement was made on, as tuning records name it: a record replays only on the device it was
// measured on. wasm: the CPU model, the architecture, Node's version (V8 compiles the module) and the threads
// the kernels run on; webgpu: the adapter's vendor, architecture, device and description.
import * as os from 'node:os';
import type { TargetName } from '../codegen/targets.js';

export interface TuningDevice {
  target: TargetName;
  /** The hardware and the engine, in one line. */
  name: string;
  /**
   * Threads the kernels run on. Part of the key: a schedule tuned on two threads says nothing of one (wasm:
   * `dlc tune --threads N` measures on N; webgpu: always 1).
   */
  threads: number;
}

/** The one spelling of a device that records are matched by. */
export function deviceKey(d: TuningDevice): string {
  return `${d.target} | ${d.name} | threads ${d.threads}`;
}

/** This process's CPU and JavaScript engine. */
export function wasmDevice(threads = 1): TuningDevice {
  const cpu = os.cpus()[0]?.model.trim() || 'unknown cpu';
  return { target: 'wasm', name: `${cpu} (${process.arch}); node ${process.version}`, threads };
}

/** A WebGPU device's adapter, as GPUAdapterInfo tells it. */
export function webgpuDevice(device: GPUDevice): TuningDevice {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const parts = info ? [info.vendor, info.architecture, info.device, info.description].filter((p) => p) : [];
  return { target: 'webgpu', name: parts.length ? parts.join(' / ') : 'unknown adapter', threads: 1 };
}
