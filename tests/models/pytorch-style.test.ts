// Models in the shape PyTorch's exporter writes (models/pytorch-style.ts) compile at every optimization level
// on both targets and match onnxruntime-node: -O0 is the level users bisect with, so what lowering needs
// (the shape arithmetic behind GPT-2's causal-mask slice) is folded whatever the pipeline.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { pytorchTransformer } from '../../models/pytorch-style.js';
import { dlc } from '../util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-pytorch-style-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const file = path.join(tmp, 'transformer.onnx');
fs.writeFileSync(file, encodeOnnxModel(pytorchTransformer()));

describe('a PyTorch-style transformer export verifies against onnxruntime-node', () => {
  for (const target of ['wasm', 'webgpu']) {
    for (const level of ['-O0', '-O1', '-O2']) {
      test(`${target} ${level}`, async () => {
        const run = await dlc('verify', file, level, '--target', target, '--input-shape', 'x=1,16,32', '--json');
        expect(run.stderr).toBe('');
        expect(JSON.parse(run.stdout)).toMatchObject({ target, ok: true });
        expect(run.code).toBe(0);
      });
    }
  }
});
