// Which graph inputs decide shapes through their values (TensorRT's shape tensors), and why a graph's shapes
// are not all static. Every value carries two sets of graph inputs: those its value depends on, and those
// its shape depends on. A node's output shape depends on the shapes of all its inputs and on the values of
// its shape operands (the registry's `shapeOperands`); its value depends on the values of all its inputs and
// on its own shape. A value known at compile time (a constant, or Shape of a concrete shape) depends on
// nothing, which keeps an image input that only reaches a Reshape through Shape out of the shape inputs.
import { DlcError } from './errors.js';
import { knownValue } from './infer.js';
import { Graph, capturedValues, formatShape, isConcreteShape, type Node, type Value } from './ir/graph.js';
import { getOp, hasOp } from './ops/registry.js';
import { checkRunTimeSizedConsumers, runTimeSizedValues } from './run-time-dims.js';

interface Dependence {
  value: ReadonlySet<Value>;
  shape: ReadonlySet<Value>;
}

const NOTHING: Dependence = { value: new Set(), shape: new Set() };

interface Analysis {
  deps: Map<Value, Dependence>;
  /** Each graph input that reaches a shape operand, with the first node whose operand it reaches. */
  setsShapeOf: Map<Value, Node>;
}

function analyze(graph: Graph): Analysis {
  const a: Analysis = { deps: new Map(), setsShapeOf: new Map() };
  for (const x of graph.inputs) a.deps.set(x, { value: new Set([x]), shape: new Set() });
  propagate(graph, a);
  return a;
}

/** Propagates dependence through `g`'s nodes; returns the inputs that some shape inside `g` depends on. */
function propagate(g: Graph, a: Analysis): Set<Value> {
  const of = (v: Value | null | undefined): Dependence => (v && a.deps.get(v)) || NOTHING;
  const shapesInside = new Set<Value>();
  for (const node of g.nodes) {
    const value = new Set<Value>();
    const shape = new Set<Value>();
    for (const v of node.inputs) {
      for (const x of of(v).value) value.add(x);
      for (const x of of(v).shape) shape.add(x);
    }
    for (const i of hasOp(node.op) ? (getOp(node.op).shapeOperands ?? []) : []) {
      for (const x of of(node.inputs[i]).value) {
        shape.add(x);
        if (!a.setsShapeOf.has(x)) a.setsShapeOf.set(x, node);
      }
    }
    for (const body of Graph.subgraphsOf(node)) {
      for (const v of capturedValues(body)) for (const x of of(v).value) value.add(x);
      // Loop and Scan feed body input k from node input k (Loop's iteration number counts up to its trip
      // count M); values a body passes from one iteration to the next are not followed.
      body.inputs.forEach((v, k) => a.deps.set(v, { value: of(node.inputs[k]).value, shape: new Set() }));
      for (const x of propagate(body, a)) shape.add(x);
    }
    for (const x of shape) value.add(x);
    for (const out of node.outputs) a.deps.set(out, knownValue(out) ? NOTHING : { value, shape });
    for (const x of shape) shapesInside.add(x);
  }
  return shapesInside;
}

/** The graph inputs whose values decide some shape, each with the first node whose shape it sets, in input order. */
export function shapeInputs(graph: Graph): Map<Value, Node> {
  const { setsShapeOf } = analyze(graph);
  return new Map(graph.inputs.filter((x) => setsShapeOf.has(x)).map((x) => [x, setsShapeOf.get(x)!]));
}

/**
 * Refuses a graph whose shapes are not all concrete (every target bakes shapes into its kernels), naming the
 * cause at the first node that makes a shape symbolic: an input whose value sets that shape and was not
 * given, or an output whose size depends on data (NonZero, Compress, Unique) without a bound. An output whose
 * size depends on data but has a bound (compiler/run-time-dims.ts) is accepted where nothing reads it.
 */
export function checkStaticShapes(graph: Graph, file?: string): void {
  checkRunTimeSizedConsumers(graph, file);
  const origin = symbolicOrigin(graph, runTimeSizedValues(graph));
  if (!origin) return;
  const { deps } = analyze(graph);
  const out = origin.outputs.find((o) => !isConcreteShape(o.type.shape))!;
  const operands = (hasOp(origin.op) ? (getOp(origin.op).shapeOperands ?? []) : []).map((i) => origin.inputs[i]);
  const input = graph.inputs.find((x) => operands.some((v) => v && deps.get(v)?.value.has(x)));
  if (input) {
    throw new DlcError(`input '${input.name}' sets the shape of node '${origin.name}' (op ${origin.op}); give its value with --input-value ${input.name}=...`, { file });
  }
  if (origin.op === 'if') {
    // Both arms are compiled and either may run: the If's output is one buffer of one shape.
    const i = origin.outputs.indexOf(out);
    const [a, b] = (['then_branch', 'else_branch'] as const).map((arm) => formatShape((origin.attrs[arm] as Graph).outputs[i].type.shape));
    throw new DlcError(`output '${out.name}' is ${a} in then_branch and ${b} in else_branch; both arms of a run-time If must give the same shape`, { file, node: origin.name, op: origin.op });
  }
  throw new DlcError(
    `output '${out.name}' has shape ${formatShape(out.type.shape)}, known only at run time (it depends on data); dlc compiles static shapes only`,
    { file, node: origin.name, op: origin.op },
  );
}

/** The first node with a symbolic output; inside a fused group, the body's node that makes it symbolic. */
function symbolicOrigin(g: Graph, runTimeSized: ReadonlyMap<Value, number>): Node | undefined {
  const node = g.nodes.find((n) => n.outputs.some((o) => !isConcreteShape(o.type.shape) && !runTimeSized.has(o)));
  if (node?.op !== 'fused') return node;
  return Graph.subgraphsOf(node).map((body) => symbolicOrigin(body, runTimeSizedValues(body))).find((n) => n !== undefined) ?? node;
}
