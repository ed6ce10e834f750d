// Constant folding through the reference interpreter: a node whose inputs are all compile-time constants
// is evaluated with its op's reference implementation and its outputs become constants. Afterwards types
// are re-inferred, so that what constants reveal (a Reshape's now-constant target shape, say, folded here
// or by another pass) reaches the types downstream.
import { DlcError } from '../compiler/errors.js';
import { Graph, type Node, type Value } from '../compiler/ir/graph.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { getOp, type RefContext } from '../compiler/ops/registry.js';
import { knownSize } from '../compiler/ops/util.js';
import { cloneGraph, refineTypes } from './graph-edit.js';
import type { PassContext, PassInfo } from './manager.js';

/** Ops whose result is drawn at random on every run: folding would freeze one draw. */
const NONDETERMINISTIC = new Set([
  'random_normal', 'random_uniform', 'random_normal_like', 'random_uniform_like', 'multinomial', 'bernoulli',
]);

/**
 * Ops whose constant result would lose information a later pass uses: a dequantized weight stays an int8
 * constant until fold-qdq has folded it into an integer anchor (legalize turns the rest into cast/sub/mul,
 * which fold then).
 */
const KEPT_FOR_LATER_PASSES = new Set(['dequantize_linear']);

export interface FoldConstantsOptions {
  /**
   * Largest result (elements per output) folded when it is bigger than the node's constant inputs
   * together: folding an Expand or a ConstantOfShape must not blow up the weights. Results no bigger
   * than the inputs (a transposed weight, say) always fold.
   */
  sizeLimit: number;
  /**
   * When set, only nodes whose every result has at most this many elements fold: lowering's required folding
   * (shape arithmetic feeding a Slice's starts, a Reshape's shape), which must leave weights as they are.
   */
  maxResult?: number;
  /** When set, only the nodes it accepts fold (lowering's required folding: what feeds a shape operand). */
  only?: (node: Node) => boolean;
}

export const foldConstantsPass: PassInfo = {
  name: 'fold-constants',
  description: 'evaluates nodes whose inputs are all constants with the reference interpreter',
  options: {
    'size-limit': { type: 'int', default: 1 << 16, description: 'largest folded result that grows the constants (elements)' },
  },
  create: (options) => (graph, ctx) => foldConstants(graph, { sizeLimit: options['size-limit'] as number }, ctx),
};

export function foldConstants(graph: Graph, options: FoldConstantsOptions, ctx?: PassContext): Graph {
  const g = cloneGraph(graph);
  foldGraph(g, options, ctx);
  refineTypes(g);
  return g;
}

/** Folds in place, subgraphs included. */
function foldGraph(g: Graph, options: FoldConstantsOptions, ctx: PassContext | undefined): void {
  const kept: Node[] = [];
  for (const node of g.nodes) {
    for (const sg of Graph.subgraphsOf(node)) foldGraph(sg, options, ctx);
    const results = foldable(node, g, options) ? evaluate(node, options, ctx) : undefined;
    if (!results) {
      kept.push(node);
      continue;
    }
    node.outputs.forEach((v, i) => {
      v.data = results[i];
      v.type = { dtype: results[i].dtype, shape: [...results[i].shape] };
      g.constants.push(v);
    });
  }
  g.nodes = kept;
}

function foldable(node: Node, g: Graph, options: FoldConstantsOptions): boolean {
  if (NONDETERMINISTIC.has(node.op) || KEPT_FOR_LATER_PASSES.has(node.op) || Graph.subgraphsOf(node).length > 0) return false;
  if (!node.inputs.every((v) => v === null || v.isConst)) return false;
  // Graph outputs stay computed by a node (the frontend's invariant); that node costs no more than the
  // copy of a constant that would replace it.
  if (node.outputs.some((v) => g.outputs.includes(v))) return false;
  const inputElements = node.inputs.reduce((n, v) => n + (v?.data?.size ?? 0), 0);
  if (options.only && !options.only(node)) return false;
  const max = options.maxResult;
  if (max !== undefined && !node.outputs.every((v) => (knownSize(v.type.shape) ?? Infinity) <= max)) return false;
  return node.outputs.every((v) => {
    const n = knownSize(v.type.shape);
    return n === undefined || n <= Math.max(options.sizeLimit, inputElements);
  });
}

/** The node's results, or undefined when it cannot be folded (the reason goes to ctx.warn). */
function evaluate(node: Node, options: FoldConstantsOptions, ctx: PassContext | undefined): Tensor[] | undefined {
  const refCtx: RefContext = {
    numOutputs: node.outputs.length,
    runGraph: () => {
      throw new Error('fold-constants does not evaluate nodes with subgraphs');
    },
  };
  let results: Tensor[];
  try {
    results = getOp(node.op).ref(node.inputs.map((v) => v?.data ?? null), node.attrs, refCtx);
  } catch (e) {
    // The model computes something invalid from constants; it fails where it runs, not here.
    if (!(e instanceof DlcError)) throw e;
    ctx?.warn(`fold-constants: node '${node.name}' (${node.op}) not folded: ${e.message}`);
    return undefined;
  }
  const inputElements = node.inputs.reduce((n, v) => n + (v?.data?.size ?? 0), 0);
  if (results.some((t) => t.size > Math.max(options.sizeLimit, inputElements))) return undefined;
  node.outputs.forEach((v, i) => checkResult(node, v, results[i]));
  return results;
}

/** A result that contradicts its inferred type is a bug in the op's inference or reference. */
function checkResult(node: Node, v: Value, t: Tensor | undefined): void {
  const want = v.type;
  const ok =
    t !== undefined &&
    want.dtype === t.dtype &&
    want.shape.length === t.shape.length &&
    want.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
  if (!ok) {
    const got = t ? `${t.dtype}[${t.shape}]` : 'nothing';
    throw new Error(`folding ${node.op} '${node.name}': inferred ${want.dtype}[${want.shape}] for '${v.name}', computed ${got}`);
  }
}
