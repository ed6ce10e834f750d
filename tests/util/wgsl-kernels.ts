// Test support for WGSL kernel generators without the artifact executor: run a generator's dispatches on a
// device (Dawn on SwiftShader in Node), with one buffer per bound value, and compare what it stores with the
// reference interpreter. Any shader compilation or validation error fails the run.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { GraphBuilder } from '../../compiler/ir/builder.js';
import type { DType } from '../../compiler/ir/dtype.js';
import { Value, type Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { DEFAULT_SCHEDULES } from '../../codegen/schedule.js';
import type { WgslDispatch, WgslEpilogue, WgslKernelContext, WgslKernelGenerator } from '../../codegen/wgsl/kernels/kernel.js';
import * as graphs from './graphs.js';
import { toleranceOf } from './targets.js';

type Feed = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/** A graph with the given f32 inputs whose nodes `build` emits; it returns the graph outputs. */
export function buildGraph(inputs: Record<string, number[]>, build: (b: GraphBuilder, x: Record<string, Value>) => Value[]): Graph {
  const spec: graphs.GraphSpec['inputs'] = {};
  for (const [name, shape] of Object.entries(inputs)) spec[name] = { dtype: 'f32', shape };
  return graphs.buildGraph({ inputs: spec, build });
}

/** Seeded f32 values in [-1, 1). */
export function randomTensor(shape: readonly number[], seed: number): Tensor {
  return graphs.randomTensor('f32', shape, seed);
}

/** The element array a value's buffer holds: f32 for floats, i32 or u32 for integers (4 bytes each). */
function storageArray(dtype: DType, data: ArrayLike<number | bigint>): Feed {
  const values = Array.from(data, Number);
  if (dtype.startsWith('f')) return Float32Array.from(values);
  if (dtype.startsWith('u') || dtype === 'bool') return Uint32Array.from(values);
  return Int32Array.from(values);
}

const elements = (v: Value) => (v.type.shape as number[]).reduce((p, d) => p * d, 1);

/** Throws with the shader's messages when a module does not compile. */
async function checkCompiled(module: GPUShaderModule, code: string): Promise<void> {
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length === 0) return;
  const listing = code.split('\n').map((l, i) => `${String(i + 1).padStart(4)} ${l}`).join('\n');
  throw new Error(`WGSL compilation failed:\n${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n')}\n${listing}`);
}

/**
 * Runs `dispatches` in order in one command encoder: a buffer per distinct bound value, filled from `feeds`,
 * else from the value's compile-time data, else zero. Returns what every written (read_write) value holds.
 */
export async function runDispatches(device: GPUDevice, dispatches: readonly WgslDispatch[], feeds: Map<Value, Feed>): Promise<Map<Value, Float32Array>> {
  const buffers = new Map<Value, GPUBuffer>();
  const written = new Set<Value>();
  device.pushErrorScope('validation');
  for (const d of dispatches) {
    for (const b of d.bindings) {
      if (b.access === 'read_write') written.add(b.value);
      if (buffers.has(b.value)) continue;
      // At least 16 bytes, so that a vec4 array of a one-element value still binds.
      const size = Math.max(16, Math.ceil((elements(b.value) * 4) / 16) * 16);
      const buffer = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      const init = feeds.get(b.value) ?? (b.value.data ? storageArray(b.value.type.dtype, b.value.data.data) : undefined);
      if (init) device.queue.writeBuffer(buffer, 0, init);
      buffers.set(b.value, buffer);
    }
  }
  const pipelines = await Promise.all(
    dispatches.map(async (d) => {
      const module = device.createShaderModule({ code: d.code });
      await checkCompiled(module, d.code);
      return device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    }),
  );
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  dispatches.forEach((d, i) => {
    if (d.workgroups.some((n) => n === 0)) return;
    pass.setPipeline(pipelines[i]);
    const entries = d.bindings.map((b, binding) => ({ binding, resource: { buffer: buffers.get(b.value)! } }));
    pass.setBindGroup(0, device.createBindGroup({ layout: pipelines[i].getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(...d.workgroups);
  });
  pass.end();
  const readbacks = new Map<Value, GPUBuffer>();
  for (const v of written) {
    const rb = device.createBuffer({ size: buffers.get(v)!.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(buffers.get(v)!, 0, rb, 0, rb.size);
    readbacks.set(v, rb);
  }
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU validation failed: ${error.message}`);
  const out = new Map<Value, Float32Array>();
  for (const [v, rb] of readbacks) {
    await rb.mapAsync(GPUMapMode.READ);
    out.set(v, new Float32Array(rb.getMappedRange().slice(0, elements(v) * 4)));
    rb.unmap();
    rb.destroy();
  }
  for (const b of buffers.values()) b.destroy();
  return out;
}

/** A kernel context for the graph's first node; with an epilogue, output(0) is the second node's output. */
export function kernelContext(graph: Graph, epilogue?: WgslEpilogue): WgslKernelContext {
  const node = graph.nodes[0];
  const outputs = epilogue ? [graph.nodes[1].outputs[0], ...node.outputs.slice(1)] : node.outputs;
  let made = 0;
  return {
    node,
    schedules: DEFAULT_SCHEDULES,
    weights: 'f32',
    epilogue,
    guards: [],
    input(i) {
      const v = node.inputs[i];
      if (!v) throw new Error(`node '${node.name}' has no input ${i}`);
      return v;
    },
    output: (i) => outputs[i],
    outputs,
    constantOf: (v) => v?.data,
    constant: (t: Tensor) => new Value(`constant_${made++}`, { dtype: t.dtype, shape: [...t.shape] }, t),
    scratch: (dtype, shape) => new Value(`scratch_${made++}`, { dtype, shape: [...shape] }),
    alias: () => false,
  };
}

export interface KernelCheck {
  epilogue?: WgslEpilogue;
  seed?: number;
}

/**
 * Runs `generator` on the graph's first node (its activation, the second node, fused as `epilogue`) on seeded
 * random inputs and returns the graph outputs whose values differ from the interpreter's (empty when all match).
 */
export async function kernelMismatches(device: GPUDevice, graph: Graph, generator: WgslKernelGenerator, check: KernelCheck = {}): Promise<string[]> {
  const seed = check.seed ?? 1;
  const feeds: Record<string, Tensor> = {};
  const gpuFeeds = new Map<Value, Feed>();
  graph.inputs.forEach((v, i) => {
    const t = randomTensor(v.type.shape as number[], seed * 100 + i);
    feeds[v.name] = t;
    gpuFeeds.set(v, storageArray(v.type.dtype, t.data));
  });
  const want = interpret(graph, feeds);
  const dispatches = generator(kernelContext(graph, check.epilogue)) ?? [];
  const got = await runDispatches(device, dispatches, gpuFeeds);
  const bad: string[] = [];
  for (const v of graph.outputs) {
    const data = got.get(v);
    if (!data) {
      bad.push(`${v.name}: not written`);
      continue;
    }
    const tolerance = toleranceOf('webgpu', v.type.dtype);
    if (!tolerance) {
      bad.push(`${v.name}: no webgpu tolerance for ${v.type.dtype}`);
      continue;
    }
    const d = compareTensors(new Tensor(v.type.dtype, v.type.shape as number[], data), want[v.name], tolerance);
    if (d.mismatch) bad.push(`${v.name}: ${d.mismatch} (max abs error ${d.maxAbsError})`);
  }
  return bad;
}

