// Round trip through exportOnnxModel on the real models: import, run the optimization part of the -O2
// pipeline (the graph post-training quantization works on: folding, batch norm folded into convs, activations
// recognized; no fusion), export, and run the exported bytes in onnxruntime-node against onnxruntime on the
// original model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { optimize } from '../../api/optimize.js';
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import { exportOnnxModel } from '../../compiler/onnx/export.js';
import { decodeModel } from '../../compiler/onnx/proto.js';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { quantizationPipelines } from '../../passes/pipelines.js';
import { transformerEncoder } from '../../models/zoo.js';
import { runOnnxruntime } from '../util/ort.js';
import { randomInputs } from '../util/random-inputs.js';
import { REPO_ROOT } from '../util/repo.js';
import { REAL_MODELS } from './real-models.js';

const SIMPLIFIED = quantizationPipelines(2).optimize;
const TOLERANCE = { atol: 1e-4, rtol: 1e-3 };

interface Case {
  name: string;
  model: string | Uint8Array;
  inputShapes: Record<string, number[]>;
  /** ONNX ops the exported model must hold: the simplified graph's, not the original's. */
  rewritten: string[];
}

const real = (name: string) => {
  const m = REAL_MODELS.find((r) => r.name === name);
  if (!m) throw new Error(`no real model ${name}`);
  return m.file;
};

const CASES: Case[] = [
  { name: 'ppocr-cls', model: real('ppocr-cls'), inputShapes: { x: [1, 3, 48, 192] }, rewritten: ['HardSwish'] },
  { name: 'ppocrv4-det', model: real('ppocrv4-det'), inputShapes: { x: [1, 3, 64, 64] }, rewritten: ['HardSwish', 'ConvTranspose', 'Resize'] },
  { name: 'ppocrv4-rec', model: real('ppocrv4-rec'), inputShapes: { x: [1, 3, 48, 160] }, rewritten: ['HardSwish', 'LayerNormalization'] },
  { name: 'oww-hello-deepa', model: real('oww-hello-deepa'), inputShapes: {}, rewritten: ['LayerNormalization', 'Gemm'] },
  { name: 'tiny-cnn', model: path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'), inputShapes: {}, rewritten: ['HardSwish'] },
  { name: 'zoo transformer encoder', model: encodeOnnxModel(transformerEncoder()), inputShapes: {}, rewritten: ['LayerNormalization', 'Erf'] },
];

function originalNodeCount(model: string | Uint8Array): number {
  const bytes = typeof model === 'string' ? fs.readFileSync(model) : model;
  return decodeModel(bytes, 'original').graph?.node?.length ?? 0;
}

describe('exported real models run in onnxruntime as the originals do', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const { graph } = optimize(c.model, { pipeline: SIMPLIFIED, inputShapes: c.inputShapes });
      const bytes = exportOnnxModel(graph);
      const nodes = decodeModel(bytes, c.name).graph?.node ?? [];
      const ops = new Set(nodes.map((n) => n.opType));
      expect(c.rewritten.filter((op) => !ops.has(op))).toEqual([]);
      expect(nodes.length).toBeLessThan(originalNodeCount(c.model));

      const feeds = randomInputs(graph, 3);
      const want = await runOnnxruntime(c.model, feeds);
      const got = await runOnnxruntime(bytes, feeds);
      for (const out of graph.outputs) {
        const d = compareTensors(got[out.name], want[out.name], TOLERANCE);
        expect({ output: out.name, mismatch: d.mismatch }).toEqual({ output: out.name, mismatch: undefined });
      }
    });
  }

  // At small sizes on random inputs det's probabilities are all but 0 (logits of −40 to −17), which any
  // tolerance accepts: its logits, the final sigmoid taken off, are compared instead.
  test('ppocrv4-det: the logits before the final sigmoid match the reference interpreter', async () => {
    const { graph } = optimize(real('ppocrv4-det'), { pipeline: SIMPLIFIED, inputShapes: { x: [1, 3, 64, 64] } });
    const sigmoid = graph.nodes.pop();
    expect(sigmoid?.op).toBe('sigmoid');
    graph.outputs = [sigmoid!.inputs[0]!];
    const feeds = randomInputs(graph, 3);
    const got = await runOnnxruntime(exportOnnxModel(graph), feeds);
    const want = interpret(graph, feeds);
    const name = graph.outputs[0].name;
    expect(new Set(want[name].data).size).toBeGreaterThan(1000);
    expect(compareTensors(got[name], want[name], TOLERANCE).mismatch).toBeUndefined();
  });

  test('tiny-cnn: the exported model also matches the reference interpreter on the simplified graph', async () => {
    const { graph } = optimize(path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'), { pipeline: SIMPLIFIED });
    const feeds = randomInputs(graph, 9);
    const got = await runOnnxruntime(exportOnnxModel(graph), feeds);
    const want = interpret(graph, feeds, { checkTypes: true });
    for (const out of graph.outputs) expect(compareTensors(got[out.name], want[out.name], TOLERANCE).mismatch).toBeUndefined();
  });
});
