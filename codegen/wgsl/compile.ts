// compileGraphToWebgpu: graph → one kernel (one or more compute dispatches with shapes baked in) per node or
// fused group (an anchor with its epilogue, or element-wise nodes), a buffer plan, and the weights. Kernels bind values, not addresses; once every
// kernel is generated (so that every read, write, alias and scratch value is known) the buffer plan gives
// each value its buffer range, and each dispatch becomes a step over those ranges.
import { Value, type Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { wgslModuleMark, type ProgramSignature, type WeightPlacement } from '../../runtime/manifest.js';
import { lowerGraph, type LoweringTarget } from '../lower.js';
import type { Alias } from '../memory-plan.js';
import { shapeOf, sizeOfValue } from '../shapes.js';
import { extentRecord, storageBytes } from '../run-time-extent.js';
import { programSignature } from '../signature.js';
import { dispatchDependencies, kernelDependencies, sequentialDependencies } from '../step-dependencies.js';
import { TARGET_INFO } from '../targets.js';
import type { Guards } from '../branches.js';
import { stepsAcrossLoops, type LoopSpan } from '../loop-bodies.js';
import { planBuffers } from './buffer-plan.js';
import { dispatchArmsIndirectly, INDIRECT_RECORD_BYTES } from './branch-workgroups.js';
import { loopDispatches } from './loop-dispatches.js';
import { wgslGroupEpilogue } from './group-epilogue.js';
import { elementwiseGroupKernel, elementwiseKernel } from './kernels/elementwise.js';
import { runTimeSizedConsumerKernel } from './kernels/run-time-sized-consumers.js';
import { WGSL_KERNELS } from './kernels/index.js';
import type { WeightEncoding, WgslDispatch, WgslKernelContext } from './kernels/kernel.js';
import { stridedCopy } from './kernels/movement.js';
import type { GpuBufferRange, GpuModule, GpuTensorSlot, PrecisionRecord, WebgpuCompileOptions, WebgpuLoop, WebgpuProgram, WebgpuStep, WeightRange } from './program.js';
import { STORAGE_BYTES, storageType, storedValue, withHelpers } from './wgsl-target.js';

interface Generated {
  /** The graph lowered (legalized). */
  graph: Graph;
  /** Per kernel: its dispatches (in order). */
  kernels: WgslDispatch[][];
  /** Per kernel: the node it computes (a graph output's name for the copy of a constant output). */
  nodes: string[];
  /** Per kernel: the If arms it runs in. */
  guards: Guards[];
  aliases: Alias[];
  /** Constants whose words pack narrower elements, and how. */
  encodings: Map<Value, WeightEncoding>;
  /** The run-time loops, over kernel indices. */
  loops: LoopSpan[];
}

/** The webgpu target as the lowering driver sees it: kernels are dispatches over bound values. */
function generate(graph: Graph, options: WebgpuCompileOptions): Generated {
  const gen: Pick<Generated, 'kernels' | 'nodes' | 'guards' | 'encodings' | 'loops'> = { kernels: [], nodes: [], guards: [], encodings: new Map(), loops: [] };
  const { bindingsPerKernel } = TARGET_INFO.webgpu.limits;
  let constants = 0;
  let scratches = 0;
  const target: LoweringTarget<WgslKernelContext, WgslDispatch[]> = {
    info: TARGET_INFO.webgpu,
    kernels: WGSL_KERNELS,
    elementwiseKernel,
    elementwiseGroupKernel,
    runTimeSizedConsumer: runTimeSizedConsumerKernel,
    groupEpilogue: (_, group) => wgslGroupEpilogue(group),
    context: (site) => ({
      ...site,
      weights: options.precision === 'f16' ? 'f16' : 'f32',
      constant: (t: Tensor, encoding?: WeightEncoding) => {
        const v = new Value(`${site.node.name}/const${constants++}`, { dtype: t.dtype, shape: [...t.shape] }, t);
        if (encoding) gen.encodings.set(v, encoding);
        return v;
      },
      scratch: (dtype, shape) => new Value(`${site.node.name}/scratch${scratches++}`, { dtype, shape: [...shape] }),
    }),
    emit(dispatches, k) {
      for (const d of dispatches) {
        if (d.bindings.length > bindingsPerKernel) throw new Error(`code generator bug: a dispatch with ${d.bindings.length} bindings`);
      }
      gen.kernels.push(dispatches);
      gen.nodes.push(k.node.name);
      gen.guards.push(k.guards);
    },
    copy(src, out, guards) {
      gen.kernels.push(stridedCopy(src, out, [sizeOfValue(out)], [1], [1]));
      gen.nodes.push(out.name);
      gen.guards.push(guards);
    },
    loops: loopDispatches({
      push(node, dispatches) {
        gen.kernels.push(dispatches);
        gen.nodes.push(node);
        gen.guards.push([]);
      },
      count: () => gen.kernels.length,
    }, gen.loops),
  };
  const lowered = lowerGraph(graph, target, options.schedules);
  return { ...gen, kernels: dispatchArmsIndirectly(gen.kernels, gen.guards), ...lowered };
}

/** A constant's elements in their storage type, little-endian. */
function serialize(t: Tensor): Uint8Array {
  const view = new DataView(new ArrayBuffer(t.size * STORAGE_BYTES));
  const st = storageType(t.dtype);
  for (let i = 0; i < t.size; i++) {
    const v = storedValue(t.data[i], t.dtype);
    if (st === 'f32') view.setFloat32(i * 4, v, true);
    else if (st === 'i32') view.setInt32(i * 4, v, true);
    else view.setUint32(i * 4, v, true);
  }
  return new Uint8Array(view.buffer);
}

function precisionOf(options: WebgpuCompileOptions): PrecisionRecord {
  const requested = options.precision ?? 'f32';
  if (requested === 'f32') return { requested, used: 'f32', weights: 'f32' };
  return {
    requested,
    used: 'f32',
    weights: 'f16',
    reason: 'conv/matmul/gemm weights are stored as f16 (packed pairs, read with unpack2x16float, which every WebGPU device has); ' +
      'arithmetic and activations stay f32: kernels using shader-f16 (an optional feature) are not generated',
  };
}

export function compileGraphToWebgpu(original: Graph, options: WebgpuCompileOptions): WebgpuProgram {
  const gen = generate(original, options);
  const { graph } = gen;
  const runs = (d: WgslDispatch) => d.workgroups.every((n) => n > 0);
  const dispatches = gen.kernels.flat();
  const dispatchKernels = gen.kernels.flatMap((ds, k) => ds.map(() => k));
  const steps = gen.kernels.map((ds) => ({
    reads: ds.flatMap((d) => [...d.bindings.filter((b) => b.access === 'read').map((b) => b.value), ...(d.indirect ? [d.indirect.value] : [])]),
    writes: ds.flatMap((d) => d.bindings.filter((b) => b.access === 'read_write').map((b) => b.value)),
  }));
  const plan = planBuffers({
    steps: stepsAcrossLoops(steps, gen.loops, gen.aliases),
    aliases: gen.aliases,
    inputs: graph.inputs,
    outputs: graph.outputs,
    bytesOf: (v) => storageBytes(v, STORAGE_BYTES),
    serialize: (v) => serialize(v.data!),
  });
  const modules: GpuModule[] = [];
  const moduleIndex = new Map<string, number>();
  /** The index of module `text` (added once), with what it requires and its fallback when it has one. */
  const moduleOf = (text: string, access: GpuModule['access'], variant?: Pick<GpuModule, 'requires' | 'fallback'>) => {
    const code = withHelpers(text);
    let module = moduleIndex.get(code);
    if (module === undefined) {
      module = modules.length;
      moduleIndex.set(code, module);
      modules.push({ code, access, ...variant });
    }
    return module;
  };
  const run = dispatches.map((d, i) => ({ d, kernel: dispatchKernels[i] })).filter(({ d }) => runs(d));
  const programSteps: WebgpuStep[] = run.map(({ d }) => {
    const access = d.bindings.map((b) => b.access);
    // A step names its preferred module; the runtime runs the fallback where a required feature is missing.
    const fallback = moduleOf(d.code, access);
    const module = d.preferred ? moduleOf(d.preferred.code, access, { requires: [...d.preferred.requires], fallback }) : fallback;
    const bindings = d.bindings.map((b) => {
      const r = plan.ranges.get(b.value);
      if (!r) throw new Error(`code generator bug: no buffer for '${b.value.name}'`);
      return r;
    });
    const indirect = d.indirect && plan.ranges.get(d.indirect.value);
    return { module, bindings, workgroups: [...d.workgroups], ...(indirect ? { indirect: { buffer: indirect.buffer, offset: indirect.offset + INDIRECT_RECORD_BYTES * d.indirect!.record } } : {}) };
  });
  const slot = (v: Value): GpuTensorSlot => {
    const { buffer, offset } = plan.ranges.get(v)!;
    return { name: v.name, dtype: v.type.dtype, shape: [...shapeOf(v)], storage: storageType(v.type.dtype), buffer, ...extentRecord(v, STORAGE_BYTES, offset) };
  };
  const encodings: WeightRange[] = [];
  for (const [v, encoding] of gen.encodings) {
    const r = plan.ranges.get(v);
    if (r) encodings.push({ offset: r.offset, bytes: r.size, encoding });
  }
  encodings.sort((a, b) => a.offset - b.offset);
  const program: Omit<WebgpuProgram, 'signature' | 'stepKernels'> = {
    modules,
    buffers: plan.buffers,
    weights: plan.weights && { ...plan.weights, encodings },
    steps: programSteps,
    inputs: graph.inputs.map(slot),
    outputs: graph.outputs.map(slot),
    kernels: gen.kernels.length,
    // A dispatch of a loop runs only within its loop's run: a program with loops runs whole.
    dependencies: gen.loops.length > 0
      ? sequentialDependencies(run.length, graph.outputs.length)
      : dispatchDependencies(kernelDependencies(steps, gen.aliases, graph.outputs, gen.guards), gen.kernels.map((ds) => ds.filter(runs).length)),
    ...(gen.loops.length > 0 ? { loops: gen.loops.map((l) => loopRecord(l, run.map((s) => s.kernel), plan.ranges)) } : {}),
    precision: precisionOf(options),
  };
  // stepKernels is no part of the program's signature (only a profiler asks which kernel a step is): the
  // artifact writer records it in the manifest's steps.
  return { ...program, signature: signatureOf(program, gen, plan.ranges), stepKernels: run.map((s) => s.kernel) };
}

/** A loop over the program's steps: its body the dispatches of its kernels, its controls words of their buffers. */
function loopRecord(span: LoopSpan, stepKernels: readonly number[], ranges: ReadonlyMap<Value, GpuBufferRange>): WebgpuLoop {
  const at = (kernel: number) => {
    const i = stepKernels.findIndex((k) => k >= kernel);
    return i < 0 ? stepKernels.length : i;
  };
  const word = (v: Value) => {
    const r = ranges.get(v);
    if (!r) throw new Error(`code generator bug: no buffer for '${v.name}'`);
    return { buffer: r.buffer, offset: r.offset };
  };
  const { trips, condIn, condOut } = span.frame;
  return {
    first: at(span.first),
    end: at(span.last + 1),
    ...(trips instanceof Value ? { trips: word(trips) } : trips !== Infinity ? { trips } : {}),
    ...(condIn ? { condIn: word(condIn) } : {}),
    ...(condOut ? { condOut: word(condOut) } : {}),
  };
}

/** The signature: the kernels file's text, and the rest of the program but the weights' bytes. */
function signatureOf(program: Omit<WebgpuProgram, 'signature' | 'stepKernels'>, gen: Generated, ranges: ReadonlyMap<Value, GpuBufferRange>): ProgramSignature {
  const { modules, weights, ...layout } = program;
  const weightsBuffer = weights?.buffer;
  const constants: WeightPlacement[] = [];
  for (const [v, r] of ranges) {
    if (v.isConst && r.buffer === weightsBuffer) constants.push({ name: v.name, dtype: v.type.dtype, shape: [...shapeOf(v)], offset: r.offset, bytes: r.size });
  }
  constants.sort((a, b) => a.offset - b.offset);
  return programSignature({
    target: 'webgpu',
    code: wgslFile(modules),
    layout: { ...layout, modules: modules.map((m) => ({ access: m.access, requires: m.requires, fallback: m.fallback })), weights: weights && { buffer: weights.buffer, bytes: weights.data.length, encodings: weights.encodings } },
    weights: constants,
    kernels: gen.kernels.map((ds, i) => ({ node: gen.nodes[i], code: ds.map((d) => `${d.code}\n${d.preferred?.code ?? ''}\n${d.workgroups}`).join('\n') })),
  });
}

/**
 * kernels.wgsl: every module once, each opened by its mark line and, with `labels`, comment lines after it
 * (the artifact writer's: the kernels that run the module). Modules are deduplicated by code before, so a
 * label lists every kernel that shares its module.
 */
export function wgslFile(modules: readonly GpuModule[], labels?: readonly (readonly string[])[]): string {
  const comments = (i: number) => (labels?.[i] ?? []).map((l) => `// ${l.replace(/[\n\v\f\r\u0085\u2028\u2029]/g, ' ')}\n`).join('');
  return modules.map((m, i) => `${wgslModuleMark(i)}\n${comments(i)}${m.code}\n`).join('');
}
