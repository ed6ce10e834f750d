// Seeded random inputs for a graph's inputs: the same seed gives the same tensors.
import { isFloat } from '../../compiler/ir/dtype.js';
import { isConcreteShape, type Graph } from '../../compiler/ir/graph.js';
import { Tensor, checkedSize } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';

export function randomInputs(graph: Graph, seed = 1): Record<string, Tensor> {
  const rand = seededRandom(seed);
  const feeds: Record<string, Tensor> = {};
  for (const v of graph.inputs) {
    const shape = v.type.shape;
    if (!isConcreteShape(shape)) throw new Error(`input '${v.name}' has a symbolic shape`);
    const n = checkedSize(shape);
    const values = Array.from({ length: n }, () => (isFloat(v.type.dtype) ? (rand() + 1) / 2 : Math.floor(((rand() + 1) / 2) * 4)));
    feeds[v.name] = Tensor.fromArray(v.type.dtype, shape, values);
  }
  return feeds;
}
