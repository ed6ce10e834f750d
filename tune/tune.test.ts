// One real search on the wasm target (tiny-cnn, a few candidates: one WebAssembly module per round), with a
// test hook that corrupts the outputs of every candidate of one workload but the default. Then the time budget,
// with a fake measurer on a fake clock (each trial's sample costs a second), so that which chunks fit is exact
// and nothing depends on this machine's speed.
import * as path from 'node:path';
import { optimize } from '../api/optimize.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { deviceKey, wasmDevice } from './device.js';
import type { Measurer, MeasureOptions, Trial, TrialResult } from './measure.js';
import { WasmMeasurer } from './measure-wasm.js';
import { parseRecords, formatRecords } from './records.js';
import { candidateText } from './search-space.js';
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

describe('the time budget', () => {
  const tinyWorkloads = extractWorkloads(optimize(TINY_CNN, { target: 'wasm' }).graph, 'wasm');
  /** The default's time per workload: the second workload stands to gain the most, then the third, then the first. */
  const DEFAULT_MS = new Map(tinyWorkloads.map((w, i) => [w.key, [1, 3, 2][i]]));

  /** Every candidate runs in half its default's time, with the default's outputs; each sample advances the clock 1 s. */
  class FakeMeasurer implements Measurer {
    readonly device = { target: 'wasm' as const, name: 'fake cpu', threads: 1 };
    clockMs = 0;
    /** Per measure call: its trials' workload keys and its repeat. */
    readonly calls: { workloads: string[]; repeat: number }[] = [];

    fingerprint(trial: Trial): string {
      return candidateText(trial.candidate);
    }

    async measure(trials: readonly Trial[], options: MeasureOptions = {}): Promise<TrialResult[]> {
      const repeat = options.repeat ?? 1;
      this.calls.push({ workloads: trials.map((t) => t.workload.key), repeat });
      this.clockMs += 1000 * trials.length * repeat;
      return trials.map((t) => {
        const ms = DEFAULT_MS.get(t.workload.key)! * (Object.keys(t.candidate).length === 0 ? 1 : 0.5);
        return { ms, samples: new Array(3 * repeat).fill(ms), outputs: { y: new Tensor('f32', [1], new Float32Array([0])) } };
      });
    }
  }

  async function tune(timeBudgetS?: number) {
    const measurer = new FakeMeasurer();
    // Four trials a workload, a workload a chunk: the search is three chunks of 4 s; each workload's final chunk
    // (its default and three finalists, three times the samples) takes 12 s.
    const result = await tuneModel(TINY_CNN, { target: 'wasm', measurer, trials: 4, batch: 4, patience: 4, chunkTrials: 4, timeBudgetS, now: () => measurer.clockMs });
    return { result, measurer, finalCalls: measurer.calls.filter((c) => c.repeat > 1) };
  }

  test('without a budget every workload whose search found a faster schedule is confirmed in the final comparison', async () => {
    const { result, finalCalls } = await tune();
    expect(finalCalls).toHaveLength(3);
    expect(result.workloads.map((w) => w.unconfirmed)).toEqual([false, false, false]);
    for (const w of result.workloads) expect(w.bestMs / w.defaultMs).toBeCloseTo(0.5);
    expect(result.records).toHaveLength(3);
  });

  test('the final comparison starts no chunk past the budget; the workloads it did not reach keep the default and get no record', async () => {
    // Budget 20 s: the search may start chunks until 15 s and takes 12 s; the final comparison may start chunks
    // until 20 s: one workload's (12 s → 24 s), the one that stands to gain the most; the others are not confirmed.
    const { result, finalCalls } = await tune(20);
    expect(finalCalls).toEqual([{ workloads: new Array(4).fill(tinyWorkloads[1].key), repeat: 3 }]);
    expect(result.elapsedS).toBe(24);
    const [first, second, third] = result.workloads;
    expect(second).toMatchObject({ unconfirmed: false, defaultMs: 3, bestMs: 1.5 });
    expect(Object.keys(second.best).length).toBeGreaterThan(0);
    for (const w of [first, third]) expect(w).toMatchObject({ unconfirmed: true, best: {} });
    expect(result.records.map((r) => r.workload)).toEqual([tinyWorkloads[1].key]);
  });

  test('the search stops at three quarters of the budget, leaving the rest to the final comparison', async () => {
    // Budget 10 s: the search starts chunks until 7.5 s (two of three: the third workload is never measured and
    // gets no result); the final comparison then has until 10.5 s (a quarter of the budget after 8 s): one chunk.
    const { result, measurer, finalCalls } = await tune(10);
    const searchCalls = measurer.calls.filter((c) => c.repeat === 1);
    expect(searchCalls.map((c) => c.workloads[0])).toEqual([tinyWorkloads[0].key, tinyWorkloads[1].key]);
    expect(finalCalls.map((c) => c.workloads[0])).toEqual([tinyWorkloads[1].key]);
    expect(result.workloads.map((w) => [w.workload.key, w.unconfirmed])).toEqual([[tinyWorkloads[0].key, true], [tinyWorkloads[1].key, false]]);
  });
});
