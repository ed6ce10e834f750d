// The two LeNets the quantization work measures, as PyTorch would define them (module names become the
// ONNX names): LeNet-300-100, the fully connected net of LeCun et al. 1998, and LeNet-5 with ReLU and max
// pooling in place of the original's scaled tanh and subsampling.
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import { Relu } from './layer.js';
import { MaxPool2d } from './max-pool.js';
import { Sequential } from './network.js';
import type { TrainOptions } from './train.js';

export type LenetName = 'lenet-300-100' | 'lenet-5';

/** 784 → 300 → ReLU → 100 → ReLU → 10. */
export function lenet300100(): Sequential {
  return new Sequential([
    new Dense('fc1', 784, 300),
    new Relu('relu1', 300),
    new Dense('fc2', 300, 100),
    new Relu('relu2', 100),
    new Dense('fc3', 100, 10),
  ]);
}

/**
 * conv 5×5 ×6 (pad 2) → ReLU → max-pool 2 → conv 5×5 ×16 → ReLU → max-pool 2 → fc 120 → ReLU → fc 84 →
 * ReLU → fc 10, on 1×28×28 images.
 */
export function lenet5(): Sequential {
  const conv1 = new Conv2d('conv1', { inChannels: 1, outChannels: 6, height: 28, width: 28, kernel: 5, pad: 2 });
  const pool1 = new MaxPool2d('pool1', 6, conv1.outHeight, conv1.outWidth, 2);
  const conv2 = new Conv2d('conv2', { inChannels: 6, outChannels: 16, height: pool1.outHeight, width: pool1.outWidth, kernel: 5, pad: 0 });
  const pool2 = new MaxPool2d('pool2', 16, conv2.outHeight, conv2.outWidth, 2);
  return new Sequential([
    conv1,
    new Relu('relu1', conv1.outSize),
    pool1,
    conv2,
    new Relu('relu2', conv2.outSize),
    pool2,
    new Dense('fc1', pool2.outSize, 120),
    new Relu('relu3', 120),
    new Dense('fc2', 120, 84),
    new Relu('relu4', 84),
    new Dense('fc3', 84, 10),
  ]);
}

export const LENETS: Record<LenetName, () => Sequential> = { 'lenet-300-100': lenet300100, 'lenet-5': lenet5 };

/**
 * How each LeNet is trained on the 60,000 training digits (the seeds make the committed models reproducible
 * bit for bit). A few epochs suffice on that many digits; the rate decays fast so the last epoch settles.
 */
export const LENET_RECIPES: Record<LenetName, Omit<TrainOptions, 'onEpoch'>> = {
  'lenet-300-100': { seed: 300100, epochs: 6, batchSize: 32, learningRate: 0.05, decay: 0.6, momentum: 0.9, weightDecay: 5e-4, maxShift: 1 },
  'lenet-5': { seed: 5, epochs: 4, batchSize: 32, learningRate: 0.05, decay: 0.5, momentum: 0.9, weightDecay: 5e-4, maxShift: 2 },
};
