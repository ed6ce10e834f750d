// Ops and hand-built graphs for the IR printer, parser and verifier tests. The `test_` ops exist only in
// the tests that register them: one takes an attribute of every kind, one holds two nested graphs (an If),
// one has two outputs.
import { DlcError } from '../../compiler/errors.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { Graph, Value, type TensorType } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { hasOp, registerOps, type OpDef } from '../../compiler/ops/registry.js';
import { inferSameAsInput, required } from '../../compiler/ops/util.js';

const testOps: OpDef[] = [
  {
    name: 'test_attrs',
    attrs: {
      count: { type: 'int', default: 1 },
      alpha: { type: 'float', default: 0.5 },
      axes: { type: 'ints', default: [0, 1] },
      scales: { type: 'floats', optional: true },
      mode: { type: 'string', default: 'NOTSET' },
      labels: { type: 'strings', optional: true },
      table: { type: 'tensor', optional: true },
    },
    kind: 'opaque',
    infer: inferSameAsInput,
    ref: (inputs) => [required(inputs, 0)],
  },
  {
    name: 'test_branch',
    attrs: { then_branch: { type: 'graph' }, else_branch: { type: 'graph' } },
    kind: 'opaque',
    infer: (ctx) => (ctx.attrs.then_branch as Graph).outputs.map((v) => ({ dtype: v.type.dtype, shape: [...v.type.shape] })),
    ref: (inputs, attrs, ctx) => {
      const branch = required(inputs, 0).data[0] ? attrs.then_branch : attrs.else_branch;
      return ctx.runGraph(branch as Graph, []);
    },
  },
  {
    name: 'test_split2',
    attrs: {},
    kind: 'injective',
    infer: (ctx) => {
      const t = ctx.inputs[0];
      if (!t) throw new DlcError('missing input 0');
      return [t, t];
    },
    ref: (inputs) => [required(inputs, 0), required(inputs, 0)],
  },
];

export function registerTestOps(): void {
  if (!hasOp('test_attrs')) registerOps(testOps);
}

/** A graph of `op` on one input of type `t`, built through the builder (so its types are inferred). */
export function singleOpGraph(op: string, t: TensorType, attrs = {}): Graph {
  const g = new Graph('single');
  const x = new Value('x', t);
  g.inputs.push(x);
  g.outputs.push(...new GraphBuilder(g).emit(op, [x], attrs));
  return g;
}

/**
 * A graph exercising the whole text form: symbolic dims, names that need quoting or collide, an omitted
 * input, constants of several dtypes, every attribute kind, a nested graph capturing an outer value.
 */
export function sampleGraph(): Graph {
  registerTestOps();
  const g = new Graph('main');
  const b = new GraphBuilder(g);
  const x = new Value('x', { dtype: 'f32', shape: ['N', 3] });
  const cond = new Value('cond', { dtype: 'bool', shape: [] });
  g.inputs.push(x, cond);
  const bias = b.constant(Tensor.fromArray('f32', [3], [0.1, -0, 2.5]));
  bias.name = 'onnx::Add_7';
  const big = b.constant(Tensor.fromArray('f16', [40], Array.from({ length: 40 }, (_, i) => i / 3)));
  big.name = 'big';
  const idx = b.constant(Tensor.fromArray('i64', [2], [9223372036854775807, -3]));
  idx.name = 'idx';
  const [sum] = b.emit('add', [x, bias]);
  sum.name = 'y';
  const [attrsOut] = b.emit('test_attrs', [sum, null, idx], {
    count: 3,
    scales: [0.25, NaN, -Infinity],
    labels: ['a b', 'quote"d'],
    table: Tensor.fromArray('bool', [2], [1, 0]),
  });
  attrsOut.name = 'y';
  const thenG = new Graph('then');
  const tb = new GraphBuilder(thenG);
  const [r] = tb.emit('relu', [attrsOut]);
  r.name = 'r';
  thenG.outputs.push(r);
  const elseG = new Graph('else');
  elseG.outputs.push(...new GraphBuilder(elseG).emit('identity', [sum]));
  elseG.outputs[0].name = 'r';
  const [picked] = b.emit('test_branch', [cond], { then_branch: thenG, else_branch: elseG });
  picked.name = 'out';
  g.outputs.push(picked, attrsOut);
  return g;
}
