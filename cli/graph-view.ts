// The main graph as `dlc inspect --format dot|html` draws it: inputs, outputs and op nodes (a fused node
// opened into its member nodes, gathered in a group that is its kernel), edges carrying each value's type,
// and per node what a panel shows (attributes, constants, the bytes of what it reads and writes).
// Constants are folded into the node that reads them; control-flow bodies are summarised, not opened.
import { byteSize } from '../compiler/ir/dtype.js';
import { Graph, type AttrValue, type Node, type Value } from '../compiler/ir/graph.js';
import { formatType } from '../compiler/ir/printer.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { concatsInPlace } from '../compiler/concat-in-place.js';
import { describeFusedGroup } from '../compiler/kernel-groups.js';
import { kernelOf } from '../compiler/kernel-list.js';
import type { TargetLimits } from '../compiler/target-info.js';

export interface ViewValue {
  name: string;
  /** `f32[1,8,32,32]`. */
  type: string;
  /** Undefined while a dim is symbolic. */
  bytes?: number;
}

export interface ViewNode {
  /** Unique in the view: in0…, n0…, n0_1… (a fused node's members), out0…. */
  id: string;
  kind: 'input' | 'output' | 'op';
  /** The node's name (an input's or output's: the value's). */
  name: string;
  /** The op; for inputs and outputs, the value's type. */
  op: string;
  /**
   * The kernel's name when this node is a kernel of its own; absent in a group and for nodes that launch no
   * kernel (metadata ops relabel a buffer; control flow runs on the host).
   */
  kernel?: string;
  /** The group (fused kernel) the node belongs to. */
  group?: string;
  attrs: Record<string, string>;
  inputs: ViewValue[];
  outputs: ViewValue[];
  /** Constant inputs, also in `inputs`: folded into the node rather than drawn. */
  constants: number;
  /** Nodes in its control-flow bodies. */
  bodyNodes?: number;
}

export interface ViewEdge {
  from: string;
  to: string;
  value: ViewValue;
}

/** A fused node: one kernel computing several nodes. */
export interface ViewGroup {
  id: string;
  /** The kernel's name (its manifest's and a profile's). */
  kernel: string;
  /** The fused node's name in the graph. */
  node: string;
  members: string[];
}

export interface GraphView {
  name: string;
  nodes: ViewNode[];
  edges: ViewEdge[];
  groups: ViewGroup[];
}

/** The view of `graph`, kernels named as they are on a target with `limits` (compiler/kernel-list.ts). */
export function buildGraphView(graph: Graph, limits?: TargetLimits): GraphView {
  const view: GraphView = { name: graph.name, nodes: [], edges: [], groups: [] };
  const source = new Map<Value, string>();
  const addEdges = (node: ViewNode, inputs: readonly (Value | null)[]) => {
    for (const v of inputs) {
      const from = v && !v.isConst ? source.get(v) : undefined;
      if (from) view.edges.push({ from, to: node.id, value: viewValue(v!) });
    }
  };
  graph.inputs.forEach((v, i) => {
    source.set(v, `in${i}`);
    view.nodes.push({ id: `in${i}`, kind: 'input', name: v.name, op: formatType(v.type), attrs: {}, inputs: [], outputs: [viewValue(v)], constants: 0 });
  });
  // A concat its pieces' producers write in place launches no kernel on targets that do so.
  const inPlace = limits?.concatInPlace ? concatsInPlace(graph) : undefined;
  graph.nodes.forEach((node, i) => {
    const kernel = inPlace?.has(node) ? undefined : kernelOf(node, limits);
    if (node.op !== 'fused') {
      const n = opNode(`n${i}`, node);
      if (kernel) n.kernel = kernel.name;
      view.nodes.push(n);
      addEdges(n, node.inputs);
      for (const o of node.outputs) source.set(o, n.id);
      return;
    }
    const group: ViewGroup = { id: `g${i}`, kernel: kernel!.name, node: node.name, members: [] };
    view.groups.push(group);
    describeFusedGroup(node).nodes.forEach((member, j) => {
      const n = { ...opNode(`n${i}_${j}`, member), group: group.id };
      group.members.push(n.id);
      view.nodes.push(n);
      addEdges(n, member.inputs);
      for (const o of member.outputs) source.set(o, n.id);
    });
  });
  graph.outputs.forEach((v, i) => {
    const n: ViewNode = { id: `out${i}`, kind: 'output', name: v.name, op: formatType(v.type), attrs: {}, inputs: [viewValue(v)], outputs: [], constants: 0 };
    view.nodes.push(n);
    addEdges(n, [v]);
  });
  return view;
}

function opNode(id: string, node: Node): ViewNode {
  const attrs: Record<string, string> = {};
  for (const [key, a] of Object.entries(node.attrs)) attrs[key] = formatAttr(a);
  const bodyNodes = Graph.subgraphsOf(node).reduce((n, g) => n + [...g.allNodes()].length, 0);
  return {
    id,
    kind: 'op',
    name: node.name,
    op: node.op,
    attrs,
    inputs: node.inputs.filter((v): v is Value => v !== null).map(viewValue),
    outputs: node.outputs.map(viewValue),
    constants: node.inputs.filter((v) => v?.isConst).length,
    ...(bodyNodes ? { bodyNodes } : {}),
  };
}

function viewValue(v: Value): ViewValue {
  const n = v.type.shape.reduce<number | undefined>((a, d) => (a === undefined || typeof d !== 'number' ? undefined : a * d), 1);
  return { name: v.name, type: `${v.isConst ? 'const ' : ''}${formatType(v.type)}`, ...(n === undefined ? {} : { bytes: n * byteSize(v.type.dtype) }) };
}

function formatAttr(a: AttrValue): string {
  if (a instanceof Graph) return `graph @${a.name} (${[...a.allNodes()].length} nodes)`;
  if (a instanceof Tensor) return `tensor ${formatType({ dtype: a.dtype, shape: a.shape })}${a.data.length <= 8 ? ` ${JSON.stringify(Array.from(a.data, Number))}` : ''}`;
  return JSON.stringify(a);
}
