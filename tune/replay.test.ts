// Replay through the library's compile, on the webgpu target: its artifact is made without the AssemblyScript
// compiler (WGSL is compiled by the device at load), so byte-identity is checked on whole artifacts quickly.
import * as path from 'node:path';
import { compile, type Artifact } from '../api/compile.js';
import { optimize } from '../api/optimize.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import type { TuningDevice } from './device.js';
import { RECORD_VERSION, type TuningRecord } from './records.js';
import { extractWorkloads } from './workload.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
const HERE: TuningDevice = { target: 'webgpu', name: 'test adapter', threads: 1 };
const THERE = 'webgpu | another adapter | threads 1';

const workloads = extractWorkloads(optimize(TINY_CNN, { target: 'webgpu' }).graph, 'webgpu');
const [first, second] = workloads;
const schedule = { gpu: { conv: { tileK: 8, threadM: 2, directBelow: 0 } } };

function record(device: string, workload: string, s: TuningRecord['schedule']): TuningRecord {
  return { version: RECORD_VERSION, device, target: 'webgpu', threads: 1, workload, summary: '', schedule: s, defaultMs: 2, bestMs: 1, trials: 8, rejected: 0 };
}

const RECORDS = [record('webgpu | test adapter | threads 1', first.key, schedule), record(THERE, second.key, { gpu: { conv: { tileM: 16 } } })];

const bytes = (a: Artifact) => Object.fromEntries([...a.files].map(([name, data]) => [name, Buffer.from(data).toString('base64')]));

describe('replaying tuning records', () => {
  test('a record made here becomes a per-node schedule, in the manifest; the same records give the same bytes', async () => {
    const notices: string[] = [];
    const tuned = await compile(TINY_CNN, { target: 'webgpu', tuning: { records: RECORDS, device: HERE, notice: (m) => notices.push(m) } });
    const again = await compile(TINY_CNN, { target: 'webgpu', tuning: { records: RECORDS, device: HERE } });
    expect(bytes(again)).toEqual(bytes(tuned));
    expect((tuned.manifest.options.schedules as { nodes: unknown }).nodes).toEqual({ [first.nodes[0]]: schedule });
    // What replay does is what a schedule file naming the node does.
    const byHand = await compile(TINY_CNN, { target: 'webgpu', schedules: { nodes: { [first.nodes[0]]: schedule } } });
    expect(bytes(byHand)).toEqual(bytes(tuned));
    const untuned = await compile(TINY_CNN, { target: 'webgpu' });
    expect(bytes(untuned)['kernels.wgsl']).not.toEqual(bytes(tuned)['kernels.wgsl']);
    // The other device's record is left out, with one line saying so.
    expect(notices).toEqual([`ignored 1 tuning record made on another device (${THERE})`]);
  });

  test("a node's own entry in the schedule file wins over its record, field by field", async () => {
    const tuned = await compile(TINY_CNN, {
      target: 'webgpu',
      schedules: { nodes: { [first.nodes[0]]: { gpu: { conv: { tileK: 4 } } } } },
      tuning: { records: RECORDS, device: HERE },
    });
    expect((tuned.manifest.options.schedules as { nodes: unknown }).nodes).toEqual({ [first.nodes[0]]: { gpu: { conv: { tileK: 4, threadM: 2, directBelow: 0 } } } });
  });

  test('records made on other devices change nothing', async () => {
    const other = await compile(TINY_CNN, { target: 'webgpu', tuning: { records: [RECORDS[1]], device: HERE } });
    expect(bytes(other)).toEqual(bytes(await compile(TINY_CNN, { target: 'webgpu' })));
  });
});
