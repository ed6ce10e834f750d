// A dlc IR graph as a network accuracy/train can train: one trainer layer per node (backward.ts's rules) in
// a Sequential, the graph's f32 weight constants as Params initialized from their data. writeBack gives
// the graph with the trained values: the same nodes, values and names, new constant data.
import type { Param } from '../../accuracy/train/layer.js';
import { Sequential } from '../../accuracy/train/network.js';
import { DlcError } from '../../compiler/errors.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { sizeOf, Tensor } from '../../compiler/ir/tensor.js';
import { cloneGraph } from '../../passes/graph-edit.js';
import { BACKWARD_RULES, trainedNodes, unsupportedNode } from './backward.js';

export class GraphNetwork {
  readonly net: Sequential;
  /** Logits per sample: the size of the last trained node's output. */
  readonly classes: number;
  /** The trained constants' Params, by the name of the constant value each came from. */
  readonly params: ReadonlyMap<string, Param>;

  constructor(private readonly graph: Graph) {
    const unsupported = unsupportedNode(graph);
    if (unsupported) throw new DlcError(`cannot be retrained: ${unsupported.reason}`, { node: unsupported.node, op: unsupported.op });
    const nodes = trainedNodes(graph);
    if (nodes.length === 0) throw new DlcError(`graph '${graph.name}' has no node to train`);
    const layers = nodes.map((node) => {
      const layer = BACKWARD_RULES[node.op].layer(node);
      // The rules' layers must compute what the node does, element for element.
      if (layer.outSize !== sizeOf(node.outputs[0].type.shape as number[])) throw new Error(`${node.op} node '${node.name}': its layer gives ${layer.outSize} values, the node ${node.outputs[0].type.shape}`);
      return layer;
    });
    this.net = new Sequential(layers);
    this.classes = this.net.outSize;
    this.params = new Map(this.net.params.map((p) => [p.name, p]));
    // writeBack finds each Param's constant by name among those the graph owns.
    for (const name of this.params.keys()) {
      const owners = graph.constants.filter((v) => v.name === name).length;
      if (owners !== 1) throw new DlcError(`graph '${graph.name}' owns ${owners} constants named '${name}', not one`);
    }
  }

  /** Values per sample of the graph's input. */
  get inSize(): number {
    return this.net.inSize;
  }

  /** A copy of the graph whose trained constants hold the Params' current values. */
  writeBack(): Graph {
    const copy = cloneGraph(this.graph);
    for (const v of copy.constants) {
      const p = this.params.get(v.name);
      if (p) v.data = new Tensor('f32', p.shape, p.value.slice());
    }
    return copy;
  }
}
