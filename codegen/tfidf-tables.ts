// The compile-time tables both targets' tf_idf_vectorizer kernels read (the pool never changes at run time):
// the pool's n-grams grouped by the output element they count into, so that one loop per output element
// visits exactly its n-grams.
import type { Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { tfIdfSpec, type TfIdfSpec } from '../compiler/ops/text-tfidf.js';
import type { DType } from '../compiler/ir/dtype.js';

export interface TfIdfTables {
  spec: TfIdfSpec;
  /**
   * i32: [outStart (width + 1) | gramStart (grams + 1)]. Output j's n-grams are gram outStart[j] … outStart[j+1]−1;
   * gram g's tokens are tokens[gramStart[g] … gramStart[g+1]−1].
   */
  offsets: Tensor;
  /** Where gramStart begins in `offsets`. */
  gramBase: number;
  /** The n-grams' tokens, in the input's dtype, grams in `offsets` order. */
  tokens: Tensor;
  /** f32 weight of each output element, when the mode reads weights (IDF, TFIDF); 1 where none are given. */
  weights?: Tensor;
}

export function tfIdfTables(node: Node, tokenDtype: DType): TfIdfTables {
  const spec = tfIdfSpec(node.attrs);
  const byOutput = [...spec.grams].sort((a, b) => a.output - b.output);
  const outStart = new Array<number>(spec.width + 1).fill(0);
  for (const g of byOutput) outStart[g.output + 1]++;
  for (let j = 0; j < spec.width; j++) outStart[j + 1] += outStart[j];
  const gramStart = [0];
  for (const g of byOutput) gramStart.push(gramStart[gramStart.length - 1] + g.tokens.length);
  const tokens = byOutput.flatMap((g) => g.tokens);
  // WGSL arrays and wasm tables may not be empty: a pool with no n-gram in range still gets one unread token.
  return {
    spec,
    offsets: Tensor.fromArray('i32', [outStart.length + gramStart.length], [...outStart, ...gramStart]),
    gramBase: outStart.length,
    tokens: Tensor.fromArray(tokenDtype, [Math.max(tokens.length, 1)], tokens.length ? tokens : [0]),
    weights: spec.mode === 'TF' ? undefined : Tensor.fromArray('f32', [spec.width], Array.from({ length: spec.width }, (_, j) => spec.weights?.[j] ?? 1)),
  };
}
