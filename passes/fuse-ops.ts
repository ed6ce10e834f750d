// Operator fusion after TVM's FuseOps: nodes are grouped along the post-dominator tree of the dataflow
// graph, driven by each op's kind in the lattice elemwise < broadcast < injective < reduce <
// out-elemwise-fusable < opaque, and every group of two or more nodes becomes one `fused` node whose body
// holds the group (compiler/ops/fused.ts). The rules, for a node n whose immediate post-dominator is p
// (every path from n to a graph output passes through p):
//   - an anchor (conv, matmul, gemm: out-elemwise-fusable) takes p and everything between when every edge
//     on the way is element-wise (the reader's output has n's shape) and every node is at most broadcast:
//     bias add, activation, residual add, clip, per-channel scale become the anchor's epilogue;
//   - an element-wise or broadcast node joins p when the nodes between are at most injective and p is at
//     most injective or a reduction (a reduction's prologue); reductions end a group (nothing follows them);
//   - an injective node (transpose, slice, concat…) joins p when everything on the way is injective, in a
//     second phase, so that anchors have claimed their epilogues first.
// Fusion is decided here once: a merge happens only when the merged group is still one kernel on the target
// (compiler/kernel-groups.ts: an anchor with its element-wise epilogue, or element-wise nodes, within the
// target's binding and epilogue limits from the pass context), so codegen lowers every `fused` node as one
// kernel and never re-partitions. Without a target the limits every target meets apply.
// Opaque nodes, nodes with several outputs and control flow never join a group. The nested graphs of control
// flow (If branches, Loop/Scan bodies) fuse by the same rules, each on its own: an arm is lowered kernel by
// kernel like the main graph (codegen/lower.ts), so its conv + relu is one kernel there too. Within a nested
// graph, a value it reads from an enclosing scope is like a graph input (it has no producer there, and a group
// reading it takes it as an input), and its outputs are like graph outputs. A fused node's body is a group
// already and is never fused again.
import { Graph, Value, type Node } from '../compiler/ir/graph.js';
import { groupOf, kernelFormOf } from '../compiler/kernel-groups.js';
import '../compiler/ops/index.js';
import { FUSION_ORDER, getOp, type FusionKind } from '../compiler/ops/registry.js';
import { PORTABLE_LIMITS, type TargetLimits } from '../compiler/target-info.js';
import { runTimeSizedValues } from '../compiler/run-time-dims.js';
import { cloneGraph, copyType, NameAllocator } from './graph-edit.js';
import type { PassInfo } from './manager.js';

export const fuseOpsPass: PassInfo = {
  name: 'fuse-ops',
  description: 'groups anchors with their epilogues, element-wise and injective chains into fused nodes (TVM FuseOps)',
  options: {
    nested: { type: 'bool', default: true, description: 'fuse inside If branches and Loop/Scan bodies too (false: their nodes stay one kernel each)' },
  },
  create: (options) => (graph, ctx) => fuseOps(graph, ctx.target?.limits ?? PORTABLE_LIMITS, { nested: options.nested as boolean }),
};

const rank = (k: FusionKind) => FUSION_ORDER.indexOf(k);
const combine = (a: FusionKind, b: FusionKind): FusionKind => (rank(a) >= rank(b) ? a : b);
const atMost = (k: FusionKind, bound: FusionKind) => rank(k) <= rank(bound);

/** A dataflow edge to a reader, with the pattern the reader applies to this value. */
interface Edge {
  to: number;
  pattern: FusionKind;
}

interface DomNode {
  depth: number;
  /** Index of the immediate post-dominator; -1: none (the value reaches a graph output or is unread). */
  parent: number;
  /** The combined pattern of the edges from this node to its post-dominator. */
  pattern: FusionKind;
}

/** Union-find over node indices; a group's root is its last node in graph order. */
class Groups {
  readonly parent: number[];
  readonly pattern: FusionKind[];

  constructor(kinds: FusionKind[]) {
    this.parent = kinds.map((_, i) => i);
    this.pattern = [...kinds];
  }

  root(i: number): number {
    while (this.parent[i] !== i) i = this.parent[i] = this.parent[this.parent[i]];
    return i;
  }

  /** Merges i's group into `into`'s group (whose root stays the root). */
  merge(i: number, into: number): void {
    const [a, b] = [this.root(i), this.root(into)];
    if (a === b) return;
    this.parent[a] = b;
    this.pattern[b] = combine(this.pattern[a], this.pattern[b]);
  }

  members(i: number, count: number): number[] {
    const r = this.root(i);
    return Array.from({ length: count }, (_, k) => k).filter((k) => this.root(k) === r);
  }
}

/** A node reading or writing a tensor whose size is known only at run time has a kernel of its own (run-time-consumers.ts). */
function kindOf(node: Node, runTimeSized: ReadonlyMap<Value, number>): FusionKind {
  if (node.outputs.length !== 1 || Graph.subgraphsOf(node).length > 0) return 'opaque';
  if ([...node.inputs, ...node.outputs].some((v) => v && runTimeSized.has(v))) return 'opaque';
  return getOp(node.op).kind;
}

function sameShape(a: Value, b: Value): boolean {
  return a.type.shape.length === b.type.shape.length && a.type.shape.every((d, i) => d === b.type.shape[i]);
}

export interface FuseOptions {
  /** Whether the graphs nested in control flow fuse too (true by default). */
  nested?: boolean;
}

export function fuseOps(graph: Graph, limits: TargetLimits = PORTABLE_LIMITS, options: FuseOptions = {}): Graph {
  const g = cloneGraph(graph);
  fuseScope(g, limits, new NameAllocator(g), options.nested ?? true);
  return g;
}

/** Fuses the nodes of `g` in place, after those of the graphs nested in its control-flow nodes when `nested`. */
function fuseScope(g: Graph, limits: TargetLimits, names: NameAllocator, nested: boolean): void {
  for (const node of g.nodes) {
    if (nested && node.op !== 'fused') for (const sg of Graph.subgraphsOf(node)) fuseScope(sg, limits, names, nested);
  }
  const nodes = g.nodes;
  const runTimeSized = runTimeSizedValues(g);
  const kinds = nodes.map((n) => kindOf(n, runTimeSized));
  const index = new Map(nodes.map((n, i) => [n, i]));
  const users = g.users();
  const outputs = new Set(g.outputs);
  // Edges to readers; a graph output (or a value read from nowhere) is an edge to the outside (null).
  const edges: (Edge[] | null)[] = nodes.map((n) => {
    const list: Edge[] = [];
    for (const v of n.outputs) {
      if (outputs.has(v)) return null;
      for (const r of users.get(v) ?? []) {
        const k = kinds[index.get(r)!];
        // A broadcast op whose output has this operand's shape is element-wise along this edge.
        list.push({ to: index.get(r)!, pattern: k === 'broadcast' && sameShape(v, r.outputs[0]) ? 'elemwise' : k });
      }
    }
    return list.length > 0 ? list : null;
  });
  const dom = postDominators(edges);
  const groups = new Groups(kinds);

  /** Every node on a path from src to sink satisfies `ok` (each judged by its group's pattern). */
  const checkPath = (src: number, sink: number, ok: (k: FusionKind, isSink: boolean) => boolean): boolean => {
    const seen = new Set<number>();
    const visit = (i: number): boolean => {
      if (seen.has(i)) return true;
      seen.add(i);
      if (!ok(groups.pattern[groups.root(i)], i === sink)) return false;
      if (i === sink) return true;
      return (edges[i] ?? []).every((e) => visit(e.to));
    };
    return (edges[src] ?? []).every((e) => visit(e.to));
  };

  /** The nodes on every path from src to sink (sink included, src not). */
  const pathNodes = (src: number, sink: number): number[] => {
    const seen = new Set<number>();
    const visit = (i: number) => {
      if (seen.has(i)) return;
      seen.add(i);
      if (i !== sink) for (const e of edges[i] ?? []) visit(e.to);
    };
    for (const e of edges[src] ?? []) visit(e.to);
    return [...seen];
  };

  const commitFuse = (src: number, sink: number): void => {
    const path = [src, ...pathNodes(src, sink)];
    const merged = new Set(path.flatMap((i) => groups.members(i, nodes.length)));
    const members = [...merged].sort((a, b) => a - b).map((i) => nodes[i]);
    if (producedOutside(members, users, outputs) !== 1 || !kernelFormOf(groupOf(members), limits)) return;
    for (const i of path) groups.merge(i, sink);
  };

  for (const phase of [0, 1]) {
    nodes.forEach((_, i) => {
      const own = groups.pattern[groups.root(i)];
      const { parent, pattern } = dom[i];
      if (own === 'opaque' || parent < 0 || groups.root(i) === groups.root(parent)) return;
      if (own === 'out-elemwise-fusable') {
        if (phase === 0 && pattern === 'elemwise' && checkPath(i, parent, (k) => atMost(k, 'broadcast'))) commitFuse(i, parent);
      } else if (atMost(own, 'broadcast')) {
        if (atMost(pattern, 'injective') || pattern === 'reduce') {
          const ok = (k: FusionKind, isSink: boolean) => atMost(k, 'injective') || (isSink && k === 'reduce');
          if (checkPath(i, parent, ok)) commitFuse(i, parent);
        }
      } else if (own === 'injective') {
        if (phase === 1 && checkPath(i, parent, (k) => atMost(k, 'injective'))) commitFuse(i, parent);
      }
      // A reduction ends its group: nothing after it joins.
    });
  }
  materialize(g, groups, names);
}

/**
 * Immediate post-dominators, in reverse graph order (readers come later): a node's post-dominator is the
 * least common ancestor of its readers in the tree built so far (TVM DominatorTree).
 */
function postDominators(edges: (Edge[] | null)[]): DomNode[] {
  const dom: DomNode[] = edges.map(() => ({ depth: 0, parent: -1, pattern: 'elemwise' }));
  for (let i = edges.length - 1; i >= 0; i--) {
    const out = edges[i];
    if (!out) {
      dom[i] = { depth: 1, parent: -1, pattern: 'opaque' };
      continue;
    }
    let pattern: FusionKind = 'elemwise';
    let lca: number | undefined;
    for (const e of out) {
      pattern = combine(pattern, e.pattern);
      if (lca === undefined) {
        lca = e.to;
        continue;
      }
      // Climb the deeper side until both meet, combining the patterns of the edges climbed.
      let [a, b] = [lca, e.to];
      while (a !== b && a >= 0 && b >= 0) {
        if (dom[a].depth >= dom[b].depth) {
          pattern = combine(pattern, dom[a].pattern);
          a = dom[a].parent;
        } else {
          pattern = combine(pattern, dom[b].pattern);
          b = dom[b].parent;
        }
      }
      lca = a === b ? a : -1;
      if (lca < 0) break;
    }
    const parent = lca ?? -1;
    dom[i] = { depth: parent >= 0 ? dom[parent].depth + 1 : 1, parent, pattern };
  }
  return dom;
}

/** How many of a group's values are read outside it (a group must have exactly one: its output). */
function producedOutside(members: Node[], users: Map<Value, Node[]>, graphOutputs: Set<Value>): number {
  const inside = new Set(members);
  const produced = new Set(members.flatMap((n) => n.outputs));
  return [...produced].filter((v) => graphOutputs.has(v) || (users.get(v) ?? []).some((r) => !inside.has(r))).length;
}

/** Replaces each group of two or more nodes by one `fused` node at its root's place. */
function materialize(g: Graph, groups: Groups, names: NameAllocator): void {
  const byRoot = new Map<number, number[]>();
  g.nodes.forEach((_, i) => {
    const r = groups.root(i);
    const list = byRoot.get(r);
    if (list) list.push(i);
    else byRoot.set(r, [i]);
  });
  const nodes: Node[] = [];
  g.nodes.forEach((node, i) => {
    const members = byRoot.get(groups.root(i))!;
    if (members.length === 1) nodes.push(node);
    else if (groups.root(i) === i) nodes.push(fusedNode(members.map((k) => g.nodes[k]), names));
  });
  g.nodes = nodes;
}

/** One node running `members` (in graph order, the last one's output being the group's only output). */
function fusedNode(members: Node[], names: NameAllocator): Node {
  const root = members[members.length - 1];
  const produced = new Set(members.flatMap((n) => n.outputs));
  const external: Value[] = [];
  for (const n of members) for (const v of n.inputs) if (v && !produced.has(v) && !v.isConst && !external.includes(v)) external.push(v);
  const params = new Map(external.map((v) => [v, new Value(v.name, copyType(v.type))]));
  const result = root.outputs[0];
  const bodyResult = new Value(result.name, copyType(result.type));
  const bodyNodes = members.map((n): Node => ({
    ...n,
    inputs: n.inputs.map((v) => (v ? (params.get(v) ?? v) : null)),
    outputs: n === root ? [bodyResult] : n.outputs,
  }));
  const body = new Graph(names.fresh(`${root.name}_body`), [...params.values()], [bodyResult], bodyNodes);
  return { op: 'fused', name: names.fresh(`${root.name}_fused`), inputs: external, outputs: [result], attrs: { body } };
}
