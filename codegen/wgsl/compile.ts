// compileGraphToWebgpu: graph → one kernel (one or more compute dispatches with shapes baked in) per node or
// fused group (an anchor with its epilogue, or element-wise nodes), a buffer plan, and the weights. Kernels bind values, not addresses; once every
// kernel is generated (so that every read, write, alias and scratch value is known) the buffer plan gives
// each value its buffer range, and each dispatch becomes a step over those ranges.
import { DlcError, withContext } from '../../compiler/errors.js';
import { Graph, isConcreteShape, Value, type Node } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { ELEMENTWISE_OPS } from '../c-like.js';
import { epilogueTensors, partitionFusedNodes, type FusedGroup } from '../fused-group.js';
import { elementwiseGroups, fusedActivations } from '../fusion.js';
import { legalizeGraph } from '../../passes/legalize.js';
import { schedulesFor } from '../schedule.js';
import { shapeOf, sizeOfValue } from '../shapes.js';
import { TARGET_INFO } from '../targets.js';
import { planBuffers } from './buffer-plan.js';
import { wgslEpilogueOf } from './epilogue.js';
import { MAX_EPILOGUE_OPERANDS, wgslGroupEpilogue } from './group-epilogue.js';
import { elementwiseGroupKernel, elementwiseKernel } from './kernels/elementwise.js';
import { WGSL_KERNELS } from './kernels/index.js';
import type { WgslDispatch, WgslEpilogue, WgslKernelContext } from './kernels/kernel.js';
import { stridedCopy } from './kernels/movement.js';
import { unsupported } from './kernels/shader.js';
import type { GpuModule, GpuTensorSlot, PrecisionRecord, WebgpuCompileOptions, WebgpuProgram, WebgpuStep } from './program.js';
import { STORAGE_BYTES, storageType, storedValue, withHelpers } from './wgsl-target.js';

/** Anchors that apply a fused activation (see WgslKernelContext.epilogue), among those the target has. */
const EPILOGUE_KERNELS = new Set(['conv', 'conv_transpose', 'matmul', 'gemm'].filter((op) => WGSL_KERNELS[op]));

/** Most storage bindings one dispatch may have (WebGPU's default limit). */
const MAX_BINDINGS = 8;

interface Generated {
  /** Per kernel: its dispatches (in order). */
  kernels: WgslDispatch[][];
  aliases: [Value, Value][];
}

/** The external operands of a fused group that take a binding (single-element constants become literals). */
function groupBindings(nodes: readonly Node[]): number {
  const inside = new Set(nodes.map((n) => n.outputs[0]));
  const loaded = new Set<Value>();
  for (const n of nodes) {
    const operands = n.op === 'expand' ? [n.inputs[0]] : n.inputs;
    for (const v of operands) if (v && !inside.has(v) && !(v.data && v.data.size === 1)) loaded.add(v);
  }
  return loaded.size + 1;
}

/** Element-wise nodes that the element-wise group kernel computes (nodes with a kernel of their own are not). */
function isElementwiseNode(n: Node): boolean {
  return !WGSL_KERNELS[n.op] && ELEMENTWISE_OPS.has(n.op) && n.outputs.length === 1;
}

/** A fused group as one kernel: its anchor's kernel with the group's epilogue, or one element-wise kernel. */
interface OneKernel {
  group: FusedGroup;
  epilogue?: WgslEpilogue;
}

/**
 * A fused group (passes/fuse-ops.ts) as one kernel: an anchor whose kernel takes the group's epilogue within
 * the binding limit, or an element-wise group within it.
 */
function asOneKernel(group: FusedGroup): OneKernel | undefined {
  const anchor = group.anchor && EPILOGUE_KERNELS.has(group.anchor.op) ? group.anchor : undefined;
  const epilogue = anchor && wgslGroupEpilogue(group);
  // The anchor's operands, its output, a scratch (split-K partials) and the epilogue's operands.
  const bindings = (n: Node) => n.inputs.filter((v) => v).length + 2 + (epilogueTensors(group, MAX_EPILOGUE_OPERANDS)?.length ?? 0);
  if (anchor && epilogue && bindings(anchor) <= MAX_BINDINGS) return { group, epilogue };
  if (group.nodes.every(isElementwiseNode) && groupBindings(group.nodes) <= MAX_BINDINGS) return { group };
  return undefined;
}

function generate(original: Graph, options: WebgpuCompileOptions): Generated {
  const { graph, oneKernel } = partitionFusedNodes(original, asOneKernel);
  const gen: Generated = { kernels: [], aliases: [] };
  const graphOutputs = new Set(graph.outputs);
  const epilogues = fusedActivations(graph, EPILOGUE_KERNELS, wgslEpilogueOf);
  const claimed = new Set([...epilogues.values()].map((e) => e.node));
  const isElementwise = (n: Node) => isElementwiseNode(n) && !claimed.has(n);
  const { groups, absorbed } = elementwiseGroups(graph, isElementwise);
  // A group whose operands need more bindings than a dispatch has is computed node by node instead.
  for (const [root, nodes] of groups) {
    if (groupBindings(nodes) <= MAX_BINDINGS) continue;
    groups.delete(root);
    for (const n of nodes) absorbed.delete(n);
  }
  let constants = 0;
  let scratches = 0;
  for (const graphNode of graph.nodes) {
    const one = oneKernel.get(graphNode);
    if (!one && Graph.subgraphsOf(graphNode).length > 0) unsupported(graphNode, 'nested graphs');
    if (absorbed.has(graphNode) || claimed.has(graphNode)) continue;
    // A fused group's kernel is its anchor's (or its last element-wise node's), writing the group's output.
    const node = one ? (one.group.anchor && one.epilogue ? one.group.anchor : one.group.nodes[one.group.nodes.length - 1]) : graphNode;
    const fused = epilogues.get(node);
    // With a fused activation the kernel writes the activation's output in place of its own.
    const outputs = one ? [one.group.output] : fused ? [fused.node.outputs[0], ...node.outputs.slice(1)] : node.outputs;
    try {
      const k: WgslKernelContext = {
        node,
        schedules: schedulesFor(node, options.schedules),
        weights: options.precision === 'f16' ? 'f16' : 'f32',
        epilogue: one ? one.epilogue : fused?.epilogue,
        input(i) {
          const v = node.inputs[i];
          if (!v) throw new DlcError(`input ${i} is missing`);
          return v;
        },
        output: (i) => outputs[i],
        constantOf: (v) => v?.data,
        constant: (t: Tensor) => new Value(`${node.name}/const${constants++}`, { dtype: t.dtype, shape: [...t.shape] }, t),
        scratch: (dtype, shape) => new Value(`${node.name}/scratch${scratches++}`, { dtype, shape: [...shape] }),
        alias(out, src) {
          if (graphOutputs.has(out)) return false;
          gen.aliases.push([out, src]);
          return true;
        },
      };
      for (const o of outputs) shapeOf(o);
      const group = one && !one.epilogue ? one.group.nodes : groups.get(node);
      const generator = WGSL_KERNELS[node.op] ?? (ELEMENTWISE_OPS.has(node.op) ? elementwiseKernel : undefined);
      if (!generator) unsupported(node);
      const dispatches = group ? elementwiseGroupKernel(k, group) : generator(k);
      if (dispatches === null) continue;
      for (const d of dispatches) {
        if (d.bindings.length > MAX_BINDINGS) throw new Error(`code generator bug: a dispatch with ${d.bindings.length} bindings`);
      }
      gen.kernels.push(dispatches);
    } catch (e) {
      withContext(e, { node: graphNode.name, op: graphNode.op });
    }
  }
  // A graph output that is a constant is copied into its buffer by a last kernel.
  for (const out of graph.outputs) {
    if (!out.data) continue;
    const src = new Value(`${out.name}/data`, out.type, out.data);
    gen.kernels.push(stridedCopy(src, out, [sizeOfValue(out)], [1], [1]));
  }
  return gen;
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

export function compileGraphToWebgpu(graph: Graph, options: WebgpuCompileOptions): WebgpuProgram {
  graph = legalizeGraph(graph, TARGET_INFO.webgpu);
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (!isConcreteShape(v.type.shape)) throw new DlcError(`'${v.name}' has symbolic shape [${v.type.shape}]; give concrete input shapes`);
  }
  const gen = generate(graph, options);
  const dispatches = gen.kernels.flat();
  const steps = gen.kernels.map((ds) => ({
    reads: ds.flatMap((d) => d.bindings.filter((b) => b.access === 'read').map((b) => b.value)),
    writes: ds.flatMap((d) => d.bindings.filter((b) => b.access === 'read_write').map((b) => b.value)),
  }));
  const plan = planBuffers({
    steps,
    aliases: gen.aliases,
    inputs: graph.inputs,
    outputs: graph.outputs,
    bytesOf: (v) => sizeOfValue(v) * STORAGE_BYTES,
    serialize: (v) => serialize(v.data!),
  });
  const modules: GpuModule[] = [];
  const moduleIndex = new Map<string, number>();
  const programSteps: WebgpuStep[] = dispatches
    .filter((d) => d.workgroups.every((n) => n > 0))
    .map((d) => {
      const code = withHelpers(d.code);
      let module = moduleIndex.get(code);
      if (module === undefined) {
        module = modules.length;
        moduleIndex.set(code, module);
        modules.push({ code, access: d.bindings.map((b) => b.access) });
      }
      const bindings = d.bindings.map((b) => {
        const r = plan.ranges.get(b.value);
        if (!r) throw new Error(`code generator bug: no buffer for '${b.value.name}'`);
        return r;
      });
      return { module, bindings, workgroups: [...d.workgroups] };
    });
  const slot = (v: Value): GpuTensorSlot => ({ name: v.name, dtype: v.type.dtype, shape: [...shapeOf(v)], storage: storageType(v.type.dtype), buffer: plan.ranges.get(v)!.buffer });
  return {
    modules,
    buffers: plan.buffers,
    weights: plan.weights,
    steps: programSteps,
    inputs: graph.inputs.map(slot),
    outputs: graph.outputs.map(slot),
    kernels: gen.kernels.length,
    precision: precisionOf(options),
  };
}
