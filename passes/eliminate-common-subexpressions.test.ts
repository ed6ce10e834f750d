import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { eliminateCommonSubexpressions } from './eliminate-common-subexpressions.js';

describe('eliminate-common-subexpressions', () => {
  test('a duplicate that is a graph output keeps its own value; the earlier one is not merged into it', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const [r1] = b.emit('relu', [x]);
    const [r2] = b.emit('relu', [x]);
    g.outputs = [r1, r2];
    const out = eliminateCommonSubexpressions(g);
    verifyGraph(out);
    expect(out.nodes).toHaveLength(2);
    expect(out.outputs.map((v) => v.name)).toEqual([r1.name, r2.name]);
  });

  test('merges inside an If branch, and readers in the branch of a merged outer value follow it', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const cond = new Value('cond', { dtype: 'bool', shape: [] });
    const g = new Graph('main', [x, cond]);
    const b = new GraphBuilder(g);
    const [n1] = b.emit('neg', [x]);
    const [n2] = b.emit('neg', [x]);
    const branch = (name: string) => {
      const sg = new Graph(name);
      const sb = new GraphBuilder(sg);
      const [a] = sb.emit('abs', [n2]);
      const [c] = sb.emit('abs', [n2]);
      sg.outputs = [sb.emit('add', [a, c])[0]];
      return sg;
    };
    const [y] = b.emit('if', [cond], { then_branch: branch('then'), else_branch: branch('else') });
    g.outputs = [b.emit('add', [y, n1])[0]];
    const out = eliminateCommonSubexpressions(g);
    verifyGraph(out);
    expect(out.nodes.map((n) => n.op)).toEqual(['neg', 'if', 'add']);
    const then = out.nodes[1].attrs.then_branch as Graph;
    expect(then.nodes.map((n) => n.op)).toEqual(['abs', 'add']);
    expect(then.nodes[0].inputs[0]).toBe(out.nodes[0].outputs[0]);
    expect(g.nodes).toHaveLength(4); // the input graph is left as it was
  });

  test('constants merge only when dtype, shape and data agree', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const c1 = b.constant(Tensor.fromArray('f32', [2], [1, 2]));
    const c2 = b.constant(Tensor.fromArray('f32', [2], [1, 2]));
    const c3 = b.constant(Tensor.fromArray('f32', [2], [1, -2]));
    const c4 = b.constant(Tensor.fromArray('f32', [1, 2], [1, 2]));
    const [a1] = b.emit('add', [x, c1]);
    const [a2] = b.emit('add', [x, c2]);
    const [a3] = b.emit('add', [x, c3]);
    const [a4] = b.emit('add', [x, c4]);
    g.outputs = [b.emit('concat', [a1, a2, a3, b.emit('reshape', [a4, b.constant(Tensor.fromArray('i64', [1], [2]))])[0]], { axis: 0 })[0]];
    const out = eliminateCommonSubexpressions(g);
    verifyGraph(out);
    expect(out.constants).toHaveLength(4);
    expect(out.nodes.map((n) => n.op)).toEqual(['add', 'add', 'add', 'reshape', 'concat']);
  });
});
