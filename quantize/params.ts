// Quantization parameters from a calibrated range, and the quantized weights and biases of an anchor
// (onnxruntime quantization's quant_utils.compute_scale_zp, quantize_data and quantize_bias_static).
//
// affine  u8: asymmetric, scale = (max − min)/255, zero point = round(−min/scale) clamped to [0, 255].
//         i8 / i16: symmetric, scale = max(|min|, |max|)/127 (/32767), zero point 0.
// dfp     dynamic fixed point (Ristretto; Qiu et al., "Going deeper with embedded FPGA platforms"): signed,
//         zero point 0, scale 2^−fl with the fractional length fl as large as the range allows.
//
// Scales are f32 values (what the QuantizeLinear scale initializer holds) and rounding is half to even,
// computed as the quantize_linear reference does (f32 division, then round), so a tensor quantized here
// equals quantize_linear of the same tensor with these parameters.
import { DlcError } from '../compiler/errors.js';
import { isFloat } from '../compiler/ir/dtype.js';
import { Tensor, sizeOf } from '../compiler/ir/tensor.js';
import { roundHalfEven } from '../compiler/ops/nn-quant.js';
import { normalizeAxis } from '../compiler/ops/util.js';
import type { Range } from './calibrators.js';

export { sqnrDb } from './sqnr.js';

export type QuantDType = 'u8' | 'i8' | 'i16';
export type QuantMode = 'affine' | 'dfp';

export interface QuantParams {
  dtype: QuantDType;
  scale: number;
  zeroPoint: number;
  /** dfp only: scale = 2^-fractionalLength */
  fractionalLength?: number;
}

export interface QuantizedWeights {
  q: Tensor;
  scales: Float32Array;
  fractionalLengths?: Int32Array;
}

/** Largest code of each dtype: symmetric types keep −128 / −32768 unused (see quantizeWeights). */
const QMAX: Record<QuantDType, number> = { u8: 255, i8: 127, i16: 32767 };

/** The smallest normal f32: a scale below it (a zero range) is replaced by 1, as onnxruntime does. */
const F32_TINY = 2 ** -126;

/** 2^−126 is the smallest normal f32 scale, so fl stays at most 126. */
const MAX_FRACTIONAL_LENGTH = 126;

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/**
 * Scale and zero point covering `range` (widened to contain 0). A range of zero width gives scale 1 and
 * zero point 0, as onnxruntime's compute_scale_zp does: every value is then 0, any positive scale is
 * exact, and 1 keeps the products that derive from it (bias scale = input scale · weight scale, the
 * requantization multiplier) far from f32 underflow and overflow, where a tiny scale would not.
 */
export function activationParams(range: Range, dtype: QuantDType, mode: QuantMode): QuantParams {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new DlcError(`cannot quantize the range [${range.min}, ${range.max}]`);
  }
  if (!(dtype in QMAX)) throw new DlcError(`quantization to ${dtype} is not supported (expected u8, i8 or i16)`);
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (mode === 'dfp') {
    if (dtype === 'u8') throw new DlcError('dynamic fixed point is signed: quantize to i8 or i16, not u8');
    const fl = fractionalLength(Math.max(-lo, hi), QMAX[dtype]);
    return { dtype, scale: 2 ** -fl, zeroPoint: 0, fractionalLength: fl };
  }
  if (mode !== 'affine') throw new DlcError(`unknown quantization mode '${mode}' (expected affine or dfp)`);
  if (dtype === 'u8') {
    const scale = Math.fround(Math.fround(hi - lo) / QMAX.u8);
    if (scale < F32_TINY) return { dtype, scale: 1, zeroPoint: 0 };
    const zeroPoint = Math.min(QMAX.u8, Math.max(0, roundHalfEven(Math.fround(-lo / scale))));
    return { dtype, scale, zeroPoint };
  }
  const scale = Math.fround(Math.max(-lo, hi) / QMAX[dtype]);
  if (scale < F32_TINY) return { dtype, scale: 1, zeroPoint: 0 };
  return { dtype, scale, zeroPoint: 0 };
}

/**
 * The largest fractional length fl with round(m·2^fl) ≤ qmax: the range's largest magnitude quantizes
 * without saturating. Ristretto's fl = bits − 1 − ⌈log2 m⌉ instead allows m·2^fl up to 2^(bits−1), so for
 * m just under a power of two its top values saturate by up to one step; here fl is one smaller in that
 * case and nothing saturates. m = 0 gives fl = 0 (scale 1, as a zero affine range does).
 */
export function fractionalLength(m: number, qmax: number): number {
  const magnitude = Math.fround(m); // the f32 value quantize_linear will see
  if (magnitude === 0) return 0;
  let fl = Math.min(MAX_FRACTIONAL_LENGTH, Math.floor(Math.log2(qmax / magnitude)));
  while (fl < MAX_FRACTIONAL_LENGTH && roundHalfEven(magnitude * 2 ** (fl + 1)) <= qmax) fl++;
  while (roundHalfEven(magnitude * 2 ** fl) > qmax) fl--;
  return fl;
}

/**
 * Symmetric per-channel weights along `axis` (the output channel: 0 for conv [M, C, kh, kw], 1 for
 * matmul [K, N]): each channel's scale comes from its max |w| (activationParams of [−max, max]), codes are
 * round-half-even and clamped to ±127 (±32767). The most negative code stays unused, as in onnxruntime's
 * symmetric weights: the grid is then symmetric (−q is a code whenever q is, so zero point 0 is exact), and
 * products of two codes stay below 2^14 (2^30), so two of them add in an i16 (an i32, e.g. WASM's
 * i32x4.dot_i16x8_s) without overflow — (−32768)² · 2 = 2^31 would not fit.
 */
export function quantizeWeights(w: Tensor, axis: number, dtype: 'i8' | 'i16', mode: QuantMode): QuantizedWeights {
  if (!isFloat(w.dtype)) throw new DlcError(`cannot quantize ${w.dtype} weights: they must be floating point`);
  if (dtype !== 'i8' && dtype !== 'i16') throw new DlcError(`weights quantize to i8 or i16, not ${dtype}`);
  const a = normalizeAxis(axis, w.rank);
  const channels = w.shape[a];
  const inner = sizeOf(w.shape.slice(a + 1));
  const channelOf = (e: number) => Math.floor(e / inner) % channels;

  const absmax = new Float64Array(channels);
  for (let e = 0; e < w.size; e++) {
    const x = w.data[e];
    if (!Number.isFinite(x)) throw new DlcError(`cannot quantize weights holding ${x}`);
    const c = channelOf(e);
    absmax[c] = Math.max(absmax[c], Math.abs(x));
  }

  const scales = new Float32Array(channels);
  const fractionalLengths = mode === 'dfp' ? new Int32Array(channels) : undefined;
  for (let c = 0; c < channels; c++) {
    const p = activationParams({ min: -absmax[c], max: absmax[c] }, dtype, mode);
    scales[c] = p.scale;
    if (fractionalLengths) fractionalLengths[c] = p.fractionalLength ?? 0;
  }

  const qmax = QMAX[dtype];
  const q = new Tensor(dtype, w.shape);
  for (let e = 0; e < w.size; e++) {
    const code = roundHalfEven(Math.fround(w.data[e] / scales[channelOf(e)]));
    q.data[e] = Math.min(qmax, Math.max(-qmax, code));
  }
  return fractionalLengths ? { q, scales, fractionalLengths } : { q, scales };
}

/** The scale of each bias element: inputScale · weightScale[c] in f32 (one weight scale serves every channel). */
export function biasScales(inputScale: number, weightScales: Float32Array): Float32Array {
  const out = new Float32Array(weightScales.length);
  for (let c = 0; c < weightScales.length; c++) out[c] = Math.fround(inputScale) * weightScales[c];
  for (const s of out) {
    if (!(s > 0) || !Number.isFinite(s)) throw new DlcError(`bias scale ${s} (input scale ${inputScale} times a weight scale) is not a positive f32`);
  }
  return out;
}

/**
 * The i32 bias of a quantized anchor: round(bias[c] / (inputScale · weightScale[c])), half to even, zero
 * point 0, saturated to the i32 range (onnxruntime's quantize_bias_static casts without saturating).
 */
export function quantizeBias(bias: Tensor, inputScale: number, weightScales: Float32Array): Tensor {
  const scales = biasScales(inputScale, weightScales);
  if (scales.length !== 1 && scales.length !== bias.size) {
    throw new DlcError(`bias of ${bias.size} elements against ${scales.length} weight scales`);
  }
  const out = new Tensor('i32', bias.shape);
  for (let c = 0; c < bias.size; c++) {
    const code = roundHalfEven(Math.fround(bias.data[c] / scales[scales.length === 1 ? 0 : c]));
    out.data[c] = Math.min(I32_MAX, Math.max(I32_MIN, code));
  }
  return out;
}
