// Max pooling over non-overlapping size×size windows (stride = size, no padding): ONNX MaxPool with
// kernel_shape = strides = [size, size]. The gradient flows to the first maximum of each window.
import type { Layer, Param } from './layer.js';

export class MaxPool2d implements Layer {
  readonly params: Param[] = [];
  readonly inSize: number;
  readonly outSize: number;
  readonly outHeight: number;
  readonly outWidth: number;
  /** For each output, the index (within its sample) of the input it took. */
  private argmax = new Int32Array(0);

  constructor(readonly name: string, readonly channels: number, readonly height: number, readonly width: number, readonly size: number) {
    this.outHeight = Math.floor(height / size);
    this.outWidth = Math.floor(width / size);
    this.inSize = channels * height * width;
    this.outSize = channels * this.outHeight * this.outWidth;
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const { channels, height, width, size, outHeight, outWidth } = this;
    const y = new Float32Array(batch * this.outSize);
    this.argmax = new Int32Array(batch * this.outSize);
    let out = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * this.inSize;
      for (let c = 0; c < channels; c++) {
        for (let oy = 0; oy < outHeight; oy++) {
          for (let ox = 0; ox < outWidth; ox++) {
            let best = -Infinity;
            let at = 0;
            for (let ky = 0; ky < size; ky++) {
              for (let kx = 0; kx < size; kx++) {
                const i = (c * height + oy * size + ky) * width + ox * size + kx;
                if (x[xb + i] > best) {
                  best = x[xb + i];
                  at = i;
                }
              }
            }
            y[out] = best;
            this.argmax[out++] = at;
          }
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const dx = new Float32Array(batch * this.inSize);
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < this.outSize; k++) {
        const out = b * this.outSize + k;
        dx[b * this.inSize + this.argmax[out]] += dy[out];
      }
    }
    return dx;
  }
}
