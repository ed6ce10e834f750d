// Many graphs in ONE WebAssembly module: the AssemblyScript compiler costs about a second per module
// whatever its size (parsing and optimizing its standard library), so test suites that compile hundreds of
// small graphs (the ONNX conformance cases) compile them together. Member m gets its own memory region (its
// plan starts where member m−1's ends), its kernels are named `m<m>_k<i>` and its entry point is the export
// `run_<m>`; helpers are shared by name, as they are within one graph.
import { DlcError, withContext } from '../../compiler/errors.js';
import { allocData, byteSize, type DType } from '../../compiler/ir/dtype.js';
import { Graph, isConcreteShape, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { ELEMENTWISE_OPS } from '../c-like.js';
import { alignUp, planMemory, type PlanStep } from '../memory-plan.js';
import { schedulesFor } from '../schedule.js';
import { AS_HELPERS } from './as-target.js';
import { compileAssemblyScript, staticDataEnd, WASM_PAGE_BYTES } from './assemblyscript.js';
import { elementwiseKernel } from './kernels/elementwise.js';
import { KERNELS } from './kernels/index.js';
import { shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernels/kernel.js';
import type { TensorSlot, WasmCompileOptions } from './program.js';

/** The first member's plan starts here (address 0 stays unused, so that a stray null pointer never hits a tensor). */
const PLAN_BASE = 64;

/** Room above the plans for AssemblyScript's static data (Mathf's tables take a few KiB); checked after compiling. */
const STATIC_DATA_BYTES = 65536;

export interface BatchMember {
  /** The export that runs this member's graph. */
  run: string;
  weights: Uint8Array;
  weightsOffset: number;
  inputs: TensorSlot[];
  outputs: TensorSlot[];
  kernels: number;
}

export interface WasmBatch {
  wasm: Uint8Array;
  /** Linear memory the members need, static data included. */
  memoryBytes: number;
  members: BatchMember[];
}

interface Rendered {
  member: BatchMember;
  /** This member's kernels and entry point, addresses resolved. */
  functions: string[];
}

/** Collects graphs, each rendered to AssemblyScript at once (so that a graph the target cannot take fails alone). */
export class WasmBatchBuilder {
  private readonly rendered: Rendered[] = [];
  private readonly helpers = new Map<string, string>();
  private planEnd = PLAN_BASE;

  get size(): number {
    return this.rendered.length;
  }

  /** Bytes of linear memory the members added so far take (static data aside). */
  get planBytes(): number {
    return this.planEnd;
  }

  /** Adds a graph with concrete shapes; returns its member index. A DlcError leaves the batch unchanged. */
  add(graph: Graph, options: WasmCompileOptions = {}): number {
    const index = this.rendered.length;
    const helpers = new Map(this.helpers);
    const r = renderMember(graph, options, index, this.planEnd, helpers);
    this.rendered.push(r.rendered);
    for (const [name, source] of helpers) this.helpers.set(name, source);
    this.planEnd = alignUp(r.end);
    return index;
  }

  /** One module exporting `memory` and every member's `run_<m>`. */
  async compile(): Promise<WasmBatch> {
    const source = [AS_HELPERS, ...this.helpers.values(), ...this.rendered.flatMap((r) => r.functions)].join('\n');
    const dataBase = alignUp(this.planEnd);
    const pages = Math.ceil((dataBase + STATIC_DATA_BYTES) / WASM_PAGE_BYTES);
    const wasm = await compileAssemblyScript(source, { initialPages: pages, memoryBase: dataBase });
    const dataEnd = staticDataEnd(wasm);
    if (dataEnd > pages * WASM_PAGE_BYTES) throw new Error(`code generator bug: static data ends at ${dataEnd}, past the module's memory`);
    return { wasm, memoryBytes: Math.max(dataBase, dataEnd), members: this.rendered.map((r) => r.member) };
  }
}

function renderMember(graph: Graph, options: WasmCompileOptions, index: number, base: number, helpers: Map<string, string>): { rendered: Rendered; end: number } {
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (!isConcreteShape(v.type.shape)) throw new DlcError(`'${v.name}' has symbolic shape [${v.type.shape}]; give concrete input shapes`);
  }
  const prefix = `m${index}_`;
  const gen = generate(graph, options, prefix, helpers);
  const plan = planMemory({ steps: gen.steps, aliases: gen.aliases, inputs: graph.inputs, outputs: graph.outputs, bytesOf, base });
  const addressOf = new Map<number, number>();
  for (const [v, id] of gen.ids) {
    const off = plan.offsets.get(v);
    if (off === undefined) throw new Error(`code generator bug: no address for '${v.name}'`);
    addressOf.set(id, off);
  }
  const weights = new Uint8Array(plan.weightsBytes);
  for (const c of plan.constants) weights.set(serialize(c.data!), plan.offsets.get(c)! - plan.weightsOffset);
  const run = `export function run_${index}(): void {\n${gen.functions.map((_, i) => `  ${prefix}k${i}();`).join('\n')}\n}`;
  const functions = [...gen.functions, run].map((f) =>
    f
      .replace(/__v(\d+)__/g, (_, id: string) => `${addressOf.get(Number(id))}`)
      .replace(/__s(\d+)__/g, (_, step: string) => `${plan.scratch[Number(step)]}`),
  );
  const slot = (v: Value): TensorSlot => ({ name: v.name, dtype: v.type.dtype, shape: [...shapeOf(v)], offset: plan.offsets.get(v)! });
  const member: BatchMember = {
    run: `run_${index}`,
    weights,
    weightsOffset: plan.weightsOffset,
    inputs: graph.inputs.map(slot),
    outputs: graph.outputs.map(slot),
    kernels: gen.functions.length,
  };
  return { rendered: { member, functions }, end: plan.totalBytes };
}

interface Generated {
  functions: string[];
  steps: PlanStep[];
  aliases: [Value, Value][];
  /** Address token id of each value. */
  ids: Map<Value, number>;
}

// The same kernel walk as compile.ts's, with kernel names prefixed by the member.
function generate(graph: Graph, options: WasmCompileOptions, prefix: string, helpers: Map<string, string>): Generated {
  const gen: Generated = { functions: [], steps: [], aliases: [], ids: new Map() };
  const graphOutputs = new Set(graph.outputs);
  const token = (v: Value) => {
    let id = gen.ids.get(v);
    if (id === undefined) gen.ids.set(v, (id = gen.ids.size));
    return `__v${id}__`;
  };
  let constants = 0;
  for (const node of graph.nodes) {
    if (Graph.subgraphsOf(node).length > 0) unsupported(node, 'nested graphs');
    try {
      const reads = new Set<Value>();
      const writes = new Set<Value>();
      let scratchBytes = 0;
      const step = gen.steps.length;
      const k: KernelContext = {
        node,
        schedules: schedulesFor(node, options.schedules),
        input(i) {
          const v = node.inputs[i];
          if (!v) throw new DlcError(`input ${i} is missing`);
          return v;
        },
        output: (i) => node.outputs[i],
        ptr(v) {
          (node.outputs.includes(v) ? writes : reads).add(v);
          return token(v);
        },
        constantOf: (v) => v?.data,
        constant(t: Tensor) {
          const v = new Value(`${node.name}/const${constants++}`, { dtype: t.dtype, shape: [...t.shape] }, t);
          reads.add(v);
          return token(v);
        },
        scratch(bytes) {
          if (scratchBytes > 0) throw new Error(`kernel for ${node.op} asked for scratch twice`);
          scratchBytes = bytes;
          return `__s${step}__`;
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
      for (const o of node.outputs) shapeOf(o);
      const generator = KERNELS[node.op] ?? (ELEMENTWISE_OPS.has(node.op) ? elementwiseKernel : undefined);
      if (!generator) unsupported(node);
      const body = generator(k);
      if (body === null) continue;
      gen.functions.push(`function ${prefix}k${step}(): void {\n${body}\n}`);
      gen.steps.push({ reads: [...reads], writes: [...writes], scratchBytes });
    } catch (e) {
      withContext(e, { node: node.name, op: node.op });
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

/** The typed array over `n` elements of `dtype` at `offset`, as the kernels read and write them (little-endian hosts). */
function typedArrayAt(buffer: ArrayBuffer, dtype: DType, offset: number, n: number): ArrayLike<number | bigint> & { set(a: ArrayLike<number | bigint>): void } {
  switch (dtype) {
    case 'f32': return new Float32Array(buffer, offset, n);
    case 'f64': return new Float64Array(buffer, offset, n);
    case 'i64': return new BigInt64Array(buffer, offset, n);
    case 'u64': return new BigUint64Array(buffer, offset, n);
    case 'i32': return new Int32Array(buffer, offset, n);
    case 'u32': return new Uint32Array(buffer, offset, n);
    case 'i16': return new Int16Array(buffer, offset, n);
    case 'u16': return new Uint16Array(buffer, offset, n);
    case 'i8': return new Int8Array(buffer, offset, n);
    case 'u8': case 'bool': return new Uint8Array(buffer, offset, n);
    default: throw new DlcError(`tensors of dtype ${dtype} are not supported by the wasm target`);
  }
}

function isBig(dtype: DType): boolean {
  return dtype === 'i64' || dtype === 'u64';
}

/** A constant's bytes as the kernels read them: little-endian, the dtype's natural width. */
function serialize(t: Tensor): Uint8Array {
  const bytes = new Uint8Array(t.size * byteSize(t.dtype));
  copyIn(bytes.buffer, 0, t.dtype, t);
  return bytes;
}

function copyIn(buffer: ArrayBuffer, offset: number, dtype: DType, t: Tensor): void {
  const dst = typedArrayAt(buffer, dtype, offset, t.size);
  // 64-bit integers are held exactly in a Float64Array; they wrap to the dtype's range like a C cast.
  dst.set(isBig(dtype) ? Array.from(t.data, (x) => (dtype === 'i64' ? BigInt.asIntN : BigInt.asUintN)(64, BigInt(x))) : t.data);
}

/** A member's `run(feeds)` over the batch's one instance. */
export interface LoadedMember {
  run(feeds: Record<string, Tensor>): Record<string, Tensor>;
}

/** Instantiates a batch once and copies every member's weights into its region. */
export async function loadBatch(batch: WasmBatch): Promise<LoadedMember[]> {
  const { instance } = await WebAssembly.instantiate(batch.wasm as Uint8Array<ArrayBuffer>, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  if (memory.buffer.byteLength < batch.memoryBytes) memory.grow(Math.ceil((batch.memoryBytes - memory.buffer.byteLength) / WASM_PAGE_BYTES));
  for (const m of batch.members) new Uint8Array(memory.buffer, m.weightsOffset, m.weights.length).set(m.weights);
  return batch.members.map((m) => ({
    run(feeds) {
      for (const slot of m.inputs) {
        const t = feeds[slot.name];
        if (!t) throw new DlcError(`no feed for input '${slot.name}'`);
        copyIn(memory.buffer, slot.offset, slot.dtype, t);
      }
      (instance.exports[m.run] as () => void)();
      const out: Record<string, Tensor> = {};
      for (const slot of m.outputs) {
        const n = slot.shape.reduce((p, d) => p * d, 1);
        const data = allocData(slot.dtype, n);
        const src = typedArrayAt(memory.buffer, slot.dtype, slot.offset, n);
        for (let i = 0; i < n; i++) data[i] = Number(src[i]);
        out[slot.name] = new Tensor(slot.dtype, slot.shape, data);
      }
      return out;
    },
  }));
}
