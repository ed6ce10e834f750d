// Tuning records: JSON lines, one per workload tuned on one device (AutoTVM's log files). A record names the
// workload by its key (workload.ts), the device by its key (device.ts), and holds the schedule chosen (the
// per-node overrides that apply it; {} when the defaults were fastest) with the times that chose it. A file
// collects the records of many models and devices: `dlc tune` appends, and `dlc compile --tuning-records`
// replays the ones made on its device (replay.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { parseScheduleOverrides, type KindOverrides } from '../codegen/schedule.js';
import { TARGET_NAMES, type TargetName } from '../codegen/targets.js';

/** The version of the record format, written in each record. */
export const RECORD_VERSION = 1;

export interface TuningRecord {
  version: typeof RECORD_VERSION;
  /** deviceKey() of the device measured on. */
  device: string;
  target: TargetName;
  threads: number;
  /** Workload key. */
  workload: string;
  /** The workload in words (not matched, for people). */
  summary: string;
  /** Per-node schedule overrides applying the chosen schedule; {} when the defaults were fastest. */
  schedule: KindOverrides;
  /** Median milliseconds of the default schedule and of the chosen one, measured together. */
  defaultMs: number;
  bestMs: number;
  /** Candidates measured, and how many of them computed wrong outputs or failed to run. */
  trials: number;
  rejected: number;
}

/** Records as JSON lines (keys in a fixed order). */
export function formatRecords(records: readonly TuningRecord[]): string {
  return records.map((r) => `${JSON.stringify({
    version: r.version, device: r.device, target: r.target, threads: r.threads, workload: r.workload, summary: r.summary,
    schedule: r.schedule, defaultMs: r.defaultMs, bestMs: r.bestMs, trials: r.trials, rejected: r.rejected,
  })}\n`).join('');
}

/** The records of a file's text, each checked; `where` names the file in errors (exit code 2). */
export function parseRecords(text: string, where: string): TuningRecord[] {
  const records: TuningRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${where}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new DlcError(`${at}: not a JSON tuning record: ${(e as Error).message}`, {}, 2);
    }
    records.push(checkRecord(value, at));
  });
  return records;
}

function checkRecord(value: unknown, at: string): TuningRecord {
  const fail = (why: string): never => {
    throw new DlcError(`${at}: ${why}`, {}, 2);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('a tuning record is one JSON object');
  const r = value as Record<string, unknown>;
  if (r.version !== RECORD_VERSION) fail(`tuning record version ${JSON.stringify(r.version)} (this dlc reads version ${RECORD_VERSION})`);
  for (const key of ['device', 'workload', 'summary'] as const) if (typeof r[key] !== 'string') fail(`tuning record field '${key}' must be a string`);
  if (!(TARGET_NAMES as readonly unknown[]).includes(r.target)) fail(`tuning record target ${JSON.stringify(r.target)} (have: ${TARGET_NAMES.join(', ')})`);
  for (const key of ['threads', 'defaultMs', 'bestMs', 'trials', 'rejected'] as const) {
    if (typeof r[key] !== 'number' || !Number.isFinite(r[key]) || (r[key] as number) < 0) fail(`tuning record field '${key}' must be a non-negative number`);
  }
  try {
    parseScheduleOverrides({ nodes: { record: r.schedule } }, 'schedule');
  } catch (e) {
    fail(`tuning record ${(e as Error).message.replace(/nodes\.record\.?/g, '')}`);
  }
  return r as unknown as TuningRecord;
}

/** The records in `file` (exit code 2 when it cannot be read or is not a records file). */
export function readRecordsFile(file: string): TuningRecord[] {
  return parseRecords(readText(file), file);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DlcError(`cannot read tuning records: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 2);
  }
}

/**
 * Adds `records` after the lines `file` holds (created when absent), through a temporary file and a rename,
 * so that a reader never sees half a file. The existing lines are kept as they are, once checked: a file that
 * is not a records file is left alone.
 */
export function appendRecords(file: string, records: readonly TuningRecord[]): void {
  let text = fs.existsSync(file) ? readText(file) : '';
  parseRecords(text, file);
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text + formatRecords(records));
  fs.renameSync(tmp, file);
}

/**
 * The record each workload replays on `device`: the latest for that workload (a re-tune supersedes the
 * tune before it), and the device keys of the records left out.
 */
export function recordsForDevice(records: readonly TuningRecord[], device: string): { byWorkload: Map<string, TuningRecord>; otherDevices: string[] } {
  const byWorkload = new Map<string, TuningRecord>();
  const others = new Set<string>();
  for (const r of records) {
    if (r.device === device) byWorkload.set(r.workload, r);
    else others.add(r.device);
  }
  return { byWorkload, otherDevices: [...others].sort() };
}
