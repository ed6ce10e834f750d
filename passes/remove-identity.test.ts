import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { removeIdentity } from './remove-identity.js';

function graphOf(shape: number[], body: (b: GraphBuilder, x: Value) => Value): Graph {
  const x = new Value('x', { dtype: 'f32', shape });
  const g = new Graph('main', [x]);
  const b = new GraphBuilder(g);
  g.outputs = [body(b, x)];
  return g;
}

const ops = (g: Graph) => g.nodes.map((n) => n.op);

describe('remove-identity', () => {
  test('bypasses identity chains; the graph output keeps its name', () => {
    const g = graphOf([3], (b, x) => {
      const [r] = b.emit('relu', [x]);
      const [i1] = b.emit('identity', [r]);
      const [i2] = b.emit('identity', [i1]);
      const [s] = b.emit('add', [i2, i2]);
      const [y] = b.emit('identity', [s]);
      y.name = 'y';
      return y;
    });
    const out = removeIdentity(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['relu', 'add']);
    expect(out.outputs[0].name).toBe('y');
    expect(out.outputs[0]).toBe(out.nodes[1].outputs[0]);
    expect(out.nodes[1].inputs).toEqual([out.nodes[0].outputs[0], out.nodes[0].outputs[0]]);
    const r = interpret(out, { x: Tensor.fromArray('f32', [3], [-1, 2, 3]) });
    expect(Array.from(r.y.data)).toEqual([0, 4, 6]);
    expect(ops(g)).toEqual(['relu', 'identity', 'identity', 'add', 'identity']);
  });

  test('keeps an identity that makes a graph input or a constant an output', () => {
    expect(ops(removeIdentity(graphOf([3], (b, x) => b.emit('identity', [x])[0])))).toEqual(['identity']);
    const c = graphOf([3], (b) => b.emit('identity', [b.constant(Tensor.fromArray('f32', [3], [1, 2, 3]))])[0]);
    expect(ops(removeIdentity(c))).toEqual(['identity']);
  });

  test('keeps one of two identities that give the same value to two outputs', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const [r] = b.emit('relu', [x]);
    g.outputs = [b.emit('identity', [r])[0], b.emit('identity', [r])[0]];
    const out = removeIdentity(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['relu', 'identity']);
    expect(out.outputs[0]).toBe(out.nodes[0].outputs[0]);
    expect(out.outputs[1]).toBe(out.nodes[1].outputs[0]);
  });

  test('a cast to the dtype it already has goes; a real cast stays', () => {
    const same = graphOf([2], (b, x) => b.emit('neg', [b.emit('cast', [x], { to: 'f32' })[0]])[0]);
    expect(ops(removeIdentity(same))).toEqual(['neg']);
    const real = graphOf([2], (b, x) => b.emit('neg', [b.emit('cast', [x], { to: 'i32' })[0]])[0]);
    expect(ops(removeIdentity(real))).toEqual(['cast', 'neg']);
  });

  test('x + 0, 0 + x, x - 0, x * 1, 1 * x and x / 1 go; x + 0 that broadcasts x up stays', () => {
    const c = (b: GraphBuilder, v: number, shape: number[] = [3]) => b.constant(Tensor.fromArray('f32', shape, new Array(shape.reduce((p, q) => p * q, 1)).fill(v)));
    const g = graphOf([3], (b, x) => {
      let v = b.emit('add', [x, c(b, 0)])[0];
      v = b.emit('add', [c(b, 0, []), v])[0];
      v = b.emit('sub', [v, c(b, 0)])[0];
      v = b.emit('mul', [v, c(b, 1)])[0];
      v = b.emit('mul', [c(b, 1, [1]), v])[0];
      v = b.emit('div', [v, c(b, 1)])[0];
      return b.emit('neg', [v])[0];
    });
    expect(ops(removeIdentity(g))).toEqual(['neg']);
    const up = graphOf([3], (b, x) => b.emit('neg', [b.emit('add', [x, c(b, 0, [2, 3])])[0]])[0]);
    expect(ops(removeIdentity(up))).toEqual(['add', 'neg']);
    const notZero = graphOf([3], (b, x) => b.emit('neg', [b.emit('add', [x, b.constant(Tensor.fromArray('f32', [3], [0, 0, 1e-30]))])[0]])[0]);
    expect(ops(removeIdentity(notZero))).toEqual(['add', 'neg']);
  });

  test('works inside subgraphs', () => {
    const cond = new Value('cond', { dtype: 'bool', shape: [] });
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [cond, x]);
    const b = new GraphBuilder(g);
    const branch = (name: string): Graph => {
      const body = new Graph(name);
      const bb = new GraphBuilder(body);
      body.outputs = [bb.emit('neg', [bb.emit('identity', [x])[0]])[0]];
      return body;
    };
    g.outputs = [b.emit('if', [cond], { then_branch: branch('then'), else_branch: branch('else') })[0]];
    const out = removeIdentity(g);
    verifyGraph(out);
    const thenBranch = out.nodes[0].attrs.then_branch as Graph;
    expect(ops(thenBranch)).toEqual(['neg']);
    expect(thenBranch.nodes[0].inputs[0]).toBe(out.inputs[1]);
  });
});
