// Runs a compiled WebGPU model on the caller's GPUDevice. At load: every shader module is compiled and its
// pipeline created with createComputePipelineAsync, all in parallel (pipeline creation is slow); every buffer
// of the plan is created, the weights uploaded once, and each step's bind group made. Each run writes the
// inputs, records every dispatch into ONE command encoder (one compute pass: dispatches in a pass see the
// writes of the ones before), copies only the outputs to mappable buffers and reads them back. The dispatches of
// an If's arms are indirect: an earlier dispatch wrote their workgroup counts from the condition (zeros for the
// arm not taken), so a run never waits on the GPU to choose an arm.
// A step whose module requires WGSL language features (the int8 kernels' dot4I8Packed) runs it where the GPU
// object lists them all (navigator.gpu.wgslLanguageFeatures, or the set the caller passes) and the module's
// core-WGSL fallback elsewhere; only the modules that will run are compiled.
// A run asked for some outputs dispatches only the steps they need. A GPUBuffer feed is copied into the
// input's buffer on the GPU; outputs asked for on the GPU are copied into fresh buffers, which the caller owns.
// Outputs bound to inputs (feedback.ts) are copied into the inputs' buffers in the run's encoder: no readback.
// A manifest with run-time loops has every step run, each loop's body once per iteration (webgpu-loops.ts).
import { elementCount, type DTypeName, type TypedArray } from './dtypes.js';
import { DlcRuntimeError } from './errors.js';
import type { FeedbackPlan } from './feedback.js';
import { checkedFeed, checkFeedNames, isGpuBuffer, type Feeds } from './feeds.js';
import { fromStorage, toStorage } from './gpu-storage.js';
import { WGSL_MODULE_MARK, type StorageType, type WebgpuManifest } from './manifest.js';
import { selectOutputs, stepsFor } from './output-selection.js';
import { actualShape } from './run-time-extent.js';
import { recordWithLoops } from './webgpu-loops.js';

/** An output left on the GPU: a buffer of its own (the caller destroys it), 4 bytes an element in `storage`. */
export interface GpuTensor {
  buffer: GPUBuffer;
  dtype: DTypeName;
  storage: StorageType;
  dims: number[];
}

/** A fed input, or one the runtime leaves (the state fed back) or clears. */
type Input = Float32Array | Int32Array | Uint32Array | GPUBuffer | 'kept' | 'zero';

// The WebGPU flag values (spec constants), so that the runtime needs no GPU* globals of the caller's realm.
const STORAGE = 0x80;
const INDIRECT = 0x100;
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;
export const MAP_READ = 0x01;
export const MAP_MODE_READ = 0x01;
const SHADER_STAGE_COMPUTE = 0x4;

/** kernels.wgsl split into its modules (each opens with its mark line). */
export function splitModules(text: string, where: string): string[] {
  const modules: string[] = [];
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const mark = WGSL_MODULE_MARK.exec(line);
    if (mark) {
      if (Number(mark[1]) !== modules.length + (current ? 1 : 0)) throw new DlcRuntimeError(`${where}: kernels.wgsl has module ${mark[1]} out of order`);
      if (current) modules.push(current.join('\n'));
      current = [];
    } else if (current) current.push(line);
  }
  if (current) modules.push(current.join('\n'));
  return modules;
}

/** The module each step runs: its own where the features it requires are all present, else its fallback. */
export function modulesToRun(manifest: WebgpuManifest, languageFeatures: ReadonlySet<string>): number[] {
  return manifest.steps.map((s) => {
    const m = manifest.modules[s.module];
    return m.requires && !m.requires.every((f) => languageFeatures.has(f)) ? m.fallback! : s.module;
  });
}

export class WebgpuExecutor {
  /** Runs one at a time: they share the readback buffers. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    // Not private, so that dlc profile (api/profile.ts) can dispatch steps one by one: TypeScript's `private`
    // costs no bytes, and a profiling method here would cost the runtime some.
    readonly device: GPUDevice,
    readonly manifest: WebgpuManifest,
    private readonly buffers: GPUBuffer[],
    readonly pipelines: GPUComputePipeline[],
    readonly bindGroups: GPUBindGroup[],
    private readonly readbacks: GPUBuffer[],
    /** Per step, the module it runs. */
    readonly stepModules: readonly number[],
  ) {}

  static async create(device: GPUDevice, wgsl: string, weights: Uint8Array, manifest: WebgpuManifest, where: string, languageFeatures: ReadonlySet<string> = new Set()): Promise<WebgpuExecutor> {
    const codes = splitModules(wgsl, where);
    if (codes.length !== manifest.modules.length) throw new DlcRuntimeError(`${where}: kernels.wgsl has ${codes.length} modules, the manifest lists ${manifest.modules.length}`);
    const stepModules = modulesToRun(manifest, languageFeatures);
    const used = new Set(stepModules);
    const layouts = manifest.modules.map((m) =>
      device.createBindGroupLayout({
        entries: m.access.map((a, binding) => ({ binding, visibility: SHADER_STAGE_COMPUTE, buffer: { type: a === 'read' ? 'read-only-storage' : 'storage' } })),
      }),
    );
    const pipelines: GPUComputePipeline[] = [];
    await Promise.all(
      codes.map(async (code, i) => {
        if (!used.has(i)) return;
        const module = device.createShaderModule({ code });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((msg) => msg.type === 'error');
        if (errors.length > 0) throw new DlcRuntimeError(`${where}: module ${i} of kernels.wgsl does not compile: ${errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('; ')}`);
        try {
          pipelines[i] = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [layouts[i]] }), compute: { module, entryPoint: 'main' } });
        } catch (e) {
          throw new DlcRuntimeError(`${where}: cannot create the pipeline of module ${i}: ${(e as Error).message}`);
        }
      }),
    );
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    const indirect = new Set(manifest.steps.map((s) => s.indirect?.buffer));
    const buffers = manifest.buffers.map((size, i) => device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST | (indirect.has(i) ? INDIRECT : 0) }));
    if (manifest.weights) device.queue.writeBuffer(buffers[manifest.weights.buffer], 0, weights as Uint8Array<ArrayBuffer>);
    const bindGroups = manifest.steps.map((s, i) =>
      device.createBindGroup({
        layout: layouts[stepModules[i]],
        entries: s.bindings.map((r, binding) => ({ binding, resource: { buffer: buffers[r.buffer], offset: r.offset, size: r.size } })),
      }),
    );
    // An output of run-time size is read back with its extent word.
    const readbacks = manifest.outputs.map((o) => device.createBuffer({ size: Math.max(4, elementCount(o.shape) * 4, o.extent ? o.extent.offset + 4 : 0), usage: MAP_READ | COPY_DST }));
    const [oom, invalid] = [await device.popErrorScope(), await device.popErrorScope()];
    if (oom || invalid) throw new DlcRuntimeError(`${where}: cannot set the model up on this device: ${(oom ?? invalid)!.message}`);
    return new WebgpuExecutor(device, manifest, buffers, pipelines, bindGroups, readbacks, stepModules);
  }

  /** Records step i into `pass` (dlc profile records steps one by one this way). */
  dispatch(pass: GPUComputePassEncoder, i: number): void {
    const step = this.manifest.steps[i];
    pass.setPipeline(this.pipelines[this.stepModules[i]]);
    pass.setBindGroup(0, this.bindGroups[i]);
    if (step.indirect) pass.dispatchWorkgroupsIndirect(this.buffers[step.indirect.buffer], step.indirect.offset);
    else pass.dispatchWorkgroups(...step.workgroups);
  }

  run(feeds: Feeds, names?: readonly string[], feedback?: FeedbackPlan): Promise<Record<string, TypedArray>>;
  run(feeds: Feeds, names: readonly string[] | undefined, feedback: FeedbackPlan | undefined, onGpu: true): Promise<Record<string, GpuTensor>>;
  run(feeds: Feeds, names?: readonly string[], feedback?: FeedbackPlan, onGpu?: boolean): Promise<Record<string, TypedArray | GpuTensor>> {
    checkFeedNames(feeds, this.manifest.inputs);
    const inputs = this.manifest.inputs.map((slot, i): Input => {
      const unfed = feedback?.unfed.get(i);
      if (unfed) return unfed;
      const feed = feeds[slot.name];
      if (isGpuBuffer(feed)) {
        const bytes = elementCount(slot.shape) * 4;
        if (feed.size < bytes) throw new DlcRuntimeError(`input '${slot.name}' needs a GPUBuffer of at least ${bytes} bytes (${slot.storage}, 4 bytes an element), got ${feed.size}`);
        return feed;
      }
      const data = toStorage(checkedFeed(slot, feed), slot.dtype, slot.storage);
      // Dawn crashes writing from shared memory: a SharedArrayBuffer's view is copied first.
      return (data.buffer as { [Symbol.toStringTag]: string })[Symbol.toStringTag] == 'ArrayBuffer' ? data : data.slice();
    });
    const wanted = selectOutputs(this.manifest.outputs, names);
    const sized = onGpu && wanted.map((o) => this.manifest.outputs[o]).find((o) => o.extent);
    if (sized) throw new DlcRuntimeError(`output '${sized.name}' has a size known only at run time: read it with run()`);
    const result = this.queue.then(() => this.runNow(inputs, wanted, feedback?.copies ?? [], onGpu));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Frees the GPU buffers once the queued runs are done; the executor cannot run afterwards. */
  async release(): Promise<void> {
    await this.queue;
    for (const b of [...this.buffers, ...this.readbacks]) b.destroy();
    this.queue = Promise.reject(new DlcRuntimeError('this session was released'));
    this.queue.catch(() => undefined);
  }

  private async runNow(inputs: Input[], wanted: number[], copies: readonly [number, number][], onGpu?: boolean): Promise<Record<string, TypedArray | GpuTensor>> {
    const { device, manifest, buffers } = this;
    device.pushErrorScope('validation');
    let encoder = device.createCommandEncoder();
    manifest.inputs.forEach((slot, i) => {
      const input = inputs[i];
      const bytes = elementCount(slot.shape) * 4;
      if (input == 'zero') encoder.clearBuffer(buffers[slot.buffer], 0, bytes);
      else if (isGpuBuffer(input)) bytes && encoder.copyBufferToBuffer(input, 0, buffers[slot.buffer], 0, bytes);
      else if (bytes && input != 'kept') device.queue.writeBuffer(buffers[slot.buffer], 0, input as Float32Array<ArrayBuffer>);
    });
    if (manifest.loops) encoder = await recordWithLoops(device, encoder, manifest.steps.length, manifest.loops, buffers, (pass, i) => this.dispatch(pass, i));
    else {
      const pass = encoder.beginComputePass();
      for (const i of stepsFor([...wanted, ...copies.map(([o]) => o)], manifest.steps.length, manifest.dependencies)) this.dispatch(pass, i);
      pass.end();
    }
    const targets = wanted.map((o) => (onGpu ? device.createBuffer({ size: this.readbacks[o].size, usage: STORAGE | COPY_SRC | COPY_DST }) : this.readbacks[o]));
    wanted.forEach((o, i) => encoder.copyBufferToBuffer(buffers[manifest.outputs[o].buffer], 0, targets[i], 0, targets[i].size));
    for (const [o, i] of copies) {
      const bytes = elementCount(manifest.inputs[i].shape) * 4;
      bytes && encoder.copyBufferToBuffer(buffers[manifest.outputs[o].buffer], 0, buffers[manifest.inputs[i].buffer], 0, bytes);
    }
    device.queue.submit([encoder.finish()]);
    const invalid = await device.popErrorScope();
    if (invalid) throw new DlcRuntimeError(`the WebGPU device refused the model's commands: ${invalid.message}`);
    if (!onGpu) await Promise.all(targets.map((b) => b.mapAsync(MAP_MODE_READ)));
    const results: Record<string, TypedArray | GpuTensor> = {};
    wanted.forEach((o, i) => {
      const { name, shape, dtype, storage } = manifest.outputs[o];
      const { extent } = manifest.outputs[o];
      if (onGpu) return (results[name] = { buffer: targets[i], dtype, storage, dims: [...shape] });
      const bytes = targets[i].getMappedRange().slice(0);
      targets[i].unmap();
      const actual = extent ? actualShape(shape, extent, new DataView(bytes).getInt32(extent.offset, true)) : shape;
      results[name] = fromStorage(bytes, elementCount(actual), dtype, storage);
    });
    return results;
  }
}
