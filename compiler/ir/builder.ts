// Appends canonical nodes to a graph, inferring each node's output types as it is added.
import { makeNode } from '../infer.js';
import type { ImportBuilder } from '../ops/registry.js';
import { Graph, Value, type Attrs } from './graph.js';
import type { Tensor } from './tensor.js';

export class GraphBuilder implements ImportBuilder {
  readonly graph: Graph;
  private counter = 0;
  /** Prefix of generated node and value names (the ONNX node being imported, say). */
  scope = '';

  constructor(graph: Graph) {
    this.graph = graph;
  }

  freshName(hint: string): string {
    return `${this.scope}${hint}_${this.counter++}`;
  }

  emit(op: string, inputs: (Value | null)[], attrs: Attrs = {}, numOutputs?: number): Value[] {
    const node = makeNode(op, inputs, attrs, this.freshName(op), numOutputs, (_, t) => new Value(this.freshName(op), t));
    this.graph.nodes.push(node);
    return node.outputs;
  }

  constant(t: Tensor): Value {
    const v = new Value(this.freshName('const'), { dtype: t.dtype, shape: [...t.shape] }, t);
    this.graph.constants.push(v);
    return v;
  }
}
