// How constant GEMM operands ship: padded to rows of a multiple of 4 (so vec4 loads apply), transposed at
// compile time where the op reads them transposed, and as f32 or as f16 pairs (`--precision f16`).
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { floatToHalf } from '../../../runtime/gpu-storage.js';
import type { GemmOperand } from './gemm.js';
import type { WgslKernelContext } from './kernel.js';

/** A [rows × cols] matrix (rows counting every batch) as [rows × stride], zero-padded on the right. */
export function padColumns(data: ArrayLike<number>, rows: number, cols: number, stride: number): Tensor {
  const out = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * stride + c] = data[r * cols + c];
  return new Tensor('f32', [rows, stride], out);
}

/** out[j, i] = x[i, j] for a [rows × cols] matrix, each output row padded to `stride`. */
export function transposedPadded(data: ArrayLike<number>, rows: number, cols: number, stride: number): Tensor {
  const out = new Float32Array(cols * stride);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * stride + i] = data[i * cols + j];
  return new Tensor('f32', [cols, stride], out);
}

export const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

/** A row-major matrix operand at `base(b) + row·stride + col` of binding `v`; vec4 rows when the stride allows. */
function rowMajor(v: Value, stride: number, base: (b: string) => string): GemmOperand {
  const at = `${base('b')} + row * ${stride}u + col`;
  return {
    scalar: (mb) => `  return ${mb.bind(v)}[${at}];`,
    vec4: stride % 4 === 0 ? (mb) => `  return ${mb.bind(v, 'read', true)}[(${at}) / 4u];` : undefined,
  };
}

/**
 * f16 weights: the elements of a constant matrix rounded to f16 and packed two to a u32 word (element 2i in
 * the low half, as WGSL's pack2x16float does), so that they take half the bytes in weights.bin and in GPU
 * memory. unpack2x16float is core WGSL, so every device reads them (no shader-f16 needed); arithmetic is f32.
 */
export function halfWeights(t: Tensor): Tensor {
  const words = new Uint32Array(Math.ceil(t.size / 2));
  for (let i = 0; i < t.size; i++) words[i >> 1] |= floatToHalf(Number(t.data[i])) << ((i & 1) * 16);
  return new Tensor('u32', [words.length], words);
}

/** rowMajor over halfWeights' packing (stride a multiple of 4: four elements are one vec2<u32>). */
function halfRowMajor(v: Value, stride: number, base: (b: string) => string): GemmOperand {
  const at = `${base('b')} + row * ${stride}u + col`;
  return {
    scalar: (mb) => `  let e = ${at};\n  return unpack2x16float(${mb.bindAs(v, 'u32')}[e / 2u])[e % 2u];`,
    vec4: (mb) => `  let p = ${mb.bindAs(v, 'vec2<u32>')}[(${at}) / 4u];\n  return vec4<f32>(unpack2x16float(p.x), unpack2x16float(p.y));`,
  };
}

/**
 * A constant matrix operand (already laid out as rows of `stride`, a multiple of 4) as the kernel's weights
 * storage says: f32, or f16 pairs (halfWeights).
 */
export function constantMatrix(k: WgslKernelContext, t: Tensor, stride: number, base: (b: string) => string): GemmOperand {
  return k.weights === 'f16' ? halfRowMajor(k.constant(halfWeights(t)), stride, base) : rowMajor(k.constant(t), stride, base);
}

/**
 * A row-major operand with rows of `cols` elements: a constant is padded to rows of a multiple of 4 (so vec4
 * loads apply), a run-time one is read in place. `base(stride, b)` is the element offset of batch b's matrix.
 */
export function matrixOperand(k: WgslKernelContext, v: Value, cols: number, base: (stride: number, b: string) => string): GemmOperand {
  const c = k.constantOf(v);
  if (c && (cols % 4 !== 0 || k.weights === 'f16')) {
    const stride = roundUp4(cols);
    return constantMatrix(k, padColumns(c.data, c.size / cols, cols, stride), stride, (b) => base(stride, b));
  }
  return rowMajor(v, cols, (b) => base(cols, b));
}
