// remove-identity where the printed graph does not show it: which values the outputs and inputs are, and
// subgraphs. Which identities go or stay is tests/passes/remove-identity.ir.
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
