// A fully connected layer as PyTorch's nn.Linear holds it: y = x·Wᵀ + b with W [out, in], which is ONNX
// Gemm(x, W, b) with transB=1.
import { param, type Layer, type Param } from './layer.js';
import { addMatmulAB, addMatmulABt, addMatmulAtB } from './matmul.js';

export class Dense implements Layer {
  readonly weight: Param;
  readonly bias: Param;
  readonly params: Param[];
  private x: Float32Array = new Float32Array(0);

  constructor(readonly name: string, readonly inSize: number, readonly outSize: number) {
    this.weight = param(`${name}.weight`, [outSize, inSize]);
    this.bias = param(`${name}.bias`, [outSize]);
    this.params = [this.weight, this.bias];
  }

  // y[b, o] = bias[o] + Σ_i x[b, i]·W[o, i]
  forward(x: Float32Array, batch: number): Float32Array {
    const y = new Float32Array(batch * this.outSize);
    for (let b = 0; b < batch; b++) y.set(this.bias.value, b * this.outSize);
    addMatmulABt(x, this.weight.value, y, batch, this.outSize, this.inSize);
    this.x = x;
    return y;
  }

  // dW[o, i] += Σ_b dy[b, o]·x[b, i];  dbias[o] += Σ_b dy[b, o];  dx[b, i] = Σ_o dy[b, o]·W[o, i]
  backward(dy: Float32Array, batch: number, inputGrad: boolean): Float32Array | undefined {
    const { inSize: n, outSize: m } = this;
    addMatmulAtB(dy, this.x, this.weight.grad, m, n, batch);
    const db = this.bias.grad;
    for (let b = 0; b < batch; b++) for (let o = 0; o < m; o++) db[o] += dy[b * m + o];
    if (!inputGrad) return undefined;
    const dx = new Float32Array(batch * n);
    addMatmulAB(dy, this.weight.value, dx, batch, n, m);
    return dx;
  }
}
