// `dlc bench --peer-threads N`: onnxruntime-web's WASM backend runs on N threads in Node (its pthreads are
// worker_threads), and the report names the peer by them. The backend reads numThreads once per process, so
// this file keeps its own process apart from bench.test.ts's one-thread runs.
import * as path from 'node:path';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';
import { loadFeeds } from './feeds.js';
import { benchOnnxruntimeWeb, importOnnxruntimeWeb } from './bench.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

test('--peer-threads 2 runs onnxruntime-web on two threads and says so', async () => {
  const r = await dlc('bench', TINY_CNN, '--target', 'wasm', '--peer-threads', '2', '--runs', '2', '--warmup', '0', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.peer.name).toBe('onnxruntime-web wasm (2 threads)');
  expect(report.peer.medianMs).toBeGreaterThan(0);
  expect(report.speedup).toBeCloseTo(report.peer.medianMs / report.medianMs, 10);
  expect((await importOnnxruntimeWeb()).env.wasm.numThreads).toBe(2);
});

test('a later bench on another thread count in the same process is refused, not mislabelled', async () => {
  const inputs = [{ name: 'image', dtype: 'f32' as const, shape: [1, 3, 32, 32] }];
  await expect(benchOnnxruntimeWeb(await importOnnxruntimeWeb(), TINY_CNN, loadFeeds(inputs, {}, { seed: 1 }), inputs, { runs: 1, warmup: 0 }, 1)).rejects.toThrow(
    'onnxruntime-web started on 2 threads in this process and reads numThreads only then: bench 1 in a fresh process',
  );
});

test.each([
  [[TINY_CNN, '--peer-threads', '0'], /^dlc: --peer-threads takes an integer from 1 to 64, got '0'\n$/],
  [[TINY_CNN, '--target', 'webgpu', '--peer-threads', '2'], /^dlc: --peer-threads applies to --target wasm \(the webgpu peer runs on the GPU\)\n$/],
])('%j is a usage error', async (args, message) => {
  const r = await dlc('bench', ...args);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
});
