// compileToWasm: graph → one kernel function per node, `fused` node or element-wise group (AssemblyScript with
// baked-in shapes), a static memory plan, and one exported `run()` calling the kernels in order. Kernels
// refer to tensors by address tokens; once every kernel is generated (so that every read, write, alias and
// scratch request is known) the plan is made and the tokens become byte offsets.
import { DlcError, withContext } from '../../compiler/errors.js';
import { byteSize, f32ToF16Bits, type DType } from '../../compiler/ir/dtype.js';
import { Graph, isConcreteShape, Value, type Node } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import { ELEMENTWISE_OPS } from '../c-like.js';
import { epilogueTensors, partitionFusedNodes, type FusedGroup } from '../fused-group.js';
import { elementwiseGroups, fusedActivations } from '../fusion.js';
import { alignUp, planMemory, type PlanStep } from '../memory-plan.js';
import { schedulesFor } from '../schedule.js';
import { AS_HELPERS } from './as-target.js';
import { compileAssemblyScript, staticDataEnd, WASM_PAGE_BYTES } from './assemblyscript.js';
import { KERNELS } from './kernels/index.js';
import { elementwiseGroupKernel, elementwiseKernel } from './kernels/elementwise.js';
import { epilogueOf } from './kernels/epilogue.js';
import { groupEpilogue, MAX_OPERANDS } from './kernels/group-epilogue.js';
import { shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernels/kernel.js';
import type { TensorSlot, WasmCompileOptions, WasmProgram } from './program.js';

/** The plan starts here (address 0 stays unused, so that a stray null pointer never hits a tensor). */
export const PLAN_BASE = 64;

/** Room above the plan for AssemblyScript's static data (Mathf's tables take a few KiB); checked after compiling. */
const STATIC_DATA_BYTES = 65536;

interface Generated {
  functions: string[];
  steps: PlanStep[];
  aliases: [Value, Value][];
  /** Address token id of each value. */
  ids: Map<Value, number>;
}

/** Kernels that apply an epilogue (see KernelContext.epilogue). */
const EPILOGUE_KERNELS = new Set(['conv', 'conv_transpose', 'matmul', 'gemm']);

/** Element-wise nodes that the element-wise group kernel computes (nodes with a kernel of their own are not). */
function isElementwiseNode(n: Node): boolean {
  return !KERNELS[n.op] && ELEMENTWISE_OPS.has(n.op) && n.outputs.length === 1;
}

/** A fused group as one kernel: an anchor with its epilogue, or an element-wise group. */
function asOneKernel(group: FusedGroup): FusedGroup | undefined {
  const anchored = group.anchor && EPILOGUE_KERNELS.has(group.anchor.op) && epilogueTensors(group, MAX_OPERANDS) !== undefined;
  return anchored || group.nodes.every(isElementwiseNode) ? group : undefined;
}

function generate(original: Graph, options: WasmCompileOptions, prefix: string, helpers: Map<string, string>): Generated {
  const { graph, oneKernel } = partitionFusedNodes(original, asOneKernel);
  const gen: Generated = { functions: [], steps: [], aliases: [], ids: new Map() };
  const graphOutputs = new Set(graph.outputs);
  const token = (v: Value) => {
    let id = gen.ids.get(v);
    if (id === undefined) gen.ids.set(v, (id = gen.ids.size));
    return `__v${id}__`;
  };
  let constants = 0;
  const epilogues = fusedActivations(graph, EPILOGUE_KERNELS, epilogueOf);
  const claimed = new Set([...epilogues.values()].map((e) => e.node));
  const isElementwise = (n: Node) => isElementwiseNode(n) && !claimed.has(n);
  const { groups, absorbed } = elementwiseGroups(graph, isElementwise);
  for (const graphNode of graph.nodes) {
    const fusedGroup = oneKernel.get(graphNode);
    if (!fusedGroup && Graph.subgraphsOf(graphNode).length > 0) unsupported(graphNode, 'nested graphs');
    if (absorbed.has(graphNode) || claimed.has(graphNode)) continue;
    // A fused group's kernel is its anchor's (or its last element-wise node's), writing the group's output.
    const node = fusedGroup ? (fusedGroup.anchor ?? fusedGroup.nodes[fusedGroup.nodes.length - 1]) : graphNode;
    const fused = epilogues.get(node);
    // With a fused activation the kernel writes the activation's output in place of its own.
    const outputs = fusedGroup ? [fusedGroup.output] : fused ? [fused.node.outputs[0], ...node.outputs.slice(1)] : node.outputs;
    try {
      const reads = new Set<Value>();
      const writes = new Set<Value>();
      let scratchBytes = 0;
      const step = gen.steps.length;
      const k: KernelContext = {
        node,
        schedules: schedulesFor(node, options.schedules),
        epilogue: fused?.epilogue,
        input(i) {
          const v = node.inputs[i];
          if (!v) throw new DlcError(`input ${i} is missing`);
          return v;
        },
        output: (i) => outputs[i],
        ptr(v) {
          (outputs.includes(v) ? writes : reads).add(v);
          return token(v);
        },
        constantOf: (v) => v?.data,
        constant(t: Tensor) {
          const v = new Value(`${node.name}/const${constants++}`, { dtype: t.dtype, shape: [...t.shape] }, t);
          reads.add(v);
          return token(v);
        },
        scratch(bytes) {
          // Several requests of one kernel are laid out one after another in its scratch.
          const at = scratchBytes;
          scratchBytes += alignUp(bytes);
          return at === 0 ? `__s${step}__` : `(__s${step}__ + ${at})`;
        },
        alias(out, src) {
          if (graphOutputs.has(out)) return false;
          gen.aliases.push([out, src]);
          return true;
        },
        helper(name, source) {
          if (!helpers.has(name)) helpers.set(name, source());
          return name;
        },
      };
      for (const o of outputs) shapeOf(o);
      const group = fusedGroup && !fusedGroup.anchor ? fusedGroup.nodes : groups.get(node);
      if (fusedGroup?.anchor) k.epilogue = groupEpilogue(k, fusedGroup);
      const generator = KERNELS[node.op] ?? (ELEMENTWISE_OPS.has(node.op) ? elementwiseKernel : undefined);
      if (!generator) unsupported(node);
      const kernel = group ? elementwiseGroupKernel(k, group) : generator(k);
      if (kernel === null) continue;
      const body = k.epilogue?.setup ? `${k.epilogue.setup}\n${kernel}` : kernel;
      gen.functions.push(`function ${prefix}k${step}(): void {\n${body}\n}`);
      gen.steps.push({ reads: [...reads], writes: [...writes], scratchBytes });
    } catch (e) {
      withContext(e, { node: graphNode.name, op: graphNode.op });
    }
  }
  // A graph output that is a constant is copied into its slot by a last step.
  for (const out of graph.outputs) {
    if (!out.data) continue;
    const src = new Value(`${out.name}/data`, out.type, out.data);
    gen.functions.push(`function ${prefix}k${gen.steps.length}(): void {\n  memory.copy(${token(out)}, ${token(src)}, ${bytesOf(out)});\n}`);
    gen.steps.push({ reads: [src], writes: [out] });
  }
  return gen;
}

function bytesOf(v: Value): number {
  return sizeOfValue(v) * byteSize(v.type.dtype);
}

/** A constant's bytes as the kernels read them: little-endian, the dtype's natural width. */
function serialize(t: Tensor): Uint8Array {
  const n = t.size;
  const d: DType = t.dtype;
  let out: ArrayBufferView;
  switch (d) {
    case 'f32': out = Float32Array.from(t.data); break;
    case 'f64': out = Float64Array.from(t.data); break;
    case 'f16': out = Uint16Array.from(t.data, f32ToF16Bits); break;
    case 'i64': out = BigInt64Array.from(Array.from(t.data, (x) => BigInt.asIntN(64, BigInt(x)))); break;
    case 'u64': out = BigUint64Array.from(Array.from(t.data, (x) => BigInt.asUintN(64, BigInt(x)))); break;
    case 'i32': out = Int32Array.from(t.data); break;
    case 'u32': out = Uint32Array.from(t.data); break;
    case 'i16': out = Int16Array.from(t.data); break;
    case 'u16': out = Uint16Array.from(t.data); break;
    case 'i8': out = Int8Array.from(t.data); break;
    case 'u8': case 'bool': out = Uint8Array.from(t.data); break;
    default: throw new DlcError(`constants of dtype ${d} are not supported by the wasm target`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, n * byteSize(d));
}

/** One graph rendered to AssemblyScript over its own memory plan, addresses resolved. */
export interface RenderedGraph {
  /** Its kernels (`<prefix>k<i>`) and its exported entry point. */
  functions: string[];
  weights: Uint8Array;
  weightsOffset: number;
  inputs: TensorSlot[];
  outputs: TensorSlot[];
  kernels: number;
  /** End of its memory plan. */
  planEnd: number;
}

export interface RenderTarget {
  /** Prefix of kernel names (several graphs can share one module). */
  prefix: string;
  /** Name of the exported entry point. */
  entry: string;
  /** Where the graph's memory plan starts. */
  base: number;
  /** Helpers by name, shared by every graph of the module (added to). */
  helpers: Map<string, string>;
}

export function renderGraph(graph: Graph, options: WasmCompileOptions, target: RenderTarget): RenderedGraph {
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (!isConcreteShape(v.type.shape)) throw new DlcError(`'${v.name}' has symbolic shape [${v.type.shape}]; give concrete input shapes`);
  }
  const gen = generate(graph, options, target.prefix, target.helpers);
  const plan = planMemory({ steps: gen.steps, aliases: gen.aliases, inputs: graph.inputs, outputs: graph.outputs, bytesOf, base: target.base });
  const addressOf = new Map<number, number>();
  for (const [v, id] of gen.ids) {
    const off = plan.offsets.get(v);
    if (off === undefined) throw new Error(`code generator bug: no address for '${v.name}'`);
    addressOf.set(id, off);
  }
  const weights = new Uint8Array(plan.weightsBytes);
  for (const c of plan.constants) weights.set(serialize(c.data!), plan.offsets.get(c)! - plan.weightsOffset);
  const entry = `export function ${target.entry}(): void {\n${gen.functions.map((_, i) => `  ${target.prefix}k${i}();`).join('\n')}\n}`;
  const kernels = options.exportKernels ? gen.functions.map((f) => `export ${f}`) : gen.functions;
  const functions = [...kernels, entry].map((f) =>
    f
      .replace(/__v(\d+)__/g, (_, id: string) => `${addressOf.get(Number(id))}`)
      .replace(/__s(\d+)__/g, (_, step: string) => `${plan.scratch[Number(step)]}`),
  );
  const slot = (v: Value): TensorSlot => ({ name: v.name, dtype: v.type.dtype, shape: [...shapeOf(v)], offset: plan.offsets.get(v)! });
  return {
    functions,
    weights,
    weightsOffset: plan.weightsOffset,
    inputs: graph.inputs.map(slot),
    outputs: graph.outputs.map(slot),
    kernels: gen.functions.length,
    planEnd: plan.totalBytes,
  };
}

/** Compiles AssemblyScript whose memory plans end at `planEnd`; its static data goes above them. */
export async function compileModule(source: string, planEnd: number): Promise<{ wasm: Uint8Array; memoryBytes: number }> {
  // AssemblyScript's static data goes above the plan (memoryBase), so the plan never depends on its size.
  const dataBase = alignUp(planEnd);
  const pages = Math.ceil((dataBase + STATIC_DATA_BYTES) / WASM_PAGE_BYTES);
  const wasm = await compileAssemblyScript(source, { initialPages: pages, memoryBase: dataBase });
  const dataEnd = staticDataEnd(wasm);
  if (dataEnd > pages * WASM_PAGE_BYTES) throw new Error(`code generator bug: static data ends at ${dataEnd}, past the module's memory`);
  return { wasm, memoryBytes: Math.max(dataBase, dataEnd) };
}

export async function compileGraphToWasm(graph: Graph, options: WasmCompileOptions): Promise<WasmProgram> {
  const helpers = new Map<string, string>();
  const r = renderGraph(graph, options, { prefix: '', entry: 'run', base: PLAN_BASE, helpers });
  const { wasm, memoryBytes } = await compileModule([AS_HELPERS, ...helpers.values(), ...r.functions].join('\n'), r.planEnd);
  return {
    wasm,
    weights: r.weights,
    layout: { memoryBytes, weightsOffset: r.weightsOffset, weightsBytes: r.weights.length, inputs: r.inputs, outputs: r.outputs },
    kernels: r.kernels,
  };
}
