// Common-subexpression elimination: a node computing the same op with the same attributes on the same
// inputs as an earlier node is redundant; its readers read the earlier node's outputs. Constants with equal
// dtype, shape and data are merged first so that nodes reading equal constants match too.
import { Graph, type AttrValue, type Node, type Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { cloneGraph, replaceUses } from './graph-edit.js';
import type { PassInfo } from './manager.js';

export const eliminateCommonSubexpressionsPass: PassInfo = {
  name: 'eliminate-common-subexpressions',
  description: 'merges equal constants and nodes with the same op, attributes and inputs',
  options: {},
  create: () => (graph) => eliminateCommonSubexpressions(graph),
};

/** ONNX ops whose result is not a function of their inputs: two calls must stay two calls. */
const NONDETERMINISTIC = /^(random_|multinomial|bernoulli)/;

/** Constants up to this many elements are compared by content; bigger ones (weights) rarely repeat. */
const MAX_MERGED_CONSTANT = 4096;

export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const g = cloneGraph(graph);
  cse(g);
  return g;
}

function cse(g: Graph): void {
  const replacements = new Map<Value, Value>();
  const outputs = new Set(g.outputs);
  // A graph output keeps its own Value (its name is the model's interface), so it is never the one dropped.
  const canDrop = (v: Value) => !outputs.has(v);

  const constants = new Map<string, Value>();
  g.constants = g.constants.filter((c) => {
    if (!c.data || c.data.size > MAX_MERGED_CONSTANT || !canDrop(c)) return true;
    const key = tensorKey(c.data);
    const first = constants.get(key);
    if (!first) {
      constants.set(key, c);
      return true;
    }
    replacements.set(c, first);
    return false;
  });
  replaceUses(g, replacements);

  const ids = new Map<Value, number>();
  const id = (v: Value | null) => {
    if (!v) return '_';
    if (!ids.has(v)) ids.set(v, ids.size);
    return String(ids.get(v));
  };
  const seen = new Map<string, Node>();
  const kept: Node[] = [];
  for (const node of g.nodes) {
    node.inputs = node.inputs.map((v) => (v ? (replacements.get(v) ?? v) : null));
    for (const sg of Graph.subgraphsOf(node)) cse(sg);
    const key = nodeKey(node, id);
    const first = key === undefined ? undefined : seen.get(key);
    if (first && node.outputs.every(canDrop)) {
      node.outputs.forEach((o, k) => replacements.set(o, first.outputs[k]));
      continue;
    }
    if (key !== undefined && !first) seen.set(key, node);
    kept.push(node);
  }
  g.nodes = kept;
  replaceUses(g, replacements);
}

/** What makes two nodes interchangeable, or undefined for nodes that must not be merged. */
function nodeKey(node: Node, id: (v: Value | null) => string): string | undefined {
  if (NONDETERMINISTIC.test(node.op) || node.outputs.length === 0 || Graph.subgraphsOf(node).length > 0) return undefined;
  const attrs = Object.keys(node.attrs)
    .sort()
    .map((k) => `${k}=${attrKey(node.attrs[k])}`);
  return `${node.op}(${node.inputs.map(id).join(',')}){${attrs.join(';')}}#${node.outputs.length}`;
}

function attrKey(a: AttrValue): string {
  return a instanceof Tensor ? tensorKey(a) : JSON.stringify(a);
}

/** Equal keys mean equal dtype, shape and elements (NaN payloads aside: every NaN prints alike). */
function tensorKey(t: Tensor): string {
  return `${t.dtype}[${t.shape.join(',')}]:${Array.from(t.data as ArrayLike<number>, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}`;
}
