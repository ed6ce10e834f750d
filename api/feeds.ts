// A compiled model's inputs and outputs as the runtime takes and gives them (one typed array per tensor):
// seeded random feeds, and the compiler's Tensor of a runtime array, for comparison.
import { bf16BitsToF32, f16BitsToF32, f32ToBF16Bits, f32ToF16Bits, isFloat, type DType } from '../compiler/ir/dtype.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { arrayConstructor, elementCount, type TypedArray } from '../runtime/dtypes.js';
import type { TensorInfo } from '../runtime/index.js';

export type Feeds = Record<string, TypedArray>;

/**
 * Random values for one input at a time, from one seeded stream (the same seed and inputs in the same order
 * give the same values): floats uniform in [0, 1), integers in {0, 1, 2, 3} (valid as small indices), bools 0 or 1.
 */
export function seededFeeds(seed: number): (info: TensorInfo) => TypedArray {
  const rand = seededRandom(seed);
  return (info) => randomFeed(info, () => (rand() + 1) / 2);
}

function randomFeed(info: TensorInfo, unit: () => number): TypedArray {
  const n = elementCount(info.shape);
  const out = new (arrayConstructor(info.dtype))(n);
  for (let i = 0; i < n; i++) {
    const u = unit();
    if (info.dtype === 'f16') out[i] = f32ToF16Bits(u);
    else if (info.dtype === 'bf16') out[i] = f32ToBF16Bits(u);
    else if (isFloat(info.dtype)) out[i] = u;
    else if (info.dtype === 'bool') out[i] = u < 0.5 ? 0 : 1;
    else if (info.dtype === 'i64' || info.dtype === 'u64') out[i] = BigInt(Math.floor(u * 4));
    else out[i] = Math.floor(u * 4);
  }
  return out;
}

/** The compiler's Tensor of a runtime array (f16 and bf16 bits become their values, 64-bit integers numbers). */
export function toTensor(dtype: DType, shape: readonly number[], data: TypedArray): Tensor {
  if (dtype === 'f16') return new Tensor(dtype, shape, Array.from(data as Uint16Array, f16BitsToF32));
  if (dtype === 'bf16') return new Tensor(dtype, shape, Array.from(data as Uint16Array, bf16BitsToF32));
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return new Tensor(dtype, shape, Array.from(data, Number));
  return new Tensor(dtype, shape, data);
}
