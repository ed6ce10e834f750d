// The layers a small classifier is trained from. Activations are batch-major Float32Arrays: sample b's
// features are [b * size, (b + 1) * size), images channel-major (N, C, H, W as ONNX lays them out), so
// that the trained weights are what the exported ONNX model holds.

/** A trained tensor and its gradient, accumulated over a mini-batch by backward(). */
export interface Param {
  /** PyTorch's state-dict name, e.g. `fc1.weight`: the ONNX initializer's name. */
  name: string;
  shape: number[];
  value: Float32Array;
  grad: Float32Array;
}

export interface Layer {
  /** The module name (`conv1`, `fc2`): it prefixes the ONNX node, value and initializer names. */
  readonly name: string;
  readonly params: Param[];
  /** Features per sample in and out. */
  readonly inSize: number;
  readonly outSize: number;
  /** Keeps what backward() needs. */
  forward(x: Float32Array, batch: number): Float32Array;
  /**
   * Adds this batch's parameter gradients to each Param's grad and returns the gradient of the input, or
   * undefined when `inputGrad` is false (the first layer: nothing needs it).
   */
  backward(dy: Float32Array, batch: number, inputGrad: boolean): Float32Array | undefined;
}

export function param(name: string, shape: number[]): Param {
  const n = shape.reduce((a, d) => a * d, 1);
  return { name, shape, value: new Float32Array(n), grad: new Float32Array(n) };
}

/** y = max(x, 0). */
export class Relu implements Layer {
  readonly params: Param[] = [];
  readonly outSize: number;
  private y = new Float32Array(0);

  constructor(readonly name: string, readonly inSize: number) {
    this.outSize = inSize;
  }

  forward(x: Float32Array): Float32Array {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
    this.y = y;
    return y;
  }

  backward(dy: Float32Array): Float32Array {
    const dx = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) dx[i] = this.y[i] > 0 ? dy[i] : 0;
    return dx;
  }
}
