// Retraining of a compressed graph (Deep Compression's second and third stages): mini-batch SGD with
// momentum on softmax cross-entropy, starting from the graph's weights, with pruned weights held at 0 and
// shared weights trained through their centroids (weight-constraints.ts). The samples are visited in a
// seeded order each epoch, at a learning rate decayed per epoch, optionally with L2 weight decay and, for
// square single-channel images, random shifts (what the model was trained with: fine-tuning without them
// overfits a small training set); the same arguments give the same graph bit for bit.
import { softmaxCrossEntropy } from '../../accuracy/train/loss.js';
import { decayedRate, Sgd } from '../../accuracy/train/sgd.js';
import { randomShift, shiftImage } from '../../accuracy/train/augment.js';
import { seededRandom } from '../../compiler/random.js';
import { topOneAccuracy, type LabelledImages } from '../../accuracy/train/train.js';
import { shuffledIndices } from '../../accuracy/mnist.js';
import { DlcError } from '../../compiler/errors.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { GraphNetwork } from './graph-network.js';
import { constrainWeights, type ConstraintSpecs } from './weight-constraints.js';

export interface RetrainOptions extends ConstraintSpecs {
  epochs: number;
  learningRate: number;
  /** 32 when absent. */
  batchSize?: number;
  /** 0.9 when absent. */
  momentum?: number;
  /** Seeds the order the samples are visited in. */
  seed: number;
  /** L2 weight decay of the weights (not biases, not centroids); 0 when absent. */
  weightDecay?: number;
  /** The learning rate is multiplied by this after each epoch; 1 when absent. */
  decay?: number;
  /** Largest random translation in pixels of square single-channel images (0 or absent: none). */
  maxShift?: number;
  /**
   * Samples each epoch visits, the first of that epoch's seeded order (all when absent): on a large set a
   * retraining round then costs a fixed time, and rounds of other seeds see other samples.
   */
  samplesPerEpoch?: number;
  /** Called after each epoch with its mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/** The graph with its weights retrained on `data` (images of the graph's input size, one label each). */
export function retrain(graph: Graph, data: LabelledImages, options: RetrainOptions): Graph {
  const network = new GraphNetwork(graph);
  checkData(network, data);
  const { net, classes, inSize } = network;
  const constraints = constrainWeights(net.params, options);
  const sgd = new Sgd(constraints.trained, { momentum: options.momentum ?? 0.9, weightDecay: options.weightDecay ?? 0 });
  const maxShift = options.maxShift ?? 0;
  const side = Math.round(Math.sqrt(inSize));
  if (maxShift > 0 && side * side !== inSize) throw new DlcError(`random shifts need square single-channel images, the model's input has ${inSize} values`);
  const shifts = seededRandom(options.seed ^ 0x5f3759df);
  const batchSize = options.batchSize ?? 32;
  const batchImages = new Float32Array(batchSize * inSize);
  const batchLabels = new Int32Array(batchSize);
  const visits = Math.min(data.count, options.samplesPerEpoch ?? data.count);
  if (!Number.isInteger(visits) || visits < 1) throw new DlcError(`an epoch must visit at least one sample, got ${options.samplesPerEpoch}`);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffledIndices(data.count, options.seed + 7919 * (epoch + 1));
    const lr = decayedRate(options.learningRate, options.decay ?? 1, epoch);
    let lossSum = 0;
    for (let start = 0; start < visits; start += batchSize) {
      const batch = Math.min(batchSize, visits - start);
      for (let b = 0; b < batch; b++) {
        const i = order[start + b];
        const src = data.images.subarray(i * inSize, (i + 1) * inSize);
        const dst = batchImages.subarray(b * inSize, (b + 1) * inSize);
        if (maxShift > 0) shiftImage(src, dst, side, randomShift(shifts, maxShift), randomShift(shifts, maxShift));
        else dst.set(src);
        batchLabels[b] = data.labels[i];
      }
      const { loss, grad } = softmaxCrossEntropy(net.forward(batchImages.subarray(0, batch * inSize), batch), batchLabels, batch, classes);
      net.backward(grad, batch);
      constraints.beforeStep();
      sgd.step(lr);
      constraints.afterStep();
      lossSum += loss * batch;
    }
    options.onEpoch?.(epoch, lossSum / visits);
  }
  return network.writeBack();
}

/**
 * The share of `data` the graph classifies right (its largest logit is the label), computed by the graph's
 * trainer network: a fast estimate; dlc's interpreter and compiled artifacts give the definitive one.
 */
export function topOne(graph: Graph, data: LabelledImages): number {
  const network = new GraphNetwork(graph);
  checkData(network, data);
  return topOneAccuracy(network.net, data, network.classes);
}

function checkData(network: GraphNetwork, data: LabelledImages): void {
  if (data.images.length !== data.count * network.inSize) throw new DlcError(`the images hold ${data.images.length} values, ${data.count} samples of ${network.inSize} need ${data.count * network.inSize}`);
  if (data.labels.length < data.count) throw new DlcError(`${data.labels.length} labels for ${data.count} samples`);
  const bad = data.labels.subarray(0, data.count).findIndex((l) => l < 0 || l >= network.classes);
  if (bad >= 0) throw new DlcError(`sample ${bad} has label ${data.labels[bad]}, the graph gives ${network.classes} logits`);
}
