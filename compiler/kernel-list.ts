// The kernels a graph becomes, one entry per kernel in run order, named as a compiled artifact names them: its
// manifest's signature lists each kernel by the node codegen generated it from (codegen/lower.ts), and a
// profile of a run can only name kernels that way. `dlc inspect --json` reports this list, and the graph view
// colours kernels by a profile keyed on these names.
import { isKernel } from './analysis.js';
import { Graph, type Node } from './ir/graph.js';
import { describeFusedGroup, kernelFormOf, kernelNodeOf } from './kernel-groups.js';
import { PORTABLE_LIMITS, type TargetLimits } from './target-info.js';

export interface KernelInfo {
  /** The kernel's name: its manifest's (signature.kernels[].node) and a profile's. */
  name: string;
  /** The graph node that is this kernel: a `fused` node for a group, else the same as `name`. */
  node: string;
  /** The ops it computes, in order (a fused group's members; one op otherwise). */
  ops: string[];
}

/**
 * Every kernel of `graph` in run order, subgraphs' too (as analyzeGraph counts them). A fused group is named
 * after the node its kernel is generated from within `limits` (the target's; without one, the limits fuse-ops
 * used): the anchor when the group is one anchored kernel, else its last node.
 */
export function listKernels(graph: Graph, limits: TargetLimits = PORTABLE_LIMITS): KernelInfo[] {
  const kernels: KernelInfo[] = [];
  const visit = (g: Graph) => {
    for (const node of g.nodes) {
      const kernel = kernelOf(node, limits);
      if (kernel) kernels.push(kernel);
      else for (const sg of Graph.subgraphsOf(node)) visit(sg);
    }
  };
  visit(graph);
  return kernels;
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
