import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import '../compiler/ops/index.js';
import { elementwiseGroups } from './fusion.js';

const ELEMENTWISE = new Set(['add', 'mul', 'div', 'clip', 'sigmoid', 'relu']);
const fusible = (n: Node) => ELEMENTWISE.has(n.op);

function graphOf(build: (b: GraphBuilder, x: Value) => Value[]): Graph {
  const g = new Graph('g');
  const x = new Value('x', { dtype: 'f32', shape: [2, 8] });
  g.inputs = [x];
  g.outputs = build(new GraphBuilder(g), x);
  return g;
}

const ops = (nodes: readonly Node[] | undefined) => nodes?.map((n) => n.op);

describe('elementwiseGroups', () => {
  test('a single-reader chain fuses into its last node; a value read twice inside the group stays an input', () => {
    const g = graphOf((b, x) => {
      const c = (v: number) => b.constant(Tensor.scalar('f32', v));
      const t = b.emit('add', [x, c(3)])[0];
      return [b.emit('div', [b.emit('mul', [x, b.emit('clip', [t, c(0), c(6)])[0]])[0], c(6)])[0]];
    });
    const { groups, absorbed } = elementwiseGroups(g, fusible);
    const root = g.nodes[g.nodes.length - 1];
    expect(ops(groups.get(root))).toEqual(['add', 'clip', 'mul', 'div']);
    expect(absorbed.size).toBe(3);
  });

  test('graph outputs, values with readers outside the group, broadcast intermediates and other ops end a group', () => {
    const g = graphOf((b, x) => {
      const small = new Value('s', { dtype: 'f32', shape: [8] });
      b.graph.inputs.push(small);
      const r = b.emit('relu', [x])[0];
      const out1 = b.emit('sigmoid', [r])[0];
      const out2 = b.emit('mul', [r, x])[0];
      const bc = b.emit('relu', [small])[0];
      const out3 = b.emit('add', [bc, x])[0];
      const sm = b.emit('softmax', [out3])[0];
      return [out1, out2, b.emit('relu', [sm])[0], r];
    });
    expect(elementwiseGroups(g, fusible).groups.size).toBe(0);
  });
});
