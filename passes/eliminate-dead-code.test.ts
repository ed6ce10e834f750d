import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';

describe('eliminate-dead-code', () => {
  test('removes nodes that reach no output and constants nothing reads', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const unused = new Value('unused', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [x, unused]);
    const b = new GraphBuilder(g);
    const live = b.constant(Tensor.fromArray('f32', [2], [1, 2]));
    const dead = b.constant(Tensor.fromArray('f32', [2], [3, 4]));
    const [s] = b.emit('add', [x, live]);
    const [d1] = b.emit('add', [s, dead]);
    b.emit('relu', [d1]);
    g.outputs = [b.emit('relu', [s])[0]];

    const out = eliminateDeadCode(g);
    verifyGraph(out);
    expect(out.nodes.map((n) => n.op)).toEqual(['add', 'relu']);
    expect(out.constants.map((c) => Array.from(c.data!.data))).toEqual([[1, 2]]);
    // Graph inputs are the model's signature: kept even when unread.
    expect(out.inputs.map((v) => v.name)).toEqual(['x', 'unused']);
    expect(g.nodes).toHaveLength(4);
    const feeds = { x: Tensor.fromArray('f32', [2], [-5, 1]), unused: new Tensor('f32', [2]) };
    expect(Array.from(Object.values(interpret(out, feeds))[0].data)).toEqual([0, 3]);
  });

  test('keeps values and constants that a live subgraph captures, cleans the subgraph', () => {
    const cond = new Value('cond', { dtype: 'bool', shape: [] });
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [cond, x]);
    const b = new GraphBuilder(g);
    const [r] = b.emit('relu', [x]);
    const k = b.constant(Tensor.fromArray('f32', [2], [10, 20]));
    const branch = (name: string, withDeadNode: boolean): Graph => {
      const body = new Graph(name);
      const bb = new GraphBuilder(body);
      if (withDeadNode) bb.emit('neg', [r]);
      body.outputs = [bb.emit('add', [r, k])[0]];
      return body;
    };
    const [y] = b.emit('if', [cond], { then_branch: branch('then', true), else_branch: branch('else', false) });
    g.outputs = [y];

    const out = eliminateDeadCode(g);
    verifyGraph(out);
    expect(out.nodes.map((n) => n.op)).toEqual(['relu', 'if']);
    expect(out.constants).toHaveLength(1);
    expect((out.nodes[1].attrs.then_branch as Graph).nodes.map((n) => n.op)).toEqual(['add']);
    const result = interpret(out, { cond: Tensor.scalar('bool', 1), x: Tensor.fromArray('f32', [2], [-1, 2]) });
    expect(Array.from(result[y.name].data)).toEqual([10, 22]);
  });

  test('an If whose result nobody reads goes, with what only it read', () => {
    const cond = new Value('cond', { dtype: 'bool', shape: [] });
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [cond, x]);
    const b = new GraphBuilder(g);
    const [r] = b.emit('relu', [x]);
    const body = (name: string) => {
      const sg = new Graph(name);
      sg.outputs = [new GraphBuilder(sg).emit('neg', [r])[0]];
      return sg;
    };
    b.emit('if', [cond], { then_branch: body('then'), else_branch: body('else') });
    g.outputs = [b.emit('neg', [x])[0]];
    expect(eliminateDeadCode(g).nodes.map((n) => n.op)).toEqual(['neg']);
  });
});
