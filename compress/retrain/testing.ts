// Graphs for compress/retrain's tests: the committed LeNets as `optimize` leaves them before fusion, small
// graphs with every op the backward rules handle, and magnitude pruning to give retraining something to do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import { Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import '../../compiler/ops/index.js';
import { cloneGraph } from '../../passes/graph-edit.js';
import { PassManager } from '../../passes/manager.js';
import { parsePipeline, quantizationPipelines } from '../../passes/pipelines.js';
import { randomTensor } from '../../tests/util/graphs.js';
import { REPO_ROOT } from '../../tests/util/repo.js';

/** models/mnist/<name>.onnx imported and run through the -O2 optimizations that precede quantization. */
export function optimizedLenet(name: 'lenet-300-100' | 'lenet-5'): Graph {
  const file = path.join(REPO_ROOT, 'models', 'mnist', `${name}.onnx`);
  const { graph } = importOnnx(fs.readFileSync(file), { file, inputShapes: {}, inputValues: {} });
  return new PassManager({}).run(parsePipeline(quantizationPipelines(2).optimize), graph);
}

/** A graph of one input `x` of the given shape; `build` emits its nodes from x and returns its output. */
function smallGraph(name: string, shape: number[], build: (b: GraphBuilder, x: Value, weight: (shape: number[]) => Value) => Value): Graph {
  const g = new Graph(name);
  const x = new Value('x', { dtype: 'f32', shape });
  g.inputs.push(x);
  const b = new GraphBuilder(g);
  let seed = 1;
  const weight = (s: number[]) => b.constant(randomTensor('f32', s, seed++));
  g.outputs.push(build(b, x, weight));
  return g;
}

/**
 * x [1,2,6,6] → conv 3×3 (pad 1, bias) → relu → max_pool 2 → flatten → gemm (W [5,27], transB) → relu →
 * gemm (α 0.5, β 2, W [5,4], C [1,4]) → logits [1,4].
 */
export function convNet(): Graph {
  return smallGraph('conv_net', [1, 2, 6, 6], (b, x, weight) => {
    const [c] = b.emit('conv', [x, weight([3, 2, 3, 3]), weight([3])], { pads: [1, 1, 1, 1] });
    const [r] = b.emit('relu', [c]);
    const [p] = b.emit('max_pool', [r], { kernel_shape: [2, 2], strides: [2, 2] }, 1);
    const [f] = b.emit('flatten', [p]);
    const [h] = b.emit('relu', b.emit('gemm', [f, weight([5, 27]), weight([5])], { transB: 1 }));
    return b.emit('gemm', [h, weight([5, 4]), weight([1, 4])], { alpha: 0.5, beta: 2 })[0];
  });
}

/**
 * x [2,1,7,7] (two images a sample) → conv 3×3 (stride 2, pad 1, no bias) → relu → reshape [32,2] →
 * gemm (transA: A′ [2,32], W [32,6]) → relu → reshape [1,12] → matmul (W [12,3]) → add (bias [3]) → softmax.
 */
export function stridedNet(): Graph {
  return smallGraph('strided_net', [2, 1, 7, 7], (b, x, weight) => {
    const shape = (dims: number[]) => b.constant(Tensor.fromArray('i64', [dims.length], dims));
    const [c] = b.emit('relu', b.emit('conv', [x, weight([2, 1, 3, 3])], { strides: [2, 2], pads: [1, 1, 1, 1] }));
    const [columns] = b.emit('reshape', [c, shape([32, 2])]);
    const [h] = b.emit('relu', b.emit('gemm', [columns, weight([32, 6])], { transA: 1 }));
    const [m] = b.emit('matmul', [b.emit('reshape', [h, shape([1, 12])])[0], weight([12, 3])]);
    const [logits] = b.emit('add', [m, weight([3])]);
    return b.emit('softmax', [logits])[0];
  });
}

/**
 * The graph with each named weight pruned to `density` by magnitude (its largest |w| kept, a plain
 * per-layer quantile), and the masks that say which weights were kept.
 */
export function pruneToDensity(graph: Graph, densities: Record<string, number>): { graph: Graph; masks: Map<string, Uint8Array> } {
  const pruned = cloneGraph(graph);
  const masks = new Map<string, Uint8Array>();
  for (const [name, density] of Object.entries(densities)) {
    const v = pruned.constants.find((c) => c.name === name)!;
    const w = v.data!.data as Float32Array;
    const magnitudes = Float32Array.from(w, Math.abs).sort();
    const threshold = magnitudes[Math.floor((1 - density) * magnitudes.length)];
    const mask = Uint8Array.from(w, (x) => (Math.abs(x) >= threshold ? 1 : 0));
    v.data = new Tensor('f32', v.data!.shape, w.map((x, i) => (mask[i] ? x : 0)));
    masks.set(name, mask);
  }
  return { graph: pruned, masks };
}
