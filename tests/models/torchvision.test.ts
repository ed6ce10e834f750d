// torchvision's SqueezeNet 1.1 and MobileNetV2 as torch.onnx.export writes them (models/pytorch-style.ts). The
// exporter's artefacts cost no kernel: Identity nodes and the Shape → Gather → Unsqueeze → Concat chain behind
// MobileNetV2's flatten fold away, every conv is one kernel with its bias, ReLU or Clip and residual Add in
// the epilogue, and SqueezeNet's concats copy nothing. Compiled on wasm, both match onnxruntime-node. The builders run at 64×64 here rather than the
// exported 224×224 (same layers, weights and kernels, smaller planes) so that this file stays fast; the
// 224×224 exports are timed by scripts/bench.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from '../../api/inspect.js';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { torchvisionMobileNetV2, torchvisionSqueezeNet11 } from '../../models/pytorch-style.js';
import { dlc } from '../util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-torchvision-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODELS = {
  squeezenet1_1: {
    bytes: encodeOnnxModel(torchvisionSqueezeNet11({ size: 64 })),
    // The Fire modules' expand convs write into their concat's halves (no concat kernel); Flatten is the graph
    // output, a view of the pool's result: one copy into the output.
    kernels: { conv: 26, max_pool: 3, global_average_pool: 1, flatten: 1 },
  },
  mobilenet_v2: {
    bytes: encodeOnnxModel(torchvisionMobileNetV2({ size: 64, opset: 13 })),
    kernels: { conv: 52, global_average_pool: 1, gemm: 1 },
  },
};

describe.each(Object.entries(MODELS))('%s', (name, { bytes, kernels }) => {
  test('one kernel per conv (its activation and residual fused) and pool; none for concats or the exporter\'s shape arithmetic', () => {
    const list = inspect(bytes, { target: 'wasm' }).kernelList;
    const counts: Record<string, number> = {};
    for (const k of list) counts[k.ops[0]] = (counts[k.ops[0]] ?? 0) + 1;
    expect(counts).toEqual(kernels);
    const activations = list.filter((k) => k.ops[0] === 'conv').map((k) => k.ops.filter((op) => op !== 'conv' && op !== 'add').join(''));
    expect(new Set(activations)).toEqual(new Set(name === 'squeezenet1_1' ? ['relu'] : ['clip', '']));
  });

  test('compiles on wasm and matches onnxruntime-node', async () => {
    const file = path.join(tmp, `${name}.onnx`);
    fs.writeFileSync(file, bytes);
    const run = await dlc('verify', file, '--target', 'wasm', '--json');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ target: 'wasm', ok: true });
    expect(run.code).toBe(0);
  });
});
