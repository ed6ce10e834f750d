import { Graph, Value } from '../compiler/ir/graph.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { interpret } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import type { AccuracyGuard } from '../quantize/quantize-graph.js';
import { cloneGraph } from '../passes/graph-edit.js';
import { sqnrDb } from '../quantize/sqnr.js';
import { METRIC_SENSITIVITY_LAYERS } from '../quantize/quantize-graph.js';
import { compressGraph } from './compress-graph.js';
import { applyWeightStep } from './techniques.js';

/** x[1,32] → gemm (32→64) → relu → gemm (64→10): two fully connected layers of random weights. */
function mlp(): Graph {
  const r = seededRandom(21);
  const g = new Graph('mlp');
  const x = new Value('x', { dtype: 'f32', shape: [1, 32] });
  g.inputs.push(x);
  const b = new GraphBuilder(g);
  const rand = (shape: number[]) => b.constant(new Tensor('f32', shape, Float32Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => r())));
  const [h] = b.emit('gemm', [x, rand([64, 32]), rand([64])], { transB: 1 });
  const [a] = b.emit('relu', [h]);
  const [y] = b.emit('gemm', [a, rand([10, 64]), rand([10])], { transB: 1 });
  y.name = 'logits';
  g.outputs.push(y);
  return g;
}

const r = seededRandom(8);
const evalSet = Array.from({ length: 200 }, () => ({ x: new Tensor('f32', [1, 32], Float32Array.from({ length: 32 }, () => r())) }));
const argmax = (t: Tensor) => t.data.indexOf(Math.max(...t.data));

/** Top-1 agreement (%) with the uncompressed model's arg-max. */
function agreementGuard(reference: Graph, maxDrop: number): AccuracyGuard {
  const labels = evalSet.map((f) => argmax(interpret(reference, f).logits));
  return {
    metric: 'agreement',
    higherIsBetter: true,
    budget: { maxDrop },
    evaluate: (g) => (100 * evalSet.filter((f, i) => argmax(interpret(g, f)[g.outputs[0].name]) === labels[i]).length) / evalSet.length,
  };
}

function distinctNonZero(g: Graph, node: number): number {
  return new Set(g.nodes.filter((n) => n.op === 'gemm')[node].inputs[1]!.data!.data.filter((v) => v !== 0)).size;
}

describe('compressGraph', () => {
  it('without a budget, applies the default steps and says the result is unmeasured post-training', () => {
    const g = mlp();
    const { graph, report } = compressGraph(g, { techniques: ['prune', 'share'] });
    verifyGraph(graph);
    expect(report.guard).toBeUndefined();
    expect(report.retraining).toMatch(/^none: post-training/);
    for (const layer of report.layers) {
      expect(layer.prune?.s).toBe(1);
      expect(layer.share?.bits).toBe(5);
      expect(layer.density).toBeLessThan(0.45);
      expect(layer.distinct).toBeLessThanOrEqual(33);
    }
    expect(distinctNonZero(graph, 0)).toBeLessThanOrEqual(32);
    // The input graph is untouched.
    expect(new Set(g.nodes[0].inputs[1]!.data!.data).size).toBe(64 * 32);
  });

  it('holds the budget: the search keeps the most aggressive steps whose model stays within it', () => {
    const g = mlp();
    const guard = agreementGuard(g, 10);
    const { graph, report } = compressGraph(g, { techniques: ['prune', 'share'], guard });
    expect(report.guard!.before).toBe(100);
    expect(report.guard!.drop).toBeLessThanOrEqual(10);
    expect(guard.evaluate(graph)).toBe(report.guard!.after);
    // Every trial that held the budget was no more aggressive than what was kept, and one that failed was tried.
    expect(report.guard!.trials.some((t) => !t.ok)).toBe(true);
    expect(report.layers.every((l) => l.sensitivity?.prune?.length === 11)).toBe(true);
    expect(report.layers.some((l) => (l.prune?.s ?? 0) > 0)).toBe(true);
    expect(report.layers.some((l) => l.share !== undefined)).toBe(true);
  });

  it('a retrainer that loses accuracy never gives a worse model than post-training', () => {
    const g = mlp();
    const guard = agreementGuard(g, 10);
    // A "retrainer" that wrecks the first layer: every retrained candidate breaks the budget.
    const wrecking = {
      describe: 'zeroes the first layer',
      retrain: (graph: Graph) => {
        const out = cloneGraph(graph);
        const w = out.nodes.find((n) => n.op === 'gemm')!.inputs[1]!.data!;
        out.nodes.find((n) => n.op === 'gemm')!.inputs[1]!.data = new Tensor('f32', w.shape, new Float32Array(w.data.length));
        return out;
      },
    };
    const postTraining = compressGraph(g, { techniques: ['prune', 'share'], guard });
    const withRetrainer = compressGraph(g, { techniques: ['prune', 'share'], guard, retrainer: wrecking });
    expect(withRetrainer.report.guard!.drop).toBeLessThanOrEqual(10);
    expect(withRetrainer.report.guard!.trials.filter((t) => t.ok).every((t) => t.retrained === false)).toBe(true);
    const density = (r: typeof postTraining) => r.report.layers.reduce((a, l) => a + l.density * l.elements, 0);
    expect(density(withRetrainer)).toBeLessThan(64 * 32 + 10 * 64);
    expect(density(withRetrainer)).toBeLessThanOrEqual(density(postTraining) * 1.1);
  });

  it('with retraining, pruning and sharing scan past the steps that break the budget post-training', () => {
    const g = mlp();
    const agreement = agreementGuard(g, 10);
    // A "retrainer" that marks what it retrained (the first bias), and a guard under which marked models
    // recover all accuracy: every retrained candidate holds the budget, whatever it pruned.
    const MARK = 12345;
    const firstBias = (graph: Graph) => graph.nodes.find((n) => n.op === 'gemm')!.inputs[2]!;
    const healing = {
      describe: 'marks the first bias',
      retrain: (graph: Graph) => {
        const out = cloneGraph(graph);
        const b = firstBias(out);
        b.data = new Tensor('f32', b.data!.shape, Float32Array.from(b.data!.data, (v, i) => (i === 0 ? MARK : v)));
        return out;
      },
    };
    const guard: AccuracyGuard = { ...agreement, evaluate: (graph) => (firstBias(graph).data!.data[0] === MARK ? 100 : agreement.evaluate(graph)) };
    const postTraining = compressGraph(g, { techniques: ['prune'], guard });
    const retrained = compressGraph(g, { techniques: ['prune'], guard, retrainer: healing });
    const lastStep = 3;
    // Sharing with centroid fine-tuning, likewise: the bisection reaches the ladder's last step (2 bits).
    const shared = compressGraph(g, { techniques: ['share'], guard, retrainer: healing });
    expect(shared.report.layers.map((l) => l.share?.bits)).toEqual([2, 2]);
    expect(compressGraph(g, { techniques: ['share'], guard }).report.layers.some((l) => (l.share?.bits ?? 8) > 2)).toBe(true);
    // Post-training, a step that breaks the budget ends each layer's ladder; with retraining, rounds go on to the last step.
    expect(postTraining.report.layers.some((l) => (l.prune?.s ?? 0) < lastStep)).toBe(true);
    expect(retrained.report.layers.map((l) => l.prune?.s)).toEqual([lastStep, lastStep]);
    expect(retrained.report.layers.every((l) => l.sensitivity!.prune!.every(Number.isFinite))).toBe(true);
    const trials = retrained.report.guard!.trials;
    expect(trials.every((t) => t.ok && t.retrained)).toBe(true);
    expect(trials.length).toBeLessThanOrEqual(8);
  });

  it('a tighter budget compresses less', () => {
    const g = mlp();
    const density = (maxDrop: number) => {
      const { report } = compressGraph(g, { techniques: ['prune'], guard: agreementGuard(g, maxDrop) });
      return report.layers.reduce((a, l) => a + l.density * l.elements, 0);
    };
    expect(density(0)).toBeGreaterThan(density(10));
  });

  it('low-rank factors layers and the later stages compress the factors', () => {
    const g = mlp();
    const { graph, report } = compressGraph(g, { techniques: ['lowrank', 'share'] });
    verifyGraph(graph);
    expect(graph.nodes.filter((n) => n.op === 'gemm').length).toBe(4);
    const [first, second] = g.nodes.filter((n) => n.op === 'gemm').map((n) => n.name);
    expect(report.layers.map((l) => l.lowrank?.of)).toEqual([first, first, second, second]);
    expect(report.layers.every((l) => l.share?.bits === 5)).toBe(true);
  });

  it('ranks the layers of a large model by the output SQNR with each alone compressed, where the guard measures it', () => {
    // x[1,8] → (gemm 8→8, relu) × 18: more layers than the metric is measured alone for.
    const r = seededRandom(4);
    const g = new Graph('deep-mlp');
    let h = new Value('x', { dtype: 'f32', shape: [1, 8] });
    g.inputs.push(h);
    const b = new GraphBuilder(g);
    const layers = METRIC_SENSITIVITY_LAYERS + 2;
    for (let i = 0; i < layers; i++) {
      const w = b.constant(new Tensor('f32', [8, 8], Float32Array.from({ length: 64 }, () => (r() - 0.5) * 0.9)));
      [h] = b.emit('relu', [b.emit('gemm', [h, w, b.constant(new Tensor('f32', [8], new Float32Array(8).fill(0.1)))], { transB: 1 })[0]]);
    }
    g.outputs.push(h);
    const samples = evalSet.slice(0, 8).map((f) => ({ x: new Tensor('f32', [1, 8], f.x.data.slice(0, 8)) }));
    const outputs = (graph: Graph) => samples.flatMap((f) => Array.from(interpret(graph, f)[graph.outputs[0].name].data));
    const reference = outputs(g);
    let measured = 0;
    const guard: AccuracyGuard = {
      metric: 'sqnr',
      higherIsBetter: true,
      budget: { minValue: 20 },
      evaluate: (graph) => sqnrDb(reference, outputs(graph)),
      outputSqnrDb: (graph) => (measured++, sqnrDb(reference, outputs(graph))),
    };
    const { report } = compressGraph(g, { techniques: ['share'], guard });
    expect(report.guard!.after).toBeGreaterThanOrEqual(20);
    expect(measured).toBeGreaterThanOrEqual(layers);
    // After the allocation, single layers were pushed one step further under the guard.
    expect(report.guard!.trials.some((t) => t.layer !== undefined)).toBe(true);
    // Each layer's first step costs minus the output SQNR it alone leaves, in whole dB.
    for (const layer of report.layers.slice(0, 3)) {
      const alone = cloneGraph(g);
      const w = alone.nodes.find((n) => n.name === layer.node)!.inputs[1]!;
      w.data = new Tensor('f32', w.data!.shape, applyWeightStep('share', w.data!.data as Float32Array, 1).values);
      expect(layer.sensitivity!.share![0]).toBe(-Math.floor(sqnrDb(reference, outputs(alone))));
    }
  });

  it('ternary weights hold three values per layer', () => {
    const { graph } = compressGraph(mlp(), { techniques: ['ternary'] });
    const weights = graph.nodes.filter((n) => n.op === 'gemm').map((n) => new Set(n.inputs[1]!.data!.data));
    weights.forEach((w) => expect(w.size).toBe(3));
  });
});
