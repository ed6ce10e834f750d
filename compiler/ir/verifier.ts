// The IR verifier: checks the invariants every pass must keep, and throws a DlcError naming the first
// broken one with its node and op.
//  - every value is defined once in the whole module (graph input, constant or node output);
//  - every node input is defined before the node: in its graph, or for a nested graph in an enclosing
//    graph before the node that holds it (acyclicity follows from this order);
//  - graph outputs are defined; constants hold data of their declared type;
//  - every op exists, its attributes are those of its schema with defaults applied, of the declared kinds;
//  - inference re-run on each node gives its recorded output types (dtypes equal, ranks equal, concrete
//    dims equal; a symbolic dim on either side matches anything).
import { DlcError } from '../errors.js';
import { inferNode } from '../infer.js';
import '../ops/index.js';
import { getOp, resolveAttrs, type AttrType, type OpDef } from '../ops/registry.js';
import { Graph, formatShape, type AttrValue, type Node, type TensorType, type Value } from './graph.js';
import { Tensor } from './tensor.js';

export function verifyGraph(graph: Graph): void {
  verifyIn(graph, new Visible(undefined), new Set<Value>(), []);
}

/** The values visible at a point: those defined so far in this graph and in the enclosing ones. */
class Visible {
  readonly values = new Set<Value>();

  constructor(private readonly parent: Visible | undefined) {}

  has(v: Value): boolean {
    return this.values.has(v) || (this.parent?.has(v) ?? false);
  }
}

function verifyIn(g: Graph, outer: Visible | undefined, defined: Set<Value>, path: string[]): void {
  const where = [...path, g.name];
  const inGraph = where.length > 1 ? ` (in graph ${where.map((n) => `'${n}'`).join(' > ')})` : '';
  const visible = new Visible(outer);
  const define = (v: Value, what: string, node?: Node) => {
    if (defined.has(v)) throw fail(`${what} '${v.name}' is defined a second time${inGraph}`, node);
    defined.add(v);
    visible.values.add(v);
  };

  for (const v of g.inputs) define(v, 'graph input');
  for (const c of g.constants) {
    define(c, 'constant');
    if (!c.data) throw fail(`constant '${c.name}' has no data${inGraph}`);
    const t = c.data;
    if (t.dtype !== c.type.dtype || !sameDims(t.shape, c.type.shape)) {
      throw fail(`constant '${c.name}' is declared ${describe(c.type)} but holds ${t.dtype}${formatShape(t.shape)}${inGraph}`);
    }
  }

  for (const node of g.nodes) {
    let def: OpDef;
    try {
      def = getOp(node.op);
    } catch (e) {
      throw fail(`${(e as Error).message}${inGraph}`, node);
    }
    verifyAttrs(node, def, inGraph);
    node.inputs.forEach((v, i) => {
      if (v && !visible.has(v)) {
        const hint = v.isConst ? ', a constant that no graph lists' : '';
        throw fail(`input ${i} ('${v.name}'${hint}) is not defined before the node${inGraph}`, node);
      }
    });
    for (const sub of Graph.subgraphsOf(node)) verifyIn(sub, visible, defined, where);
    for (const o of node.outputs) define(o, 'output', node);
    verifyTypes(node, inGraph);
  }

  g.outputs.forEach((v, i) => {
    if (!visible.has(v)) throw fail(`graph output ${i} ('${v.name}') is not defined${inGraph}`);
  });
}

function verifyAttrs(node: Node, def: OpDef, inGraph: string): void {
  let resolved: Record<string, AttrValue>;
  try {
    resolved = resolveAttrs(def, node.attrs);
  } catch (e) {
    throw fail(`${(e as Error).message}${inGraph}`, node);
  }
  for (const [key, value] of Object.entries(resolved)) {
    if (!(key in node.attrs)) throw fail(`attribute '${key}' is missing (defaults were not applied)${inGraph}`, node);
    const type = def.attrs[key].type;
    if (!hasAttrType(value, type)) throw fail(`attribute '${key}' should be ${ATTR_KINDS[type]}${inGraph}`, node);
  }
}

const ATTR_KINDS: Record<AttrType, string> = {
  int: 'an int', float: 'a float', ints: 'a list of ints', floats: 'a list of floats',
  string: 'a string', strings: 'a list of strings', tensor: 'a tensor', graph: 'a graph',
};

function hasAttrType(v: AttrValue, type: AttrType): boolean {
  switch (type) {
    case 'int': return typeof v === 'number' && Number.isInteger(v);
    case 'float': return typeof v === 'number';
    case 'ints': return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
    case 'floats': return Array.isArray(v) && v.every((x) => typeof x === 'number');
    case 'string': return typeof v === 'string';
    case 'strings': return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'tensor': return v instanceof Tensor;
    case 'graph': return v instanceof Graph;
  }
}

function verifyTypes(node: Node, inGraph: string): void {
  let inferred: TensorType[];
  try {
    inferred = inferNode(node);
  } catch (e) {
    // inferNode's errors already name the node and op; a nested graph's path is added to the message.
    if (e instanceof DlcError && inGraph) throw new DlcError(`${e.message}${inGraph}`, {}, e.exitCode);
    throw e;
  }
  node.outputs.forEach((o, i) => {
    const want = inferred[i];
    if (want.dtype !== o.type.dtype || !sameDims(want.shape, o.type.shape)) {
      throw fail(`output ${i} ('${o.name}') is recorded as ${describe(o.type)} but infers as ${describe(want)}${inGraph}`, node);
    }
  });
}

/** Same rank and equal concrete dims; a symbolic dim on either side matches anything. */
function sameDims(a: readonly (number | string)[], b: readonly (number | string)[]): boolean {
  return a.length === b.length && a.every((d, i) => typeof d !== 'number' || typeof b[i] !== 'number' || d === b[i]);
}

function describe(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

function fail(message: string, node?: Node): DlcError {
  return new DlcError(message, node ? { node: node.name, op: node.op } : {});
}
