// The classic model families (models/zoo.ts: ResNet, MobileNetV2, SqueezeNet, a transformer encoder layer)
// compile to wasm and match onnxruntime-node through `dlc verify`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { ZOO } from '../../models/zoo.js';
import { dlc } from '../util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-zoo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('zoo models verify on wasm against onnxruntime-node', () => {
  for (const [name, make] of Object.entries(ZOO)) {
    test(name, async () => {
      const file = path.join(tmp, `${name}.onnx`);
      fs.writeFileSync(file, encodeOnnxModel(make()));
      const run = await dlc('verify', file, '--target', 'wasm', '--json');
      expect(run.stderr).toBe('');
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ target: 'wasm', ok: true });
      expect(report.outputs.map((o: { name: string }) => o.name)).toEqual(['output']);
      expect(run.code).toBe(0);
    });
  }
});
