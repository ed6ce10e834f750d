// The kernels a graph becomes, one entry per kernel in run order, named as a compiled artifact names them: its
// manifest's signature lists each kernel by the node codegen generated it from (codegen/lower.ts), and a
// profile of a run can only name kernels that way. `dlc inspect --json` reports this list, and the graph view
// colours kernels by a profile keyed on these names.
import { Graph, type Node, type Value } from './ir/graph.js';
import { concatsInPlace } from './concat-in-place.js';
import { describeFusedGroup, kernelFormOf, kernelNodeOf } from './kernel-groups.js';
import { knownSize } from './ops/util.js';
import { PORTABLE_LIMITS, type TargetLimits } from './target-info.js';

export interface KernelInfo {
  /** The kernel's name: its manifest's (signature.kernels[].node) and a profile's. */
  name: string;
  /** The graph node that is this kernel: a `fused` node for a group, else the same as `name`. */
  node: string;
  /** The ops it computes, in order (a fused group's members; one op otherwise). */
  ops: string[];
  /**
   * The If arms it runs in, outermost first (`If_7 then`, `If_7 else > If_9 then`): it runs only when they
   * are taken. Absent for a kernel every run runs.
   */
  branch?: string;
}

/**
 * Every kernel of `graph` in run order, by the rules of its lowering (codegen/lower.ts): one per node or fused
 * group, except views (reshape and friends, identity) and inference dropout, whose output shares its input's
 * buffer and costs a copy only when it is a graph output, and concats written in place on targets that do so
 * (concat-in-place.ts); shape and size write their dims (a kernel); a graph
 * output that is a constant is copied into place by one more (named after the output). Control-flow nodes run
 * on the host: their bodies' kernels count. An If's arms are lowered in place, then before else, each kernel
 * listed once and marked with its arm; an arm's output that is not a value the arm computes (a constant, an outer
 * value or a view of one, a value given twice) is copied into the If's output by one more kernel, named after
 * that output. A fused group is named after the node its kernel is generated from
 * within `limits` (the target's; without one, the limits fuse-ops used): the anchor when the group is one
 * anchored kernel, else its last node. The graph must be the one lowering sees (codegen/lower.ts
 * `loweringGraph`: required folding and the target's legalization) for the list to be the target's.
 */
export function listKernels(graph: Graph, limits: TargetLimits = PORTABLE_LIMITS): KernelInfo[] {
  const kernels: KernelInfo[] = [];
  const push = (k: KernelInfo, branch: string | undefined) => kernels.push(branch === undefined ? k : { ...k, branch });
  // `outputs`: the values whose views are copies (the graph's outputs; an arm's views alias, like any other).
  const visit = (g: Graph, outputs: ReadonlySet<Value>, branch?: string) => {
    // Lowering writes concats in place in the top graph only (an arm's concats stay kernels).
    const inPlace = limits.concatInPlace && branch === undefined ? concatsInPlace(g) : undefined;
    for (const node of g.nodes) {
      const bodies = node.op === 'fused' ? [] : Graph.subgraphsOf(node);
      if (node.op === 'if') visitIf(node, branch);
      else if (bodies.length > 0) bodies.forEach((b) => visit(b, new Set(b.outputs), branch));
      else if (VIEW_OPS.has(node.op) && !outputs.has(node.outputs[0])) continue;
      else if (node.op === 'dropout' && !outputs.has(node.outputs[0]) && !writesMask(node)) continue;
      else if (inPlace?.has(node)) continue;
      else push(node.op === 'fused' ? kernelOf(node, limits)! : { name: node.name, node: node.name, ops: [node.op] }, branch);
    }
  };
  const visitIf = (node: Node, outer: string | undefined) => {
    (['then', 'else'] as const).forEach((arm) => {
      const g = node.attrs[`${arm}_branch`] as Graph;
      const branch = `${outer === undefined ? '' : `${outer} > `}${node.name} ${arm}`;
      visit(g, new Set(), branch);
      const producer = g.producers();
      const bound = new Set<Value>();
      g.outputs.forEach((v, i) => {
        // Through views to the value whose storage the output is (codegen/lower.ts aliases it to the If's output).
        let storage = v;
        while (!storage.isConst && VIEW_OPS.has(producer.get(storage)?.op ?? '') && producer.get(storage)!.inputs[0]) storage = producer.get(storage)!.inputs[0]!;
        const own = !storage.isConst && producer.has(storage) && !bound.has(storage);
        bound.add(storage);
        if (!own) push({ name: node.outputs[i].name, node: node.outputs[i].name, ops: ['copy'] }, branch);
      });
    });
  };
  visit(graph, new Set(graph.outputs));
  for (const v of graph.outputs) if (v.data !== undefined) kernels.push({ name: v.name, node: v.name, ops: ['copy'] });
  return kernels;
}

/** Ops whose kernel aliases the input's buffer (KERNEL_FAMILIES.view in codegen/kernel-families.ts). */
export const VIEW_OPS: ReadonlySet<string> = new Set(['reshape', 'flatten', 'squeeze', 'unsqueeze', 'identity']);

/** Whether an inference dropout asked for a non-empty mask (its kernel fills it with ones). */
function writesMask(node: Node): boolean {
  const mask = node.outputs[1];
  return mask !== undefined && knownSize(mask.type.shape) !== 0;
}

/** The kernel `node` is, or undefined when it is none (a metadata op, a control-flow node). */
export function kernelOf(node: Node, limits: TargetLimits = PORTABLE_LIMITS): KernelInfo | undefined {
  if (node.op !== 'fused') return isKernel(node) ? { name: node.name, node: node.name, ops: [node.op] } : undefined;
  const group = describeFusedGroup(node);
  // A group fuse-ops formed under other limits may not be one kernel under these: it is named as if it were
  // its anchor's (or last node's) kernel, which is what lowering it for its own target does.
  const form = kernelFormOf(group, limits) ?? (group.anchor ? 'anchored' : 'elementwise');
  return { name: kernelNodeOf(group, form).name, node: node.name, ops: group.nodes.map((n) => n.op) };
}

/**
 * Ops that only relabel a buffer's dims (the views) or read them (shape, size): they compute nothing of the
 * tensor's values, so analysis counts neither FLOPs nor a kernel of their own for them.
 */
export const METADATA_OPS: ReadonlySet<string> = new Set([...VIEW_OPS, 'shape', 'size']);

/** A fused node is one kernel: its cost is its body's, and its body's nodes are no kernels of their own. */
export function isKernel(node: Node): boolean {
  return !METADATA_OPS.has(node.op) && (node.op === 'fused' || Graph.subgraphsOf(node).length === 0);
}
