// Window geometry shared by convolutions and pools: kernel, strides, dilations and pads with ONNX's auto_pad
// rules, and the lifting of 1-D and 2-D windows to 3-D so that one loop nest serves every spatial rank.
import { DlcError } from '../errors.js';
import type { Attrs, Dim } from '../ir/graph.js';
import type { AttrSpec } from './registry.js';
import { attrInts, attrString } from './util.js';

export const WINDOW_ATTRS: Record<string, AttrSpec> = {
  auto_pad: { type: 'string', default: 'NOTSET' },
  dilations: { type: 'ints', optional: true },
  kernel_shape: { type: 'ints', optional: true },
  pads: { type: 'ints', optional: true },
  strides: { type: 'ints', optional: true },
};

const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** All begins, then all ends (ONNX order). */
  pads: number[];
  autoPad: string;
}

/** The window of an op over `rank` spatial dims; `kernel` is the fallback for a missing kernel_shape (a conv's W). */
export function readWindow(attrs: Attrs, rank: number, kernel?: readonly Dim[]): Window {
  const k = attrInts(attrs, 'kernel_shape') ?? kernel;
  if (!k) throw new DlcError('kernel_shape is required');
  if (!k.every((d): d is number => typeof d === 'number')) throw new DlcError('kernel dims must be known');
  const strides = attrInts(attrs, 'strides') ?? new Array<number>(rank).fill(1);
  const dilations = attrInts(attrs, 'dilations') ?? new Array<number>(rank).fill(1);
  const pads = attrInts(attrs, 'pads') ?? new Array<number>(2 * rank).fill(0);
  const autoPad = attrString(attrs, 'auto_pad');
  if (!AUTO_PADS.includes(autoPad)) throw new DlcError(`unknown auto_pad '${autoPad}'`);
  const check = (name: string, v: readonly number[], len: number, min: number) => {
    if (v.length !== len) throw new DlcError(`${name} has ${v.length} values, expected ${len}`);
    if (!v.every((e) => Number.isInteger(e) && e >= min)) throw new DlcError(`${name} [${v}] must hold integers >= ${min}`);
  };
  check('kernel_shape', k, rank, 1);
  check('strides', strides, rank, 1);
  check('dilations', dilations, rank, 1);
  check('pads', pads, 2 * rank, 0);
  return { kernel: [...k], strides, dilations, pads, autoPad };
}

/** Pads applied to inputs of the given spatial dims, with auto_pad resolved. */
export function resolvePads(w: Window, inDims: readonly number[]): number[] {
  const r = inDims.length;
  if (w.autoPad === 'NOTSET') return w.pads;
  if (w.autoPad === 'VALID') return new Array<number>(2 * r).fill(0);
  const pads = new Array<number>(2 * r);
  for (let i = 0; i < r; i++) {
    const out = Math.ceil(inDims[i] / w.strides[i]);
    const total = Math.max(0, (out - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1 - inDims[i]);
    const small = Math.floor(total / 2);
    pads[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
    pads[i + r] = total - pads[i];
  }
  return pads;
}

/**
 * Output size of a window sweep: floor (or ceil) of (in + pads - span) / stride, plus one. A window larger
 * than the padded input is an error for convs; pools (`overhang`) take it as onnxruntime does, the quotient
 * rounded toward zero (or up, with ceil_mode) before the one is added: a stride larger than the overhang
 * gives one window over what there is, otherwise there is none (an empty axis).
 */
export function pooledDim(inDim: number, k: number, s: number, d: number, pb: number, pe: number, ceilMode: boolean, overhang = false): number {
  const avail = inDim + pb + pe - ((k - 1) * d + 1);
  const tooLarge = () => new DlcError(`window of size ${k} (dilation ${d}) is larger than the padded input ${inDim + pb + pe}`);
  if (avail < 0 && !overhang) throw tooLarge();
  let out = (ceilMode ? Math.ceil(avail / s) : Math.trunc(avail / s)) + 1;
  if (out < 0) throw tooLarge();
  // With ceil_mode the last window must still start inside the input or its begin pad.
  if (ceilMode && out > 0 && (out - 1) * s >= inDim + pb) out--;
  return out;
}

/** Output spatial dims; a symbolic input dim gives a fresh symbolic output dim. `overhang`: see pooledDim. */
export function windowOutputDims(w: Window, inDims: readonly Dim[], ceilMode: boolean, freshDim: (hint: string) => string, overhang = false): Dim[] {
  const r = inDims.length;
  // Pads of one dim depend on that dim alone, so known dims resolve even when others are symbolic.
  const pads = resolvePads(w, inDims.map((d) => (typeof d === 'number' ? d : 1)));
  return inDims.map((d, i) =>
    typeof d === 'number' ? pooledDim(d, w.kernel[i], w.strides[i], w.dilations[i], pads[i], pads[i + r], ceilMode, overhang) : freshDim('window'),
  );
}

/**
 * A pool's pads as its kernels count them (average with count_include_pad divides by the taps inside the
 * padded input): onnxruntime counts a whole window without ceil_mode, so where a window reaches past the end
 * pad (one larger than the padded input, see pooledDim) the end pad grows to cover it; with ceil_mode the
 * taps past the end pad are not counted, as before.
 */
export function poolPads(w: Window, inDims: readonly number[], outDims: readonly number[], ceilMode: boolean): number[] {
  const pads = [...resolvePads(w, inDims)];
  const r = inDims.length;
  if (ceilMode) return pads;
  for (let i = 0; i < r; i++) {
    if (outDims[i] === 0) continue;
    const end = (outDims[i] - 1) * w.strides[i] - pads[i] + (w.kernel[i] - 1) * w.dilations[i] + 1;
    pads[i + r] = Math.max(pads[i + r], end - inDims[i]);
  }
  return pads;
}

/** A 1-D, 2-D or 3-D window seen as 3-D: leading dims of size 1 with unit kernel, stride and dilation. */
export interface Geom3 {
  inDims: number[];
  outDims: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
}

export function liftTo3d(w: Window, inDims: readonly number[], outDims: readonly number[], pads: readonly number[]): Geom3 {
  const r = inDims.length;
  if (r < 1 || r > 3) throw new DlcError(`${r}-D windows are not supported (1-D to 3-D are)`);
  const lift = (v: readonly number[], fill: number) => [...new Array<number>(3 - r).fill(fill), ...v];
  return {
    inDims: lift(inDims, 1),
    outDims: lift(outDims, 1),
    kernel: lift(w.kernel, 1),
    strides: lift(w.strides, 1),
    dilations: lift(w.dilations, 1),
    padBegin: lift(pads.slice(0, r), 0),
    padEnd: lift(pads.slice(r), 0),
  };
}

/** The canonical attributes of a window op: auto_pad resolved to explicit pads when the input dims are known. */
export function explicitWindowAttrs(attrs: Attrs, rank: number, inDims: readonly Dim[], kernel?: readonly Dim[]): Attrs {
  const w = readWindow({ ...attrs, auto_pad: attrs.auto_pad ?? 'NOTSET' }, rank, kernel);
  const out: Attrs = { ...attrs, kernel_shape: w.kernel, strides: w.strides, dilations: w.dilations, pads: w.pads, auto_pad: w.autoPad };
  if (w.autoPad !== 'NOTSET' && inDims.every((d): d is number => typeof d === 'number')) {
    out.pads = resolvePads(w, inDims);
    out.auto_pad = 'NOTSET';
  }
  return out;
}

/** Product of known dims; symbolic dims count as 1, so a cost is a lower bound until shapes are specialized. */
export function knownProduct(dims: readonly Dim[]): number {
  let n = 1;
  for (const d of dims) if (typeof d === 'number') n *= d;
  return n;
}
