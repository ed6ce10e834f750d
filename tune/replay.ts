// Replaying tuning records at compile time: each node whose workload has a record made on this device gets
// that record's schedule as a per-node override; records of other devices are left out and counted. The
// result is plain ScheduleOverrides, so the manifest records the schedules applied as it records any, and the
// same records give the same artifact.
import type { Graph } from '../compiler/ir/graph.js';
import type { KindOverrides, ScheduleOverrides } from '../codegen/schedule.js';
import type { TargetName } from '../codegen/targets.js';
import { deviceKey, type TuningDevice } from './device.js';
import { recordsForDevice, type TuningRecord } from './records.js';
import { extractWorkloads, type WorkloadOptions } from './workload.js';

/** Records to replay and the device compiled for. */
export interface TuningReplay {
  records: readonly TuningRecord[];
  device: TuningDevice;
}

export interface ReplayResult {
  /** The user's overrides with the tuned per-node schedules under them. */
  schedules: ScheduleOverrides;
  /** Nodes given a record's schedule. */
  tunedNodes: number;
  /** Device keys of the records left out, and how many records they made. */
  otherDevices: string[];
  ignored: number;
}

/**
 * The schedules to compile `graph` (optimized) with. A node's own entry in `user.nodes` (a schedule file)
 * wins over its tuned schedule field by field; tuned schedules win over the per-kind overrides, being per node.
 */
export function replayTuning(graph: Graph, target: TargetName, replay: TuningReplay, user: ScheduleOverrides = {}, options: WorkloadOptions = {}): ReplayResult {
  const key = deviceKey(replay.device);
  const { byWorkload, otherDevices } = recordsForDevice(replay.records, key);
  const nodes: Record<string, KindOverrides> = {};
  let tunedNodes = 0;
  if (byWorkload.size > 0) {
    for (const w of extractWorkloads(graph, target, options)) {
      const record = byWorkload.get(w.key);
      if (!record || Object.keys(record.schedule).length === 0) continue;
      for (const name of w.nodes) {
        nodes[name] = record.schedule;
        tunedNodes++;
      }
    }
  }
  for (const [name, own] of Object.entries(user.nodes ?? {})) nodes[name] = mergeDeep(nodes[name] ?? {}, own) as KindOverrides;
  const schedules: ScheduleOverrides = { ...user };
  if (Object.keys(nodes).length > 0) schedules.nodes = nodes;
  return { schedules, tunedNodes, otherDevices, ignored: replay.records.filter((r) => r.device !== key).length };
}

/** `over` on top of `under`, object by object. */
function mergeDeep(under: object, over: object): object {
  const out: Record<string, unknown> = { ...under };
  for (const [k, v] of Object.entries(over)) {
    const u = out[k];
    out[k] = typeof v === 'object' && v !== null && typeof u === 'object' && u !== null ? mergeDeep(u, v) : v;
  }
  return out;
}
