import type { ConvShape } from '../../window-geometry.js';
import { chooseConvAlgorithm, convKindsFor } from './conv-algorithm.js';

/** A 2-D conv's shape: C → K channels over H × W, square kernel, stride, dilation, padding and groups. */
function conv(c: number, k: number, h: number, w: number, o: { kernel?: number; stride?: number; dilation?: number; pad?: number; group?: number } = {}): ConvShape {
  const [kk, s, d, p] = [o.kernel ?? 3, o.stride ?? 1, o.dilation ?? 1, o.pad ?? 1];
  const out = (i: number) => Math.floor((i + 2 * p - d * (kk - 1) - 1) / s) + 1;
  const g = { inDims: [1, h, w], outDims: [1, out(h), out(w)], kernel: [1, kk, kk], strides: [1, s, s], dilations: [1, d, d], padBegin: [0, p, p], padEnd: [0, p, p] };
  return { n: 1, c, m: k, group: o.group ?? 1, g, inPlane: h * w, outPlane: out(h) * out(w), kVol: kk * kk };
}

describe('conv algorithms', () => {
  test('the kinds each geometry can use', () => {
    expect(convKindsFor(conv(8, 8, 9, 9))).toEqual(['im2col-gemm', 'implicit-gemm', 'direct', 'winograd']);
    expect(convKindsFor(conv(8, 8, 9, 9, { stride: 2 }))).toEqual(['im2col-gemm', 'direct']);
    expect(convKindsFor(conv(8, 8, 9, 9, { kernel: 1, pad: 0 }))).toEqual(['im2col-gemm', 'implicit-gemm', 'direct', 'pointwise']);
    expect(convKindsFor(conv(8, 8, 9, 9, { group: 8 }))).toEqual(['im2col-gemm', 'implicit-gemm', 'direct', 'depthwise']);
    for (const other of [{ dilation: 2 }, { kernel: 5 }, { group: 2 }]) expect(convKindsFor(conv(8, 8, 9, 9, other))).not.toContain('winograd');
    // A 1-D conv of three taps is not a 3×3 one.
    const oneD = conv(8, 8, 1, 9);
    oneD.g.kernel = [1, 1, 3];
    expect(convKindsFor(oneD)).not.toContain('winograd');
  });

  test('a schedule asking for an algorithm the conv cannot use is one clear error', () => {
    expect(() => chooseConvAlgorithm(conv(8, 8, 9, 9, { stride: 2 }), 'winograd')).toThrow('the winograd conv schedule needs a 2-D 3×3 kernel, stride 1, dilation 1 and one group');
    expect(() => chooseConvAlgorithm(conv(8, 8, 9, 9), 'pointwise')).toThrow('the pointwise conv schedule needs a 1×1 kernel, stride 1 and no padding');
    expect(chooseConvAlgorithm(conv(3, 4, 5, 5), 'winograd')).toBe('winograd');
  });

  test('the default picks winograd only where scripts/bench-winograd.ts measured it clearly faster', () => {
    const picks = (c: number, k: number, hw: number) => chooseConvAlgorithm(conv(c, k, hw, hw), undefined);
    // ResNet, VGG, SqueezeNet and PP-OCR det layers.
    for (const [c, k, hw] of [[64, 64, 56], [256, 256, 14], [512, 512, 7], [16, 64, 55], [96, 24, 160], [96, 24, 10], [16, 16, 8]]) expect(picks(c, k, hw)).toBe('winograd');
    // Few channels on either side: the RGB stem (where it lost), and 8 channels (where it won only 1.3×).
    for (const [c, k, hw] of [[3, 32, 112], [8, 8, 64], [32, 8, 28]]) expect(picks(c, k, hw)).toBe('implicit-gemm');
    expect(chooseConvAlgorithm(conv(64, 64, 56, 56, { stride: 2 }), undefined)).toBe('im2col-gemm');
    expect(chooseConvAlgorithm(conv(64, 64, 56, 56, { group: 64 }), undefined)).toBe('depthwise');
  });
});
