// The tunable workloads of a compiled graph: every kernel whose generator reads a schedule (an anchor: conv,
// matmul, gemm, alone or with its fused epilogue), keyed by what decides its code and its speed — the op, its
// operands' dtypes, shapes and constness, its attributes, the epilogue's ops and operands, and the target.
// Nodes with the same key compute the same kernel on different data: they are tuned once, and a tuning record
// (records.ts) made on one model applies to the same workload in another. Kernel generators read schedules
// by the kernel node's name (codegen/lower.ts), which is the name a workload lists.
import { createHash } from 'node:crypto';
import { Graph, type Node, type Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { describeFusedGroup, kernelFormOf, kernelNodeOf } from '../compiler/kernel-groups.js';
import { canonicalJson } from '../codegen/canonical-json.js';
import { loweringGraph } from '../codegen/lower.js';
import { TARGET_INFO, type TargetName } from '../codegen/targets.js';
import type { Precision } from '../codegen/wgsl/program.js';
import { searchSpace } from './search-space.js';

export interface Workload {
  /** sha-256 (16 hex digits) of the canonical description: what records are keyed by. */
  key: string;
  /** The description in one line, for people: `conv f32[1,8,16,16] f32[16,8,3,3]c … → f32[1,16,8,8] strides=2,2 +hard_swish`. */
  summary: string;
  target: TargetName;
  /** The anchor's op. */
  op: string;
  /** The kernel nodes computing this workload, in graph order (the names per-node schedule overrides use). */
  nodes: string[];
  /** A graph of one node, the first of `nodes` (or its fused group), with the model's constants: what is measured. */
  graph: Graph;
}

/** What, besides the target, changes a workload's code: webgpu's precision. */
export interface WorkloadOptions {
  precision?: Precision;
}

/** The distinct tunable workloads of an optimized graph, in order of first appearance. */
export function extractWorkloads(optimized: Graph, target: TargetName, options: WorkloadOptions = {}): Workload[] {
  const info = TARGET_INFO[target];
  const graph = loweringGraph(optimized, info);
  const byKey = new Map<string, Workload>();
  for (const node of graph.nodes) {
    const site = kernelSite(node, target);
    if (!site) continue;
    const description = describe(site, target, options);
    const key = createHash('sha256').update(canonicalJson(description)).digest('hex').slice(0, 16);
    const known = byKey.get(key);
    if (known) {
      known.nodes.push(site.kernel.name);
      continue;
    }
    byKey.set(key, { key, summary: summarize(site), target, op: site.kernel.op, nodes: [site.kernel.name], graph: oneNodeGraph(node) });
  }
  return [...byKey.values()];
}

/** A node of the lowering graph as its kernel sees it: the anchor, the epilogue after it, and the kernel's outputs. */
interface KernelSite {
  kernel: Node;
  epilogue: Node[];
  outputs: readonly Value[];
}

/** The kernel a node lowers to, when its generator reads a schedule on `target`. */
function kernelSite(node: Node, target: TargetName): KernelSite | undefined {
  if (node.op !== 'fused') return searchSpace(target, node.op).length > 0 ? { kernel: node, epilogue: [], outputs: node.outputs } : undefined;
  const group = describeFusedGroup(node);
  const form = kernelFormOf(group, TARGET_INFO[target].limits);
  if (form !== 'anchored') return undefined;
  const kernel = kernelNodeOf(group, form);
  return searchSpace(target, kernel.op).length > 0 ? { kernel, epilogue: group.epilogue, outputs: [group.output] } : undefined;
}

const typeOf = (v: Value) => ({ dtype: v.type.dtype, shape: v.type.shape, constant: v.isConst });

/** Attributes as data (tensors by type, nested graphs left out: no tunable anchor has them). */
function attrsOf(node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node.attrs)) {
    if (v instanceof Graph) continue;
    out[k] = v instanceof Tensor ? { dtype: v.dtype, shape: v.shape } : v;
  }
  return out;
}

/** What decides a kernel's code and speed: not the node names, not the weights' values. */
function describe(site: KernelSite, target: TargetName, options: WorkloadOptions): unknown {
  const { kernel, epilogue } = site;
  // Values computed inside the kernel are named by their producer: `anchor`, or `epilogue[i]`.
  const inside = new Map<Value, string>(kernel.outputs.map((v, i) => [v, `anchor.${i}`]));
  epilogue.forEach((n, i) => n.outputs.forEach((v, j) => inside.set(v, `epilogue${i}.${j}`)));
  const operand = (v: Value | null) => (v === null ? null : (inside.get(v) ?? typeOf(v)));
  return {
    target,
    ...(target === 'webgpu' ? { precision: options.precision ?? 'f32' } : {}),
    op: kernel.op,
    inputs: kernel.inputs.map(operand),
    attrs: attrsOf(kernel),
    epilogue: epilogue.map((n) => ({ op: n.op, inputs: n.inputs.map(operand), attrs: attrsOf(n) })),
    outputs: site.outputs.map(typeOf),
  };
}

function summarize(site: KernelSite): string {
  const type = (v: Value) => `${v.type.dtype}[${v.type.shape.join(',')}]${v.isConst ? 'c' : ''}`;
  const { kernel, epilogue, outputs } = site;
  const attrs = ['strides', 'group', 'transA', 'transB']
    .filter((k) => k in kernel.attrs)
    .map((k) => `${k}=${String(kernel.attrs[k])}`);
  const tail = epilogue.map((n) => ` +${n.op}`).join('');
  return `${kernel.op} ${kernel.inputs.filter((v): v is Value => v !== null).map(type).join(' ')} → ${outputs.map(type).join(' ')}${attrs.length ? ` ${attrs.join(' ')}` : ''}${tail}`;
}

/**
 * The node alone as a graph: its non-constant operands become the graph's inputs (random data when measured),
 * its constants stay (a kernel may pack them at compile time), its outputs are the graph's.
 */
function oneNodeGraph(node: Node): Graph {
  const operands = [...new Set(node.inputs.filter((v): v is Value => v !== null))];
  const inputs = operands.filter((v) => !v.isConst);
  const constants = operands.filter((v) => v.isConst);
  return new Graph(`workload ${node.name}`, inputs, [...node.outputs], [node], constants);
}
