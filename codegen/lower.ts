// The lowering driver both targets share: it walks the optimized graph in order and turns each node into one
// kernel of the target — a `fused` node (passes/fuse-ops.ts) into the one kernel compiler/kernel-groups.ts
// says it is (the anchor's kernel applying the group's epilogue to each element it stores, or one
// element-wise kernel), any other node into its op's kernel. Fusion was decided by fuse-ops: lowering never
// re-partitions or re-fuses. A target brings only what differs: its kernel table, the kernel context its
// generators see (addresses on wasm, bindings on WebGPU), its epilogue spelling and what it does with a kernel.
// An `if` node's two branches are lowered in place, then-branch first, their kernels tagged with the arm they
// run in (branches.ts); each branch's outputs become the If's outputs. A Loop or Scan that unroll-loops left
// whole is lowered once, its body a run of kernels the target repeats (loop-bodies.ts).
import { DlcError, withContext } from '../compiler/errors.js';
import { Graph, isConcreteShape, Value, type Node } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { concatsInPlace } from '../compiler/concat-in-place.js';
import { boundRunTimeDims, checkRunTimeSizedConsumers } from '../compiler/run-time-dims.js';
import { consumerFormOf, type ConsumerForm } from '../compiler/run-time-consumers.js';
import { describeFusedGroup, isElementwiseNode, kernelFormOf, kernelNodeOf, type FusedGroup } from '../compiler/kernel-groups.js';
import type { TargetInfo } from '../compiler/target-info.js';
import { foldRequired } from '../passes/fold-required.js';
import type { ArmGuard, Guards } from './branches.js';
import { lowerLoop, type LoopKernels } from './loop-bodies.js';
import { aliasRoots } from './memory-plan.js';
import { legalizeGraph } from '../passes/legalize.js';
import type { Alias } from './memory-plan.js';
import { schedulesFor, type ScheduleOverrides, type Schedules } from './schedule.js';
import { shapeOf } from './shapes.js';

/** What every kernel generator sees, on any target. */
export interface KernelSite {
  /** The node whose kernel this is (a fused group's anchor, or its last node). */
  node: Node;
  schedules: Schedules;
  /** Input i (an error naming the node when it is absent). */
  input(i: number): Value;
  /** Output i of the kernel: a fused group's output in place of its anchor's. */
  output(i: number): Value;
  /** Every output the kernel writes. */
  outputs: readonly Value[];
  /** The compile-time value of an input, when it is a constant. */
  constantOf(v: Value | null | undefined): Tensor | undefined;
  /** Makes `out` share `src`'s storage instead of being written; false when it cannot (a graph output). */
  alias(out: Value, src: Value): boolean;
  /** The If arms the kernel runs in (branches.ts), outermost first; empty outside any If. */
  guards: Guards;
}

export type Generator<Ctx, K> = (k: Ctx) => K | null;

export interface LoweringTarget<Ctx extends KernelSite & { epilogue?: unknown }, K> {
  info: TargetInfo;
  /** The kernel generator of each op with a kernel of its own. */
  kernels: Readonly<Record<string, Generator<Ctx, K>>>;
  /** One element-wise node (an op with a scalar form and no kernel of its own). */
  elementwiseKernel: Generator<Ctx, K>;
  /** An element-wise fused group, in one pass over memory. */
  elementwiseGroupKernel(k: Ctx, nodes: readonly Node[]): K | null;
  /**
   * A node reading a run-time-sized tensor (compiler/run-time-consumers.ts), in `form`; `generator` is its
   * op's static kernel, which the 'rows' form runs over the actual rows.
   */
  runTimeSizedConsumer(k: Ctx, form: ConsumerForm, generator: Generator<Ctx, K>): K | null;
  /** The epilogue of an anchored group in the target's spelling (undefined: a generator bug, reported). */
  groupEpilogue(k: Ctx, group: FusedGroup): Ctx['epilogue'] | undefined;
  /** The target's kernel context around the shared one. */
  context(site: KernelSite): Ctx;
  /** Takes a generated kernel, in run order. */
  emit(kernel: K, k: Ctx): void;
  /**
   * A kernel copying `src` into `out`: a constant into a graph output (computed entirely at compile time), or
   * a branch's output that is not its own value (a constant, an outer value) into the If's output.
   */
  copy(src: Value, out: Value, guards: Guards): void;
  /** How the target repeats a loop's body (loop-bodies.ts); without it, Loop and Scan compile only unrolled. */
  loops?: LoopKernels;
}

/** How `node` reads its run-time-sized operands (checkRunTimeSizedConsumers refused the nodes that cannot). */
function runTimeConsumerForm(node: Node): ConsumerForm {
  const form = consumerFormOf(node, (v) => v?.type.runTimeDim);
  if (typeof form === 'string') throw new DlcError(`an input has a size known only at run time: ${form}`);
  return form;
}

/** The graph lowering works on: the shape arithmetic kernels need folded, and what the target lacks legalized. */
export function loweringGraph(graph: Graph, info: TargetInfo): Graph {
  return legalizeGraph(foldRequired(graph), info);
}

/**
 * Lowers every node of `original` through `target`, in order, after folding the shape arithmetic kernels need as
 * constants and legalizing what a pipeline did not (-O0, a custom `--passes`). Returns the graph lowered, whose inputs and outputs the target's memory or buffer plan
 * places, and the aliases the kernels asked for (an output that shares its input's storage: reshape and other
 * views) or that concats written in place make (each piece at its offset in the output).
 */
export function lowerGraph<Ctx extends KernelSite & { epilogue?: unknown }, K>(
  original: Graph,
  target: LoweringTarget<Ctx, K>,
  overrides?: ScheduleOverrides,
): { graph: Graph; aliases: Alias[] } {
  const graph = loweringGraph(original, target.info);
  // Outputs whose size depends on data get their bound: kernels write them compactly, plus their extent.
  checkRunTimeSizedConsumers(graph);
  boundRunTimeDims(graph);
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (!isConcreteShape(v.type.shape)) throw new DlcError(`'${v.name}' has symbolic shape [${v.type.shape}]; give concrete input shapes`);
  }
  const aliases: Alias[] = [];
  const inPlace = target.info.limits.concatInPlace ? concatsInPlace(graph) : new Map<Node, number[]>();
  const graphOutputs = new Set(graph.outputs);
  const site = (node: Node, outputs: readonly Value[], guards: Guards): KernelSite => ({
    node,
    schedules: schedulesFor(node, overrides),
    input(i) {
      const v = node.inputs[i];
      if (!v) throw new DlcError(`input ${i} is missing`);
      return v;
    },
    output: (i) => outputs[i],
    outputs,
    constantOf: (v) => v?.data,
    alias(out, src) {
      if (graphOutputs.has(out)) return false;
      aliases.push([out, src]);
      return true;
    },
    guards,
  });
  const unsupported = (node: Node, detail = ''): never => {
    throw new DlcError(`op ${node.op} is not supported by the ${target.info.name} target${detail ? `: ${detail}` : ''}`, { node: node.name, op: node.op });
  };
  let branches = 0;
  let loops = 0;
  const lowerNode = (node: Node, guards: Guards) => {
    // A concat written in place: its pieces' producers already wrote into its output.
    const pieces = inPlace.get(node);
    if (pieces) {
      node.inputs.forEach((x, i) => aliases.push([x!, node.outputs[0], pieces[i]]));
      return;
    }
    if (node.op === 'if') return lowerIf(node, guards);
    // What unroll-loops left whole runs as a loop of the body's kernels.
    if (node.op === 'loop' || node.op === 'scan') {
      if (!target.loops) unsupported(node, 'loops run only unrolled on this target');
      return lowerLoop(node, loops++, guards, { loops: target.loops!, lowerNodes, copy: target.copy, aliases });
    }
    if (node.op !== 'fused' && Graph.subgraphsOf(node).length > 0) unsupported(node, 'nested graphs');
    const group = node.op === 'fused' ? describeFusedGroup(node) : undefined;
    const form = group && kernelFormOf(group, target.info.limits);
    if (group && !form) {
      throw new DlcError(`fused group '${node.name}' (${group.nodes.map((n) => n.op).join(', ')}) is not one kernel within the ${target.info.name} target's limits; run fuse-ops for this target`);
    }
    // A fused group's kernel is its anchor's (or its last element-wise node's), writing the group's output.
    const kernelNode = group ? kernelNodeOf(group, form!) : node;
    const outputs = group ? [group.output] : node.outputs;
    for (const o of outputs) shapeOf(o);
    const k = target.context(site(kernelNode, outputs, guards));
    let kernel: K | null;
    if (form === 'anchored') {
      k.epilogue = target.groupEpilogue(k, group!);
      if (k.epilogue === undefined) throw new Error(`code generator bug: no epilogue for fused group '${node.name}'`);
      const generator = target.kernels[kernelNode.op] ?? unsupported(kernelNode);
      kernel = generator(k);
    } else if (form === 'elementwise') {
      kernel = target.elementwiseGroupKernel(k, group!.nodes);
    } else {
      const generator = target.kernels[node.op] ?? (isElementwiseNode(node) ? target.elementwiseKernel : unsupported(node));
      const consumer = node.inputs.some((v) => v?.type.runTimeDim !== undefined) ? runTimeConsumerForm(node) : undefined;
      kernel = consumer ? target.runTimeSizedConsumer(k, consumer, generator) : generator(k);
    }
    if (kernel !== null) target.emit(kernel, k);
  };
  const lowerNodes = (nodes: readonly Node[], guards: Guards) => {
    for (const node of nodes) {
      try {
        lowerNode(node, guards);
      } catch (e) {
        withContext(e, { node: node.name, op: node.op });
      }
    }
  };
  /**
   * Both arms in order, each then writing the If's outputs: a value the arm computes becomes the output
   * itself (an alias: the arm's last kernel writes the output's storage); anything else (a constant, an outer
   * value, a view of one, a value given twice) is copied there, since aliasing it would let the other arm
   * overwrite a value that outlives the If.
   */
  const lowerIf = (node: Node, guards: Guards) => {
    const cond = node.inputs[0];
    if (!cond) throw new DlcError('input 0 (cond) is missing');
    if (shapeOf(cond).reduce((n, d) => n * d, 1) !== 1) throw new DlcError(`cond must have one element, has shape [${cond.type.shape}]`);
    const arms = [node.attrs.then_branch, node.attrs.else_branch] as Graph[];
    node.outputs.forEach((out, i) => {
      const [a, b] = arms.map((g) => g.outputs[i].type);
      if (!isConcreteShape(a.shape) || !isConcreteShape(b.shape) || a.shape.join() !== b.shape.join() || a.dtype !== b.dtype) {
        throw new DlcError(`If output ${i} is ${a.dtype}[${a.shape}] in then_branch and ${b.dtype}[${b.shape}] in else_branch; both branches must give the same dtype and shape`);
      }
    });
    const branch = branches++;
    arms.forEach((arm, a) => {
      const armGuards: Guards = [...guards, { branch, node: node.name, cond, taken: a === 0 } satisfies ArmGuard];
      lowerNodes(arm.nodes, armGuards);
      const computed = new Set(arm.nodes.flatMap((n) => n.outputs));
      const root = aliasRoots(aliases);
      const bound = new Set<Value>();
      arm.outputs.forEach((src, i) => {
        const out = node.outputs[i];
        const group = aliases.flatMap(([x, y]) => [x, y]).filter((v) => root(v) === root(src));
        const ownValue = !src.isConst && computed.has(src) && group.every((v) => computed.has(v));
        if (ownValue && !bound.has(root(src))) {
          bound.add(root(src));
          aliases.push([src, out]);
        } else {
          target.copy(src, out, armGuards);
        }
      });
    });
  };
  lowerNodes(graph.nodes, []);
  // A graph output that is a constant is copied into its place by a last kernel.
  for (const out of graph.outputs) {
    if (out.data) target.copy(new Value(`${out.name}/data`, out.type, out.data), out, []);
  }
  return { graph, aliases };
}
