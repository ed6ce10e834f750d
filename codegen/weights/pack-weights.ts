// weights.bin of a compressed model: the program's weights image packed (runtime/weights-decode.ts), each
// constant a range of it, as its dtype's elements. The relative indices of the sparse form take 4 bits in
// Deep Compression's conv layers and 5 in its fully connected ones, because that fits their typical gaps; the
// image does not say which layer a range feeds (kernels repack weights), so each range gets whichever of
// 4, 5 and 8 bits packs it smallest.
import type { WeightPlacement } from '../../runtime/manifest.js';
import { encodeWeights, type EncodedRangeReport, type WeightRange } from './encode-weights.js';

const SPARSE_INDEX_BITS = [4, 5, 8];

export interface PackedWeights {
  file: Uint8Array;
  ranges: EncodedRangeReport[];
}

export function packWeights(image: Uint8Array, placements: readonly WeightPlacement[]): PackedWeights {
  const ranges = placements
    .filter((p) => p.bytes > 0)
    .map((p): WeightRange => ({ name: p.name, offset: p.offset, bytes: p.bytes, elementBytes: elementBytes(p) }))
    .sort((a, b) => a.offset - b.offset);
  const best = ranges.map((r) => {
    const alone = image.subarray(r.offset, r.offset + r.bytes);
    const sizes = SPARSE_INDEX_BITS.map((bits) => encodeWeights(alone, [{ ...r, offset: 0, sparseIndexBits: bits }]).encoded.length);
    return { ...r, sparseIndexBits: SPARSE_INDEX_BITS[sizes.indexOf(Math.min(...sizes))] };
  });
  const { encoded, ranges: report } = encodeWeights(image, best);
  return { file: encoded, ranges: report };
}

/** The element width a constant is stored with: its bytes over its elements (f32 4, f16 2, i8 1; bytes otherwise). */
function elementBytes(p: WeightPlacement): 1 | 2 | 4 {
  const elements = p.shape.reduce((a, d) => a * d, 1);
  const width = elements > 0 ? p.bytes / elements : 4;
  if (width === 2 || width === 4) return width;
  return 1;
}
