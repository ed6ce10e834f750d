// One real search on the wasm target (tiny-cnn, a few candidates: one WebAssembly module per round), with a
// test hook that corrupts the outputs of every candidate of one workload but the default.
import * as path from 'node:path';
import { optimize } from '../api/optimize.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { deviceKey, wasmDevice } from './device.js';
import { WasmMeasurer } from './measure-wasm.js';
import { parseRecords, formatRecords } from './records.js';
import { tuneModel } from './tune.js';
import { extractWorkloads } from './workload.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

test('tuneModel measures each workload, rejects candidates whose outputs differ from the default, and records the rest', async () => {
  const workloads = extractWorkloads(optimize(TINY_CNN, { target: 'wasm' }).graph, 'wasm');
  const victim = workloads[0].key;
  const result = await tuneModel(TINY_CNN, {
    target: 'wasm', measurer: new WasmMeasurer({ runs: 3 }), trials: 4, batch: 4, seed: 2,
    inspectOutputs: (workload, candidate, outputs) => {
      if (workload.key !== victim || Object.keys(candidate).length === 0) return;
      for (const t of Object.values(outputs)) t.data[0] += 1;
    },
  });
  expect(result.workloads.map((w) => w.workload.key)).toEqual(workloads.map((w) => w.key));
  const [corrupted, ...others] = result.workloads;
  expect(corrupted.trials).toBe(4);
  expect(corrupted.rejected).toHaveLength(3);
  for (const r of corrupted.rejected) expect(r.reason).toMatch(/^output '.*' differs from the default schedule's: element 0 is /);
  expect(corrupted.best).toEqual({});
  for (const w of others) expect(w.rejected).toEqual([]);
  for (const w of result.workloads) expect(w.bestMs).toBeLessThanOrEqual(w.defaultMs);

  // One record per workload, for this device, that reads back as written.
  expect(result.records.map((r) => [r.workload, r.device])).toEqual(workloads.map((w) => [w.key, deviceKey(wasmDevice())]));
  expect(result.records[0]).toMatchObject({ schedule: {}, trials: 4, rejected: 3 });
  expect(parseRecords(formatRecords(result.records), 'records')).toEqual(result.records);

  // Workloads skipped (a records file holds them) are neither searched nor recorded.
  const rest = await tuneModel(TINY_CNN, { target: 'wasm', measurer: new WasmMeasurer({ runs: 3 }), trials: 2, batch: 2, seed: 2, skip: (w) => w.key !== victim });
  expect(rest.workloads.map((w) => w.workload.key)).toEqual([victim]);
  expect(rest.records.map((r) => r.workload)).toEqual([victim]);
});
