// Training-mode dropout's random numbers: a counter-based hash of the element's index and the node's seed, so
// that the reference and every target draw the same mask without sharing a generator's state (one GPU
// invocation per element). It cannot reproduce numpy's generator, which ONNX's expected outputs come from.
//
//   h = fmix32(i · 0x9e3779b1 + seed · 0x85ebca77)   (murmur3's finalizer, 32-bit wrapping arithmetic)
//   u = (h >> 8) · 2⁻²⁴                              (24 bits: exact in f32, uniform in [0, 1))
//   keep element i  ⇔  u ≥ ratio;   y = keep ? x / (1 − ratio) : 0
// codegen/wasm/kernels/dropout.ts and codegen/wgsl/kernels/dropout.ts spell the same formula.

/** The uniform number in [0, 1) that decides whether element `index` is kept. */
export function dropoutUniform(index: number, seed: number): number {
  let h = (Math.imul(index >>> 0, 0x9e3779b1) + Math.imul(seed | 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 8) * 2 ** -24;
}
