import { Graph, Value } from '../compiler/ir/graph.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { interpret } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { cloneGraph, NameAllocator } from '../passes/graph-edit.js';
import { quantizableLayers } from '../quantize/layers.js';
import { factorLayer, layerSvd, rankSqnrDb } from './lowrank.js';

/** x[1,2,6,6] → conv 3×3 (2→8, stride 2, pad 1) + bias → flatten → gemm (72→10, transB) + bias → matmul (10→6). */
function model(): Graph {
  const r = seededRandom(11);
  const g = new Graph('lowrank');
  const x = new Value('x', { dtype: 'f32', shape: [1, 2, 6, 6] });
  g.inputs.push(x);
  const b = new GraphBuilder(g);
  const rand = (shape: number[]) => b.constant(new Tensor('f32', shape, Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => r())));
  const [c] = b.emit('conv', [x, rand([8, 2, 3, 3]), rand([8])], { strides: [2, 2], pads: [1, 1, 1, 1], kernel_shape: [3, 3] });
  const [f] = b.emit('flatten', [c], { axis: 1 });
  const [h] = b.emit('gemm', [f, rand([10, 72]), rand([10])], { transB: 1 });
  const [y] = b.emit('matmul', [h, rand([10, 6])]);
  g.outputs.push(y);
  return g;
}

const feeds = { x: new Tensor('f32', [1, 2, 6, 6], Float32Array.from({ length: 72 }, (_, i) => Math.sin(i))) };

function sqnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * a[i];
    n += (a[i] - b[i]) ** 2;
  }
  return 10 * Math.log10(s / n);
}

describe('low-rank factorization', () => {
  it('at full rank, the two factors of every layer kind compute what the layer did', () => {
    const g = model();
    const expected = interpret(g, feeds)[g.outputs[0].name].data;
    const f = cloneGraph(g);
    const names = new NameAllocator(f);
    for (const layer of quantizableLayers(f)) {
      const svd = layerSvd(layer);
      factorLayer(f, layer, svd, svd.singular.length, names);
    }
    verifyGraph(f);
    expect(f.nodes.map((n) => n.op)).toEqual(['conv', 'conv', 'flatten', 'gemm', 'gemm', 'matmul', 'matmul']);
    const got = interpret(f, feeds)[f.outputs[0].name].data;
    expect(sqnr(expected, got)).toBeGreaterThan(100);
  });

  it('truncation keeps the energy of the kept singular values: the weight SQNR is what rankSqnrDb says', () => {
    const g = cloneGraph(model());
    const [, gemm] = quantizableLayers(g);
    const svd = layerSvd(gemm);
    const w = Float32Array.from(gemm.weight.data!.data);
    factorLayer(g, gemm, svd, 4, new NameAllocator(g));
    const [a, b] = g.nodes.filter((n) => n.op === 'gemm').map((n) => n.inputs[1]!.data!);
    // b (10×4) · a (4×72) is the rank-4 approximation of W (10×72).
    const approx = new Float32Array(720);
    for (let o = 0; o < 10; o++) for (let i = 0; i < 72; i++) for (let r = 0; r < 4; r++) approx[o * 72 + i] += b.data[o * 4 + r] * a.data[r * 72 + i];
    expect(sqnr(w, approx)).toBeCloseTo(rankSqnrDb(svd, 4), 3);
  });
});
