// Static statistics of a graph: what `dlc inspect` reports. Counts cover subgraphs (an If branch or a
// Loop body counted once, since trip counts are unknown at compile time). The op histogram counts the graph's
// own nodes; what fused groups hold is counted apart (a conv fused with its relu is one `fused` node, not a
// conv, a relu and a fused node as well).
import { isKernel, listKernels } from './kernel-list.js';
import { byteSize, type DType } from './ir/dtype.js';
import { Graph, type Dim, type Node, type TensorType, type Value } from './ir/graph.js';
import './ops/index.js';
import { getOp, hasOp, type CostContext } from './ops/registry.js';


export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
}

export interface GraphStats {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Op name → number of nodes, outside fused groups (a fused group counts as one `fused` node). */
  ops: Record<string, number>;
  /** Nodes outside fused groups. */
  nodes: number;
  /** Op name → number of nodes inside fused groups' bodies. */
  fusedOps: Record<string, number>;
  /** Elements of all constants. */
  params: number;
  paramBytes: number;
  /** Sum of each kernel's OpDef cost (default: one per output element); metadata ops compute nothing. */
  flops: number;
  /**
   * Peak bytes of live activations over the main graph's node order: a value is live from the step that
   * produces it (graph inputs: from the start) to its last reader (graph outputs: to the end); constants
   * do not count. A node's inputs and outputs are live together at its step.
   */
  peakActivationBytes: number;
  /** Symbolic dims were left out of `flops` and `peakActivationBytes`, which are then lower bounds. */
  /** Kernels code generation emits for the graph as it is (listKernels; inspect lists them for a target). */
  kernels: number;
  symbolic: boolean;
}

export function analyzeGraph(graph: Graph): GraphStats {
  const ops: Record<string, number> = {};
  const fusedOps: Record<string, number> = {};
  let nodes = 0;
  let flops = 0;
  let symbolic = false;
  for (const { node, inFusedBody } of walkNodes(graph, false)) {
    if (inFusedBody) {
      fusedOps[node.op] = (fusedOps[node.op] ?? 0) + 1;
      continue;
    }
    nodes++;
    ops[node.op] = (ops[node.op] ?? 0) + 1;
    if (!isKernel(node)) continue;
    const f = node.op === 'fused' ? bodyFlops(node) : nodeFlops(node);
    if (f === undefined) symbolic = true;
    else flops += f;
  }
  let params = 0;
  let paramBytes = 0;
  for (const c of allConstants(graph)) {
    params += c.data!.size;
    paramBytes += c.data!.size * byteSize(c.type.dtype);
  }
  const peak = peakActivationBytes(graph);
  const histogram = (h: Record<string, number>) => Object.fromEntries(Object.entries(h).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return {
    inputs: graph.inputs.map(info),
    outputs: graph.outputs.map(info),
    ops: histogram(ops),
    nodes,
    fusedOps: histogram(fusedOps),
    kernels: listKernels(graph).length,
    params,
    paramBytes,
    flops,
    peakActivationBytes: peak.bytes,
    symbolic: symbolic || peak.symbolic,
  };
}


/** Every node, in subgraphs too, marked when it sits inside a fused node's body. */
function* walkNodes(g: Graph, inFusedBody: boolean): Generator<{ node: Node; inFusedBody: boolean }> {
  for (const node of g.nodes) {
    yield { node, inFusedBody };
    for (const sg of Graph.subgraphsOf(node)) yield* walkNodes(sg, inFusedBody || node.op === 'fused');
  }
}

function info(v: Value): ValueInfo {
  return { name: v.name, dtype: v.type.dtype, shape: [...v.type.shape] };
}

function allConstants(g: Graph): Value[] {
  const out = [...g.constants];
  for (const n of g.nodes) for (const sg of Graph.subgraphsOf(n)) out.push(...allConstants(sg));
  return out;
}

/** The op's cost estimate (default: one FLOP per output element); undefined when a dim is symbolic. */
export function nodeFlops(node: Node): number | undefined {
  if (!hasOp(node.op)) return undefined;
  const def = getOp(node.op);
  const outputs = node.outputs.map((v) => v.type);
  if (![...outputs, ...node.inputs.map((v) => v?.type)].every((t) => !t || elements(t) !== undefined)) return undefined;
  if (!def.cost) return outputs.reduce((n, t) => n + elements(t)!, 0);
  const ctx: CostContext = { node, attrs: node.attrs, inputs: node.inputs.map((v) => v?.type ?? null), outputs };
  const flops = def.cost(ctx).flops;
  return Number.isFinite(flops) ? flops : undefined;
}

/** A fused node's FLOPs: its body's kernels' (metadata ops in it compute nothing there either). */
function bodyFlops(node: Node): number | undefined {
  let total = 0;
  for (const n of Graph.subgraphsOf(node).flatMap((g) => [...g.allNodes()])) {
    if (!isKernel(n)) continue;
    const f = nodeFlops(n);
    if (f === undefined) return undefined;
    total += f;
  }
  return total;
}

function elements(t: TensorType): number | undefined {
  let n = 1;
  for (const d of t.shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

function valueBytes(v: Value): number | undefined {
  const n = elements(v.type);
  return n === undefined ? undefined : n * byteSize(v.type.dtype);
}

function peakActivationBytes(graph: Graph): { bytes: number; symbolic: boolean } {
  const steps = graph.nodes.length;
  // Live interval [first, last] in node steps; inputs are born at step 0, outputs die at the last step.
  const first = new Map<Value, number>();
  const last = new Map<Value, number>();
  const touch = (v: Value, step: number) => {
    if (v.isConst) return;
    if (!first.has(v)) first.set(v, step);
    last.set(v, Math.max(last.get(v) ?? step, step));
  };
  for (const v of graph.inputs) touch(v, 0);
  graph.nodes.forEach((node, step) => {
    for (const v of node.inputs) if (v) touch(v, step);
    for (const sg of Graph.subgraphsOf(node)) for (const v of outerReads(sg)) touch(v, step);
    for (const v of node.outputs) touch(v, step);
  });
  for (const v of graph.outputs) touch(v, Math.max(steps - 1, 0));
  const span = Math.max(steps, 1);
  const delta = new Array<number>(span + 1).fill(0);
  let symbolic = false;
  for (const [v, start] of first) {
    const bytes = valueBytes(v);
    if (bytes === undefined) {
      symbolic = true;
      continue;
    }
    delta[start] += bytes;
    delta[last.get(v)! + 1] -= bytes;
  }
  let live = 0;
  let peak = 0;
  for (let s = 0; s < span; s++) {
    live += delta[s];
    peak = Math.max(peak, live);
  }
  return { bytes: peak, symbolic };
}

/** Values a subgraph reads from enclosing scopes (they stay live while its node runs). */
function outerReads(g: Graph): Value[] {
  const defined = new Set<Value>([...g.inputs, ...g.constants]);
  for (const n of g.nodes) for (const v of n.outputs) defined.add(v);
  const reads: Value[] = [];
  for (const n of g.nodes) {
    for (const v of n.inputs) if (v && !defined.has(v)) reads.push(v);
    for (const sg of Graph.subgraphsOf(n)) reads.push(...outerReads(sg).filter((v) => !defined.has(v)));
  }
  for (const v of g.outputs) if (!defined.has(v)) reads.push(v);
  return reads;
}
