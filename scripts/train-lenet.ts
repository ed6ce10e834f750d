// npm run train:lenet [-- --model lenet-5] — trains LeNet-300-100 and LeNet-5 on the training part of the
// MNIST digits (accuracy/mnist.ts: the official 60,000) with the recipes of accuracy/train/lenet.ts, and writes them as
// models/mnist/<name>.onnx. Prints each epoch's training loss and held-out top-1, and the training time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadMnist, MNIST_CLASSES } from '../accuracy/mnist.js';
import { LENET_RECIPES, LENETS, type LenetName } from '../accuracy/train/lenet.js';
import { exportOnnx } from '../accuracy/train/onnx-export.js';
import { topOneAccuracy, train } from '../accuracy/train/train.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';

const args = process.argv.slice(2);
const only = args.includes('--model') ? args[args.indexOf('--model') + 1] : undefined;
const names = (Object.keys(LENETS) as LenetName[]).filter((n) => !only || n === only);
if (names.length === 0) {
  console.error(`unknown model '${only}' (have ${Object.keys(LENETS).join(', ')})`);
  process.exit(2);
}

const trainSet = loadMnist('train');
const heldOut = loadMnist('test');
for (const name of names) {
  const net = LENETS[name]();
  const recipe = LENET_RECIPES[name];
  // Training time is CPU time (the machine may be shared) and wall time, each less the per-epoch evaluation.
  const start = { wall: performance.now(), cpu: process.cpuUsage() };
  const evaluation = { wall: 0, cpu: 0 };
  const trainingTime = () => ({ wall: (performance.now() - start.wall - evaluation.wall) / 1000, cpu: (process.cpuUsage(start.cpu).user / 1000 - evaluation.cpu) / 1000 });
  train(net, trainSet, MNIST_CLASSES, {
    ...recipe,
    onEpoch: (epoch, loss) => {
      const wall = performance.now();
      const cpu = process.cpuUsage();
      const top1 = topOneAccuracy(net, heldOut, MNIST_CLASSES);
      evaluation.wall += performance.now() - wall;
      evaluation.cpu += process.cpuUsage(cpu).user / 1000;
      console.log(`${name} epoch ${epoch + 1}/${recipe.epochs}: loss ${loss.toFixed(4)}, held-out top-1 ${(top1 * 100).toFixed(2)} % (${trainingTime().cpu.toFixed(1)} s CPU)`);
    },
  });
  const time = trainingTime();
  const file = path.join('models', 'mnist', `${name}.onnx`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const spec = exportOnnx(net, { name, producer: 'dlc scripts/train-lenet.ts', inputShape: [1, 1, 28, 28] });
  fs.writeFileSync(file, encodeOnnxModel(spec));
  console.log(`${file}: ${trainSet.count} training digits, ${recipe.epochs} epochs in ${time.cpu.toFixed(0)} s CPU, ${time.wall.toFixed(0)} s wall`);
}
