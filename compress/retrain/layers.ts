// Trainer layers (accuracy/train's Layer: batch-major activations, forward then backward) for the IR ops
// accuracy/train has no class for — a general matrix product, a broadcast constant add, a reshape — and the
// adapter that runs one of its layers over several images per sample. They compute with accuracy/train's
// matrix kernels. Sizes are per sample: a sample is what the graph computes for one input (its batch dim,
// 1 in the graphs trained here, is part of the sample), and a batch of B samples is B graphs side by side.
import type { Value } from '../../compiler/ir/graph.js';
import { broadcastIndex } from '../../compiler/ops/util.js';
import { param, type Layer, type Param } from '../../accuracy/train/layer.js';
import { addMatmulAB, addMatmulABt, addMatmulAtB } from '../../accuracy/train/matmul.js';

/** A trainable Param named after a constant value and holding a copy of its data. */
export function constantParam(v: Value): Param {
  const p = param(v.name, v.data!.shape as number[]);
  p.value.set(v.data!.data as Float32Array);
  return p;
}

/** Makes a trainer layer's own Param stand for a constant value: its name, the value's data. */
export function bindParam(p: Param, v: Value): Param {
  p.name = v.name;
  p.value.set(v.data!.data as Float32Array);
  return p;
}

export interface MatrixProductGeometry {
  /** Rows of the activation operand per sample (M of gemm, the product of the leading dims for matmul). */
  rows: number;
  /** The contracted dim K and the output columns N. */
  inner: number;
  cols: number;
  alpha: number;
  beta: number;
  /** The activation is stored K×M per sample (gemm's transA). */
  transA: boolean;
  /** The weight is stored N×K (gemm's transB, PyTorch's Linear), else K×N. */
  transB: boolean;
}

/**
 * Y = α·A′·W′ + β·C per sample, A′ = A or Aᵀ, W′ = W or Wᵀ, C broadcast to [M, N]: gemm and matmul with a
 * constant right operand. Samples stack their rows, so the whole batch is one [B·M, K] by W′ product.
 *   dW′ = α·A′ᵀ·dY,  dC[c] = β·Σ dY over the elements C broadcasts c to,  dA′ = α·dY·W′ᵀ
 */
export class MatrixProduct implements Layer {
  readonly params: Param[];
  readonly inSize: number;
  readonly outSize: number;
  /** For each output element of a sample, the element of C it reads. */
  private readonly biasIndex?: Int32Array;
  /** A′ of the last forward pass, [B·M, K]. */
  private a: Float32Array = new Float32Array(0);

  constructor(readonly name: string, private readonly g: MatrixProductGeometry, private readonly weight: Param, private readonly bias?: Param) {
    this.inSize = g.rows * g.inner;
    this.outSize = g.rows * g.cols;
    this.params = bias ? [weight, bias] : [weight];
    if (bias) this.biasIndex = broadcastIndex([bias.shape], [g.rows, g.cols])[0];
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const { rows, inner, cols, alpha, beta, transA, transB } = this.g;
    const m = batch * rows;
    this.a = transA ? transposeEach(x, batch, inner, rows) : x;
    const y = new Float32Array(m * cols);
    if (transB) addMatmulABt(this.a, this.weight.value, y, m, cols, inner);
    else addMatmulAB(this.a, this.weight.value, y, m, cols, inner);
    if (alpha !== 1) for (let e = 0; e < y.length; e++) y[e] *= alpha;
    if (this.bias) {
      const c = this.bias.value;
      const index = this.biasIndex!;
      for (let e = 0; e < y.length; e++) y[e] += beta * c[index[e % this.outSize]];
    }
    return y;
  }

  backward(dy: Float32Array, batch: number, inputGrad: boolean): Float32Array | undefined {
    const { rows, inner, cols, alpha, beta, transA, transB } = this.g;
    const m = batch * rows;
    const g = alpha === 1 ? dy : dy.map((v) => alpha * v);
    if (transB) addMatmulAtB(g, this.a, this.weight.grad, cols, inner, m);
    else addMatmulAtB(this.a, g, this.weight.grad, inner, cols, m);
    if (this.bias) {
      const dc = this.bias.grad;
      const index = this.biasIndex!;
      for (let e = 0; e < dy.length; e++) dc[index[e % this.outSize]] += beta * dy[e];
    }
    if (!inputGrad) return undefined;
    const da = new Float32Array(m * inner);
    if (transB) addMatmulAB(g, this.weight.value, da, m, inner, cols);
    else addMatmulABt(g, this.weight.value, da, m, inner, cols);
    return transA ? transposeEach(da, batch, rows, inner) : da;
  }
}

/** Each sample's [r, c] matrix transposed to [c, r]. */
function transposeEach(x: Float32Array, batch: number, r: number, c: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let b = 0, o = 0; b < batch; b++, o += r * c) {
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[o + j * r + i] = x[o + i * c + j];
  }
  return t;
}

/** y = x + c, the constant c broadcast to the sample's shape; dc[k] = Σ dy over the elements c[k] reaches. */
export class ConstantAdd implements Layer {
  readonly params: Param[];
  readonly outSize: number;
  private readonly index: Int32Array;

  constructor(readonly name: string, private readonly shape: number[], private readonly c: Param) {
    this.params = [c];
    this.index = broadcastIndex([c.shape], shape)[0];
    this.outSize = this.index.length;
  }

  get inSize(): number {
    return this.outSize;
  }

  forward(x: Float32Array): Float32Array {
    const { index, outSize } = this;
    const c = this.c.value;
    return x.map((v, e) => v + c[index[e % outSize]]);
  }

  /** The input's gradient is dy itself (layers never write to the gradients they are given). */
  backward(dy: Float32Array): Float32Array {
    const { index, outSize } = this;
    const dc = this.c.grad;
    for (let e = 0; e < dy.length; e++) dc[index[e % outSize]] += dy[e];
    return dy;
  }
}

/** flatten and reshape: the same elements in the same order, so the identity on batch-major data. */
export class Reshape implements Layer {
  readonly params: Param[] = [];

  constructor(readonly name: string, readonly inSize: number) {}

  get outSize(): number {
    return this.inSize;
  }

  forward(x: Float32Array): Float32Array {
    return x;
  }

  backward(dy: Float32Array): Float32Array {
    return dy;
  }
}

/**
 * A trainer layer over images (Conv2d, MaxPool2d: one [C, H, W] image per batch entry) run on the `images`
 * images of each sample ([images, C, H, W]), exposing only `params`: the ones bound to the node's constants
 * (a conv without a bias keeps its Conv2d's zero bias untrained).
 */
export class PerImage implements Layer {
  readonly inSize: number;
  readonly outSize: number;

  constructor(private readonly inner: Layer, private readonly images: number, readonly params: Param[]) {
    this.inSize = inner.inSize * images;
    this.outSize = inner.outSize * images;
  }

  get name(): string {
    return this.inner.name;
  }

  forward(x: Float32Array, batch: number): Float32Array {
    return this.inner.forward(x, batch * this.images);
  }

  backward(dy: Float32Array, batch: number, inputGrad: boolean): Float32Array | undefined {
    return this.inner.backward(dy, batch * this.images, inputGrad);
  }
}
