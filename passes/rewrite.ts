// The rewrite driver: rule lists `[pattern, rewrite]` applied to a fixpoint (MLIR canonicalization
// patterns, tinygrad's PatternMatcher). A pattern matches a node and, through its inputs, the nodes that
// produce them; the rewrite returns replacement values for the matched node's outputs, or undefined to
// decline. The matched node is removed and its uses redirected; other nodes the pattern went through stay,
// and those left without users go with dead-code elimination.
import { makeNode } from '../compiler/infer.js';
import { Graph, Value, isConcreteShape, type Attrs, type Node, type TensorType } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { cloneGraph, copyType, NameAllocator, replaceUses, valuesRead } from './graph-edit.js';

export interface NodePattern {
  /** The op (or any of several ops) the node must have. */
  op: string | readonly string[];
  /** Patterns for the node's first inputs, in order; inputs past the list match anything. */
  inputs?: readonly InputPattern[];
  /** Name under which the matched node is captured in `Match.nodes`. */
  as?: string;
}

/** An input: matched by the node that produces it, or captured as a value (`const` requires compile-time data). */
export type InputPattern = NodePattern | { value: string; const?: boolean } | typeof ANY;

/** Matches any input, present or omitted. */
export const ANY = '_';

export interface Match {
  /** The node the pattern's root matched. */
  root: Node;
  nodes: Record<string, Node>;
  values: Record<string, Value>;
}

export interface Rewriter {
  /** Adds a node (placed before the matched one) and returns its outputs. */
  emit(op: string, inputs: (Value | null)[], attrs?: Attrs, numOutputs?: number): Value[];
  constant(t: Tensor): Value;
  /** Whether anything reads `v` (a node, a subgraph, the graph's outputs). */
  hasUses(v: Value): boolean;
  /** How many reads of `v` there are: one per node input slot, graph output and subgraph that reads it. */
  useCount(v: Value): number;
  /** The node of this graph that computes `v` (undefined for inputs and constants). */
  producerOf(v: Value): Node | undefined;
}

/**
 * Replacement values for each output of the matched node (`null` for an output nothing reads), or
 * undefined when the rule does not apply. The matched node is removed.
 */
export type RewriteFn = (m: Match, rw: Rewriter) => (Value | null)[] | undefined;

export type RewriteRule = readonly [NodePattern, RewriteFn];

export interface RewriteOptions {
  /** Rewrites before the driver stops (guards against rules that undo each other). */
  maxRewrites?: number;
}

/** Applies the rules to a copy of `graph` and its subgraphs until none fires. */
export function applyRewrites(graph: Graph, rules: readonly RewriteRule[], options: RewriteOptions = {}): Graph {
  const g = cloneGraph(graph);
  rewriteGraph(g, rules, new NameAllocator(g), { left: options.maxRewrites ?? 100_000 });
  return g;
}

/** Who produces and who reads each value of one graph; rebuilt after every rewrite. */
interface Index {
  producers: Map<Value, Node>;
  used: Set<Value>;
  counts: Map<Value, number>;
}

function indexGraph(graph: Graph): Index {
  return { producers: graph.producers(), used: valuesRead(graph), counts: readCounts(graph) };
}

function readCounts(graph: Graph): Map<Value, number> {
  const counts = new Map<Value, number>();
  const add = (v: Value) => counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const v of graph.outputs) add(v);
  for (const n of graph.nodes) {
    for (const v of n.inputs) if (v) add(v);
    for (const sg of Graph.subgraphsOf(n)) for (const v of valuesRead(sg)) add(v);
  }
  return counts;
}

/** Sweeps the graph (subgraphs first) until a sweep changes nothing; returns the number of rewrites. */
function rewriteGraph(graph: Graph, rules: readonly RewriteRule[], names: NameAllocator, budget: { left: number }): number {
  let total = 0;
  for (let changed = true; changed && budget.left > 0; ) {
    changed = false;
    for (const node of graph.nodes) for (const sg of Graph.subgraphsOf(node)) total += rewriteGraph(sg, rules, names, budget);
    let index = indexGraph(graph);
    for (let i = 0; i < graph.nodes.length && budget.left > 0; ) {
      if (rules.some(([pattern, rewrite]) => tryRule(graph, i, pattern, rewrite, names, index))) {
        // Position i now holds the first node the rewrite added, or the next node: visit it.
        budget.left--;
        total++;
        changed = true;
        index = indexGraph(graph);
      } else {
        i++;
      }
    }
  }
  return total;
}

function tryRule(graph: Graph, at: number, pattern: NodePattern, rewrite: RewriteFn, names: NameAllocator, index: Index): boolean {
  const root = graph.nodes[at];
  const m: Match = { root, nodes: {}, values: {} };
  if (!matchNode(root, pattern, index.producers, m)) return false;

  const added: Node[] = [];
  const newConstants: Value[] = [];
  const rw: Rewriter = {
    emit: (op, inputs, attrs = {}, numOutputs) => {
      const name = names.fresh(`${root.name}/${op}`);
      const node = makeNode(op, inputs, attrs, name, numOutputs, (k, t) => new Value(names.fresh(`${name}:${k}`), t));
      added.push(node);
      return node.outputs;
    },
    constant: (t) => {
      const v = new Value(names.fresh(`${root.name}/const`), { dtype: t.dtype, shape: [...t.shape] }, t);
      newConstants.push(v);
      return v;
    },
    hasUses: (v) => index.used.has(v),
    useCount: (v) => index.counts.get(v) ?? 0,
    producerOf: (v) => index.producers.get(v),
  };
  const replacements = rewrite(m, rw);
  if (!replacements) return false;
  if (replacements.length !== root.outputs.length) {
    throw new Error(`rewrite of ${root.op} '${root.name}' gave ${replacements.length} values for ${root.outputs.length} outputs`);
  }
  const map = new Map<Value, Value>();
  root.outputs.forEach((out, k) => {
    const r = replacements[k];
    if (r === null) {
      if (index.used.has(out)) throw new Error(`rewrite of ${root.op} '${root.name}' drops output ${k}, which is read`);
      return;
    }
    if (r === out) throw new Error(`rewrite of ${root.op} '${root.name}' replaces output ${k} by itself`);
    checkSameType(root, out.type, r.type);
    map.set(out, r);
  });

  const producers = new Map(index.producers);
  for (const n of added) for (const o of n.outputs) producers.set(o, n);
  if (!keepOutputsComputed(graph, map, producers)) return false;

  graph.nodes.splice(at, 1, ...added);
  graph.constants.push(...newConstants);
  replaceUses(graph, map);
  return true;
}

/**
 * A graph output must stay a value that a node of this graph computes, under the output's name. When a
 * replacement for an output is such a value (and not already an output), the output's Value takes over
 * the replacement's producer slot; otherwise the rewrite is refused. Edits `map` and producers' outputs.
 */
function keepOutputsComputed(graph: Graph, map: Map<Value, Value>, producers: Map<Value, Node>): boolean {
  const outputs = [...map.keys()].filter((v) => graph.outputs.includes(v));
  const targets = outputs.map((o) => map.get(o)!);
  for (const r of targets) {
    if (!producers.has(r) || graph.outputs.includes(r) || targets.indexOf(r) !== targets.lastIndexOf(r)) return false;
  }
  for (const out of outputs) {
    const r = map.get(out)!;
    const producer = producers.get(r)!;
    producer.outputs = producer.outputs.map((o) => (o === r ? out : o));
    out.type = copyType(r.type);
    map.delete(out);
    for (const [k, v] of map) if (v === r) map.set(k, out);
    map.set(r, out);
  }
  return true;
}

function checkSameType(root: Node, want: TensorType, got: TensorType): void {
  const concrete = isConcreteShape(want.shape) && isConcreteShape(got.shape);
  const ok = want.dtype === got.dtype && want.shape.length === got.shape.length && (!concrete || want.shape.every((d, i) => d === got.shape[i]));
  if (!ok) {
    throw new Error(`rewrite of ${root.op} '${root.name}' changes ${want.dtype}[${want.shape}] into ${got.dtype}[${got.shape}]`);
  }
}

function matchNode(node: Node, p: NodePattern, producers: Map<Value, Node>, m: Match): boolean {
  const ops = typeof p.op === 'string' ? [p.op] : p.op;
  if (!ops.includes(node.op)) return false;
  for (let k = 0; k < (p.inputs?.length ?? 0); k++) {
    const ip = p.inputs![k];
    if (ip === ANY) continue;
    const v = node.inputs[k];
    if (!v) return false;
    if ('value' in ip) {
      if (ip.const && !v.isConst) return false;
      const prev = m.values[ip.value];
      if (prev && prev !== v) return false;
      m.values[ip.value] = v;
      continue;
    }
    const producer = producers.get(v);
    if (!producer || !matchNode(producer, ip, producers, m)) return false;
  }
  if (p.as) m.nodes[p.as] = node;
  return true;
}
