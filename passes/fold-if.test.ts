// fold-if: an If whose condition is a constant becomes its taken branch's nodes in the enclosing graph; and
// through the frontend and both targets' lowering, a model's If on an input fixed with --input-value compiles
// whatever its untaken branch holds.
import { compile } from '../api/compile.js';
import { optimize } from '../api/optimize.js';
import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { encodeOnnxModel, type OnnxGraphSpec } from '../compiler/onnx/writer.js';
import { foldIf } from './fold-if.js';

const f32 = (shape: number[], values: number[]) => Tensor.fromArray('f32', shape, values);
const ops = (g: Graph) => [...g.allNodes()].map((n) => n.op);

/** main(x) = If(cond){ then } else { else } with each branch built by its own builder (so names collide). */
function graphWithIf(cond: Value | boolean, then: (b: GraphBuilder) => Value[], otherwise: (b: GraphBuilder) => Value[], outer?: Graph): { g: Graph; x: Value } {
  const x = new Value('x', { dtype: 'f32', shape: [3] });
  const g = outer ?? new Graph('main', [x]);
  const b = new GraphBuilder(g);
  const c = typeof cond === 'boolean' ? b.constant(Tensor.scalar('bool', cond ? 1 : 0)) : cond;
  const branch = (name: string, body: (b: GraphBuilder) => Value[]) => {
    const sg = new Graph(name);
    sg.outputs = body(new GraphBuilder(sg));
    return sg;
  };
  const outs = b.emit('if', [c], { then_branch: branch('then', then), else_branch: branch('else', otherwise) });
  outs.forEach((v, i) => (v.name = `y${i}`));
  g.outputs = outs;
  return { g, x: g.inputs[0] ?? x };
}

describe('fold-if', () => {
  test('a constant true condition inlines the then branch, reading the outer value and its own constants', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const g = new Graph('main', [x]);
    graphWithIf(true, (b) => b.emit('add', [b.emit('relu', [x])[0], b.constant(f32([3], [1, 2, 3]))]), (b) => b.emit('neg', [x]), g);
    const out = foldIf(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['relu', 'add']);
    expect(out.outputs.map((v) => v.name)).toEqual(['y0']);
    const r = interpret(out, { x: f32([3], [-1, 0, 5]) });
    expect(Array.from(r.y0.data)).toEqual([1, 2, 8]);
    // The pass is pure: the input graph keeps its If.
    expect(ops(g)).toEqual(['if', 'relu', 'add', 'neg']);
  });

  test('a constant false condition inlines the else branch', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const g = new Graph('main', [x]);
    graphWithIf(false, (b) => b.emit('relu', [x]), (b) => b.emit('neg', [x]), g);
    const out = foldIf(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['neg']);
    expect(Array.from(interpret(out, { x: f32([3], [-1, 0, 5]) }).y0.data)).toEqual([1, -0, -5]);
  });

  test('the untaken branch may hold what no target compiles: it is dropped', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const g = new Graph('main', [x]);
    // non_zero's output has a data-dependent shape, which no kernel can be planned for.
    graphWithIf(true, (b) => b.emit('relu', [x]), (b) => b.emit('cast', [b.emit('non_zero', [x])[0]], { to: 'f32' }), g);
    expect(ops(g)).toContain('non_zero');
    const out = foldIf(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['relu']);
  });

  test('a branch result that no branch node computes is copied into the If output by an identity', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const g = new Graph('main', [x]);
    // then: (x, relu(x), relu(x), constant): an outer value, one value given twice, a constant.
    graphWithIf(true, (b) => {
      const [r] = b.emit('relu', [x]);
      return [x, r, r, b.constant(f32([3], [7, 8, 9]))];
    }, (b) => [x, x, x, x], g);
    const out = foldIf(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['relu', 'identity', 'identity', 'identity']);
    expect(out.outputs.map((v) => v.name)).toEqual(['y0', 'y1', 'y2', 'y3']);
    const r = interpret(out, { x: f32([3], [-1, 0, 5]) });
    expect([r.y0, r.y1, r.y2, r.y3].map((t) => Array.from(t.data))).toEqual([[-1, 0, 5], [0, 0, 5], [0, 0, 5], [7, 8, 9]]);
  });

  test('a nested graph of the branch that reads a result reads the If output', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const flag = new Value('flag', { dtype: 'bool', shape: [] });
    const g = new Graph('main', [x, flag]);
    graphWithIf(true, (b) => {
      const [r] = b.emit('relu', [x]);
      const [inner] = b.emit('if', [flag], { then_branch: branchOf('t', [r], 'neg'), else_branch: branchOf('e', [r], 'abs') });
      return [r, inner];
    }, () => [x, x], g);
    const out = foldIf(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['relu', 'if', 'neg', 'abs']);
    const r = interpret(out, { x: f32([3], [-1, 0, 5]), flag: Tensor.scalar('bool', 1) });
    expect([r.y0, r.y1].map((t) => Array.from(t.data))).toEqual([[0, 0, 5], [-0, -0, -5]]);
  });

  test('branch names that the enclosing graph already uses are renamed; others are kept', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const g = new Graph('main', [x]);
    const outer = new GraphBuilder(g);
    const [r] = outer.emit('relu', [x]); // node and value relu_0, relu_1
    graphWithIf(true, (b) => b.emit('sigmoid', [b.emit('relu', [r])[0]]), (b) => [r], g);
    g.outputs = [...g.outputs, r];
    const out = foldIf(g);
    verifyGraph(out);
    const names = [...out.allNodes()].flatMap((n) => [n.name, ...n.outputs.map((v) => v.name)]);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('sigmoid_2');
  });

  test('Ifs nested in a taken branch fold too; a condition that is not constant stays', () => {
    const x = new Value('x', { dtype: 'f32', shape: [3] });
    const flag = new Value('flag', { dtype: 'bool', shape: [] });
    const g = new Graph('main', [x, flag]);
    graphWithIf(true, (b) => {
      const inner = new Graph('inner');
      graphWithIf(false, (ib) => ib.emit('relu', [x]), (ib) => ib.emit('neg', [x]), inner);
      const [v] = b.emit('if', [b.constant(Tensor.scalar('bool', 1))], { then_branch: inner, else_branch: branchOf('unused', [x], 'sin') });
      return b.emit('if', [flag], { then_branch: branchOf('t', [v], 'abs'), else_branch: branchOf('e', [v], 'exp') });
    }, () => [x], g);
    const out = foldIf(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['neg', 'if', 'abs', 'exp']);
    expect(foldIf(out)).toBe(out);
  });
});

/** A branch computing op(v) from an outer value. */
function branchOf(name: string, [v]: Value[], op: string): Graph {
  const sg = new Graph(name);
  sg.outputs = new GraphBuilder(sg).emit(op, [v]);
  return sg;
}

describe('an If on an input fixed by value, through import and both targets', () => {
  // y = If(sr == 16000) { relu(x) } else { reshape(x, [3, -1]) }: 512 elements do not split into 3 rows, so the
  // else branch does not even infer for this input, and its non_zero would have no kernel.
  const branch = (name: string, nodes: OnnxGraphSpec['nodes'], out: string): OnnxGraphSpec => ({
    name, inputs: [], outputs: [{ name: out, dtype: 'f32', shape: [1, 512] }], nodes,
  });
  const model = encodeOnnxModel({
    inputs: [{ name: 'x', dtype: 'f32', shape: [1, 512] }, { name: 'sr', dtype: 'i64', shape: [] }],
    outputs: [{ name: 'y', dtype: 'f32', shape: [1, 512] }],
    initializers: [{ name: 'rate', tensor: Tensor.scalar('i64', 16000) }, { name: 'rows', tensor: Tensor.fromArray('i64', [2], [3, -1]) }],
    nodes: [
      { op: 'Equal', inputs: ['sr', 'rate'], outputs: ['is16k'] },
      {
        op: 'If', inputs: ['is16k'], outputs: ['y'], attrs: {
          then_branch: { graph: branch('then', [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }], 'r') },
          else_branch: { graph: branch('else', [
            { op: 'Reshape', inputs: ['x', 'rows'], outputs: ['folded'] },
            { op: 'NonZero', inputs: ['folded'], outputs: ['nz'] },
            { op: 'Cast', inputs: ['nz'], outputs: ['e'], attrs: { to: 1 } },
          ], 'e') },
        },
      },
    ],
  });

  test('the optimized graph is the taken branch, and computes it', () => {
    const { graph } = optimize(model, { inputValues: { sr: [16000] } });
    expect(ops(graph)).not.toContain('if');
    const x = f32([1, 512], Array.from({ length: 512 }, (_, i) => i - 256));
    expect(Array.from(interpret(graph, { x }).y.data)).toEqual(Array.from(x.data, (v) => Math.max(v, 0)));
  });

  test.each([0, 2])('compiles for webgpu at -O%d (lowering folds the If when no pipeline did)', async (optLevel) => {
    const artifact = await compile(model, { target: 'webgpu', optLevel, inputValues: { sr: [16000] } });
    expect(artifact.manifest.specialized).toEqual([{ name: 'sr', dtype: 'i64', shape: [], values: [16000] }]);
    expect(artifact.manifest.inputs.map((i) => i.name)).toEqual(['x']);
  });

  test('without the value, the else branch is imported and its error reported', () => {
    expect(() => optimize(model)).toThrow(/reshape/i);
  });
});
