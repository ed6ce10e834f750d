// Mini-batch SGD with momentum and L2 weight decay, as torch.optim.SGD computes it:
//   v ← μ·v + (g + λ·w),   w ← w − lr·v
// Weight decay applies to weights only, not biases.
import type { Param } from './layer.js';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

export class Sgd {
  private readonly velocity: Float32Array[];

  constructor(private readonly params: Param[], private readonly options: SgdOptions) {
    this.velocity = params.map((p) => new Float32Array(p.value.length));
  }

  /** Takes one step with the accumulated gradients and clears them. */
  step(lr: number): void {
    const { momentum, weightDecay } = this.options;
    this.params.forEach((p, k) => {
      const v = this.velocity[k];
      const decay = p.shape.length > 1 ? weightDecay : 0;
      for (let i = 0; i < p.value.length; i++) {
        v[i] = momentum * v[i] + p.grad[i] + decay * p.value[i];
        p.value[i] -= lr * v[i];
      }
      p.grad.fill(0);
    });
  }
}

/** Step decay: the learning rate of epoch e (from 0) is lr·decay^e. */
export function decayedRate(lr: number, decay: number, epoch: number): number {
  return lr * decay ** epoch;
}
