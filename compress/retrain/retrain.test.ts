// Retraining of LeNet-300-100 under Deep Compression's constraints: pruned weights stay exactly 0, shared
// weights keep one value per cluster, the run is reproducible, and retraining a pruned net recovers accuracy.
import { loadMnist, MNIST_PIXELS } from '../../accuracy/mnist.js';
import { argmax, type LabelledImages } from '../../accuracy/train/train.js';
import { DlcError } from '../../compiler/errors.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { retrain, topOne } from './retrain.js';
import { optimizedLenet, pruneToDensity } from './testing.js';
import type { SharedWeight } from './weight-constraints.js';

const subset = (data: LabelledImages, count: number): LabelledImages => ({ count, images: data.images.subarray(0, count * MNIST_PIXELS), labels: data.labels.subarray(0, count) });
const trainSet = loadMnist('train');
const heldOut = subset(loadMnist('test'), 500);
const lenet = optimizedLenet('lenet-300-100');

const weightOf = (graph: Graph, name: string) => graph.constants.find((v) => v.name === name)!.data!.data as Float32Array;

/**
 * k clusters over the weights a mask keeps, as Deep Compression initializes them: centroids spaced evenly
 * between the smallest and largest kept weight, each weight assigned to its nearest.
 */
function linearClusters(w: Float32Array, k: number, mask?: Uint8Array): SharedWeight {
  const kept = w.filter((_, i) => !mask || mask[i] === 1);
  const [low, high] = [Math.min(...kept), Math.max(...kept)];
  const step = (high - low) / (k - 1);
  const centroids = Float32Array.from({ length: k }, (_, c) => low + c * step);
  const assignments = Uint8Array.from(w, (x) => Math.min(k - 1, Math.max(0, Math.round((x - low) / step))));
  return { assignments, centroids };
}

describe('retrain under compression constraints', () => {
  // fc1 pruned; fc2 pruned and shared (16 clusters over its kept weights); fc3 shared (4 clusters).
  const { graph: pruned, masks } = pruneToDensity(lenet, { 'fc1.weight': 0.3, 'fc2.weight': 0.3 });
  const shared = new Map([
    ['fc2.weight', linearClusters(weightOf(pruned, 'fc2.weight'), 16, masks.get('fc2.weight'))],
    ['fc3.weight', linearClusters(weightOf(pruned, 'fc3.weight'), 4)],
  ]);
  const options = { epochs: 2, learningRate: 0.01, seed: 5, masks, shared };
  const data = subset(trainSet, 200);
  const losses: number[] = [];
  let retrained: Graph;
  beforeAll(() => {
    retrained = retrain(pruned, data, { ...options, onEpoch: (_, loss) => losses.push(loss) });
  });

  test('reports each epoch’s loss; the same arguments give the same graph bit for bit', () => {
    expect(losses).toHaveLength(2);
    expect(losses.every(Number.isFinite)).toBe(true);
    const again = retrain(pruned, data, options);
    for (const v of retrained.constants) expect(Buffer.from(weightOf(again, v.name).buffer).equals(Buffer.from((v.data!.data as Float32Array).buffer))).toBe(true);
  });

  test('an epoch visits the first samplesPerEpoch of its seeded order', () => {
    const same = (a: Graph, b: Graph) => a.constants.every((v) => Buffer.from(weightOf(b, v.name).buffer).equals(Buffer.from((v.data!.data as Float32Array).buffer)));
    expect(same(retrain(pruned, data, { ...options, samplesPerEpoch: data.count }), retrained)).toBe(true);
    expect(same(retrain(pruned, data, { ...options, samplesPerEpoch: 64 }), retrained)).toBe(false);
    expect(() => retrain(pruned, data, { ...options, samplesPerEpoch: 0 })).toThrow('an epoch must visit at least one sample, got 0');
  });

  test('pruned weights are exactly 0 and the kept ones trained', () => {
    for (const name of ['fc1.weight', 'fc2.weight']) {
      const mask = masks.get(name)!;
      const [before, after] = [weightOf(pruned, name), weightOf(retrained, name)];
      expect(after.filter((x, i) => mask[i] === 0 && !Object.is(x, 0)).length).toBe(0);
      expect(after.filter((x, i) => mask[i] === 1 && x !== before[i]).length).toBeGreaterThan(0);
    }
    expect(weightOf(retrained, 'fc1.bias')).not.toEqual(weightOf(pruned, 'fc1.bias'));
  });

  test('a shared weight holds one value per cluster, its trained centroid, over its unpruned weights', () => {
    for (const [name, k] of [['fc2.weight', 16], ['fc3.weight', 4]] as const) {
      const { assignments, centroids } = shared.get(name)!;
      const mask = masks.get(name);
      const w = weightOf(retrained, name);
      const values = Array.from({ length: k }, () => new Set<number>());
      w.forEach((x, i) => (!mask || mask[i] === 1) && values[assignments[i]].add(x));
      expect(values.every((s) => s.size <= 1)).toBe(true);
      expect(new Set(w.filter((_, i) => !mask || mask[i] === 1)).size).toBeLessThanOrEqual(k);
      // The centroids moved: trained, not just copied in.
      expect(values.filter((s, c) => s.size === 1 && !s.has(centroids[c])).length).toBeGreaterThan(0);
    }
  });

  test('constraints name trained constants and fit their weights', () => {
    expect(() => retrain(lenet, data, { ...options, shared: undefined, masks: new Map([['fc9.weight', new Uint8Array(1)]]) })).toThrow(DlcError);
    expect(() => retrain(lenet, data, { ...options, shared: undefined, masks: new Map([['fc3.weight', new Uint8Array(10)]]) })).toThrow("the mask of 'fc3.weight' has 10 entries, the weight 1000");
  });
});

test('retraining LeNet-300-100 pruned to 10 % density recovers held-out accuracy', () => {
  const { graph: pruned, masks } = pruneToDensity(lenet, { 'fc1.weight': 0.1, 'fc2.weight': 0.1, 'fc3.weight': 0.1 });
  const before = topOne(pruned, heldOut);
  const retrained = retrain(pruned, subset(trainSet, 1000), { epochs: 1, learningRate: 0.01, seed: 1, masks });
  const after = topOne(retrained, heldOut);
  const dense = topOne(lenet, heldOut);
  console.log(`LeNet-300-100 at 10 % density: held-out top-1 ${(100 * dense).toFixed(1)} % dense, ${(100 * before).toFixed(1)} % pruned, ${(100 * after).toFixed(1)} % retrained on 1,000 digits`);
  // At least half of what pruning lost comes back (LeNet-300-100 of the 60,000 digits: 99.2 → 89.0 → 96.0 %).
  expect(before).toBeLessThan(dense - 0.05);
  expect(after - before).toBeGreaterThan(0.5 * (dense - before));
  // dlc's interpreter, running the written graph, agrees with the trainer's estimate.
  const interpreted = Array.from({ length: heldOut.count }, (_, i) => {
    const input = new Tensor('f32', [1, 1, 28, 28], heldOut.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));
    return argmax(interpret(retrained, { input }).logits.data) === heldOut.labels[i];
  });
  expect(interpreted.filter(Boolean).length / heldOut.count).toBeCloseTo(after, 2);
});
