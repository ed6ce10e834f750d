// Trains a classifier on images with mini-batch SGD: each epoch visits the training samples in a seeded
// order, optionally shifted at random, with a step-decayed learning rate. Everything random is drawn from
// seeded streams in a fixed order, so the same options give the same weights bit for bit.
import { seededRandom } from '../../compiler/random.js';
import { shuffledIndices } from '../mnist.js';
import { randomShift, shiftImage } from './augment.js';
import { softmaxCrossEntropy } from './loss.js';
import type { Sequential } from './network.js';
import { decayedRate, Sgd } from './sgd.js';

export interface LabelledImages {
  count: number;
  /** count × side² values. */
  images: Float32Array;
  labels: Int32Array;
}

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The learning rate is multiplied by this after each epoch. */
  decay: number;
  momentum: number;
  weightDecay: number;
  /** Largest random translation in pixels (0: none). */
  maxShift: number;
  /** Called after each epoch with its mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export function train(net: Sequential, data: LabelledImages, classes: number, options: TrainOptions): void {
  const size = net.inSize;
  const side = Math.round(Math.sqrt(size));
  if (data.images.length !== data.count * size) throw new Error(`training images hold ${data.images.length} values, ${data.count} samples of ${size} need ${data.count * size}`);
  net.initialize(options.seed);
  const sgd = new Sgd(net.params, options);
  const shifts = seededRandom(options.seed ^ 0x5f3759df);
  const batchImages = new Float32Array(options.batchSize * size);
  const batchLabels = new Int32Array(options.batchSize);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffledIndices(data.count, options.seed + 7919 * (epoch + 1));
    const lr = decayedRate(options.learningRate, options.decay, epoch);
    let lossSum = 0;
    for (let start = 0; start < data.count; start += options.batchSize) {
      const batch = Math.min(options.batchSize, data.count - start);
      for (let b = 0; b < batch; b++) {
        const i = order[start + b];
        const src = data.images.subarray(i * size, (i + 1) * size);
        const dst = batchImages.subarray(b * size, (b + 1) * size);
        if (options.maxShift > 0) shiftImage(src, dst, side, randomShift(shifts, options.maxShift), randomShift(shifts, options.maxShift));
        else dst.set(src);
        batchLabels[b] = data.labels[i];
      }
      const logits = net.forward(batchImages.subarray(0, batch * size), batch);
      const { loss, grad } = softmaxCrossEntropy(logits, batchLabels, batch, classes);
      net.backward(grad, batch);
      sgd.step(lr);
      lossSum += loss * batch;
    }
    options.onEpoch?.(epoch, lossSum / data.count);
  }
}

/** The share of samples whose largest logit is their label's. */
export function topOneAccuracy(net: Sequential, data: LabelledImages, classes: number, batchSize = 256): number {
  const size = net.inSize;
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const batch = Math.min(batchSize, data.count - start);
    const logits = net.forward(data.images.subarray(start * size, (start + batch) * size), batch);
    for (let b = 0; b < batch; b++) {
      if (argmax(logits.subarray(b * classes, (b + 1) * classes)) === data.labels[start + b]) correct++;
    }
  }
  return correct / data.count;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}
