// A feed-forward stack of layers, trained end to end: forward through all, backward in reverse.
import type { Layer, Param } from './layer.js';
import { seededRandom } from '../../compiler/random.js';

export class Sequential {
  readonly params: Param[];

  constructor(readonly layers: Layer[]) {
    for (let k = 1; k < layers.length; k++) {
      if (layers[k].inSize !== layers[k - 1].outSize) throw new Error(`${layers[k].name} takes ${layers[k].inSize} features, ${layers[k - 1].name} gives ${layers[k - 1].outSize}`);
    }
    this.params = layers.flatMap((l) => l.params);
  }

  get inSize(): number {
    return this.layers[0].inSize;
  }

  get outSize(): number {
    return this.layers[this.layers.length - 1].outSize;
  }

  forward(x: Float32Array, batch: number): Float32Array {
    return this.layers.reduce((h, layer) => layer.forward(h, batch), x);
  }

  /** Accumulates every parameter's gradient of the loss whose gradient at the output is `dy`. */
  backward(dy: Float32Array, batch: number): void {
    let g: Float32Array | undefined = dy;
    for (let k = this.layers.length - 1; k >= 0 && g; k--) g = this.layers[k].backward(g, batch, k > 0);
  }

  /**
   * Seeded He-uniform initialization (weights ~ U(−√(6/fan_in), √(6/fan_in)), suited to ReLU), zero biases:
   * the same seed gives the same network.
   */
  initialize(seed: number): void {
    const random = seededRandom(seed);
    for (const p of this.params) {
      if (p.shape.length === 1) {
        p.value.fill(0);
        continue;
      }
      const fanIn = p.shape.slice(1).reduce((a, d) => a * d, 1);
      const bound = Math.sqrt(6 / fanIn);
      for (let i = 0; i < p.value.length; i++) p.value[i] = random() * bound;
    }
  }
}
