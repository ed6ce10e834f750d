import { Graph, Value } from '../compiler/ir/graph.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { interpret } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { foldQdq } from '../passes/fold-qdq.js';
import { quantizeGraph, type AccuracyGuard } from './quantize-graph.js';

/**
 * x[16] → gemm₁ → relu → gemm₂ → logits[4]. gemm₁ passes x through and adds one channel 1000× larger than
 * the rest, which gemm₂ ignores: per-tensor quantization of gemm₂'s input spends its 256 levels on that
 * channel and rounds the others away, so gemm₂ is the sensitive layer; gemm₁'s input is plain x.
 */
function twoLayerModel(): Graph {
  const g = new Graph('two_layers');
  const x = new Value('x', { dtype: 'f32', shape: [1, 16] });
  g.inputs.push(x);
  const b = new GraphBuilder(g);
  const r = seededRandom(5);
  const w1 = new Float32Array(16 * 17);
  for (let i = 0; i < 16; i++) w1[i * 17 + i] = 1;
  for (let i = 0; i < 16; i++) w1[i * 17 + 16] = 1000 * (1 + r());
  const [h] = b.emit('gemm', [x, b.constant(new Tensor('f32', [16, 17], w1))]);
  const [a] = b.emit('relu', [h]);
  const w2 = new Float32Array(17 * 4).map((_, i) => (i >= 16 * 4 ? 0 : r()));
  const [y] = b.emit('gemm', [a, b.constant(new Tensor('f32', [17, 4], w2)), b.constant(new Tensor('f32', [4], [0.1, -0.1, 0.05, 0]))]);
  y.name = 'logits';
  g.outputs.push(y);
  return g;
}

function samples(n: number, seed: number): Record<string, Tensor>[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => ({ x: new Tensor('f32', [1, 16], new Float32Array(16).map(() => Math.abs(r()))) }));
}

/** Top-1 agreement (%) with the f32 model's arg-max, on `evalSet`. */
function agreementGuard(f32: Graph, evalSet: Record<string, Tensor>[], maxDrop: number): AccuracyGuard {
  const argmax = (t: Tensor) => t.data.indexOf(Math.max(...t.data));
  const labels = evalSet.map((f) => argmax(interpret(f32, f).logits));
  return {
    metric: 'top1',
    higherIsBetter: true,
    budget: { maxDrop },
    evaluate: (g) => (100 * evalSet.filter((f, i) => argmax(interpret(g, f)[g.outputs[0].name]) === labels[i]).length) / evalSet.length,
  };
}

describe('quantizeGraph', () => {
  test('quantizes every layer and reports its parameters and output SQNR', () => {
    const f32 = twoLayerModel();
    const { graph, report } = quantizeGraph(f32, { mode: 'affine', bits: 8, calibrator: 'minmax', calibration: samples(8, 1) });
    expect(report.layers.map((l) => [l.op, l.precision, l.activation?.dtype, l.weights?.dtype])).toEqual([
      ['gemm', 'int8', 'u8', 'i8'],
      ['gemm', 'int8', 'u8', 'i8'],
    ]);
    // x ∈ [0, 1): u8 with zero point 0 and scale 1/255 at most.
    expect(report.layers[0].activation!.zeroPoint).toBe(0);
    expect(report.layers[0].activation!.scale).toBeLessThanOrEqual(1 / 255 + 1e-9);
    expect(report.layers[0].sqnrDb).toBeGreaterThan(30);
    // Alone, the second layer loses its small channels to the large one: it is the sensitive one.
    expect(report.layers[1].aloneSqnrDb!).toBeLessThan(report.layers[0].aloneSqnrDb! - 20);
    // The QDQ graph folds into integer anchors.
    expect(foldQdq(graph).nodes.filter((n) => n.op === 'matmul_integer')).toHaveLength(2);
  });

  test('the accuracy guard falls the sensitive layer back to f32 when the budget is tight, and only it', () => {
    const f32 = twoLayerModel();
    const evalSet = samples(64, 2);
    const guard = agreementGuard(f32, evalSet, 1);
    const unguarded = quantizeGraph(f32, { mode: 'affine', bits: 8, calibrator: 'minmax', calibration: samples(8, 1) });
    expect(guard.evaluate(unguarded.graph)).toBeLessThan(99);
    const { report } = quantizeGraph(f32, { mode: 'affine', bits: 8, calibrator: 'minmax', calibration: samples(8, 1), guard });
    expect(report.layers.map((l) => l.precision)).toEqual(['int8', 'f32']);
    expect(report.layers[1].sensitivity!).toBeGreaterThan(report.layers[0].sensitivity!);
    expect(report.guard!.drop).toBeLessThanOrEqual(1);
    expect(report.guard!.trials.length).toBeGreaterThan(1);
  });

  test('a loose budget keeps every layer int8 after one trial', () => {
    const f32 = twoLayerModel();
    const guard = agreementGuard(f32, samples(64, 2), 100);
    const { report } = quantizeGraph(f32, { mode: 'affine', bits: 8, calibrator: 'minmax', calibration: samples(8, 1), guard });
    expect(report.layers.map((l) => l.precision)).toEqual(['int8', 'int8']);
    expect(report.guard!.trials).toHaveLength(1);
  });

  test('dynamic fixed point: power-of-two scales, signed activations, 16 bits closer to f32 than 8', () => {
    const f32 = twoLayerModel();
    const run = (bits: 8 | 16) => quantizeGraph(f32, { mode: 'dfp', bits, calibrator: 'minmax', calibration: samples(8, 1) }).report;
    const [r8, r16] = [run(8), run(16)];
    for (const l of [...r8.layers, ...r16.layers]) {
      expect(Number.isInteger(Math.log2(l.activation!.scale))).toBe(true);
      expect(l.activation!.zeroPoint).toBe(0);
      expect(l.activation!.fractionalLength).toBe(-Math.log2(l.activation!.scale));
    }
    expect(r8.layers.map((l) => l.activation!.dtype)).toEqual(['i8', 'i8']);
    expect(r16.layers.map((l) => l.activation!.dtype)).toEqual(['i16', 'i16']);
    // 8 more bits: about 6 dB each on the first layer (x ∈ [0, 1)).
    expect(r16.layers[0].sqnrDb!).toBeGreaterThan(r8.layers[0].sqnrDb! + 40);
  });

  test('refuses a model with nothing to quantize and an empty calibration set', () => {
    const g = new Graph('plain');
    const x = new Value('x', { dtype: 'f32', shape: [4] });
    g.inputs.push(x);
    const [y] = new GraphBuilder(g).emit('relu', [x]);
    g.outputs.push(y);
    expect(() => quantizeGraph(g, { mode: 'affine', bits: 8, calibrator: 'minmax', calibration: [{ x: new Tensor('f32', [4]) }] })).toThrow(/nothing to quantize/);
    expect(() => quantizeGraph(twoLayerModel(), { mode: 'affine', bits: 8, calibrator: 'minmax', calibration: [] })).toThrow(/at least one calibration sample/);
  });
});
