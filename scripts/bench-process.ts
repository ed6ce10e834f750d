// A compiled wasm artifact timed by `dlc bench DIR --json` in fresh Node processes (beside its peer when one is
// given): what npm run bench and bench:quantization time with, so that nothing of the compiler runs beside the
// timed code and both sides' first run is that of a cold process, as on a page load.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { BenchReport } from '../cli/bench.js';
import { REPO_ROOT } from '../tests/util/repo.js';

/**
 * A wasm artifact (and its peer) timed on the CPU in two fresh processes. Latency: every wasm function compiled
 * by V8's optimizing tier up front (--no-liftoff) — otherwise both sides' hot code tiers up in the background
 * while the runs are timed, on a 2-core machine late enough to slow onnxruntime-web's large module by 1.4–2.5×
 * (npm run bench:cpu found this), which flattered dlc. First run: a second process with V8's default tiers, as
 * a page load has them.
 */
export function cpuBench(dir: string, peer: string[], runs: number, warmup: number): BenchReport {
  const steady = benchInFreshProcess(dir, peer, runs, warmup, ['--no-liftoff']);
  const first = benchInFreshProcess(dir, peer, 1, 0);
  return { ...steady, firstRunMs: first.firstRunMs, peer: steady.peer && first.peer ? { ...steady.peer, firstRunMs: first.peer.firstRunMs } : steady.peer };
}

/** `dlc bench DIR --json` (with PEER's arguments) in a fresh Node process with these V8 flags. */
export function benchInFreshProcess(dir: string, peer: string[], runs: number, warmup: number, v8Flags: string[] = []): BenchReport {
  const args = [...v8Flags, '--import', 'tsx', path.join(REPO_ROOT, 'cli', 'main.ts'), 'bench', dir, ...peer, '--runs', String(runs), '--warmup', String(warmup), '--json'];
  try {
    return JSON.parse(execFileSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 }));
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(stderr || (e as Error).message);
  }
}
