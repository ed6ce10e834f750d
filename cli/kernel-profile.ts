// `dlc inspect --profile FILE`: each kernel's time, `{"kernels": [{"name": "...", "ms": 0.12}, ...]}`, with the
// kernel names `dlc inspect --json` reports (kernelList[].name, as a compiled artifact's manifest names them).
// `dlc profile MODEL --json` writes one (api/profile.ts); any other timer of the kernels may too.
import * as fs from 'node:fs';
import { DlcError } from '../compiler/errors.js';
import type { KernelInfo } from '../compiler/kernel-list.js';

/** Milliseconds per kernel name. */
export type KernelProfile = Map<string, number>;

export function readKernelProfile(file: string, kernels: readonly KernelInfo[]): KernelProfile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DlcError(`${file}: cannot read profile: ${(e as Error).message.split('\n')[0]}`);
  }
  const entries = (json as { kernels?: unknown } | null)?.kernels;
  const valid = (k: unknown): k is { name: string; ms: number } =>
    typeof (k as { name?: unknown })?.name === 'string' && typeof (k as { ms?: unknown }).ms === 'number' && (k as { ms: number }).ms >= 0;
  if (!Array.isArray(entries) || !entries.every(valid)) {
    throw new DlcError(`${file}: a profile is {"kernels": [{"name": KERNEL, "ms": MILLISECONDS ≥ 0}, ...]}`);
  }
  const known = new Set(kernels.map((k) => k.name));
  const profile: KernelProfile = new Map();
  for (const { name, ms } of entries) {
    if (!known.has(name)) {
      throw new DlcError(`${file}: the profile times kernel '${name}', which this model has not (see the kernel names of inspect --json, with the same --target)`);
    }
    // A kernel listed more than once (one entry per dispatch) counts its total time.
    profile.set(name, (profile.get(name) ?? 0) + ms);
  }
  return profile;
}
