// A dense tensor value: what constants hold and what the reference interpreter computes with.
import { DlcError } from '../errors.js';
import { allocData, castScalar, type DType, type TensorData } from './dtype.js';

/** Refuse to materialize tensors past this many elements (256 MiB of f32): a fuzzed dim of 2^40 must not allocate. */
export const MAX_ELEMENTS = 1 << 26;

export class Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;

  constructor(dtype: DType, shape: readonly number[], data?: TensorData | ArrayLike<number>) {
    const n = checkedSize(shape);
    this.dtype = dtype;
    this.shape = [...shape];
    if (data === undefined) {
      this.data = allocData(dtype, n);
    } else if (isTensorData(data) && sameStorage(data, dtype)) {
      if (data.length !== n) throw new DlcError(`tensor data has ${data.length} elements, shape [${shape}] needs ${n}`);
      this.data = data;
    } else {
      if (data.length !== n) throw new DlcError(`tensor data has ${data.length} elements, shape [${shape}] needs ${n}`);
      const out = allocData(dtype, n);
      for (let i = 0; i < n; i++) out[i] = castScalar(Number(data[i]), dtype);
      this.data = out;
    }
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  static scalar(dtype: DType, value: number): Tensor {
    return new Tensor(dtype, [], [value]);
  }

  static fromArray(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
    return new Tensor(dtype, shape, values);
  }

  /** The elements as plain numbers (for integer tensors used as shapes, axes, indices). */
  toNumbers(): number[] {
    return Array.from(this.data as ArrayLike<number>);
  }

  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.dtype, shape, this.data);
  }

  /** A copy converted element-wise to another dtype. */
  cast(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const out = allocData(dtype, this.size);
    for (let i = 0; i < this.size; i++) out[i] = castScalar(this.data[i], dtype);
    return new Tensor(dtype, this.shape, out);
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkedSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new DlcError(`invalid dimension ${d} in shape [${shape}]`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) throw new DlcError(`tensor of shape [${shape}] has ${n} elements, over the limit of ${MAX_ELEMENTS}`);
  return n;
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function isTensorData(x: unknown): x is TensorData {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

// Data of the right array type is adopted as is; f16, bf16 and bool are copied so that values get normalized
// (f16 and bf16 rounding, bool to 0/1).
function sameStorage(data: TensorData, dtype: DType): boolean {
  return dtype !== 'f16' && dtype !== 'bf16' && dtype !== 'bool' && data.constructor === allocData(dtype, 0).constructor;
}
