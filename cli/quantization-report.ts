// The per-layer quantization report as text: one line per layer (precision, activation parameters, weight
// scales, output SQNR, sensitivity), then the accuracy guard's outcome.
import type { QuantizationReport } from '../quantize/quantize-graph.js';

const num = (x: number | undefined, digits = 3) => (x === undefined ? '-' : Number.isFinite(x) ? x.toPrecision(digits) : String(x));

export function formatQuantizationReport(r: QuantizationReport): string {
  const lines = [`quantization: ${r.mode}, ${r.bits} bits, ${r.calibrator} calibration on ${r.calibrationSamples} samples`];
  for (const l of r.layers) {
    const a = l.activation;
    const act = a ? `${a.dtype} scale ${num(a.scale)} zp ${a.zeroPoint}${a.fractionalLength !== undefined ? ` fl ${a.fractionalLength}` : ''}` : 'f32';
    const w = l.weights ? `, weights ${l.weights.dtype} ×${l.weights.channels} scales ${num(l.weights.minScale)}..${num(l.weights.maxScale)}` : '';
    const sens = (l.sensitivity === undefined ? '' : `, sensitivity ${num(l.sensitivity)}`) + (l.reason ? ` (${l.reason})` : '');
    lines.push(`  ${l.node} (${l.op}): ${l.precision}; ${act}${w}; SQNR ${num(l.sqnrDb)} dB (alone ${num(l.aloneSqnrDb)} dB)${sens}`);
  }
  const g = r.guard;
  if (g) {
    const budget = 'minValue' in g.budget ? `≥ ${g.budget.minValue} dB` : `drop ≤ ${g.budget.maxDrop}`;
    lines.push(`accuracy guard: ${g.metric} ${num(g.quantized, 4)} (f32 ${num(g.f32, 4)}, budget ${budget}) after ${g.trials.length} trial${g.trials.length === 1 ? '' : 's'}`);
  }
  return `${lines.join('\n')}\n`;
}
