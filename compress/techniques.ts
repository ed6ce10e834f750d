// The compression techniques as the search sees them: each has a ladder of steps per layer, from off (step 0)
// to most aggressive, and applies a step to a layer's weights. The driver (compress-graph.ts) picks one step
// per layer under the accuracy budget. Order matters and is fixed: low-rank changes the layers (its factors
// are what the later techniques see), pruning before sharing clusters the surviving weights only (Deep
// Compression's pipeline), and ternary weights are already a 3-value codebook, so they exclude sharing.
import { UsageError } from '../compiler/errors.js';
import type { QuantizableLayer } from '../quantize/layers.js';
import { kmeans1d, sharedValues } from './kmeans.js';
import { pruneByMagnitude } from './prune.js';
import { ternarize } from './ternary.js';

export type Technique = 'lowrank' | 'prune' | 'ternary' | 'share';

/** What `--compress` accepts: the techniques, and `deep` for Deep Compression (prune + share, entropy-coded). */
export const COMPRESSIONS = ['deep', 'prune', 'share', 'lowrank', 'ternary'] as const;
export type CompressionName = (typeof COMPRESSIONS)[number];

const ORDER: readonly Technique[] = ['lowrank', 'prune', 'ternary', 'share'];

export function parseCompressions(names: readonly string[]): Technique[] {
  const picked = new Set<Technique>();
  for (const name of names) {
    if (!(COMPRESSIONS as readonly string[]).includes(name)) throw new UsageError(`unknown compression '${name}' (have: ${COMPRESSIONS.join(', ')})`);
    if (name === 'deep') ['prune', 'share'].forEach((t) => picked.add(t as Technique));
    else picked.add(name as Technique);
  }
  if (picked.has('ternary') && picked.has('share')) throw new UsageError('ternary weights are already a 3-value codebook: give ternary without share or deep');
  if (picked.size === 0) throw new UsageError(`--compress needs at least one of ${COMPRESSIONS.join(', ')}`);
  return ORDER.filter((t) => picked.has(t));
}

export type LayerKind = 'conv' | 'fc';

export function layerKind(layer: QuantizableLayer): LayerKind {
  return layer.node.op === 'conv' ? 'conv' : 'fc';
}

/** Han et al.'s index widths of shared weights: 8 bits for conv, 5 for fully connected. */
export const DEFAULT_SHARE_BITS: Record<LayerKind, number> = { conv: 8, fc: 5 };

/** Pruning's s (threshold = s·σ) per step; 0 is off. */
export const PRUNE_STEPS = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3];
/** Sharing's index bits per step; 0 is off. */
export const SHARE_STEPS = [0, 8, 7, 6, 5, 4, 3, 2];
/** Low-rank: the factors' share of the layer's weights per step; 1 is off. */
export const LOWRANK_STEPS = [1, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1];

/** A layer's weights after a value-changing step (prune, ternary, share), and what it got. */
export interface WeightStep {
  values: Float32Array;
  /** For retraining: 1 where a weight may be non-zero (pruned and ternary layers). */
  mask?: Uint8Array;
  /** For retraining: each surviving weight's centroid (shared layers). */
  shared?: { assignments: Uint16Array; centroids: Float32Array };
  record: { s?: number; threshold?: number; delta?: number; alpha?: number; bits?: number; clusters?: number };
}

/** Applies step `step` (≥ 1) of a value technique to `values`; `mask` restricts sharing to surviving weights. */
export function applyWeightStep(technique: Exclude<Technique, 'lowrank'>, values: Float32Array, step: number, mask?: Uint8Array): WeightStep {
  switch (technique) {
    case 'prune': {
      const s = PRUNE_STEPS[step];
      const p = pruneByMagnitude(values, s);
      return { values: p.values, mask: p.mask, record: { s, threshold: p.threshold } };
    }
    case 'ternary': {
      const t = ternarize(values);
      const m = Uint8Array.from(t.values, (v) => (v !== 0 ? 1 : 0));
      return { values: t.values, mask: m, record: { delta: t.delta, alpha: t.alpha } };
    }
    case 'share':
      return shareWeights(values, SHARE_STEPS[step], mask);
  }
}

/** k-means with 2^bits clusters over the surviving weights (all of them without a mask); zeros of the mask stay 0. */
export function shareWeights(values: Float32Array, bits: number, mask?: Uint8Array): WeightStep {
  const members = mask ? values.filter((_, i) => mask[i]) : values;
  const shared = kmeans1d(members, 2 ** bits);
  const memberValues = sharedValues(shared);
  const out = new Float32Array(values.length);
  const assignments = new Uint16Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask && !mask[i]) continue;
    assignments[i] = shared.assignments[m];
    out[i] = memberValues[m++];
  }
  return { values: out, ...(mask ? { mask } : {}), shared: { assignments, centroids: shared.centroids }, record: { bits, clusters: shared.centroids.length } };
}
