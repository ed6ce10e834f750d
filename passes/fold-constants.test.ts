import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { foldConstants } from './fold-constants.js';
import { plainContext } from './manager.js';
import { parsePipeline } from './pipeline-text.js';
import './pipelines.js';

const LIMIT = { sizeLimit: 1 << 16 };

/** y = relu(x + relu(a + b)) with a, b constants: the inner add and relu fold. */
function foldableGraph(): Graph {
  const x = new Value('x', { dtype: 'f32', shape: [3] });
  const g = new Graph('main', [x]);
  const b = new GraphBuilder(g);
  const a = b.constant(Tensor.fromArray('f32', [3], [1, -2, 3]));
  const c = b.constant(Tensor.fromArray('f32', [3], [0.5, 0.5, -4]));
  const [ab] = b.emit('add', [a, c]);
  const [r] = b.emit('relu', [ab]);
  const [s] = b.emit('add', [x, r]);
  g.outputs = [b.emit('relu', [s])[0]];
  return g;
}

describe('fold-constants', () => {
  test('evaluates nodes on constants and keeps the rest', () => {
    const g = foldableGraph();
    const out = foldConstants(g, LIMIT);
    verifyGraph(out);
    expect(out.nodes.map((n) => n.op)).toEqual(['add', 'relu']);
    const folded = out.nodes[0].inputs[1]!;
    expect(folded.isConst).toBe(true);
    // relu([1.5, -1.5, -1]) = [1.5, 0, 0]
    expect(Array.from(folded.data!.data)).toEqual([1.5, 0, 0]);
    const feed = { x: Tensor.fromArray('f32', [3], [1, 1, 1]) };
    expect(Array.from(Object.values(interpret(out, feed))[0].data)).toEqual([2.5, 1, 1]);
    expect(Array.from(Object.values(interpret(g, feed))[0].data)).toEqual([2.5, 1, 1]);
    // The input graph is untouched.
    expect(g.nodes).toHaveLength(4);
  });

  test('leaves a node that computes a graph output', () => {
    const g = new Graph('main');
    const b = new GraphBuilder(g);
    const [s] = b.emit('add', [b.constant(Tensor.scalar('f32', 1)), b.constant(Tensor.scalar('f32', 2))]);
    g.outputs = [b.emit('relu', [s])[0]];
    const out = foldConstants(g, LIMIT);
    expect(out.nodes.map((n) => n.op)).toEqual(['relu']);
    expect(Array.from(out.nodes[0].inputs[0]!.data!.data)).toEqual([3]);
    expect(out.outputs[0]).toBe(out.nodes[0].outputs[0]);
  });

  test('does not grow the constants past the size limit', () => {
    // [100,1] + [1,100] broadcasts 200 constant elements into 10000.
    const g = new Graph('main', [new Value('x', { dtype: 'f32', shape: [100, 100] })]);
    const b = new GraphBuilder(g);
    const [s] = b.emit('add', [b.constant(new Tensor('f32', [100, 1])), b.constant(new Tensor('f32', [1, 100]))]);
    g.outputs = [b.emit('add', [g.inputs[0], s])[0]];
    expect(foldConstants(g, { sizeLimit: 1000 }).nodes).toHaveLength(2);
    expect(foldConstants(g, { sizeLimit: 10000 }).nodes).toHaveLength(1);
    // As a registered pass, with the option in the text form.
    const pass = parsePipeline('fold-constants{size-limit=1000}');
    expect(pass.run(g, plainContext()).nodes).toHaveLength(2);
  });

  test('a result no bigger than its inputs always folds', () => {
    const g = new Graph('main', [new Value('x', { dtype: 'f32', shape: [8] })]);
    const b = new GraphBuilder(g);
    const [n] = b.emit('neg', [b.constant(Tensor.fromArray('f32', [8], [1, 2, 3, 4, 5, 6, 7, 8]))]);
    g.outputs = [b.emit('add', [g.inputs[0], n])[0]];
    const out = foldConstants(g, { sizeLimit: 2 });
    expect(out.nodes.map((x) => x.op)).toEqual(['add']);
    expect(Array.from(out.nodes[0].inputs[1]!.data!.data)).toEqual([-1, -2, -3, -4, -5, -6, -7, -8]);
  });

  test('folds inside subgraphs, including reads of outer constants', () => {
    const outer = new Graph('main', [new Value('cond', { dtype: 'bool', shape: [] })]);
    const b = new GraphBuilder(outer);
    const k = b.constant(Tensor.fromArray('f32', [2], [-1, 4]));
    const branch = (sign: number): Graph => {
      const body = new Graph(sign > 0 ? 'then' : 'else');
      const bb = new GraphBuilder(body);
      const [s] = bb.emit('add', [k, bb.constant(Tensor.fromArray('f32', [2], [sign, sign]))]);
      body.outputs = [bb.emit('relu', [s])[0]];
      return body;
    };
    const [y] = b.emit('if', [outer.inputs[0]], { then_branch: branch(1), else_branch: branch(-1) });
    outer.outputs = [y];
    const out = foldConstants(outer, LIMIT);
    verifyGraph(out);
    const thenBranch = out.nodes[0].attrs.then_branch as Graph;
    expect(thenBranch.nodes.map((n) => n.op)).toEqual(['relu']);
    expect(thenBranch.constants).toHaveLength(2);
    const run = (c: number) => Array.from(interpret(out, { cond: Tensor.scalar('bool', c) })[y.name].data);
    expect(run(1)).toEqual([0, 5]);
    expect(run(0)).toEqual([0, 3]);
  });

  test('the folded graph computes what the original does (cast, where, comparisons)', () => {
    const x = new Value('x', { dtype: 'f32', shape: [4] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const ints = b.constant(Tensor.fromArray('i32', [4], [3, -7, 0, 2]));
    const [asFloat] = b.emit('cast', [ints], { to: 'f32' });
    const [mask] = b.emit('greater', [asFloat, b.constant(Tensor.scalar('f32', 0))]);
    const [picked] = b.emit('where', [mask, asFloat, b.constant(Tensor.scalar('f32', 10))]);
    g.outputs = [b.emit('mul', [x, picked])[0]];
    const out = foldConstants(g, LIMIT);
    expect(out.nodes.map((n) => n.op)).toEqual(['mul']);
    expect(Array.from(out.nodes[0].inputs[1]!.data!.data)).toEqual([3, 10, 10, 2]);
  });
});
