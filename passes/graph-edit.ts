// Graph editing shared by the passes: cloning (passes are pure, so each edits its own copy), use
// replacement, fresh names, type refinement after folding, and a structural signature for fixpoints.
import { DlcError } from '../compiler/errors.js';
import { inferNode } from '../compiler/infer.js';
import { Graph, Value, type AttrValue, type Attrs, type Dim, type Node, type TensorType } from '../compiler/ir/graph.js';

/**
 * A deep copy of the graph structure: new graphs, nodes and values (tensor data is shared, it is never
 * mutated). Values of enclosing scopes that a subgraph reads map to their copies, so captures stay wired.
 */
export function cloneGraph(graph: Graph): Graph {
  return cloneWith(graph, new Map());
}

/**
 * A copy of a nested graph placed in another scope: it reads `reads.get(v)` where the original read an
 * outer value `v` that `reads` maps, and every other outer value as it is (unlike cloneGraph, which copies
 * the outer scopes along).
 */
export function cloneGraphReading(graph: Graph, reads: ReadonlyMap<Value, Value>): Graph {
  const defined = valuesDefined(graph);
  const map = new Map<Value, Value>();
  for (const v of valuesRead(graph)) if (!defined.has(v)) map.set(v, reads.get(v) ?? v);
  return cloneWith(graph, map);
}

/** Every value a graph defines: its inputs, constants and node outputs, nested subgraphs included. */
function valuesDefined(graph: Graph): Set<Value> {
  const defined = new Set<Value>([...graph.inputs, ...graph.constants]);
  for (const n of graph.nodes) {
    for (const v of n.outputs) defined.add(v);
    for (const sg of Graph.subgraphsOf(n)) for (const v of valuesDefined(sg)) defined.add(v);
  }
  return defined;
}

function cloneWith(g: Graph, map: Map<Value, Value>): Graph {
  const copy = (v: Value): Value => {
    let c = map.get(v);
    if (!c) {
      c = new Value(v.name, copyType(v.type), v.data);
      map.set(v, c);
    }
    return c;
  };
  const inputs = g.inputs.map(copy);
  const constants = g.constants.map(copy);
  const nodes = g.nodes.map((n): Node => ({
    op: n.op,
    name: n.name,
    inputs: n.inputs.map((v) => (v ? copy(v) : null)),
    outputs: n.outputs.map(copy),
    attrs: cloneAttrs(n.attrs, map),
  }));
  const clone = new Graph(g.name, inputs, g.outputs.map(copy), nodes, constants);
  clone.specialized = [...g.specialized];
  return clone;
}

function cloneAttrs(attrs: Attrs, map: Map<Value, Value>): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = cloneAttr(v, map);
  return out;
}

function cloneAttr(v: AttrValue, map: Map<Value, Value>): AttrValue {
  if (v instanceof Graph) return cloneWith(v, map);
  return Array.isArray(v) ? ([...v] as AttrValue) : v;
}

export function copyType(t: TensorType): TensorType {
  return { dtype: t.dtype, shape: [...t.shape] };
}

/**
 * Replaces every read of a key of `replacements` by its value, in `graph`'s nodes and outputs and in the
 * nodes of every nested subgraph (which may capture it).
 */
export function replaceUses(graph: Graph, replacements: ReadonlyMap<Value, Value>): void {
  if (replacements.size === 0) return;
  for (const n of graph.nodes) {
    n.inputs = n.inputs.map((v) => (v ? (replacements.get(v) ?? v) : null));
    for (const sg of Graph.subgraphsOf(n)) replaceUses(sg, replacements);
  }
  graph.outputs = graph.outputs.map((v) => replacements.get(v) ?? v);
}

/** Every value that a graph's nodes (nested subgraphs included) read, and its outputs. */
export function valuesRead(graph: Graph): Set<Value> {
  const reads = new Set<Value>(graph.outputs);
  for (const n of graph.nodes) {
    for (const v of n.inputs) if (v) reads.add(v);
    for (const sg of Graph.subgraphsOf(n)) for (const v of valuesRead(sg)) reads.add(v);
  }
  return reads;
}

/** Hands out value and node names not yet used anywhere in a graph (subgraphs included, but for `skip`). */
export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(graph: Graph, private readonly skip?: Graph) {
    this.collect(graph);
  }

  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.used.has(name); k++) name = `${hint}_${k}`;
    this.used.add(name);
    return name;
  }

  private collect(g: Graph): void {
    if (g === this.skip) return;
    for (const v of [...g.inputs, ...g.constants, ...g.outputs]) this.used.add(v.name);
    for (const n of g.nodes) {
      this.used.add(n.name);
      for (const v of n.outputs) this.used.add(v.name);
      for (const sg of Graph.subgraphsOf(n)) this.collect(sg);
    }
  }
}

/**
 * Re-infers every node's output types in topological order and keeps what got more precise: a symbolic
 * dim becomes a number where inference now knows it (a Reshape whose shape input was folded to a constant,
 * say). A type that contradicts the old one (other dtype, rank or size) is an error in the model.
 */
export function refineTypes(graph: Graph): void {
  for (const node of graph.nodes) {
    for (const sg of Graph.subgraphsOf(node)) refineTypes(sg);
    const types = inferNode(node);
    node.outputs.forEach((v, i) => (v.type = refinedType(v.type, types[i], node)));
  }
}

function refinedType(old: TensorType, inferred: TensorType, node: Node): TensorType {
  const clash = () =>
    new DlcError(`type ${show(old)} became ${show(inferred)} once constants were folded`, { node: node.name, op: node.op });
  if (old.dtype !== inferred.dtype || old.shape.length !== inferred.shape.length) throw clash();
  const shape = old.shape.map((d, i): Dim => {
    const e = inferred.shape[i];
    if (typeof d === 'number') {
      if (typeof e === 'number' && e !== d) throw clash();
      return d;
    }
    return typeof e === 'number' ? e : d;
  });
  return { dtype: old.dtype, shape };
}

function show(t: TensorType): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}

/**
 * A string that changes whenever the graph's structure or types do: nodes (op, wiring, attributes) and
 * constants, recursively. Values are numbered by first appearance, so clones of a graph share a signature.
 */
export function graphSignature(graph: Graph): string {
  const ids = new Map<Value, number>();
  const id = (v: Value | null): string => {
    if (!v) return '-';
    let k = ids.get(v);
    if (k === undefined) {
      k = ids.size;
      ids.set(v, k);
    }
    return `%${k}`;
  };
  const parts: string[] = [];
  const walk = (g: Graph): void => {
    parts.push(`graph(${g.inputs.map(id).join(',')}) consts(${g.constants.map(id).join(',')})`);
    for (const n of g.nodes) {
      const attrs = Object.entries(n.attrs)
        .map(([k, a]) => `${k}=${a instanceof Graph ? 'graph' : Array.isArray(a) || typeof a !== 'object' ? String(a) : 'tensor'}`)
        .join(' ');
      const types = n.outputs.map((v) => `${id(v)}:${show(v.type)}`).join(',');
      parts.push(`${types}=${n.op}(${n.inputs.map(id).join(',')}){${attrs}}`);
      for (const sg of Graph.subgraphsOf(n)) walk(sg);
    }
    parts.push(`return(${g.outputs.map(id).join(',')})`);
  };
  walk(graph);
  return parts.join('\n');
}
