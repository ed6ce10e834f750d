// The lowering driver both targets share: it walks the optimized graph in order and turns each node into one
// kernel of the target — a `fused` node (passes/fuse-ops.ts) into the one kernel compiler/kernel-groups.ts
// says it is (the anchor's kernel applying the group's epilogue to each element it stores, or one
// element-wise kernel), any other node into its op's kernel. Fusion was decided by fuse-ops: lowering never
// re-partitions or re-fuses. A target brings only what differs: its kernel table, the kernel context its
// generators see (addresses on wasm, bindings on WebGPU), its epilogue spelling and what it does with a kernel.
import { DlcError, withContext } from '../compiler/errors.js';
import { Graph, isConcreteShape, Value, type Node } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { concatsInPlace } from '../compiler/concat-in-place.js';
import { describeFusedGroup, isElementwiseNode, kernelFormOf, kernelNodeOf, type FusedGroup } from '../compiler/kernel-groups.js';
import type { TargetInfo } from '../compiler/target-info.js';
import { foldRequired } from '../passes/fold-required.js';
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
  /** The epilogue of an anchored group in the target's spelling (undefined: a generator bug, reported). */
  groupEpilogue(k: Ctx, group: FusedGroup): Ctx['epilogue'] | undefined;
  /** The target's kernel context around the shared one. */
  context(site: KernelSite): Ctx;
  /** Takes a generated kernel, in run order. */
  emit(kernel: K, k: Ctx): void;
  /** A kernel copying a constant into a graph output (a graph output computed entirely at compile time). */
  copyConstant(src: Value, out: Value): void;
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
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (!isConcreteShape(v.type.shape)) throw new DlcError(`'${v.name}' has symbolic shape [${v.type.shape}]; give concrete input shapes`);
  }
  const aliases: Alias[] = [];
  const inPlace = target.info.limits.concatInPlace ? concatsInPlace(graph) : new Map<Node, number[]>();
  const graphOutputs = new Set(graph.outputs);
  const site = (node: Node, outputs: readonly Value[]): KernelSite => ({
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
  });
  const unsupported = (node: Node, detail = ''): never => {
    throw new DlcError(`op ${node.op} is not supported by the ${target.info.name} target${detail ? `: ${detail}` : ''}`, { node: node.name, op: node.op });
  };
  for (const node of graph.nodes) {
    // A concat written in place: its pieces' producers already wrote into its output.
    const pieces = inPlace.get(node);
    if (pieces) {
      node.inputs.forEach((x, i) => aliases.push([x!, node.outputs[0], pieces[i]]));
      continue;
    }
    try {
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
      const k = target.context(site(kernelNode, outputs));
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
        kernel = generator(k);
      }
      if (kernel !== null) target.emit(kernel, k);
    } catch (e) {
      withContext(e, { node: node.name, op: node.op });
    }
  }
  // A graph output that is a constant is copied into its place by a last kernel.
  for (const out of graph.outputs) {
    if (out.data) target.copyConstant(new Value(`${out.name}/data`, out.type, out.data), out);
  }
  return { graph, aliases };
}
