// Which algorithms can compute a conv, and which one runs when the schedule does not say: the one place that
// knows, for the kernel (conv.ts) and for a tuner searching the schedule's `kind`.
import { DlcError } from '../../../compiler/errors.js';
import { CONV_KINDS, type ConvAlgorithm } from '../../schedule.js';
import type { ConvShape } from '../../window-geometry.js';
import { winogradApplies } from './winograd.js';

function isPointwise(s: ConvShape): boolean {
  return s.g.kernel.every((d) => d === 1) && s.g.strides.every((d) => d === 1) && [...s.g.padBegin, ...s.g.padEnd].every((p) => p === 0);
}

/** Why each algorithm may refuse a conv (the ones not listed take any conv). */
const NEEDS: Partial<Record<ConvAlgorithm, { applies: (s: ConvShape) => boolean; needs: string }>> = {
  pointwise: { applies: isPointwise, needs: 'a 1×1 kernel, stride 1 and no padding' },
  depthwise: { applies: (s) => s.c === s.group, needs: 'one input channel per group' },
  'implicit-gemm': { applies: (s) => s.g.strides[2] === 1, needs: 'width stride 1' },
  winograd: { applies: winogradApplies, needs: 'a 2-D 3×3 kernel, stride 1, dilation 1 and one group' },
};

/** The algorithms that can compute this conv (a tuner's choices for the schedule's `kind`). */
export function convKindsFor(s: ConvShape): ConvAlgorithm[] {
  return CONV_KINDS.filter((kind) => NEEDS[kind]?.applies(s) ?? true);
}

/**
 * Where Winograd F(2×2, 3×3) measured clearly faster than both GEMM convs: at least 16 input and 16 output
 * channels. scripts/bench-winograd.ts (CPU time, median of 15 rounds, one thread, a 2-core machine shared with
 * other work) measured 1.5× to 3.4× over the faster of implicit-gemm and im2col-gemm on every such layer of
 * ResNet, VGG, SqueezeNet and PP-OCR det, from 4 to 6,400 tiles; with 8 channels on either side it won only
 * 1.3×, and with the 3 channels of an RGB stem it lost (0.93×): there the transforms cost what the 2.25× fewer
 * multiplies save. The price is weight bytes: its transformed weights are 16/9 of the 3×3 weights.
 */
export function winogradByDefault(s: ConvShape): boolean {
  return winogradApplies(s) && s.c >= 16 && s.m >= 16;
}

/** The schedule's algorithm when it names one the conv can use (a DlcError when it cannot), else the default. */
export function chooseConvAlgorithm(s: ConvShape, asked: ConvAlgorithm | undefined, winogradVetoed = false): ConvAlgorithm {
  if (asked) {
    const need = NEEDS[asked];
    if (need && !need.applies(s)) throw new DlcError(`the ${asked} conv schedule needs ${need.needs}`);
    return asked;
  }
  if (isPointwise(s)) return 'pointwise';
  if (s.c === s.group && s.group > 1) return 'depthwise';
  // Vetoed where a shape-generic program found its 2×2 tiles rounding an odd output up (api/shape-generic.ts).
  if (winogradByDefault(s) && !winogradVetoed) return 'winograd';
  return s.g.strides[2] === 1 ? 'implicit-gemm' : 'im2col-gemm';
}
