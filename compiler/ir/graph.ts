// The graph IR: typed values, nodes of canonical ops, graphs (which nest for If/Loop/Scan bodies).
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

/** A dimension: a number once concrete, a name while symbolic ('N', '?nonzero_3' for data-dependent sizes). */
export type Dim = number | string;

export interface TensorType {
  dtype: DType;
  shape: Dim[];
  /**
   * Set by codegen (compiler/run-time-dims.ts) on an output whose extent along this dim depends on data
   * (NonZero, Compress, Unique, NonMaxSuppression): `shape` then holds the compile-time bound of that dim.
   */
  runTimeDim?: number;
}

export class Value {
  name: string;
  type: TensorType;
  /** Compile-time data: set for initializers, Constant nodes and folded results. */
  data?: Tensor;

  constructor(name: string, type: TensorType, data?: Tensor) {
    this.name = name;
    this.type = type;
    this.data = data;
  }

  get isConst(): boolean {
    return this.data !== undefined;
  }
}

export type AttrValue = number | string | number[] | string[] | Tensor | Graph;
export type Attrs = Record<string, AttrValue>;

export interface Node {
  op: string;
  /** `null` is an omitted optional input. */
  inputs: (Value | null)[];
  outputs: Value[];
  attrs: Attrs;
  name: string;
}

/** A graph input fixed at compile time to a value (TensorRT's shape tensors): a constant replaces it. */
export interface SpecializedInput {
  name: string;
  value: Tensor;
}

export class Graph {
  name: string;
  inputs: Value[];
  outputs: Value[];
  /** In topological order. */
  nodes: Node[];
  /** Constant values this graph owns (initializers and folded constants). */
  constants: Value[];
  /** Inputs of the model that import replaced by constants of given values, in declaration order (main graph). */
  specialized: SpecializedInput[] = [];

  constructor(name: string, inputs: Value[] = [], outputs: Value[] = [], nodes: Node[] = [], constants: Value[] = []) {
    this.name = name;
    this.inputs = inputs;
    this.outputs = outputs;
    this.nodes = nodes;
    this.constants = constants;
  }

  /** Nested graphs held in node attributes (If branches, Loop/Scan bodies). */
  static subgraphsOf(node: Node): Graph[] {
    return Object.values(node.attrs).filter((a): a is Graph => a instanceof Graph);
  }

  /** Every node of this graph and, recursively, of its subgraphs. */
  *allNodes(): Generator<Node> {
    for (const n of this.nodes) {
      yield n;
      for (const g of Graph.subgraphsOf(n)) yield* g.allNodes();
    }
  }

  /** Map from each value to the node that produces it (this graph only). */
  producers(): Map<Value, Node> {
    const m = new Map<Value, Node>();
    for (const n of this.nodes) for (const o of n.outputs) m.set(o, n);
    return m;
  }

  /** Map from each value to the nodes that read it, including reads from inside subgraphs. */
  users(): Map<Value, Node[]> {
    const m = new Map<Value, Node[]>();
    const add = (v: Value, n: Node) => {
      const l = m.get(v);
      if (l) l.push(n);
      else m.set(v, [n]);
    };
    for (const n of this.nodes) {
      for (const i of n.inputs) if (i) add(i, n);
      for (const g of Graph.subgraphsOf(n)) for (const v of capturedValues(g)) add(v, n);
    }
    return m;
  }
}

/** Values a graph reads that it neither defines nor receives as inputs: its captures from outer scopes. */
export function capturedValues(g: Graph): Set<Value> {
  const defined = new Set<Value>([...g.inputs, ...g.constants]);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  const captured = new Set<Value>();
  for (const n of g.nodes) {
    for (const i of n.inputs) if (i && !defined.has(i) && !i.isConst) captured.add(i);
    for (const sg of Graph.subgraphsOf(n)) for (const v of capturedValues(sg)) if (!defined.has(v)) captured.add(v);
  }
  for (const o of g.outputs) if (!defined.has(o) && !o.isConst) captured.add(o);
  return captured;
}

export function isConcreteShape(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(',')}]`;
}
