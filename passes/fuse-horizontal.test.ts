import { Graph, Value } from '../compiler/ir/graph.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { interpret } from '../compiler/interpreter.js';
import '../compiler/ops/index.js';
import { randomInputs } from '../tests/util/random-inputs.js';
import { fuseHorizontal } from './fuse-horizontal.js';

/** x·W_i for matmul weights of the given widths, each a graph output. */
function siblings(widths: number[], build?: (b: GraphBuilder, x: Value, w: number) => Value): Graph {
  const x = new Value('x', { dtype: 'f32', shape: [2, 3, 5] });
  const g = new Graph('main', [x]);
  const b = new GraphBuilder(g);
  const ramp = (n: number, k: number) => Array.from({ length: n }, (_, i) => ((i * 7 + k) % 13) / 8 - 0.75);
  g.outputs = widths.map((w, k) => (build ? build(b, x, w) : b.emit('matmul', [x, b.constant(Tensor.fromArray('f32', [5, w], ramp(5 * w, k)))])[0]));
  return g;
}

const ops = (g: Graph) => g.nodes.map((n) => n.op);

describe('fuse-horizontal', () => {
  test('narrow siblings merge into one op and a split that gives back every output', () => {
    const g = siblings([4, 6, 2]);
    const merged = fuseHorizontal(g);
    expect(ops(merged)).toEqual(['matmul', 'split']);
    expect(merged.nodes[0].outputs[0].type.shape).toEqual([2, 3, 12]);
    const feeds = randomInputs(g, 2);
    const [want, got] = [interpret(g, feeds), interpret(merged, feeds)];
    for (const v of g.outputs) expect(Array.from(got[v.name].data)).toEqual(Array.from(want[v.name].data));
  });

  test('siblings wider than max-channels stay apart: each fills its tiles alone', () => {
    expect(ops(fuseHorizontal(siblings([80, 80])))).toEqual(['matmul', 'matmul']);
    expect(ops(fuseHorizontal(siblings([80, 80]), 128))).toEqual(['matmul', 'split']);
  });

  test('convs with different strides, or weights that are not constants, do not merge', () => {
    const convs = (strides: number[][]) => {
      let x4: Value | undefined;
      return siblings([4, 4], (b, x, w) => {
        x4 ??= b.emit('unsqueeze', [x, b.constant(Tensor.fromArray('i64', [1], [3]))])[0];
        const k = b.graph.nodes.filter((n) => n.op === 'conv').length;
        return b.emit('conv', [x4, b.constant(new Tensor('f32', [w, 3, 1, 1]))], { strides: strides[k] })[0];
      });
    };
    expect(ops(fuseHorizontal(convs([[1, 1], [1, 1]]))).filter((op) => op === 'conv' || op === 'split')).toEqual(['conv', 'split']);
    expect(ops(fuseHorizontal(convs([[1, 1], [2, 1]]))).filter((op) => op === 'conv' || op === 'split')).toEqual(['conv', 'conv']);
    const w = new Value('w', { dtype: 'f32', shape: [5, 4] });
    const g = siblings([4, 4], (b, x) => b.emit('matmul', [x, w])[0]);
    g.inputs.push(w);
    expect(ops(fuseHorizontal(g))).toEqual(['matmul', 'matmul']);
  });
});
