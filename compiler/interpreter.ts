// The reference interpreter: runs a graph node by node through each op's reference implementation.
// It is the definition every optimization and target is checked against.
import { DlcError, withContext } from './errors.js';
import { Graph, type Node, type Value } from './ir/graph.js';
import type { Tensor } from './ir/tensor.js';
import { getOp, type RefContext } from './ops/registry.js';

export interface InterpretOptions {
  /** Check that every computed tensor matches its value's inferred dtype and concrete dims. */
  checkTypes?: boolean;
  /** Sees every value a node computes, as it is computed (calibration collects statistics this way). */
  observe?: (v: Value, t: Tensor) => void;
}

/** Values computed so far; nested graphs see their enclosing scopes. */
export class Scope {
  private readonly values = new Map<Value, Tensor>();

  constructor(private readonly parent?: Scope) {}

  get(v: Value): Tensor {
    if (v.data) return v.data;
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const t = s.values.get(v);
      if (t) return t;
    }
    throw new DlcError(`value '${v.name}' is read before it is computed`);
  }

  set(v: Value, t: Tensor): void {
    this.values.set(v, t);
  }
}

/** Runs `graph` on inputs given by name; returns its outputs by name. */
export function interpret(graph: Graph, feeds: Record<string, Tensor>, options: InterpretOptions = {}): Record<string, Tensor> {
  const inputs = graph.inputs.map((v) => {
    const t = feeds[v.name];
    if (!t) throw new DlcError(`missing input '${v.name}'`);
    return t;
  });
  const outs = runGraph(graph, inputs, undefined, options);
  const result: Record<string, Tensor> = {};
  graph.outputs.forEach((v, i) => (result[v.name] = outs[i]));
  return result;
}

export function runGraph(graph: Graph, inputs: readonly Tensor[], parent: Scope | undefined, options: InterpretOptions): Tensor[] {
  if (inputs.length !== graph.inputs.length) {
    throw new DlcError(`graph '${graph.name}' takes ${graph.inputs.length} inputs, got ${inputs.length}`);
  }
  const scope = new Scope(parent);
  graph.inputs.forEach((v, i) => scope.set(v, inputs[i]));
  for (const node of graph.nodes) runNode(node, scope, options);
  return graph.outputs.map((v) => scope.get(v));
}

function runNode(node: Node, scope: Scope, options: InterpretOptions): void {
  try {
    const def = getOp(node.op);
    const args = node.inputs.map((v) => (v ? scope.get(v) : null));
    const ctx: RefContext = {
      numOutputs: node.outputs.length,
      runGraph: (g, ins) => runGraph(g, ins, scope, options),
    };
    const results = def.ref(args, node.attrs, ctx);
    if (results.length < node.outputs.length) {
      throw new DlcError(`reference implementation returned ${results.length} outputs, expected ${node.outputs.length}`);
    }
    node.outputs.forEach((v, i) => {
      if (options.checkTypes) checkAgainstType(v, results[i]);
      scope.set(v, results[i]);
      options.observe?.(v, results[i]);
    });
  } catch (e) {
    withContext(e, { node: node.name, op: node.op });
  }
}

function checkAgainstType(v: Value, t: Tensor): void {
  const want = v.type;
  const ok =
    want.dtype === t.dtype &&
    want.shape.length === t.shape.length &&
    want.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
  if (!ok) {
    throw new DlcError(`inferred ${want.dtype}[${want.shape}] for '${v.name}' but computed ${t.dtype}[${t.shape}]`);
  }
}
