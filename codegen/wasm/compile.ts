// compileToWasm: graph → one kernel function per node, `fused` node or element-wise group (AssemblyScript with
// baked-in shapes), a static memory plan, and one exported `run()` calling the kernels in order. Kernels
// refer to tensors by address tokens; once every kernel is generated (so that every read, write, alias and
// scratch request is known) the plan is made and the tokens become byte offsets.
import { extentRecord, storageBytes } from '../run-time-extent.js';
import { nodeFlops } from '../../compiler/analysis.js';
import { DlcError } from '../../compiler/errors.js';
import { byteSize, f32ToBF16Bits, f32ToF16Bits, type DType } from '../../compiler/ir/dtype.js';
import { Value, type Graph, type Node } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import type { WeightPlacement } from '../../runtime/manifest.js';
import { lowerGraph, type LoweringTarget } from '../lower.js';
import { alignUp, planMemory, type Alias, type PlanSizes, type PlanStep } from '../memory-plan.js';
import { programSignature } from '../signature.js';
import { kernelDependencies, sequentialDependencies } from '../step-dependencies.js';
import { regionsOf, type Guards, type Region } from '../branches.js';
import { stepsAcrossLoops, type LoopFrame, type LoopSpan } from '../loop-bodies.js';
import { MAX_LOOP_ITERATIONS } from '../../compiler/ops/control-flow.js';
import type { StepDependencies } from '../../runtime/manifest.js';
import { TARGET_INFO } from '../targets.js';
import { AS_HELPERS } from './as-target.js';
import { compileAssemblyScript, staticDataEnd, WASM_PAGE_BYTES } from './assemblyscript.js';
import { KERNELS } from './kernels/index.js';
import { elementwiseGroupKernel, elementwiseKernel } from './kernels/elementwise.js';
import { runTimeSizedConsumerKernel } from './kernels/run-time-sized-consumers.js';
import { THREAD_HELPERS } from './kernels/threads.js';
import { groupEpilogue } from './kernels/group-epilogue.js';
import { shapeOf, type KernelContext } from './kernels/kernel.js';
import type { TensorSlot, WasmCompileOptions, WasmProgram, WasmSource } from './program.js';

/** The plan starts here (address 0 stays unused, so that a stray null pointer never hits a tensor). */
export const PLAN_BASE = 64;

/**
 * Kernels of fewer FLOPs (the op registry's cost) run on thread 0 of a threaded module: at a few GFLOP/s this is
 * some tens of microseconds of work, while handing a share to a sleeping thread and meeting it at the barrier
 * costs microseconds (more on a busy machine). Small models then pay for threads only where their kernels are
 * big enough, and one barrier per run of small kernels. Measured on a quiet 2-core AMD EPYC
 * (`npx tsx --no-liftoff scripts/split-threshold.ts`, 2T over 1T medians): 2^16 FLOPs / 2^14 bytes gave PP-OCR cls
 * 1.83× (2^20 / 2^18: 1.36×), tiny-cnn 1.15× (0.79×), PP-OCRv4 rec 1.89× (1.88×), oww 1.20× (1.25×).
 */
export const MIN_SPLIT_FLOPS = 1 << 16;

/**
 * Kernels that move at least this many bytes (inputs read and outputs written) split even under
 * MIN_SPLIT_FLOPS: the op registry counts about one FLOP per output element for copies, pools, softmax and
 * normalization, whose time goes to memory and to exp(). PP-OCRv4 rec's average pool reads 900 KB for 115 K
 * "FLOPs" and its last softmax runs exp() on 265 K floats for 1.3 M: one-thread kernels of a millisecond or more.
 */
export const MIN_SPLIT_BYTES = 1 << 14;

/** Whether a kernel is big enough to pay for meeting the other threads at a barrier after it. */
function worthSplitting(node: Node, outputs: readonly Value[], options: WasmCompileOptions): boolean {
  const flops = nodeFlops(node) ?? Infinity;
  if (flops >= (options.minSplitFlops ?? MIN_SPLIT_FLOPS)) return true;
  const operands = [...node.inputs, ...outputs].filter((v): v is Value => !!v);
  const bytes = operands.reduce((sum, v) => sum + bytesOf(v), 0);
  return bytes >= (options.minSplitBytes ?? MIN_SPLIT_BYTES);
}

/** Room above the plan for AssemblyScript's static data (Mathf's tables take a few KiB); checked after compiling. */
const STATIC_DATA_BYTES = 65536;

interface Generated {
  /** The graph lowered (legalized). */
  graph: Graph;
  functions: string[];
  /** Per kernel: the node it computes (a graph output's name for the copy of a constant output). */
  nodes: string[];
  /** Per kernel: whether it splits its work across threads (it takes `tid`, `nthreads`) or runs on thread 0. */
  split: boolean[];
  /** Per kernel: the If arms it runs in. */
  guards: Guards[];
  steps: PlanStep[];
  aliases: Alias[];
  /** Address token id of each value. */
  ids: Map<Value, number>;
  /** The run-time loops: each repeats the kernels of its span. */
  loops: LoopSpan[];
}

/** The wasm target as the lowering driver sees it: kernels are AssemblyScript function bodies over address tokens. */
function generate(graph: Graph, options: WasmCompileOptions, prefix: string, helpers: Map<string, string>): Generated {
  const gen: Omit<Generated, 'graph' | 'aliases'> = { functions: [], nodes: [], split: [], guards: [], steps: [], ids: new Map(), loops: [] };
  const threads = options.threads ?? 1;
  const token = (v: Value) => {
    let id = gen.ids.get(v);
    if (id === undefined) gen.ids.set(v, (id = gen.ids.size));
    return `__v${id}__`;
  };
  let constants = 0;
  /** What each kernel context read, wrote and asked of scratch (becomes the kernel's plan step). */
  const access = new Map<KernelContext, { reads: Set<Value>; writes: Set<Value>; scratchBytes: number; split: boolean }>();
  const pushFunction = (node: string, body: string, step: PlanStep, guards: Guards, split = false) => {
    const index = gen.steps.length;
    // A kernel counts its runs on thread 0 (a test hook: which kernels a run ran).
    const count = options.countKernelRuns ? `  ${split ? 'if (tid == 0) ' : ''}${prefix}countKernelRun(${index});\n` : '';
    gen.functions.push(`function ${prefix}k${index}(${split ? 'tid: i32, nthreads: i32' : ''}): void {\n${count}${body}\n}`);
    gen.nodes.push(node);
    gen.split.push(split);
    gen.guards.push(guards);
    // Every kernel of an arm reads its condition: it stays valid until the last of them (branches.ts).
    for (const g of guards) token(g.cond);
    gen.steps.push({ ...step, reads: [...step.reads, ...guards.map((g) => g.cond)] });
  };
  const target: LoweringTarget<KernelContext, string> = {
    info: TARGET_INFO.wasm,
    kernels: KERNELS,
    elementwiseKernel,
    elementwiseGroupKernel,
    runTimeSizedConsumer: runTimeSizedConsumerKernel,
    groupEpilogue,
    context(site) {
      const used = { reads: new Set<Value>(), writes: new Set<Value>(), scratchBytes: 0, requests: 0, split: false };
      // A kernel too small to pay for waking the other threads runs on thread 0 (it sees one thread).
      const kernelThreads = threads > 1 && worthSplitting(site.node, site.outputs, options) ? threads : 1;
      const step = gen.steps.length;
      const k: KernelContext = {
        ...site,
        ptr(v) {
          (site.outputs.includes(v) ? used.writes : used.reads).add(v);
          return token(v);
        },
        constant(t: Tensor) {
          const v = new Value(`${site.node.name}/const${constants++}`, { dtype: t.dtype, shape: [...t.shape] }, t);
          used.reads.add(v);
          return token(v);
        },
        scratch(bytes) {
          // Several requests of one kernel are laid out one after another in its scratch (where the largest
          // shape's program puts them, in a shape-generic one: its sizes bound every shape's).
          const at = k.decide(`scratch@${used.requests}`, () => used.scratchBytes);
          used.requests++;
          used.scratchBytes = Math.max(used.scratchBytes, at + alignUp(bytes));
          return at === 0 ? `__s${step}__` : `(__s${step}__ + ${at})`;
        },
        helper(name, source) {
          if (!helpers.has(name)) helpers.set(name, source());
          return name;
        },
        threads: kernelThreads,
        splitAcrossThreads() {
          if (kernelThreads === 1) throw new Error(`code generator bug: kernel of '${site.node.name}' split in a one-thread module`);
          used.split = true;
        },
        shapeGeneric: options.shapeGeneric ?? false,
        decide<T extends string | number | boolean>(what: string, choose: () => T): T {
          const d = options.decisions;
          const key = `${site.node.name}|${what}`;
          if (d?.replay?.has(key)) return d.replay.get(key) as T;
          // One choice per name and node: a kernel that asks twice gets its first answer again.
          if (d?.record.has(key)) return d.record.get(key) as T;
          const v = choose();
          d?.record.set(key, v);
          return v;
        },
      };
      access.set(k, used);
      return k;
    },
    emit(kernel, k) {
      const used = access.get(k)!;
      const body = k.epilogue?.setup ? `${k.epilogue.setup}\n${kernel}` : kernel;
      pushFunction(k.node.name, body, { reads: [...used.reads], writes: [...used.writes], scratchBytes: used.scratchBytes }, k.guards, used.split);
    },
    copy(src, out, guards) {
      pushFunction(out.name, `  memory.copy(${token(out)}, ${token(src)}, ${bytesOf(out)});`, { reads: [src], writes: [out] }, guards);
    },
    loops: {
      begin(frame) {
        for (const v of [frame.trips, frame.condIn, frame.condOut]) if (v instanceof Value) token(v);
        gen.loops.push({ first: gen.steps.length, last: -1, frame });
      },
      // The iteration number is the loop's global counter (run() advances it): kernels read it directly.
      head(frame, iteration) {
        if (iteration) pushFunction(frame.node, `  store<i64>(${token(iteration)}, ${loopCounter(prefix, frame)});`, { reads: [], writes: [iteration] }, []);
      },
      slice(frame, scanned, slice, at, into) {
        const bytes = bytesOf(slice);
        const i = `<i32>${loopCounter(prefix, frame)}`;
        const at_ = `${token(scanned)} + ${at.reverseOf === undefined ? i : `(${at.reverseOf - 1} - ${i})`} * ${bytes}`;
        const [to, from] = into ? [at_, token(slice)] : [token(slice), at_];
        pushFunction(frame.node, `  memory.copy(${to}, ${from}, ${bytes});`, into ? { reads: [slice], writes: [scanned] } : { reads: [scanned], writes: [slice] }, []);
      },
      end(frame) {
        gen.loops.find((l) => l.frame === frame)!.last = gen.steps.length - 1;
      },
    },
  };
  return { ...gen, ...lowerGraph(graph, target, options.schedules) };
}

function bytesOf(v: Value): number {
  return storageBytes(v, byteSize(v.type.dtype));
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
    case 'bf16': out = Uint16Array.from(t.data, f32ToBF16Bits); break;
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
  /** Per kernel: the node it computes. */
  kernelNodes: string[];
  weights: Uint8Array;
  /** Each constant's place in `weights`. */
  constants: WeightPlacement[];
  weightsOffset: number;
  inputs: TensorSlot[];
  outputs: TensorSlot[];
  kernels: number;
  /** Kernels that split their work across threads (none in a one-thread module). */
  splitKernels: number;
  /** End of its memory plan. */
  planEnd: number;
  /** The sizes its memory plan was made for. */
  planSizes: PlanSizes;
  dependencies: StepDependencies;
}

export interface RenderTarget {
  /** Prefix of kernel names (several graphs can share one module). */
  prefix: string;
  /** Name of the exported entry point. */
  entry: string;
  /** Name of an exported `(i: i32) => void` that runs kernel i alone (a run of some outputs calls the kernels they need). */
  stepEntry?: string;
  /** Where the graph's memory plan starts. */
  base: number;
  /** Helpers by name, shared by every graph of the module (added to). */
  helpers: Map<string, string>;
}

export function renderGraph(original: Graph, options: WasmCompileOptions, target: RenderTarget): RenderedGraph {
  const gen = generate(original, options, target.prefix, target.helpers);
  const { graph } = gen;
  const plan = planMemory({ steps: stepsAcrossLoops(gen.steps, gen.loops, gen.aliases), aliases: gen.aliases, inputs: graph.inputs, outputs: graph.outputs, bytesOf, base: target.base, sizes: options.planSizes });
  const addressOf = new Map<number, number>();
  for (const [v, id] of gen.ids) {
    const off = plan.offsets.get(v);
    if (off === undefined) throw new Error(`code generator bug: no address for '${v.name}'`);
    addressOf.set(id, off);
  }
  const weights = new Uint8Array(plan.weightsBytes);
  const constants = plan.constants.map((c): WeightPlacement => {
    const offset = plan.offsets.get(c)! - plan.weightsOffset;
    weights.set(serialize(c.data!), offset);
    return { name: c.name, dtype: c.type.dtype, shape: [...shapeOf(c)], offset, bytes: bytesOf(c) };
  });
  const threaded = (options.threads ?? 1) > 1;
  const regions = nestLoops(regionsOf(gen.guards), gen.loops);
  // An If reads its condition's byte: every thread the same, after the barrier that ends the kernel writing it.
  const condition = (cond: Value, taken = true) => `load<u8>(__v${gen.ids.get(cond)}__) ${taken ? '!=' : '=='} 0`;
  const control: Control = { prefix: target.prefix, condition, address: (v) => `__v${gen.ids.get(v)}__` };
  const entry = threaded
    ? `export function ${target.entry}(tid: i32, nthreads: i32): void {\n${threadedBody(control, gen.split, regions, '  ').join('\n')}\n}`
    : `export function ${target.entry}(): void {\n${serialBody(control, regions, '  ').join('\n')}\n}`;
  // A switch (one br_table) beside run(), which stays a straight list of calls. A threaded module's step runs
  // the kernel on the calling thread alone; a kernel of an If's arm runs only when the arm is taken.
  const armTaken = (guards: Guards) => guards.map((g) => condition(g.cond, g.taken)).join(' && ');
  const cases = gen.functions.map((_, i) => {
    const call = `${target.prefix}k${i}(${gen.split[i] ? '0, 1' : ''});`;
    return `    case ${i}: ${gen.guards[i].length > 0 ? `if (${armTaken(gen.guards[i])}) ` : ''}${call} break;`;
  });
  const step = target.stepEntry ? [`export function ${target.stepEntry}(i: i32): void {\n  switch (i) {\n${cases.join('\n')}\n  }\n}`] : [];
  const kernels = options.exportKernels ? gen.functions.map((f) => `export ${f}`) : gen.functions;
  const counters = options.countKernelRuns ? kernelRunCounters(target.prefix, gen.functions.length) : [];
  const counterGlobals = gen.loops.map((l) => `let ${loopCounter(target.prefix, l.frame)}: i64 = 0;`);
  const functions = [...kernels, ...counterGlobals, entry, ...step, ...counters].map((f) =>
    f
      .replace(/__v(\d+)__/g, (_, id: string) => `${addressOf.get(Number(id))}`)
      .replace(/__s(\d+)__/g, (_, step: string) => `${plan.scratch[Number(step)]}`),
  );
  const slot = (v: Value): TensorSlot => ({ name: v.name, dtype: v.type.dtype, shape: [...shapeOf(v)], offset: plan.offsets.get(v)!, ...extentRecord(v, byteSize(v.type.dtype), plan.offsets.get(v)!) });
  return {
    functions,
    kernelNodes: gen.nodes,
    weights,
    constants,
    weightsOffset: plan.weightsOffset,
    inputs: graph.inputs.map(slot),
    outputs: graph.outputs.map(slot),
    kernels: gen.functions.length,
    splitKernels: gen.split.filter((s) => s).length,
    planEnd: plan.totalBytes,
    planSizes: plan.sizes,
    // A kernel of a loop runs only inside its loop: a program with loops runs whole.
    dependencies: gen.loops.length > 0 ? sequentialDependencies(gen.steps.length, graph.outputs.length) : kernelDependencies(gen.steps, gen.aliases, graph.outputs, gen.guards),
  };
}

/** run()'s program: the If regions (branches.ts), and each run-time loop over the regions of its body. */
type Block = Region | { loop: LoopFrame; body: Block[] };

/** The top-level regions with each loop's kernels (never inside an If: loop-bodies.ts) gathered into its block. */
function nestLoops(regions: readonly Region[], loops: readonly LoopSpan[]): Block[] {
  const out: Block[] = [];
  for (let i = 0; i < regions.length; ) {
    const r = regions[i];
    const span = 'kernel' in r ? loops.find((l) => l.first === r.kernel && l.last >= l.first) : undefined;
    if (!span) {
      out.push(regions[i++]);
      continue;
    }
    const body: Region[] = [];
    for (; i < regions.length && 'kernel' in regions[i] && (regions[i] as { kernel: number }).kernel <= span.last; i++) body.push(regions[i]);
    out.push({ loop: span.frame, body });
  }
  return out;
}

/** A loop's counter: a module global, which its kernels read (the iteration number, scan slice offsets). */
function loopCounter(prefix: string, frame: LoopFrame): string {
  return `${prefix}loop${frame.index}_i`;
}

interface Control {
  prefix: string;
  /** An If's condition as a bool expression. */
  condition(cond: Value, taken?: boolean): string;
  /** A value's address token. */
  address(v: Value): string;
}

/**
 * A run-time loop around `body`: its trip count and initial condition read once, the body's condition after
 * each iteration. `afterCondition`: what follows reading it (a threaded module's barrier, so that no thread
 * starts the next iteration, whose kernels may rewrite the condition, before every thread has read it).
 */
function loopLines(c: Control, frame: LoopFrame, body: string[], indent: string, afterCondition: string[] = []): string[] {
  const counter = loopCounter(c.prefix, frame);
  const name = `loop${frame.index}`;
  // A Loop with no trip count stops on its condition alone: past the reference interpreter's iteration limit it
  // traps (the runtime reports 'model.wasm trapped') rather than hang the page.
  const unbounded = frame.trips === Infinity;
  const trips = frame.trips instanceof Value ? `load<i64>(${c.address(frame.trips)})` : unbounded ? `${MAX_LOOP_ITERATIONS}` : `${frame.trips}`;
  return [
    `${indent}const ${name}_trips: i64 = ${trips};`,
    `${indent}let ${name}_going: bool = ${frame.condIn ? `load<u8>(${c.address(frame.condIn)}) != 0` : 'true'};`,
    `${indent}for (${counter} = 0; ${name}_going && ${counter} < ${name}_trips; ${counter}++) {`,
    ...body,
    ...(frame.condOut ? [`${indent}  ${name}_going = load<u8>(${c.address(frame.condOut)}) != 0;`, ...afterCondition.map((l) => `${indent}  ${l}`)] : []),
    `${indent}}`,
    ...(unbounded ? [`${indent}if (${name}_going) unreachable();`] : []),
  ];
}

/** The one-thread entry point's body: the kernels in order, an If's arms in an if/else on its condition, loops. */
function serialBody(c: Control, blocks: readonly Block[], indent: string): string[] {
  return blocks.flatMap((r) =>
    'kernel' in r
      ? [`${indent}${c.prefix}k${r.kernel}();`]
      : 'loop' in r
        ? loopLines(c, r.loop, serialBody(c, r.body, `${indent}  `), indent)
        : [
            `${indent}if (${c.condition(r.guard.cond)}) {`,
            ...serialBody(c, r.then, `${indent}  `),
            `${indent}} else {`,
            ...serialBody(c, r.else, `${indent}  `),
            `${indent}}`,
          ],
  );
}

/**
 * The body of a threaded module's entry point, which every thread calls: split kernels on every thread, the
 * others (runs of them together) on thread 0, a barrier after each, so that a kernel starts once every thread
 * is done with the one before it and the last barrier returns on thread 0 once the whole run is done. An If
 * starts after a barrier (its condition is written), every thread reads the same condition and takes the same
 * arm, and each arm ends in a barrier of its own. A loop runs on every thread, each counting its iterations
 * alike; its body ends in a barrier, after which every thread reads the body's condition.
 */
function threadedBody(c: Control, split: readonly boolean[], blocks: readonly Block[], indent: string): string[] {
  const lines: string[] = [];
  let serial: string[] = [];
  const endSerial = () => {
    if (serial.length > 0) lines.push(`${indent}if (tid == 0) {\n${serial.join('\n')}\n${indent}}`, `${indent}barrier(nthreads);`);
    serial = [];
  };
  for (const r of blocks) {
    if ('kernel' in r && !split[r.kernel]) {
      serial.push(`${indent}  ${c.prefix}k${r.kernel}();`);
      continue;
    }
    endSerial();
    if ('kernel' in r) {
      lines.push(`${indent}${c.prefix}k${r.kernel}(tid, nthreads);`, `${indent}barrier(nthreads);`);
      continue;
    }
    if ('loop' in r) {
      lines.push(...loopLines(c, r.loop, threadedBody(c, split, r.body, `${indent}  `), indent, ['barrier(nthreads);']));
      continue;
    }
    lines.push(
      `${indent}if (${c.condition(r.guard.cond)}) {`,
      ...threadedBody(c, split, r.then, `${indent}  `),
      `${indent}} else {`,
      ...threadedBody(c, split, r.else, `${indent}  `),
      `${indent}}`,
    );
  }
  endSerial();
  return lines;
}

/** A test hook (WasmCompileOptions.countKernelRuns): a run counter per kernel in static data, and its reader. */
function kernelRunCounters(prefix: string, kernels: number): string[] {
  return [
    `const ${prefix}kernelRunCounts = memory.data(${4 * Math.max(1, kernels)});`,
    `@inline function ${prefix}countKernelRun(i: i32): void {\n  store<i32>(${prefix}kernelRunCounts + (i << 2), load<i32>(${prefix}kernelRunCounts + (i << 2)) + 1);\n}`,
    `export function ${prefix}kernelRuns(i: i32): i32 {\n  return load<i32>(${prefix}kernelRunCounts + (i << 2));\n}`,
  ];
}

/** Compiles AssemblyScript whose memory plans end at `planEnd`; its static data goes above them. */
export async function compileModule(source: string, planEnd: number, shared = false): Promise<{ wasm: Uint8Array; memoryBytes: number }> {
  // AssemblyScript's static data goes above the plan (memoryBase), so the plan never depends on its size.
  const dataBase = alignUp(planEnd);
  const pages = Math.ceil((dataBase + STATIC_DATA_BYTES) / WASM_PAGE_BYTES);
  const wasm = await compileAssemblyScript(source, { initialPages: pages, memoryBase: dataBase, shared });
  const dataEnd = staticDataEnd(wasm);
  if (dataEnd > pages * WASM_PAGE_BYTES) throw new Error(`code generator bug: static data ends at ${dataEnd}, past the module's memory`);
  // A shared memory cannot grow past the maximum its importer declares: the runtime makes it exactly this big.
  return { wasm, memoryBytes: shared ? pages * WASM_PAGE_BYTES : Math.max(dataBase, dataEnd) };
}

/** The program of one graph up to its AssemblyScript source: no compiler runs (compileWasmProgram does). */
export function generateGraphWasm(graph: Graph, options: WasmCompileOptions): WasmSource {
  const helpers = new Map<string, string>();
  const r = renderGraph(graph, options, { prefix: '', entry: 'run', stepEntry: 'step', base: PLAN_BASE, helpers });
  const threads = options.threads ?? 1;
  const source = [AS_HELPERS, ...(threads > 1 ? [THREAD_HELPERS] : []), ...helpers.values(), ...r.functions].join('\n');
  const layout = { weightsOffset: r.weightsOffset, weightsBytes: r.weights.length, inputs: r.inputs, outputs: r.outputs };
  const signature = programSignature({
    target: 'wasm',
    code: source,
    layout: { ...layout, planEnd: r.planEnd },
    weights: r.constants,
    kernels: r.kernelNodes.map((node, i) => ({ node, code: r.functions[i] })),
  });
  return { source, planEnd: r.planEnd, planSizes: r.planSizes, weights: r.weights, layout, kernels: r.kernels, signature, dependencies: r.dependencies, ...(threads > 1 ? { threads } : {}) };
}

/** Compiles a generated program to its module (identical sources give identical bytes). */
export async function compileWasmProgram(program: WasmSource): Promise<WasmProgram> {
  const { wasm, memoryBytes } = await compileModule(program.source, program.planEnd, program.threads !== undefined);
  const { weights, layout, kernels, signature, specialized, dependencies, threads, dims } = program;
  return { wasm, weights, layout: { ...layout, memoryBytes }, kernels, signature, specialized, dependencies, ...(threads ? { threads } : {}), ...(dims ? { dims } : {}) };
}
