// Recording a webgpu run whose manifest has run-time loops: the steps in order, each loop's body once per
// iteration, all in one compute pass while nothing needs reading. A trip count given at run time costs one
// readback before the loop; a condition costs one readback before the first iteration and one after each
// (submit, map a 4-byte buffer, wait): the GPU sits idle while the host decides whether to record another.
import { DlcRuntimeError } from './errors.js';
import type { GpuWord, WebgpuLoop } from './manifest.js';

/** The compiler's iteration limit (compiler/ops/control-flow.ts MAX_LOOP_ITERATIONS, the reference interpreter's). */
export const MAX_UNBOUNDED_ITERATIONS = 1 << 26;

const MAP_READ = 0x01;
const COPY_DST = 0x08;
const MAP_MODE_READ = 0x01;

/**
 * Records steps 0..count−1 with `loops` into `encoder` (submitting it, and going on in a new one, for each
 * readback) and returns the encoder the run goes on with.
 */
export async function recordWithLoops(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  count: number,
  loops: readonly WebgpuLoop[],
  buffers: readonly GPUBuffer[],
  dispatch: (pass: GPUComputePassEncoder, step: number) => void,
): Promise<GPUCommandEncoder> {
  let pass: GPUComputePassEncoder | undefined;
  let staging: GPUBuffer | undefined;
  const steps = (from: number, to: number) => {
    for (let i = from; i < to; i++) dispatch((pass ??= encoder.beginComputePass()), i);
  };
  const read = async (word: GpuWord): Promise<number> => {
    pass?.end();
    pass = undefined;
    staging ??= device.createBuffer({ size: 4, usage: MAP_READ | COPY_DST });
    encoder.copyBufferToBuffer(buffers[word.buffer], word.offset, staging, 0, 4);
    device.queue.submit([encoder.finish()]);
    encoder = device.createCommandEncoder();
    await staging.mapAsync(MAP_MODE_READ);
    const value = new Int32Array(staging.getMappedRange().slice(0))[0];
    staging.unmap();
    return value;
  };
  let at = 0;
  for (const loop of loops) {
    steps(at, loop.first);
    const trips = loop.trips === undefined ? MAX_UNBOUNDED_ITERATIONS : typeof loop.trips == 'number' ? loop.trips : await read(loop.trips);
    let going = !loop.condIn || (await read(loop.condIn)) != 0;
    for (let i = 0; going && i < trips; i++) {
      steps(loop.first, loop.end);
      if (loop.condOut) going = (await read(loop.condOut)) != 0;
    }
    // A Loop with no trip count stops on its condition alone; past the compiler's iteration limit it is an error, not a hang.
    if (loop.trips === undefined && going) throw new DlcRuntimeError(`a Loop with no trip count ran ${MAX_UNBOUNDED_ITERATIONS} iterations with its condition still true`);
    at = loop.end;
  }
  steps(at, count);
  pass?.end();
  staging?.destroy();
  return encoder;
}
