// The metrics `dlc eval` and the accuracy guard measure, over a data set's samples: top-1 accuracy against
// integer labels, character error rate of a CTC text recognizer against string labels, and, for models
// without labels, agreement of the arg-max with a reference model and the output SQNR against it; for a text
// detector, the CER of its boxes read by a fixed recognizer against each page's text (det-cer, det-rec-cer.ts).
import { DlcError } from '../compiler/errors.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import type { Labels } from './dataset.js';
import { detRecCer, type LineRecognizer } from './det-rec-cer.js';
import { recognitionCer } from './recognition.js';

export const METRIC_NAMES = ['top1', 'cer', 'det-cer', 'agreement', 'sqnr'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricInfo {
  /** Larger is better (top-1, agreement, SQNR) or smaller is (CER). */
  higherIsBetter: boolean;
  unit: '%' | 'dB';
  /** Needs a reference model's outputs (no labels). */
  needsReference: boolean;
  /** Needs a text recognizer to read the detector's boxes (det-cer). */
  needsRecognizer?: boolean;
}

export const METRICS: Readonly<Record<MetricName, MetricInfo>> = {
  top1: { higherIsBetter: true, unit: '%', needsReference: false },
  cer: { higherIsBetter: false, unit: '%', needsReference: false },
  'det-cer': { higherIsBetter: false, unit: '%', needsReference: false, needsRecognizer: true },
  agreement: { higherIsBetter: true, unit: '%', needsReference: true },
  sqnr: { higherIsBetter: true, unit: 'dB', needsReference: true },
};

/** What a metric reads: each sample's first model output, and the labels or the reference outputs. */
export interface MetricInputs {
  outputs: readonly Tensor[];
  labels?: Labels;
  reference?: readonly Tensor[];
  /** The recognizer's dictionary, for CER (class i ≥ 1 is keys[i − 1]). */
  keys?: readonly string[];
  /** det-cer: each sample's first input (the page det saw, which the lines are cut from). */
  inputs?: readonly Tensor[];
  /** det-cer: the recognizer that reads each box. */
  recognizer?: LineRecognizer;
}

export function parseMetric(name: string): MetricName {
  if (!(METRIC_NAMES as readonly string[]).includes(name)) throw new DlcError(`unknown metric '${name}' (have: ${METRIC_NAMES.join(', ')})`);
  return name as MetricName;
}

/** The metric's value: a percentage for top1, cer, det-cer and agreement, decibels for sqnr. */
export function scoreMetric(metric: MetricName, m: MetricInputs): number {
  switch (metric) {
    case 'top1': {
      const labels = m.labels;
      if (!(labels instanceof Int32Array)) throw new DlcError('top1 needs integer labels (labels.npy) in the data set');
      return percent(m.outputs.filter((o, i) => argmax(o.data, 0, o.size) === labels[i]).length, m.outputs.length);
    }
    case 'cer': {
      const labels = m.labels;
      if (!Array.isArray(labels)) throw new DlcError('cer needs string labels (labels.txt) in the data set');
      if (!m.keys) throw new DlcError('cer needs the recognizer\'s dictionary (keys.txt in the data set, or --keys FILE)');
      const outputs = m.outputs.map((o) => ({ shape: o.rank === 2 ? [1, ...o.shape] : o.shape, data: o.data }));
      return 100 * recognitionCer(outputs, labels as string[], m.keys).cer;
    }
    case 'det-cer': {
      const { labels, keys } = detCerInputs(m);
      if (!m.inputs || !m.recognizer) throw new DlcError('det-cer reads the detected lines with a recognizer (--recognizer REC.onnx)');
      return 100 * detRecCer(m.inputs, m.outputs, labels, keys, m.recognizer).cer;
    }
    case 'agreement': {
      const ref = needReference(m, metric);
      return percent(m.outputs.filter((o, i) => sameArgmaxes(o, ref[i])).length, m.outputs.length);
    }
    case 'sqnr': {
      const ref = needReference(m, metric);
      let signal = 0;
      let noise = 0;
      m.outputs.forEach((o, i) => {
        for (let e = 0; e < o.size; e++) {
          signal += ref[i].data[e] ** 2;
          noise += (ref[i].data[e] - o.data[e]) ** 2;
        }
      });
      return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
    }
  }
}

/** det-cer's page texts and the recognizer's dictionary, checked. */
export function detCerInputs(m: Pick<MetricInputs, 'labels' | 'keys'>): { labels: string[]; keys: readonly string[] } {
  if (!Array.isArray(m.labels)) throw new DlcError("det-cer needs each page's text as string labels (labels.txt, its lines tab-separated)");
  if (!m.keys) throw new DlcError('det-cer needs the recognizer\'s dictionary (keys.txt in the data set, or --keys FILE)');
  return { labels: m.labels as string[], keys: m.keys };
}

function needReference(m: MetricInputs, metric: MetricName): readonly Tensor[] {
  if (!m.reference) throw new DlcError(`${metric} compares with a reference model (--reference MODEL)`);
  return m.reference;
}

const percent = (k: number, n: number) => (n === 0 ? 0 : (100 * k) / n);

function argmax(data: ArrayLike<number>, start: number, end: number): number {
  let best = start;
  for (let i = start + 1; i < end; i++) if (data[i] > data[best]) best = i;
  return best - start;
}

/** The arg-max over the last axis agrees at every position (one class per sample, or per time step). */
function sameArgmaxes(a: Tensor, b: Tensor): boolean {
  const c = a.shape[a.rank - 1] ?? 1;
  for (let s = 0; s < a.size; s += c) if (argmax(a.data, s, s + c) !== argmax(b.data, s, s + c)) return false;
  return true;
}
