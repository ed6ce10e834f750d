import { fuseOps } from '../passes/fuse-ops.js';
import { analyzeGraph } from './analysis.js';
import { GraphBuilder } from './ir/builder.js';
import { Graph, Value } from './ir/graph.js';
import { Tensor } from './ir/tensor.js';

/**
 *   a = relu(x)          x: f32[4]         step 0
 *   b = add(a, k)        k: f32[3,4] const step 1
 *   c = add(b, x)                          step 2
 *   d = sum(c, c, c)                       step 3
 *   e = reshape(d, [12]) (output)          step 4
 */
function chain(): Graph {
  const x = new Value('x', { dtype: 'f32', shape: [4] });
  const g = new Graph('main', [x]);
  const b = new GraphBuilder(g);
  const [a] = b.emit('relu', [x]);
  const [bb] = b.emit('add', [a, b.constant(new Tensor('f32', [3, 4]))]);
  const [c] = b.emit('add', [bb, x]);
  const [d] = b.emit('sum', [c, c, c]);
  const [e] = b.emit('reshape', [d, b.constant(Tensor.fromArray('i64', [1], [12]))]);
  e.name = 'e';
  g.outputs = [e];
  return g;
}

describe('analyzeGraph', () => {
  test('counts ops, params, FLOPs, kernels and peak activation memory', () => {
    const s = analyzeGraph(chain());
    expect(s.inputs).toEqual([{ name: 'x', dtype: 'f32', shape: [4] }]);
    expect(s.outputs).toEqual([{ name: 'e', dtype: 'f32', shape: [12] }]);
    expect(s.ops).toEqual({ add: 2, relu: 1, reshape: 1, sum: 1 });
    expect(Object.keys(s.ops)).toEqual(['add', 'relu', 'reshape', 'sum']);
    expect(s.nodes).toBe(5);
    // k: 12 f32 (48 bytes) + the reshape target: 1 i64 (8 bytes).
    expect(s.params).toBe(13);
    expect(s.paramBytes).toBe(56);
    // relu 4 + add 12 + add 12 + sum of three: 2 per element, 24; reshape computes nothing.
    expect(s.flops).toBe(52);
    // The reshape is a view, but of the graph's output: code generation copies it into place.
    expect(s.kernels).toBe(5);
    expect(s.fusedOps).toEqual({});
    // step 0: x a = 32; step 1: x a b = 80; step 2: x b c = 112; step 3: c d = 96; step 4: d e = 96.
    expect(s.peakActivationBytes).toBe(112);
    expect(s.symbolic).toBe(false);
  });

  test('views are no kernels but where they are graph outputs; shape writes its dims; a constant output is copied', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2, 3] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const [f] = b.emit('flatten', [x]);
    const [r] = b.emit('relu', [f]);
    const [s] = b.emit('shape', [r]);
    const [u] = b.emit('unsqueeze', [r, b.constant(Tensor.fromArray('i64', [1], [0]))]);
    g.outputs = [u, s, b.constant(Tensor.fromArray('f32', [1], [1]))];
    // relu, shape, the copy of the unsqueeze into its output, the constant's copy; the flatten aliases x.
    expect(analyzeGraph(g).kernels).toBe(4);
  });

  test('symbolic dims make FLOPs and peak memory lower bounds', () => {
    const x = new Value('x', { dtype: 'f32', shape: ['N', 4] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const [r] = b.emit('relu', [x]);
    g.outputs = [b.emit('add', [r, r])[0]];
    const s = analyzeGraph(g);
    expect(s.symbolic).toBe(true);
    expect(s.flops).toBe(0);
    expect(s.peakActivationBytes).toBe(0);
    expect(s.kernels).toBe(2);
  });

  test('control flow runs on the host: its bodies count, the node itself does not', () => {
    const cond = new Value('cond', { dtype: 'bool', shape: [] });
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('main', [cond, x]);
    const b = new GraphBuilder(g);
    const branch = (name: string, n: number): Graph => {
      const body = new Graph(name);
      const bb = new GraphBuilder(body);
      let v = x;
      for (let i = 0; i < n; i++) v = bb.emit('neg', [v])[0];
      body.outputs = [v];
      return body;
    };
    g.outputs = [b.emit('if', [cond], { then_branch: branch('then', 2), else_branch: branch('else', 1) })[0]];
    const s = analyzeGraph(g);
    expect(s.ops).toEqual({ neg: 3, if: 1 });
    expect(s.kernels).toBe(3);
    expect(s.flops).toBe(6);
    // cond (1 byte) and x (8) at the If's step, with its output (8).
    expect(s.peakActivationBytes).toBe(17);
  });

  test('a fused node is one kernel whose cost is its body\'s; its body\'s ops are counted apart', () => {
    const before = analyzeGraph(chain());
    const s = analyzeGraph(fuseOps(chain()));
    // The element-wise chain is one group; the reshape stays outside it (no target computes a layout op in an
    // element-wise kernel: compiler/kernel-groups.ts), a view copied into the graph's output.
    expect(s.ops).toEqual({ fused: 1, reshape: 1 });
    expect(s.fusedOps).toEqual({ add: 2, relu: 1, sum: 1 });
    expect(s.nodes).toBe(2);
    expect(s.kernels).toBe(2);
    expect(s.flops).toBe(before.flops);
    // d and e at the reshape's step.
    expect(s.peakActivationBytes).toBe(96);
  });
});
