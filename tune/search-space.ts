// What the tuner may vary for one anchor kernel: the schedule fields (codegen/schedule.ts) its generator reads
// on its target, each with the values worth trying. A candidate assigns some of them; the rest keep their
// defaults. Range rules are not repeated here: a candidate is valid when schedulesFor accepts it and its
// kernel generates (a conv algorithm the geometry does not allow throws there), which the measurer checks.
import { CONV_KINDS, DEFAULT_SCHEDULES, type KindOverrides } from '../codegen/schedule.js';
import type { TargetName } from '../codegen/targets.js';

export type ParamValue = number | string;

/** One schedule field: its path in a node's KindOverrides (`conv.gemm.tileM`) and the values to try. */
export interface Param {
  path: string;
  values: readonly ParamValue[];
}

/** Field path → value; `{}` is the default schedule. */
export type Candidate = Readonly<Record<string, ParamValue>>;

const KiB = 1024;

/** The wasm register-tiled GEMM (gemm.ts): rows × vectors of the tile, K unroll, rows of A per cache block. */
function wasmGemm(section: string): Param[] {
  return [
    { path: `${section}.tileM`, values: [1, 2, 3, 4, 5, 6, 8] },
    { path: `${section}.tileN`, values: [1, 2, 3, 4] },
    { path: `${section}.unrollK`, values: [1, 2, 4] },
    { path: `${section}.rowBlockBytes`, values: [32 * KiB, 64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB] },
  ];
}

/** The WebGPU tiled GEMM (gemm-tiled.ts, gemm-direct.ts); checkGpuMatmulSchedule rules out the combinations that do not fit. */
function gpuGemm(section: string): Param[] {
  return [
    { path: `${section}.tileM`, values: [8, 16, 32, 64] },
    { path: `${section}.tileN`, values: [16, 32, 64] },
    { path: `${section}.tileK`, values: [4, 8, 16, 32] },
    { path: `${section}.threadM`, values: [1, 2, 4, 8] },
    { path: `${section}.threadN`, values: [4, 8] },
    { path: `${section}.vector`, values: [1, 4] },
    { path: `${section}.splitK`, values: [0, 1, 2, 4] },
    // 0: always tiled; 2²⁴: the default threshold; 2⁴⁰: always untiled (no model GEMM is that large).
    { path: `${section}.directBelow`, values: [0, 2 ** 24, 2 ** 40] },
  ];
}

/** Per target, per anchor op: the fields its kernel generator reads. */
const SPACES: Record<TargetName, Record<string, () => Param[]>> = {
  wasm: {
    conv: () => [
      { path: 'conv.kind', values: CONV_KINDS },
      ...wasmGemm('conv.gemm'),
      { path: 'conv.blockBytes', values: [64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB, 1024 * KiB] },
      { path: 'conv.depthwiseVectors', values: [1, 2, 3, 4] },
    ],
    conv_transpose: () => wasmGemm('conv.gemm'),
    matmul: () => wasmGemm('matmul'),
    gemm: () => wasmGemm('matmul'),
  },
  webgpu: {
    conv: () => gpuGemm('gpu.conv'),
    matmul: () => gpuGemm('gpu.matmul'),
    gemm: () => gpuGemm('gpu.matmul'),
  },
};

/** The fields an anchor of `op` reads on `target`; empty when it reads none (not a workload). */
export function searchSpace(target: TargetName, op: string): Param[] {
  return SPACES[target][op]?.() ?? [];
}

/** A candidate as the per-node schedule overrides that apply it. */
export function candidateOverrides(candidate: Candidate): KindOverrides {
  const out: Record<string, unknown> = {};
  for (const path of Object.keys(candidate).sort()) {
    const keys = path.split('.');
    let at = out;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]] = candidate[path];
  }
  return out as KindOverrides;
}

/** One spelling per candidate (fields sorted), for sets and logs. */
export function candidateText(candidate: Candidate): string {
  const keys = Object.keys(candidate).sort();
  return keys.length === 0 ? 'default' : keys.map((k) => `${k}=${candidate[k]}`).join(' ');
}

/** A candidate with every field drawn uniformly. */
export function sampleCandidate(space: readonly Param[], random: () => number): Candidate {
  const out: Record<string, ParamValue> = {};
  for (const p of space) out[p.path] = pick(p.values, random);
  return out;
}

/**
 * `parent` with one or two fields changed, each to a neighbouring value half of the time (a tile one step
 * larger or smaller than the parent's, or than the default where the parent leaves the field unset) and to
 * any other value otherwise.
 */
export function mutateCandidate(parent: Candidate, space: readonly Param[], random: () => number): Candidate {
  const out: Record<string, ParamValue> = { ...parent };
  const changes = coin(random) ? 1 : 2;
  for (let c = 0; c < changes && space.length > 0; c++) {
    const p = pick(space, random);
    if (p.values.length < 2) continue;
    const i = p.values.indexOf(out[p.path] ?? defaultValue(p.path)!);
    let j: number;
    if (i >= 0 && coin(random)) j = i + (coin(random) ? -1 : 1);
    else j = Math.floor(((random() + 1) / 2) * p.values.length);
    j = Math.min(p.values.length - 1, Math.max(0, j));
    if (j === i) j = (i + 1) % p.values.length;
    out[p.path] = p.values[j];
  }
  return out;
}

/** The default schedule's value of a field (undefined for conv.kind, which the geometry picks). */
function defaultValue(path: string): ParamValue | undefined {
  let at: unknown = DEFAULT_SCHEDULES;
  for (const key of path.split('.')) at = (at as Record<string, unknown> | undefined)?.[key];
  return typeof at === 'number' || typeof at === 'string' ? at : undefined;
}

/** An element of `list` (seededRandom gives numbers in [-1, 1)). */
function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.min(list.length - 1, Math.floor(((random() + 1) / 2) * list.length))];
}

/** True half of the time. */
function coin(random: () => number): boolean {
  return random() < 0;
}
