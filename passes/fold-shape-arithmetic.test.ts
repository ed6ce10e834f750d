// fold-shape-arithmetic where a golden file does not serve: symbolic dims (golden cases run on random inputs)
// and ONNX exporters' chains. The concrete case (shape, size and shape slices of a concrete x become
// constants) is tests/passes/fold-shape-arithmetic.ir.
import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { foldShapeArithmetic } from './fold-shape-arithmetic.js';
import { PassManager } from './manager.js';
import { parsePipeline, SIMPLIFY } from './pipelines.js';

const ops = (g: Graph) => g.nodes.map((n) => n.op);
const i64 = (values: number[]) => Tensor.fromArray('i64', [values.length], values);

/** The chain exporters write for `x.reshape(x.shape[0], -1)`: Shape → Gather → Unsqueeze → Concat → Reshape. */
function flattenModel(): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 3, 'H', 'W'] }],
    outputs: [{ name: 'y', dtype: 'f32', shape: ['N', '?'] }],
    initializers: [
      { name: 'zero', tensor: Tensor.scalar('i64', 0) },
      { name: 'axes', tensor: i64([0]) },
      { name: 'minus_one', tensor: i64([-1]) },
    ],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['shape'] },
      { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n', 'axes'], outputs: ['n1'] },
      { op: 'Concat', inputs: ['n1', 'minus_one'], outputs: ['target'], attrs: { axis: 0 } },
      { op: 'Reshape', inputs: ['x', 'target'], outputs: ['flat'] },
      { op: 'Relu', inputs: ['flat'], outputs: ['y'] },
    ],
  });
}

describe('fold-shape-arithmetic', () => {
  test('with symbolic dims: only the dims that are known fold', () => {
    const x = new Value('x', { dtype: 'f32', shape: ['N', 3, 4] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const [shape] = b.emit('shape', [x]);
    const [known] = b.emit('gather', [shape, b.constant(i64([2, 1]))]);
    const [unknown] = b.emit('gather', [shape, b.constant(Tensor.scalar('i64', 0))]);
    g.outputs = [b.emit('add', [known, unknown])[0]];
    const out = foldShapeArithmetic(g);
    verifyGraph(out);
    expect(ops(out)).toEqual(['shape', 'gather', 'add']);
    expect(Array.from(out.nodes[2].inputs[0]!.data!.data)).toEqual([4, 3]);
    const r = interpret(out, { x: new Tensor('f32', [5, 3, 4]) });
    expect(Array.from(Object.values(r)[0].data)).toEqual([9, 8]);
  });

  test('the -O1 simplification collapses Shape → Gather → Unsqueeze → Concat → Reshape into a reshape by a constant', () => {
    const { graph } = importOnnx(flattenModel(), { inputShapes: { x: [2, 3, 4, 5] } });
    expect(ops(graph)).toEqual(['shape', 'gather', 'unsqueeze', 'concat', 'reshape', 'relu']);
    // Inference already sees through the chain (compile-time value propagation); the pass removes it.
    expect(graph.outputs[0].type.shape).toEqual([2, 60]);
    const out = new PassManager({ verifyEach: true }).run(parsePipeline(SIMPLIFY), graph);
    expect(ops(out)).toEqual(['reshape', 'relu']);
    expect(Array.from(out.nodes[0].inputs[1]!.data!.data)).toEqual([2, -1]);
    expect(out.outputs[0].type).toEqual({ dtype: 'f32', shape: [2, 60] });
    expect(out.outputs[0].name).toBe('y');
    const x = Tensor.fromArray('f32', [2, 3, 4, 5], Array.from({ length: 120 }, (_, i) => i - 60));
    const want = interpret(graph, { x }).y;
    const got = interpret(out, { x }).y;
    expect(got.shape).toEqual([2, 60]);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
  });

  test('a reshape to the shape it already has disappears too', () => {
    const model = encodeOnnxModel({
      inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 6] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 6] }],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Reshape', inputs: ['r', 's'], outputs: ['back'] },
        { op: 'Neg', inputs: ['back'], outputs: ['y'] },
      ],
    });
    const { graph } = importOnnx(model, { inputShapes: { x: [4, 6] } });
    const out = new PassManager({ verifyEach: true }).run(parsePipeline(SIMPLIFY), graph);
    expect(ops(out)).toEqual(['relu', 'neg']);
    expect(out.constants).toHaveLength(0);
  });
});
