// Compression of a model's weights under an accuracy budget: low-rank factorization, magnitude pruning,
// ternary weights and k-means weight sharing, run as stages in that order. Each stage has a ladder of steps
// per layer (techniques.ts). With a guard, every (layer, step) gets a cost — the metric's drop with that layer
// alone at that step for small models (Han et al.'s per-layer sensitivity scan), and for models with
// more layers than that is worth evaluating, minus the model's output SQNR with that layer alone at that step on
// a few samples (weight sharing, where the guard runs candidates compiled: then the steps are allocated by
// rate–distortion), else minus the weights' SQNR — and the stage keeps the largest cost threshold τ
// whose model (each layer at its most aggressive step costing ≤ τ, retrained when a retrainer is given) holds
// the budget, found by bisection over the distinct costs. Without a guard each layer gets the technique's
// default step and the report says the result is unmeasured.
import '../compiler/ops/index.js';
import { DlcError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { cloneGraph, NameAllocator } from '../passes/graph-edit.js';
import { quantizableLayers, type QuantizableLayer } from '../quantize/layers.js';
import { METRIC_SENSITIVITY_LAYERS, type AccuracyGuard } from '../quantize/quantize-graph.js';
import { factorable, factorLayer, layerSvd, rankForFraction, rankSqnrDb, type LayerSvd } from './lowrank.js';
import { applyWeightStep, DEFAULT_SHARE_BITS, layerKind, LOWRANK_STEPS, PRUNE_STEPS, SHARE_STEPS, type LayerKind, type Technique, type WeightStep } from './techniques.js';
import { sqnrDb as weightSqnrDb } from '../quantize/sqnr.js';

/** Masks and centroid assignments the retrainer must keep, by weight value name. */
export interface RetrainConstraints {
  masks: Map<string, Uint8Array>;
  shared: Map<string, { assignments: Uint16Array; centroids: Float32Array }>;
}

/** Retraining after a lossy step (masked retraining, centroid fine-tuning): the same graph with new weights. */
export interface Retrainer {
  /** What it does, for the report ("2 epochs on build/datasets/mnist-train, 8,000 samples"). */
  describe: string;
  retrain(graph: Graph, constraints: RetrainConstraints): Graph;
}

export interface CompressOptions {
  techniques: Technique[];
  guard?: AccuracyGuard;
  retrainer?: Retrainer;
  /** Why compression runs post-training (shown in the report when there is no retrainer). */
  postTrainingReason?: string;
}

export interface CompressedLayer {
  node: string;
  op: string;
  kind: LayerKind;
  weight: string;
  elements: number;
  /** A factor of a low-rank layer: the node it replaced, its rank and the original's full rank. */
  lowrank?: { of: string; rank: number; fullRank: number; sqnrDb: number };
  prune?: { s: number; threshold: number };
  ternary?: { delta: number; alpha: number };
  share?: { bits: number; clusters: number };
  /** Non-zero weights / all weights. */
  density: number;
  /** Distinct values among the weights. */
  distinct: number;
  /** SQNR (dB) of the shipped weights against the layer's weights before compression (absent for factors). */
  weightSqnrDb?: number;
  /** How each step of each stage scored when the guard measured it alone. */
  sensitivity?: Partial<Record<Technique, number[]>>;
}

export interface CompressionTrial {
  technique: Technique;
  /** The cost threshold tried (for a rate–distortion allocation, the price μ of a bit in output noise). */
  tau: number;
  /** A refinement after the allocation: this layer one step further than the kept candidate. */
  layer?: string;
  value: number;
  ok: boolean;
  /** Whether the model measured was the retrained one (false: retraining lost more than the budget allowed, and the model as compressed held it). */
  retrained?: boolean;
}

export interface CompressionReport {
  techniques: Technique[];
  retraining: string;
  layers: CompressedLayer[];
  guard?: {
    metric: string;
    budget: AccuracyGuard['budget'];
    before: number;
    after: number;
    drop: number;
    trials: CompressionTrial[];
    /** Graphs each backend evaluated ('wasm': the compiled kernels with the candidate's weights; 'reference': the interpreter). */
    evaluations?: Record<string, number>;
  };
}

export interface CompressedModel {
  graph: Graph;
  report: CompressionReport;
}

/** A layer's ladder position per stage and what it recorded. */
interface Candidate {
  graph: Graph;
  constraints: RetrainConstraints;
  records: Map<string, Partial<CompressedLayer>>;
}

export function compressGraph(original: Graph, options: CompressOptions): CompressedModel {
  if (quantizableLayers(original).length === 0) throw new DlcError('nothing to compress: the model has no conv, matmul or gemm with constant weights');
  const guard = options.guard;
  const base = guard?.evaluate(original);
  const drop = (v: number) => (guard!.higherIsBetter ? base! - v : v - base!);
  const ok = (v: number) => ('minValue' in guard!.budget ? v >= guard!.budget.minValue : drop(v) <= guard!.budget.maxDrop + 1e-9);
  const cost = (v: number) => ('minValue' in guard!.budget ? -v : drop(v));
  const trials: CompressionTrial[] = [];
  const sensitivity = new Map<string, Partial<Record<Technique, number[]>>>();
  const originalWeights = new Map(quantizableLayers(original).map((l) => [l.node.name, l.weight.data!.data as Float32Array]));

  let current: Candidate = { graph: original, constraints: { masks: new Map(), shared: new Map() }, records: new Map() };
  /** The metric of `current` (the guard's last word on it). */
  let currentValue = base;
  for (const technique of options.techniques) {
    const stage = stageOf(technique, current);
    if (stage.layers.length === 0) continue;
    const retrained = (c: Candidate): Candidate => (options.retrainer ? { ...c, graph: options.retrainer.retrain(c.graph, c.constraints) } : c);
    if (!guard) {
      current = retrained(stage.build(stage.layers.map((l) => stage.defaultStep(l))));
      continue;
    }
    // Retraining can win back what a step loses: iterative pruning (which retrains between steps) and shared
    // weights with fine-tuned centroids can reach steps that break the budget post-training.
    const scanPast = options.retrainer !== undefined && (technique === 'prune' || technique === 'share');
    const iterative = options.retrainer !== undefined && stage.prunesFurther !== undefined;
    // Weight sharing on large models whose candidates run compiled: costs are the output noise each step alone
    // adds, and the steps are allocated by size as well (rateDistortionPlan). Not pruning: what a pruned layer
    // ships in depends on the sharing after it (sparse rows pay an index per kept weight), so its bits are not
    // known at its stage (PP-OCRv4 rec, deep: pruning so allocated took most of the budget, 2.9× against 7.0×
    // for sharing alone). Nor low-rank, whose candidates are new programs, interpreted.
    const byOutputNoise = stage.layers.length > METRIC_SENSITIVITY_LAYERS && guard.outputSqnrDb !== undefined && technique === 'share';
    // Per (layer, step) costs, made non-decreasing along each ladder.
    const costs = stage.layers.map((layer, li) => {
      const row: number[] = [];
      let worst = -Infinity;
      let failed: { step: number; cost: number } | undefined;
      for (let step = 1; step < stage.steps; step++) {
        let c: number;
        const alone = () => stage.build(stage.layers.map((_, j) => (j === li ? step : 0))).graph;
        // Once a step alone breaks the budget, the steps beyond it are not worth measuring: post-training they
        // are out of reach; with retraining they are ordered past the failing step's cost, one cost unit a step.
        if (failed) c = scanPast ? failed.cost + (step - failed.step) * Math.max(Math.abs(failed.cost), 1e-3) : Infinity;
        else if (stage.layers.length <= METRIC_SENSITIVITY_LAYERS) {
          const value = guard.evaluate(alone());
          c = cost(value);
          if (!ok(value)) failed = { step, cost: c };
        } else if (byOutputNoise) {
          const db = guard.outputSqnrDb!(alone());
          c = dbCost(db);
          // A step that alone leaves this little of the output breaks any budget once the other layers are compressed too.
          if (db < LEAST_OUTPUT_SQNR_DB) failed = { step, cost: c };
        } else c = dbCost(stage.sqnr(layer, step));
        worst = Math.max(worst, c);
        row.push(worst);
      }
      const s = sensitivity.get(layer.node.name) ?? {};
      s[technique] = row;
      sensitivity.set(layer.node.name, s);
      return row;
    });
    const { points: taus, stepsAt } = byOutputNoise ? rateDistortionPlan(costs, stage) : thresholdPlan(costs);
    // A candidate measured retrained, and as compressed when the retrained one breaks the budget: retraining on
    // a small set can cost more than the step itself, and fine-tuning data must never give a worse model.
    const measure = (c: Candidate, tau: number, layer?: string) => {
      let candidate = retrained(c);
      let value = guard.evaluate(candidate.graph);
      let wasRetrained = options.retrainer !== undefined;
      if (wasRetrained && !ok(value)) {
        const asCompressed = guard.evaluate(c.graph);
        if (ok(asCompressed)) [candidate, value, wasRetrained] = [c, asCompressed, false];
      }
      trials.push({ technique, tau, ...(layer ? { layer } : {}), value, ok: ok(value), ...(options.retrainer ? { retrained: wasRetrained } : {}) });
      return { candidate, value };
    };
    const tried = new Map<number, { candidate: Candidate; value: number }>();
    const attempt = (i: number) => {
      const measured = measure(stage.build(stepsAt(taus[i])), taus[i]);
      tried.set(i, measured);
      return ok(measured.value);
    };
    if (iterative) {
      // Iterative pruning with retraining (Han et al. 2015): τ rises through the costs by a stride of about
      // 1/ITERATIVE_STEPS of them, each round pruning the retrained weights of the round before. A round that
      // breaks the budget is dropped and the stride halved, so the last rounds creep up to the edge; the last
      // model within the budget stays. At most ITERATIVE_ROUNDS rounds (each one retrains).
      let at = -1;
      let stride = Math.max(1, Math.ceil(taus.length / ITERATIVE_STEPS));
      for (let round = 0; round < ITERATIVE_ROUNDS && stride >= 1 && at < taus.length - 1; round++) {
        const i = Math.min(at + stride, taus.length - 1);
        const { candidate, value } = measure(stage.prunesFurther!(current, stepsAt(taus[i])), taus[i]);
        if (ok(value)) [current, currentValue, at] = [candidate, value, i];
        else stride = i - at > 1 ? Math.floor((i - at) / 2) : 0;
      }
      continue;
    }
    // Bisection for the largest τ that holds the budget (lo holds or is −1: the stage left out).
    let lo = -1;
    let hi = taus.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (attempt(mid)) lo = mid;
      else hi = mid;
    }
    if (lo >= 0) ({ candidate: current, value: currentValue } = tried.get(lo)!);
    if (byOutputNoise && lo >= 0) {
      // The allocation models the metric by output noise; the metric itself may allow more. Push the layers that
      // save most one step further, each kept when the model still holds the budget.
      const steps = stepsAt(taus[lo]);
      const saving = (li: number) => (steps[li] + 1 < stage.steps && Number.isFinite(costs[li][steps[li]]) ? stage.bits(stage.layers[li], steps[li]) - stage.bits(stage.layers[li], steps[li] + 1) : 0);
      const open = new Set(stage.layers.map((_, li) => li));
      for (let trial = 0; trial < REFINE_TRIALS; trial++) {
        const li = [...open].reduce((best, i) => (best < 0 || saving(i) > saving(best) ? i : best), -1);
        if (li < 0 || saving(li) <= 0) break;
        const next = steps.map((s, i) => (i === li ? s + 1 : s));
        const { candidate, value } = measure(stage.build(next), taus[lo], stage.layers[li].node.name);
        if (ok(value)) {
          steps[li]++;
          [current, currentValue] = [candidate, value];
        } else open.delete(li);
      }
    }
  }
  const layers = reportLayers(current, originalWeights, sensitivity);
  const after = currentValue;
  if (guard && !ok(after!)) throw new DlcError(`compression cannot meet the accuracy budget (${guard.metric} ${after!.toFixed(3)} against ${base!.toFixed(3)} before)`);
  return {
    graph: current.graph,
    report: {
      techniques: options.techniques,
      retraining: options.retrainer ? options.retrainer.describe : `none: post-training (${options.postTrainingReason ?? 'no fine-tuning data given'})`,
      layers,
      ...(guard ? { guard: { metric: guard.metric, budget: guard.budget, before: base!, after: after!, drop: drop(after!), trials, ...(guard.evaluations ? { evaluations: guard.evaluations() } : {}) } } : {}),
    },
  };
}

/** Settings of a stage's search, from the least compression to the most, and each layer's step at one. */
interface Plan {
  points: number[];
  stepsAt(point: number): number[];
}

/** Each layer at its most aggressive step costing at most τ, for every distinct τ. */
function thresholdPlan(costs: readonly (readonly number[])[]): Plan {
  return {
    points: [...new Set(costs.flat().filter((c) => Number.isFinite(c)))].sort((a, b) => a - b),
    stepsAt: (tau) => costs.map((row) => row.reduce((best, c, k) => (c <= tau ? k + 1 : best), 0)),
  };
}

/**
 * Bit allocation (rate–distortion): costs are minus the output SQNR (dB) a step alone leaves, so a step adds
 * noise 10^(cost/10) of the output's power, and the noise of several layers adds up. At a price μ each layer
 * takes the step minimizing μ·bits + noise, so that big layers give up more accuracy per byte saved than small
 * ones; the points are the prices at which some layer changes step, μ rising with the compression.
 */
function rateDistortionPlan(costs: readonly (readonly number[])[], stage: Stage): Plan {
  const options = costs.map((row, li) => {
    const steps = [{ step: 0, noise: 0, bits: stage.bits(stage.layers[li], 0) }];
    row.forEach((c, k) => {
      if (Number.isFinite(c)) steps.push({ step: k + 1, noise: 10 ** (c / 10), bits: stage.bits(stage.layers[li], k + 1) });
    });
    return steps;
  });
  const prices = new Set<number>();
  for (const steps of options) {
    for (const a of steps) for (const b of steps) if (b.bits < a.bits && b.noise > a.noise) prices.add(((b.noise - a.noise) / (a.bits - b.bits)) * (1 + 1e-9));
  }
  return {
    points: [...prices].sort((a, b) => a - b),
    stepsAt: (mu) => options.map((steps) => steps.reduce((best, s) => (mu * s.bits + s.noise < mu * best.bits + best.noise ? s : best)).step),
  };
}

interface Stage {
  layers: QuantizableLayer[];
  /** Estimated bits a layer's weights ship in at a step (entropy-coded values plus a codebook of the distinct ones). */
  bits(layer: QuantizableLayer, step: number): number;
  /** Ladder length, step 0 (off) included. */
  steps: number;
  defaultStep(layer: QuantizableLayer): number;
  /** SQNR (dB) of a layer's weights at a step. */
  sqnr(layer: QuantizableLayer, step: number): number;
  /** The current candidate with each stage layer at its step. */
  build(steps: readonly number[]): Candidate;
  /**
   * Pruning only: `from` (a retrained candidate of this stage) with each layer pruned further, at the thresholds
   * its steps have on the weights the stage began with, its mask kept.
   */
  prunesFurther?(from: Candidate, steps: readonly number[]): Candidate;
}

/**
 * Weight-SQNR costs are counted in steps of this many dB: bisection then takes a handful of evaluations
 * however many layers a model has.
 */
const SQNR_COST_STEP_DB = 1;
const dbCost = (db: number) => -Math.floor(db / SQNR_COST_STEP_DB) * SQNR_COST_STEP_DB;

/** Output SQNR (dB) with one layer alone at a step below which the steps beyond it are not measured. */
const LEAST_OUTPUT_SQNR_DB = 12;

/** Trials of pushing single layers one step further after a rate–distortion allocation (each one guard evaluation). */
const REFINE_TRIALS = 16;

/** Iterative pruning's first stride: this share (1/n) of the pruning costs. */
const ITERATIVE_STEPS = 5;
/** Most prune-and-retrain rounds of iterative pruning (the failed ones included). */
const ITERATIVE_ROUNDS = 8;

function stageOf(technique: Technique, current: Candidate): Stage {
  return technique === 'lowrank' ? lowrankStage(current) : weightStage(technique, current);
}

/** Prune, ternary or share: each layer's weight values change, the graph does not. */
function weightStage(technique: Exclude<Technique, 'lowrank'>, current: Candidate): Stage {
  const layers = quantizableLayers(current.graph);
  const cache = new Map<string, WeightStep>();
  const stepOf = (layer: QuantizableLayer, step: number) => {
    const key = `${layer.node.name}:${step}`;
    let s = cache.get(key);
    if (!s) cache.set(key, (s = applyWeightStep(technique, layer.weight.data!.data as Float32Array, step, current.constraints.masks.get(layer.weight.name))));
    return s;
  };
  const ladder = technique === 'prune' ? PRUNE_STEPS : technique === 'share' ? SHARE_STEPS : [0, 1];
  const prunesFurther = (from: Candidate, steps: readonly number[]): Candidate => {
    const graph = cloneGraph(from.graph);
    const byName = new Map(quantizableLayers(graph).map((l) => [l.node.name, l]));
    const masks = new Map(from.constraints.masks);
    const records = new Map(from.records);
    layers.forEach((layer, i) => {
      if (steps[i] === 0) return;
      const { record } = stepOf(layer, steps[i]);
      const target = byName.get(layer.node.name)!;
      const values = Float32Array.from(target.weight.data!.data);
      const mask = new Uint8Array(values.length);
      for (let e = 0; e < values.length; e++) {
        if (Math.abs(values[e]) >= record.threshold! && values[e] !== 0) mask[e] = 1;
        else values[e] = 0;
      }
      target.weight.data = new Tensor('f32', target.weight.data!.shape, values);
      masks.set(target.weight.name, mask);
      records.set(layer.node.name, { ...records.get(layer.node.name), prune: { s: record.s!, threshold: record.threshold! } });
    });
    return { graph, constraints: { masks, shared: new Map(from.constraints.shared) }, records };
  };
  return {
    layers,
    steps: ladder.length,
    ...(technique === 'prune' ? { prunesFurther } : {}),
    defaultStep: (layer) => (technique === 'prune' ? PRUNE_STEPS.indexOf(1) : technique === 'share' ? SHARE_STEPS.indexOf(DEFAULT_SHARE_BITS[layerKind(layer)]) : 1),
    sqnr: (layer, step) => weightSqnrDb(layer.weight.data!.data, stepOf(layer, step).values),
    bits: (layer, step) => codedBits(step === 0 ? (layer.weight.data!.data as Float32Array) : stepOf(layer, step).values),
    build(steps) {
      const graph = cloneGraph(current.graph);
      const byName = new Map(quantizableLayers(graph).map((l) => [l.node.name, l]));
      const constraints: RetrainConstraints = { masks: new Map(current.constraints.masks), shared: new Map(current.constraints.shared) };
      const records = new Map(current.records);
      layers.forEach((layer, i) => {
        if (steps[i] === 0) return;
        const s = stepOf(layer, steps[i]);
        const target = byName.get(layer.node.name)!;
        target.weight.data = new Tensor('f32', layer.weight.data!.shape, s.values);
        if (s.mask) constraints.masks.set(target.weight.name, s.mask);
        if (s.shared) constraints.shared.set(target.weight.name, s.shared);
        const r = { ...records.get(layer.node.name) };
        if (technique === 'prune') r.prune = { s: s.record.s!, threshold: s.record.threshold! };
        else if (technique === 'ternary') r.ternary = { delta: s.record.delta!, alpha: s.record.alpha! };
        else r.share = { bits: s.record.bits!, clusters: s.record.clusters! };
        records.set(layer.node.name, r);
      });
      return { graph, constraints, records };
    },
  };
}

/** Low-rank: a factored layer becomes two layers (their weights are what later stages compress). */
function lowrankStage(current: Candidate): Stage {
  const layers = quantizableLayers(current.graph).filter(factorable);
  const svds = new Map<string, LayerSvd>();
  const svdOf = (layer: QuantizableLayer) => {
    let s = svds.get(layer.node.name);
    if (!s) svds.set(layer.node.name, (s = layerSvd(layer)));
    return s;
  };
  const rankAt = (layer: QuantizableLayer, step: number) => rankForFraction(svdOf(layer), LOWRANK_STEPS[step]);
  return {
    layers,
    steps: LOWRANK_STEPS.length,
    defaultStep: () => LOWRANK_STEPS.indexOf(0.5),
    sqnr: (layer, step) => rankSqnrDb(svdOf(layer), rankAt(layer, step)),
    bits: (layer, step) => {
      const svd = svdOf(layer);
      const rank = step === 0 ? 0 : rankAt(layer, step);
      return 32 * (rank < 1 ? svd.outputs * svd.inputs : rank * (svd.outputs + svd.inputs));
    },
    build(steps) {
      const graph = cloneGraph(current.graph);
      const names = new NameAllocator(graph);
      const byName = new Map(quantizableLayers(graph).map((l) => [l.node.name, l]));
      const records = new Map(current.records);
      layers.forEach((layer, i) => {
        const rank = steps[i] === 0 ? 0 : rankAt(layer, steps[i]);
        if (rank < 1) return;
        const svd = svdOf(layer);
        const factors = factorLayer(graph, byName.get(layer.node.name)!, svd, rank, names);
        for (const f of factors) records.set(f.name, { lowrank: { of: layer.node.name, rank, fullRank: svd.singular.length, sqnrDb: rankSqnrDb(svd, rank) } });
      });
      return { graph, constraints: current.constraints, records };
    },
  };
}

/** Bits of `values` entropy-coded, with a 32-bit codebook entry per distinct value (at most 32 bits a value). */
function codedBits(values: Float32Array): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let entropy = 0;
  for (const c of counts.values()) entropy -= c * Math.log2(c / values.length);
  return Math.min(32 * values.length, entropy + 32 * counts.size);
}

function reportLayers(c: Candidate, original: ReadonlyMap<string, Float32Array>, sensitivity: ReadonlyMap<string, Partial<Record<Technique, number[]>>>): CompressedLayer[] {
  return quantizableLayers(c.graph).map((layer) => {
    const w = layer.weight.data!.data as Float32Array;
    let nonZero = 0;
    for (const v of w) if (v !== 0) nonZero++;
    const before = original.get(layer.node.name);
    const record = c.records.get(layer.node.name) ?? {};
    return {
      node: layer.node.name,
      op: layer.node.op,
      kind: layerKind(layer),
      weight: layer.weight.name,
      elements: w.length,
      ...record,
      density: w.length ? nonZero / w.length : 1,
      distinct: new Set(w).size,
      ...(before && !record.lowrank ? { weightSqnrDb: weightSqnrDb(before, w) } : {}),
      ...(sensitivity.has(layer.node.name) ? { sensitivity: sensitivity.get(layer.node.name) } : {}),
    };
  });
}
