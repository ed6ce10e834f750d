// `fused`: a group of nodes that runs as one kernel (made by the fuse-ops pass, TVM's primitive
// functions). Its `body` graph takes the node's inputs as parameters, in order, and returns the node's
// outputs; small constants and weights are read from the enclosing graph directly. The reference
// implementation runs the body, so the interpreter, `dlc verify` and every equivalence test see through it.
import { DlcError } from '../errors.js';
import { Graph, type Attrs, type Node, type TensorType } from '../ir/graph.js';
import { getOp, hasOp, type CostContext, type OpDef } from './registry.js';

function bodyOf(attrs: Attrs): Graph {
  const g = attrs.body;
  if (!(g instanceof Graph)) throw new DlcError("attribute 'body' must be a graph");
  return g;
}

/** A body node's FLOPs: its op's estimate, one per output element by default; 0 where a dim is symbolic. */
function nodeFlops(node: Node): number {
  if (!hasOp(node.op)) return 0;
  const outputs = node.outputs.map((v) => v.type);
  const elements = (t: TensorType) => t.shape.reduce<number>((n, d) => n * (typeof d === 'number' ? d : 0), 1);
  const def = getOp(node.op);
  if (!def.cost) return outputs.reduce((n, t) => n + elements(t), 0);
  const ctx: CostContext = { node, attrs: node.attrs, inputs: node.inputs.map((v) => v?.type ?? null), outputs };
  return def.cost(ctx).flops;
}

const fusedOp: OpDef = {
  name: 'fused',
  attrs: { body: { type: 'graph' } },
  kind: 'opaque',
  infer: (ctx) => {
    const body = bodyOf(ctx.attrs);
    if (ctx.inputs.length !== body.inputs.length) throw new DlcError(`body takes ${body.inputs.length} inputs, node has ${ctx.inputs.length}`);
    ctx.inputs.forEach((t, i) => {
      const p = body.inputs[i].type;
      if (!t || t.dtype !== p.dtype || t.shape.length !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k])) {
        throw new DlcError(`input ${i} does not match body parameter '${body.inputs[i].name}'`);
      }
    });
    return body.outputs.map((v) => ({ dtype: v.type.dtype, shape: [...v.type.shape] }));
  },
  ref: (inputs, attrs, ctx) =>
    ctx.runGraph(bodyOf(attrs), inputs.map((t, i) => {
      if (!t) throw new DlcError(`missing input ${i}`);
      return t;
    })),
  // The group's work is its members' work; what fusion saves is memory traffic, not FLOPs.
  cost: (ctx) => ({ flops: bodyOf(ctx.attrs).nodes.reduce((n, node) => n + nodeFlops(node), 0) }),
};

export const fusedOps: OpDef[] = [fusedOp];
