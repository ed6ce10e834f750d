// A 2-D convolution as PyTorch's nn.Conv2d holds it (square kernel and stride, symmetric zero padding):
// W [out, in, k, k], one bias per output channel — ONNX Conv with pads [p, p, p, p], strides [s, s]. Computed per sample by im2col: the
// input patches become a [in·k·k, outH·outW] matrix, and the convolution is W [out, in·k·k] times it.
import { param, type Layer, type Param } from './layer.js';
import { addMatmulAB, addMatmulABt, addMatmulAtB } from './matmul.js';

export interface ConvGeometry {
  inChannels: number;
  outChannels: number;
  /** Input height and width. */
  height: number;
  width: number;
  kernel: number;
  pad: number;
  /** 1 when absent. */
  stride?: number;
}

export class Conv2d implements Layer {
  readonly weight: Param;
  readonly bias: Param;
  readonly params: Param[];
  readonly inSize: number;
  readonly outSize: number;
  readonly outHeight: number;
  readonly outWidth: number;
  /** Rows (in·k·k) and columns (outH·outW) of one sample's patch matrix. */
  private readonly rows: number;
  private readonly cols: number;
  private readonly stride: number;
  private patches = new Float32Array(0);

  constructor(readonly name: string, readonly g: ConvGeometry) {
    this.stride = g.stride ?? 1;
    this.outHeight = Math.floor((g.height + 2 * g.pad - g.kernel) / this.stride) + 1;
    this.outWidth = Math.floor((g.width + 2 * g.pad - g.kernel) / this.stride) + 1;
    this.rows = g.inChannels * g.kernel * g.kernel;
    this.cols = this.outHeight * this.outWidth;
    this.inSize = g.inChannels * g.height * g.width;
    this.outSize = g.outChannels * this.cols;
    this.weight = param(`${name}.weight`, [g.outChannels, g.inChannels, g.kernel, g.kernel]);
    this.bias = param(`${name}.bias`, [g.outChannels]);
    this.params = [this.weight, this.bias];
  }

  // y[o, j] = bias[o] + Σ_r W[o, r]·patches[r, j], per sample
  forward(x: Float32Array, batch: number): Float32Array {
    const { rows, cols } = this;
    const oc = this.g.outChannels;
    this.patches = new Float32Array(batch * rows * cols);
    const y = new Float32Array(batch * this.outSize);
    for (let b = 0; b < batch; b++) {
      const p = this.patches.subarray(b * rows * cols, (b + 1) * rows * cols);
      this.im2col(x.subarray(b * this.inSize, (b + 1) * this.inSize), p);
      const yb = y.subarray(b * this.outSize, (b + 1) * this.outSize);
      for (let o = 0; o < oc; o++) yb.fill(this.bias.value[o], o * cols, (o + 1) * cols);
      addMatmulAB(this.weight.value, p, yb, oc, cols, rows);
    }
    return y;
  }

  // dW[o, r] += Σ_j dy[o, j]·patches[r, j];  dbias[o] += Σ_j dy[o, j];  dPatches[r, j] = Σ_o W[o, r]·dy[o, j],
  // and each patch element's gradient goes back to the pixel it was copied from.
  backward(dy: Float32Array, batch: number, inputGrad: boolean): Float32Array | undefined {
    const { rows, cols } = this;
    const oc = this.g.outChannels;
    const db = this.bias.grad;
    const dx = inputGrad ? new Float32Array(batch * this.inSize) : undefined;
    const dPatches = new Float32Array(rows * cols);
    for (let b = 0; b < batch; b++) {
      const p = this.patches.subarray(b * rows * cols, (b + 1) * rows * cols);
      const dyb = dy.subarray(b * this.outSize, (b + 1) * this.outSize);
      addMatmulABt(dyb, p, this.weight.grad, oc, rows, cols);
      for (let o = 0; o < oc; o++) {
        let s = 0;
        for (let j = o * cols; j < (o + 1) * cols; j++) s += dyb[j];
        db[o] += s;
      }
      if (!dx) continue;
      dPatches.fill(0);
      addMatmulAtB(this.weight.value, dyb, dPatches, rows, cols, oc);
      this.col2imAdd(dPatches, dx.subarray(b * this.inSize, (b + 1) * this.inSize));
    }
    return dx;
  }

  /** patches[(c·k + ky)·k + kx, oy·outW + ox] = x[c, oy·s + ky − pad, ox·s + kx − pad], 0 outside the image. */
  private im2col(x: Float32Array, patches: Float32Array): void {
    this.copyTaps(x, patches, false);
  }

  /** The adjoint of im2col: each patch element's value is added to the pixel it was copied from. */
  private col2imAdd(patches: Float32Array, dx: Float32Array): void {
    this.copyTaps(dx, patches, true);
  }

  /** Walks every tap of every output: copies image → patches, or adds patches → image when `back`. */
  private copyTaps(image: Float32Array, patches: Float32Array, back: boolean): void {
    const { inChannels, height, width, kernel, pad } = this.g;
    const { outHeight, outWidth, stride } = this;
    let j = 0;
    for (let c = 0; c < inChannels; c++) {
      for (let ky = 0; ky < kernel; ky++) {
        for (let kx = 0; kx < kernel; kx++) {
          // Output columns whose tap lands inside the image: ix = ox·s + kx − pad in [0, width).
          const oxFrom = Math.max(0, Math.ceil((pad - kx) / stride));
          const oxTo = Math.min(outWidth, Math.ceil((width + pad - kx) / stride));
          for (let oy = 0; oy < outHeight; oy++, j += outWidth) {
            const iy = oy * stride + ky - pad;
            if (iy < 0 || iy >= height) {
              if (!back) patches.fill(0, j, j + outWidth);
              continue;
            }
            const row = (c * height + iy) * width + kx - pad;
            if (back) {
              for (let ox = oxFrom; ox < oxTo; ox++) image[row + ox * stride] += patches[j + ox];
            } else {
              for (let ox = 0; ox < oxFrom; ox++) patches[j + ox] = 0;
              for (let ox = oxFrom; ox < oxTo; ox++) patches[j + ox] = image[row + ox * stride];
              for (let ox = oxTo; ox < outWidth; ox++) patches[j + ox] = 0;
            }
          }
        }
      }
    }
  }
}
