// dlc tune end to end on the sample model (wasm, a few candidates), then compile --tuning-records.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';
import { formatRecords, readRecordsFile } from '../tune/records.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-tune-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

describe('dlc tune', () => {
  test('tunes each workload, appends its records, and compile --tuning-records replays those of this device', async () => {
    const records = path.join(tmp, 'records.json');
    const r = await dlc('tune', TINY_CNN, '--trials', '3', '--seed', '4', '-o', records, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.target).toBe('wasm');
    expect(summary.workloads.map((w: { summary: string }) => w.summary.split(' ')[0])).toEqual(['conv', 'conv', 'gemm']);
    for (const w of summary.workloads) {
      expect(w.trials).toBeLessThanOrEqual(3);
      expect(w.speedup).toBeGreaterThanOrEqual(1);
    }
    const written = readRecordsFile(records);
    expect(written.map((x) => x.workload)).toEqual(summary.workloads.map((w: { workload: string }) => w.workload));
    expect(new Set(written.map((x) => x.device))).toEqual(new Set([summary.device]));

    // A later record for this device supersedes the tuned one; another device's is left out with a note.
    const [first] = written;
    const schedule = { conv: { kind: 'im2col-gemm' as const, gemm: { tileM: 2 } } };
    fs.appendFileSync(records, formatRecords([{ ...first, schedule }, { ...first, device: 'wasm | another cpu | threads 2', schedule: { conv: { kind: 'direct' } } }]));
    const dir = path.join(tmp, 'tuned');
    const c = await dlc('compile', TINY_CNN, '-o', dir, '--tuning-records', records);
    expect(c.code).toBe(0);
    expect(c.stderr).toBe(`dlc: note: ${records}: ignored 1 tuning record made on another device (wasm | another cpu | threads 2)\n`);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    // Each node of a tuned workload gets its record's schedule (none where the defaults were fastest).
    const expected: Record<string, unknown> = {};
    summary.workloads.forEach((w: { nodes: string[] }, i: number) => {
      const chosen = i === 0 ? schedule : written[i].schedule;
      if (Object.keys(chosen).length > 0) for (const node of w.nodes) expected[node] = chosen;
    });
    expect(manifest.options.schedules.nodes).toEqual(expected);
    expect(manifest.options.schedules.nodes[summary.workloads[0].nodes[0]]).toEqual(schedule);
  });

  test.each([
    ['compile', TINY_CNN, '-o', 'OUT', '--tuning-records', 'BAD'],
    ['tune', TINY_CNN, '-o', 'BAD'],
  ])('a file that is not tuning records is one error line, exit code 2 (%s)', async (...args) => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{"version": 1}\n');
    const r = await dlc(...args.map((a) => (a === 'BAD' ? bad : a === 'OUT' ? path.join(tmp, 'out') : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dlc: .*bad\.json:1: tuning record field 'device' must be a string\n$/);
    expect(fs.readFileSync(bad, 'utf8')).toBe('{"version": 1}\n');
  });

  test('--threads 2 measures on two threads and writes records for the two-thread device, which compile --threads 2 replays', async () => {
    const records = path.join(tmp, 'records-2t.json');
    const r = await dlc('tune', TINY_CNN, '--threads', '2', '--trials', '2', '--seed', '4', '-o', records, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.device).toMatch(/^wasm \| .* \| threads 2$/);
    const written = readRecordsFile(records);
    expect(written).toHaveLength(3);
    for (const x of written) expect(x).toMatchObject({ device: summary.device, threads: 2 });

    // A two-thread record is replayed by a two-thread compile (a one-thread compile leaves records of other devices out: above).
    const schedule = { conv: { kind: 'direct' as const } };
    fs.appendFileSync(records, formatRecords([{ ...written[0], schedule }]));
    const node = summary.workloads[0].nodes[0];
    const two = await dlc('compile', TINY_CNN, '--threads', '2', '-o', path.join(tmp, 'tuned-2t'), '--tuning-records', records);
    expect(two.code).toBe(0);
    expect(two.stderr).toBe('');
    const manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'tuned-2t', 'manifest.json'), 'utf8'));
    expect(manifest.options.schedules.nodes[node]).toEqual(schedule);
  });

  test('--threads applies to wasm', async () => {
    const r = await dlc('tune', TINY_CNN, '--target', 'webgpu', '--threads', '2', '-o', path.join(tmp, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('dlc: --threads applies to --target wasm\n');
  });

  test('flags are checked before anything is measured', async () => {
    const r = await dlc('tune', TINY_CNN, '-o', path.join(tmp, 'x.json'), '--trials', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("dlc: --trials takes a positive integer, got '0'\n");
  });
});
