import * as path from 'node:path';
import { datasetGuard } from '../accuracy/guard.js';
import type { Dataset } from '../accuracy/dataset.js';
import type { Graph } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { compressGraph } from '../compress/compress-graph.js';
import { applyWeightStep, PRUNE_STEPS, SHARE_STEPS } from '../compress/techniques.js';
import { cloneGraph } from '../passes/graph-edit.js';
import { quantizationPipelines } from '../passes/pipelines.js';
import { quantizableLayers } from '../quantize/layers.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { compile } from './compile.js';
import { compressOptimizedGraph } from './compress.js';
import { wasmGuardEngine, type WasmGuardEngine } from './guard-engine.js';
import { optimize } from './optimize.js';

const FILE = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
const SHAPE = [1, 3, 32, 32];

/** Seeded images in [0, 1), the tiny CNN's input. */
function images(count: number): Dataset {
  const r = seededRandom(5);
  const size = SHAPE.reduce((a, d) => a * d, 1);
  const data = Float32Array.from({ length: count * size }, () => r());
  return { dir: '<memory>', count, sample: (i) => ({ image: new Tensor('f32', SHAPE, data.subarray(i * size, (i + 1) * size)) }) };
}

/** `graph` with every layer's weights at one step of a value technique. */
function atStep(graph: Graph, technique: 'prune' | 'share', step: number): Graph {
  const g = cloneGraph(graph);
  for (const layer of quantizableLayers(g)) {
    const w = layer.weight.data!;
    layer.weight.data = new Tensor('f32', w.shape, applyWeightStep(technique, w.data as Float32Array, step).values);
  }
  return g;
}

const pipelines = quantizationPipelines(2);
/** The f32 graph as compression sees it for the wasm target. */
const graph = optimize(FILE, { target: 'wasm', pipeline: pipelines.optimize }).graph;
const data = images(6);
// One compiled engine for the file: the AssemblyScript compiler takes most of its time.
let engine: WasmGuardEngine;
beforeAll(async () => {
  engine = await wasmGuardEngine(graph, { finish: pipelines.finish });
});

describe('the compiled accuracy guard', () => {
  it('measures what the reference guard measures on the same candidates, without the interpreter, and interprets a low-rank candidate', () => {
    const compiled = datasetGuard(graph, data, { metric: 'sqnr', minSqnrDb: 10, engine });
    const reference = datasetGuard(graph, data, { metric: 'sqnr', minSqnrDb: 10 });
    const candidates = [atStep(graph, 'prune', PRUNE_STEPS.indexOf(1)), atStep(graph, 'prune', PRUNE_STEPS.indexOf(2)), atStep(graph, 'share', SHARE_STEPS.indexOf(4)), atStep(graph, 'share', SHARE_STEPS.indexOf(2))];
    const values = candidates.map((c) => [compiled.evaluate(c), reference.evaluate(c)]);
    for (const [wasm, interpreted] of values) {
      expect(Number.isFinite(wasm)).toBe(true);
      expect(Math.abs(wasm - interpreted)).toBeLessThan(0.05);
    }
    // The candidates differ from each other by far more than the two backends do.
    expect(Math.abs(values[0][0] - values[3][0])).toBeGreaterThan(0.5);
    expect(compiled.evaluations!()).toEqual({ wasm: 1 + candidates.length, reference: 0 });

    // Low-rank factors make new layers: the program differs, and the candidate is interpreted.
    const lowrank = compressGraph(graph, { techniques: ['lowrank'] }).graph;
    expect(Math.abs(compiled.evaluate(lowrank) - reference.evaluate(lowrank))).toBeLessThan(0.05);
    expect(compiled.evaluations!()).toEqual({ wasm: 1 + candidates.length, reference: 1 });
  });

  it('compression under the wasm guard picks the steps the reference guard picks, and compile ships it', async () => {
    const guard = { data, metric: 'sqnr' as const, minSqnrDb: 25 };
    const artifact = await compile(FILE, { target: 'wasm', compress: { techniques: ['share'], guard, guardEngine: engine } });
    const onWasm = artifact.compression!;
    const interpreted = compressOptimizedGraph(graph, { techniques: ['share'], guard, guardBackend: 'reference' }).report;
    expect(onWasm.guard!.evaluations!.reference).toBe(0);
    expect(onWasm.guard!.evaluations!.wasm).toBeGreaterThan(5);
    expect(interpreted.guard!.evaluations).toEqual({ wasm: 0, reference: onWasm.guard!.evaluations!.wasm });
    const steps = (r: typeof onWasm) => r.layers.map((l) => [l.node, l.share?.bits]);
    expect(steps(onWasm)).toEqual(steps(interpreted));
    expect(Math.abs(onWasm.guard!.after - interpreted.guard!.after)).toBeLessThan(0.05);
  });
});
