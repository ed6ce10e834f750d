// Calibrators: collect one activation tensor's values over the calibration batches and choose the range
// [min, max] that its quantization parameters will cover (onnxruntime quantization's calibrate.py).
//
// minmax      running extremes (onnxruntime MinMaxCalibrater, without its moving-average option)
// percentile  the range holding `percentile`% of the values: of |x| when symmetric, else cutting both
//             tails equally (onnxruntime PercentileCalibrater)
// entropy     TensorRT's KL-divergence threshold over the |x| histogram (entropy.ts)
// mse         the threshold of least expected squared 8-bit quantization error (mse.ts)
//
// Every range contains 0 (min ≤ 0 ≤ max), as onnxruntime's compute_scale_zp makes it, so that zero
// (padding, ReLU's floor) is exactly representable. A symmetric calibrator returns [−t, t]; an
// asymmetric histogram calibrator clips the observed [min, max] to [−t, t], as onnxruntime clamps its
// thresholds to the observed extremes. Non-finite values are skipped: NaN has no range, and one ±∞
// would make every scale infinite.
import { DlcError } from '../compiler/errors.js';
import { entropyThreshold } from './entropy.js';
import { GrowingHistogram } from './histogram.js';
import { mseThreshold } from './mse.js';
import { magnitudePercentile, twoTailedPercentile } from './percentile.js';

export type CalibratorName = 'minmax' | 'percentile' | 'entropy' | 'mse';

export const CALIBRATORS: readonly CalibratorName[] = ['minmax', 'percentile', 'entropy', 'mse'];

export interface Range {
  min: number;
  max: number;
}

export interface CalibratorOptions {
  /** Histogram bins over [0, max|x|] at the first batch (default 2048, as TensorRT's |x| histogram). */
  bins?: number;
  /** Share of the values the percentile range keeps, in percent (default 99.99). */
  percentile?: number;
  /** Return a range symmetric about zero, [−t, t] (default false). */
  symmetric?: boolean;
}

export const DEFAULT_BINS = 2048;
export const DEFAULT_PERCENTILE = 99.99;

/** Collects one tensor's values over many calibration batches; range() picks the clipping range. */
export class TensorStatistics {
  readonly calibrator: CalibratorName;
  private readonly percentile: number;
  private readonly symmetric: boolean;
  private readonly histogram: GrowingHistogram | null;
  private min = Infinity;
  private max = -Infinity;

  constructor(calibrator: CalibratorName, options: CalibratorOptions = {}) {
    if (!CALIBRATORS.includes(calibrator)) throw new DlcError(`unknown calibrator '${calibrator}' (expected one of ${CALIBRATORS.join(', ')})`);
    const bins = options.bins ?? DEFAULT_BINS;
    const percentile = options.percentile ?? DEFAULT_PERCENTILE;
    if (!Number.isInteger(bins) || bins < 1) throw new DlcError(`calibration histogram bins must be a positive integer, got ${bins}`);
    if (!(percentile >= 0 && percentile <= 100)) throw new DlcError(`calibration percentile must be in [0, 100], got ${percentile}`);
    this.calibrator = calibrator;
    this.percentile = percentile;
    this.symmetric = options.symmetric ?? false;
    this.histogram = calibrator === 'minmax' ? null : new GrowingHistogram(bins);
  }

  /** Adds one calibration sample's values; NaN and ±∞ are ignored. */
  observe(values: ArrayLike<number>): void {
    if (this.histogram) {
      this.histogram.observe(values);
      this.min = this.histogram.min;
      this.max = this.histogram.max;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) continue;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
  }

  /** The clipping range; [0, 0] before any finite value. Always min ≤ 0 ≤ max. */
  range(): Range {
    if (this.min > this.max) return { min: 0, max: 0 };
    if (this.calibrator === 'percentile' && !this.symmetric) return withZero(this.twoTailedRange());
    const t = this.threshold();
    if (this.symmetric) return withZero({ min: -t, max: t });
    return withZero({ min: Math.max(this.min, -t), max: Math.min(this.max, t) });
  }

  /** The clipping threshold on |x|, at most max|x|. */
  private threshold(): number {
    const magnitude = Math.max(-this.min, this.max);
    const magnitudes = this.histogram?.magnitudes();
    if (!magnitudes) return magnitude; // minmax, or only zeros seen
    // An unsigned target (nonnegative values, asymmetric range) has twice the levels over [0, t].
    const unsigned = !this.symmetric && this.min >= 0;
    switch (this.calibrator) {
      case 'minmax': return magnitude;
      case 'percentile': return Math.min(magnitude, magnitudePercentile(magnitudes, this.percentile));
      case 'entropy': return Math.min(magnitude, entropyThreshold(magnitudes, unsigned ? 256 : 128));
      case 'mse': return Math.min(magnitude, mseThreshold(magnitudes, unsigned ? 255 : 127));
    }
  }

  private twoTailedRange(): Range {
    const signed = this.histogram?.signed();
    if (!signed) return { min: this.min, max: this.max };
    const r = twoTailedPercentile(signed.counts, signed.width, signed.half, this.percentile);
    return { min: Math.max(this.min, r.min), max: Math.min(this.max, r.max) };
  }
}

/** Widens a range to contain 0 (and turns −0 into 0). */
function withZero(r: Range): Range {
  return { min: Math.min(r.min, 0) + 0, max: Math.max(r.max, 0) + 0 };
}
