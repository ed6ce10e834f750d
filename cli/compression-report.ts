// The per-layer compression report as text: one line per layer (what each technique did, density, distinct
// values, weight SQNR and, from an artifact, the encoded bytes), then the accuracy guard's outcome.
import type { CompressionReport } from '../compress/compress-graph.js';
import { formatBytes } from './format.js';

const num = (x: number | string | undefined, digits = 3) => (x === undefined ? '-' : typeof x === 'number' && Number.isFinite(x) ? x.toPrecision(digits) : String(x));

/** A layer's shipped bytes, when the report comes from an artifact (the weights encoding's per-range figures). */
export interface LayerBytes {
  bytes: number;
  encodedBytes: number;
}

export function formatCompressionReport(r: CompressionReport, bytes?: ReadonlyMap<string, LayerBytes>): string {
  const lines = [`compression: ${r.techniques.join(' + ')}; retraining: ${r.retraining}`];
  for (const l of r.layers) {
    const parts = [
      l.lowrank ? `rank ${l.lowrank.rank}/${l.lowrank.fullRank} of ${l.lowrank.of} (SQNR ${num(l.lowrank.sqnrDb)} dB)` : '',
      l.prune ? `pruned at ${l.prune.s}σ` : '',
      l.ternary ? `ternary ±${num(l.ternary.alpha)}` : '',
      l.share ? `shared ${l.share.bits} bits (${l.share.clusters} centroids)` : '',
    ].filter(Boolean);
    const b = bytes?.get(l.weight);
    const size = b ? `, ${formatBytes(b.bytes)} → ${formatBytes(b.encodedBytes)}` : '';
    lines.push(`  ${l.node} (${l.op}, ${l.elements} weights): ${parts.join(', ') || 'unchanged'}; density ${num(l.density)}, ${l.distinct} values, weight SQNR ${num(l.weightSqnrDb)} dB${size}`);
  }
  const g = r.guard;
  if (g) {
    const budget = 'minValue' in g.budget ? `≥ ${g.budget.minValue} dB` : `drop ≤ ${g.budget.maxDrop}`;
    const ran = g.evaluations ? Object.entries(g.evaluations).filter(([, n]) => n > 0).map(([backend, n]) => `${n} ${backend === 'wasm' ? 'on the compiled wasm kernels' : 'in the reference interpreter'}`) : [];
    const where = ran.length ? `; graphs evaluated: ${ran.join(', ')}` : '';
    lines.push(`accuracy guard: ${g.metric} ${num(g.after, 4)} (before ${num(g.before, 4)}, budget ${budget}) after ${g.trials.length} trial${g.trials.length === 1 ? '' : 's'}${where}`);
  }
  return `${lines.join('\n')}\n`;
}
