// unroll-loops: Scans, and Loops whose trip count and condition are known at compile time, become their
// iterations in the enclosing graph, computing what the interpreter computes with the loop; loops it cannot
// unroll stay whole, and lowering runs them as loops (codegen/loop-bodies.ts). Both targets run the unrolled
// cases in tests/targets/loop-cases.test.ts.
import { optimize } from '../api/optimize.js';
import { generateWasmProgram } from '../codegen/wasm/program.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { interpret } from '../compiler/interpreter.js';
import type { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, type TensorType, type Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { checkStaticShapes } from '../compiler/shape-inputs.js';
import { bodyGraph, LOOP_CASES } from '../tests/cases/loop-cases.js';
import { buildGraph, randomFeeds } from '../tests/util/graphs.js';
import { PassManager } from './manager.js';
import { optPipeline } from './pipelines.js';
import { unrollLoops } from './unroll-loops.js';

const ops = (g: Graph) => [...g.allNodes()].map((n) => n.op);
const loops = (g: Graph) => ops(g).filter((op) => op === 'loop' || op === 'scan');
const i64 = (v: number) => Tensor.scalar('i64', v);
const ITERATION: TensorType = { dtype: 'i64', shape: [] };
const COND: TensorType = { dtype: 'bool', shape: [] };

/** Every output of `after` equals `before`'s on the same seeded inputs (the same ops in the same order: exactly). */
function expectSameResults(before: Graph, after: Graph): void {
  const feeds = randomFeeds(before);
  const want = interpret(before, feeds);
  const got = interpret(after, feeds);
  for (const v of before.outputs) {
    expect(got[v.name].shape).toEqual(want[v.name].shape);
    expect(Array.from(got[v.name].data)).toEqual(Array.from(want[v.name].data));
  }
}

/** y, ys = Loop(M, cond, y) with body (i, c, y) → (condOut(i, c, y), y·2 + i, y·2 + i). */
function doublingLoop(m: number | null, cond: boolean | 'input' | null, condOut: (b: GraphBuilder, i: Value, c: Value, y: Value) => Value): Graph {
  return buildGraph({
    inputs: { y: { dtype: 'f32', shape: [2] }, ...(cond === 'input' ? { c: { dtype: 'bool', shape: [] } } : {}) },
    build: (b, x) => {
      const body = bodyGraph('double', { i: ITERATION, c: COND, y: { dtype: 'f32', shape: [2] } }, (bb, [i, c, y]) => {
        const next = bb.emit('add', [bb.emit('add', [y, y])[0], bb.emit('cast', [i], { to: 'f32' })[0]])[0];
        return [condOut(bb, i, c, y), next, next];
      });
      const condInput = cond === 'input' ? x.c : cond === null ? null : b.constant(Tensor.scalar('bool', cond ? 1 : 0));
      return b.emit('loop', [m === null ? null : b.constant(i64(m)), condInput, x.y], { body });
    },
  });
}

const passCond = (_b: GraphBuilder, _i: Value, c: Value) => c;

describe('unroll-loops', () => {
  test.each(Object.keys(LOOP_CASES))('%s: unrolled completely, computing what the loop computes', (name) => {
    const g = LOOP_CASES[name]();
    const out = unrollLoops(g);
    verifyGraph(out);
    expect(loops(out)).toEqual([]);
    expectSameResults(g, out);
    // The pass is pure: its input keeps its loops.
    expect(loops(g).length).toBeGreaterThan(0);
  });

  test('a scan input is read by a Gather per iteration; scan outputs are unsqueezed and concatenated', () => {
    const out = unrollLoops(LOOP_CASES[Object.keys(LOOP_CASES)[0]]());
    const count = (op: string) => ops(out).filter((o) => o === op).length;
    expect([count('gather'), count('unsqueeze'), count('concat')]).toEqual([8, 4, 1]);
  });

  test('a loop whose condition stops it unrolls to the iterations that ran, and its scan output has that many rows', () => {
    const g = doublingLoop(10, true, (b, i) => b.emit('less', [i, b.constant(i64(3))])[0]);
    const out = unrollLoops(g);
    expect(loops(out)).toEqual([]);
    expect(out.outputs[1].type.shape).toEqual([4, 2]);
    expectSameResults(g, out);
  });

  test('a loop without a trip count unrolls when its condition turns false within the limit', () => {
    const g = doublingLoop(null, true, (b, i) => b.emit('less', [i, b.constant(i64(5))])[0]);
    const out = unrollLoops(g);
    expect(loops(out)).toEqual([]);
    expect(out.outputs[1].type.shape).toEqual([6, 2]);
    expectSameResults(g, out);
  });

  test('a loop that runs no iteration gives its initial values and an empty scan output', () => {
    for (const g of [doublingLoop(0, true, passCond), doublingLoop(7, false, passCond)]) {
      const out = unrollLoops(g);
      verifyGraph(out);
      expect(loops(out)).toEqual([]);
      expect(out.outputs[1].type.shape).toEqual([0, 2]);
      expectSameResults(g, out);
    }
  });

  test('loops whose condition is not known at compile time stay whole', () => {
    // A condition computed from data, a condition fed at run time, and no trip count with a condition that stays true.
    const fromData = doublingLoop(4, true, (b, _i, _c, y) => {
      // all(y < 9), as reduce_min over the comparison cast to f32
      const below = b.emit('cast', [b.emit('less', [y, b.constant(Tensor.fromArray('f32', [2], [9, 9]))])[0]], { to: 'f32' })[0];
      return b.emit('cast', [b.emit('reduce_min', [below], { keepdims: 0 })[0]], { to: 'bool' })[0];
    });
    for (const g of [fromData, doublingLoop(4, 'input', passCond), doublingLoop(null, true, passCond)]) {
      expect(unrollLoops(g)).toBe(g);
    }
  });

  test('past the iteration or node limits a loop stays whole; raised limits unroll it', () => {
    const long = doublingLoop(100, null, passCond);
    expect(unrollLoops(long)).toBe(long);
    expect(loops(unrollLoops(long, { maxIterations: 128, maxNodes: 4096 }))).toEqual([]);
    const short = doublingLoop(3, null, passCond);
    expect(unrollLoops(short, { maxIterations: 64, maxNodes: 8 })).toBe(short);
    expect(loops(unrollLoops(short, { maxIterations: 64, maxNodes: 9 }))).toEqual([]);
  });

  test('at -O0 lowering unrolls too (its required folding), so a small loop compiles with no pipeline', () => {
    const g = doublingLoop(3, true, passCond);
    expect(() => generateWasmProgram(g)).not.toThrow();
    expect(() => compileToWebgpu(g)).not.toThrow();
  });

  test('a loop left whole is lowered as a loop of its body on both targets (codegen/loop-bodies.ts)', () => {
    const g = new PassManager().run(optPipeline(2), doublingLoop(100, null, passCond));
    expect(loops(g)).toEqual(['loop']);
    expect(generateWasmProgram(g).source).toMatch(/for \(loop0_i = 0; loop0_going && loop0_i < loop0_trips; loop0_i\+\+\)/);
    expect(compileToWebgpu(g).loops).toHaveLength(1);
  });
});

describe('a Loop whose trip count is a model input', () => {
  // ys = Loop(M, true, y) { y + 1 }: the scan output's length is M, so M decides a shape and is specialized.
  const model = encodeOnnxModel({
    inputs: [{ name: 'M', dtype: 'i64', shape: [] }, { name: 'y', dtype: 'f32', shape: [3] }],
    outputs: [{ name: 'ys', dtype: 'f32', shape: ['n', 3] }],
    initializers: [{ name: 'one', tensor: Tensor.fromArray('f32', [1], [1]) }, { name: 'yes', tensor: Tensor.scalar('bool', 1) }],
    nodes: [{
      op: 'Loop', inputs: ['M', 'yes', 'y'], outputs: ['last', 'ys'], attrs: {
        body: { graph: {
          name: 'body',
          inputs: [{ name: 'i', dtype: 'i64', shape: [] }, { name: 'c', dtype: 'bool', shape: [] }, { name: 'y_in', dtype: 'f32', shape: [3] }],
          outputs: [{ name: 'c_out', dtype: 'bool', shape: [] }, { name: 'y_out', dtype: 'f32', shape: [3] }, { name: 'y_scan', dtype: 'f32', shape: [3] }],
          nodes: [
            { op: 'Identity', inputs: ['c'], outputs: ['c_out'] },
            { op: 'Add', inputs: ['y_in', 'one'], outputs: ['y_out'] },
            { op: 'Identity', inputs: ['y_out'], outputs: ['y_scan'] },
          ],
        } },
      },
    }],
  });

  test('given with --input-value, it unrolls to that many iterations', () => {
    const { graph } = optimize(model, { inputValues: { M: [3] } });
    expect(loops(graph)).toEqual([]);
    const r = interpret(graph, { y: Tensor.fromArray('f32', [3], [0, 10, 20]) });
    expect(r.ys.shape).toEqual([3, 3]);
    expect(Array.from(r.ys.data)).toEqual([1, 11, 21, 2, 12, 22, 3, 13, 23]);
  });

  test('not given, the static-shape check asks for it', () => {
    const { graph } = optimize(model);
    expect(() => checkStaticShapes(graph)).toThrow("input 'M' sets the shape of node");
  });
});
