// npm run datasets:mnist — writes the 10,000 MNIST test digits as a data-set folder, build/datasets/mnist-test
// (input.npy f32 [N,1,28,28], labels.npy int64 [N]): what the LeNets in models/mnist are evaluated and
// calibrated on. `--train` writes the 60,000 training digits as well, to build/datasets/mnist-train.
import * as path from 'node:path';
import { writeMnistDataset, type MnistPart } from '../accuracy/mnist.js';

const parts: MnistPart[] = process.argv.includes('--train') ? ['test', 'train'] : ['test'];
for (const part of parts) {
  const dir = path.join('build', 'datasets', `mnist-${part}`);
  const { count } = writeMnistDataset(dir, part, { inputName: 'input' });
  console.log(`${dir}: ${count} samples`);
}
