// Graph IR → ONNX model bytes, the inverse of the frontend: a graph that dlc has rewritten (simplified,
// quantized into QDQ pairs) becomes a standard ONNX model that onnxruntime runs. Each node is written by its
// op's export rule (export-rules.ts); constants (specialized inputs among them) become initializers; graph
// inputs and outputs keep their names, dtypes and shapes. The opset is 17 unless a node needs a later one.
import { DlcError, UsageError, withContext } from '../errors.js';
import { Graph, type Node, type Value } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import '../ops/index.js';
import { MAX_EXPORT_OPSET, MIN_EXPORT_OPSET, type ExportRule } from './export-rule.js';
import { EXPORT_RULES } from './export-rules.js';
import { ValueNames } from './export-names.js';
import { encodeOnnxModel, type OnnxNodeSpec, type OnnxValueSpec } from './writer.js';

export const DEFAULT_EXPORT_OPSET = 17;

export interface ExportOptions {
  /** producer_name of the model; 'dlc' by default. */
  producer?: string;
  /** The ai.onnx opset to write; by default 17, or the lowest later one that every node can be written in. */
  opset?: number;
}

export function exportOnnxModel(graph: Graph, options: ExportOptions = {}): Uint8Array {
  const rules = graph.nodes.map(ruleOf);
  const opset = chooseOpset(graph.nodes, rules, options.opset);
  const names = new ValueNames(graph);
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const inputs = new Set(graph.inputs);
  const initializers: { name: string; tensor: Tensor }[] = [];
  const written = new Set<Value>();
  const nodes: OnnxNodeSpec[] = [];

  const constant = (hint: string, tensor: Tensor): string => {
    const name = names.fresh(hint);
    initializers.push({ name, tensor });
    return name;
  };
  /** The name a node reads `v` by; a constant is written as an initializer the first time it is read. */
  const inputName = (v: Value): string => {
    if (produced.has(v) || inputs.has(v)) return names.of(v);
    if (!v.data) throw new DlcError(`value '${v.name}' is read but neither computed, given nor constant`);
    if (!written.has(v)) {
      written.add(v);
      initializers.push({ name: names.of(v), tensor: v.data });
    }
    return names.of(v);
  };

  graph.nodes.forEach((node, i) => {
    try {
      nodes.push(...rules[i].emit(node, {
        opset,
        inputs: node.inputs.map((v) => (v ? inputName(v) : '')),
        outputs: node.outputs.map((v) => names.of(v)),
        fresh: (hint) => names.fresh(hint),
        constant,
      }));
    } catch (e) {
      withContext(e, { node: node.name, op: node.op });
    }
  });
  // An output that is a constant is copied out of an initializer of its own name (an input is listed as it is).
  for (const v of new Set(graph.outputs)) {
    if (produced.has(v) || inputs.has(v)) continue;
    if (!v.data) throw new DlcError(`graph output '${v.name}' is neither computed, given nor constant`);
    nodes.push({ op: 'Identity', inputs: [constant(`${v.name}_value`, v.data)], outputs: [names.of(v)], name: `${v.name}_identity` });
  }

  // A constant a rule turned into an attribute (reduce axes before opset 18) is no initializer.
  const readNames = new Set(nodes.flatMap((n) => n.inputs));
  return encodeOnnxModel({
    name: graph.name,
    producer: options.producer ?? 'dlc',
    opset,
    inputs: graph.inputs.map(valueSpec),
    outputs: [...new Set(graph.outputs)].map(valueSpec),
    nodes: uniqueNodeNames(nodes),
    initializers: initializers.filter((i) => readNames.has(i.name)),
  });
}

function ruleOf(node: Node): ExportRule {
  if (Graph.subgraphsOf(node).length > 0) {
    throw new DlcError('nested graphs (If, Loop, Scan bodies) are not exported to ONNX', { node: node.name, op: node.op });
  }
  const rule = EXPORT_RULES.get(node.op);
  if (!rule) throw new DlcError('no ONNX export rule for this op', { node: node.name, op: node.op });
  return rule;
}

/** The asked opset, checked against what each node needs; else the default or the lowest that every node fits. */
function chooseOpset(nodes: readonly Node[], rules: readonly ExportRule[], asked: number | undefined): number {
  if (asked !== undefined && (!Number.isInteger(asked) || asked < MIN_EXPORT_OPSET || asked > MAX_EXPORT_OPSET)) {
    throw new UsageError(`cannot export opset ${asked}: dlc writes ONNX opsets ${MIN_EXPORT_OPSET} to ${MAX_EXPORT_OPSET}`);
  }
  let opset = asked ?? DEFAULT_EXPORT_OPSET;
  nodes.forEach((node, i) => {
    let since: number;
    try {
      since = rules[i].since(node);
    } catch (e) {
      withContext(e, { node: node.name, op: node.op });
    }
    if (asked !== undefined && since > asked) {
      throw new DlcError(`needs ONNX opset ${since} or later to export; opset ${asked} was asked for`, { node: node.name, op: node.op });
    }
    opset = Math.max(opset, since);
  });
  return opset;
}

function valueSpec(v: Value): OnnxValueSpec {
  return { name: v.name, dtype: v.type.dtype, shape: [...v.type.shape] };
}

/** Node names as the IR has them, numbered where two coincide (passes may repeat a name). */
function uniqueNodeNames(nodes: OnnxNodeSpec[]): OnnxNodeSpec[] {
  const taken = new Set<string>();
  return nodes.map((n) => {
    const base = n.name || n.op;
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return { ...n, name };
  });
}
