import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { appendRecords, formatRecords, parseRecords, readRecordsFile, recordsForDevice, RECORD_VERSION, type TuningRecord } from './records.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-tune-records-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function record(device: string, workload: string, bestMs: number): TuningRecord {
  return {
    version: RECORD_VERSION, device, target: 'wasm', threads: 1, workload, summary: `conv ${workload}`,
    schedule: { conv: { kind: 'im2col-gemm', gemm: { tileM: 2 } } }, defaultMs: 1.5, bestMs, trials: 12, rejected: 1,
  };
}

function errorOf(work: () => unknown): DlcError {
  try {
    work();
  } catch (e) {
    if (e instanceof DlcError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('tuning records', () => {
  test('round trip: one JSON line per record, read back equal', () => {
    const records = [record('cpu A', 'w1', 1.25), record('cpu B', 'w2', 0.5)];
    const text = formatRecords(records);
    expect(text.split('\n')).toHaveLength(3);
    expect(parseRecords(text, 'r.json')).toEqual(records);
  });

  test('appending keeps the lines already there, other devices included, as they were', () => {
    const file = path.join(tmp, 'append.json');
    const theirs = `${JSON.stringify({ ...record('cpu B', 'w1', 0.7), bestMs: 0.7 })}\n`;
    fs.writeFileSync(file, theirs.trimEnd());
    appendRecords(file, [record('cpu A', 'w1', 1.25)]);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith(theirs)).toBe(true);
    expect(readRecordsFile(file).map((r) => r.device)).toEqual(['cpu B', 'cpu A']);
  });

  test("a device replays its own latest record per workload; other devices' are counted out", () => {
    const records = [record('cpu A', 'w1', 1.0), record('cpu B', 'w1', 0.1), record('cpu A', 'w1', 1.2), record('cpu C', 'w2', 0.3)];
    const { byWorkload, otherDevices } = recordsForDevice(records, 'cpu A');
    expect([...byWorkload.keys()]).toEqual(['w1']);
    expect(byWorkload.get('w1')).toBe(records[2]);
    expect(otherDevices).toEqual(['cpu B', 'cpu C']);
  });

  test.each([
    ['not JSON', 'not json', /^r\.json:2: not a JSON tuning record: /],
    ['another version', JSON.stringify({ ...record('a', 'w', 1), version: 7 }), /^r\.json:2: tuning record version 7 \(this dlc reads version 1\)$/],
    ['a time not a number', JSON.stringify({ ...record('a', 'w', 1), bestMs: 'fast' }), /^r\.json:2: tuning record field 'bestMs' must be a non-negative number$/],
    ['a misspelt schedule field', JSON.stringify({ ...record('a', 'w', 1), schedule: { conv: { tileM: 2 } } }), /^r\.json:2: tuning record schedule: unknown schedule field 'conv\.tileM'/],
    ['an unknown target', JSON.stringify({ ...record('a', 'w', 1), target: 'cuda' }), /^r\.json:2: tuning record target "cuda"/],
  ])('a bad line (%s) is one error naming the file and line, exit code 2', (_what, line, message) => {
    const e = errorOf(() => parseRecords(`${formatRecords([record('a', 'w', 1)])}${line}\n`, 'r.json'));
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
    expect(e.exitCode).toBe(2);
  });

  test('a missing file is an error naming it, exit code 2', () => {
    const e = errorOf(() => readRecordsFile(path.join(tmp, 'missing.json')));
    expect(e.message).toMatch(/missing\.json.*cannot read tuning records: ENOENT/);
    expect(e.exitCode).toBe(2);
  });
});
