// The measurer on two threads: the module is built as compile --threads 2 builds it (the split kernels' code,
// so another fingerprint), runs on the runtime's worker pool, and computes bit for bit what one thread computes,
// members that split their kernels and members that run on thread 0 alone.
import * as path from 'node:path';
import { optimize } from '../api/optimize.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { deviceKey } from './device.js';
import { WasmMeasurer } from './measure-wasm.js';
import type { Trial } from './measure.js';
import { extractWorkloads } from './workload.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

test('two-thread measurements run every member of a module on the pool, with the outputs of one thread', async () => {
  const workloads = extractWorkloads(optimize(TINY_CNN, { target: 'wasm' }).graph, 'wasm');
  // Each conv with its default and another algorithm, and the gemm (too small to split: thread 0 runs it alone):
  // five members of one module.
  const trials: Trial[] = workloads.flatMap((workload): Trial[] =>
    workload.op === 'conv' ? [{ workload, candidate: {} }, { workload, candidate: { 'conv.kind': 'direct' } }] : [{ workload, candidate: {} }]);
  expect(trials).toHaveLength(5);
  const one = new WasmMeasurer({ runs: 2 });
  const two = new WasmMeasurer({ runs: 2, threads: 2 });
  expect(deviceKey(two.device)).toMatch(/ \| threads 2$/);
  // The first conv is big enough to split over the threads: its code differs from one thread's.
  expect(two.fingerprint(trials[0])).not.toBe(one.fingerprint(trials[0]));
  const [single, threaded] = [await one.measure(trials), await two.measure(trials)];
  threaded.forEach((r, i) => {
    if (!('ms' in r) || !('ms' in single[i])) throw new Error(`trial ${i} failed: ${JSON.stringify(r)}`);
    expect(r.samples).toHaveLength(2);
    for (const [name, t] of Object.entries(single[i].outputs)) expect(Array.from(r.outputs[name].data)).toEqual(Array.from(t.data));
  });
});
