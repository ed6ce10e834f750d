// dlc compile / run / verify / bench with --target webgpu, on Dawn (SwiftShader without a GPU), over a small
// model whose ops the webgpu target covers, with an i64 output that crosses the storage boundary.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { seededRandom } from '../compiler/random.js';
import { dlc } from '../tests/util/run-cli.js';
import { readNpy } from '../api/npy.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-webgpu-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** x: f32[N,16] → probs = softmax(relu(x·W + b)), best = argmax(probs). */
function writeModel(): string {
  const rand = seededRandom(7);
  const file = path.join(tmp, 'mlp.onnx');
  fs.writeFileSync(
    file,
    encodeOnnxModel({
      inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 16] }],
      outputs: [
        { name: 'probs', dtype: 'f32', shape: ['N', 10] },
        { name: 'best', dtype: 'i64', shape: ['N'] },
      ],
      initializers: [
        { name: 'W', tensor: Tensor.fromArray('f32', [16, 10], Array.from({ length: 160 }, () => rand())) },
        { name: 'b', tensor: Tensor.fromArray('f32', [10], Array.from({ length: 10 }, () => rand())) },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
        { op: 'Add', inputs: ['xw', 'b'], outputs: ['z'] },
        { op: 'Relu', inputs: ['z'], outputs: ['r'] },
        { op: 'Softmax', inputs: ['r'], outputs: ['probs'], attrs: { axis: -1 } },
        { op: 'ArgMax', inputs: ['probs'], outputs: ['best'], attrs: { axis: 1, keepdims: 0 } },
      ],
    }),
  );
  return file;
}
const model = writeModel();

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) out[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  return out;
}

describe('dlc with --target webgpu', () => {
  const dir = path.join(tmp, 'artifact');

  test('compile writes kernels.wgsl, weights.bin and a webgpu manifest, byte-identical on a second compile', async () => {
    const r = await dlc('compile', model, '--target', 'webgpu', '--input-shape', 'x=3,16', '-o', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^compiled ${model} for webgpu into ${dir}: \\d+ kernels \\(\\d+ dispatches, \\d+ shader modules\\); kernels\\.wgsl [\\d.]+ K?i?B, weights\\.bin [\\d.]+ K?i?B, GPU buffers [\\d.]+ K?i?B; precision f32; inputs x: f32\\[3,16\\]; outputs probs: f32\\[3,10\\], best: i64\\[3\\]\\.\\n$`),
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['kernels.wgsl', 'manifest.json', 'weights.bin']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      target: 'webgpu',
      inputs: [{ name: 'x', dtype: 'f32', shape: [3, 16], storage: 'f32' }],
      outputs: [{ name: 'probs', storage: 'f32' }, { name: 'best', dtype: 'i64', storage: 'i32' }],
      precision: { requested: 'f32', used: 'f32', weights: 'f32' },
    });
    const first = hashes(dir);
    const again = await dlc('compile', model, '--target', 'webgpu', '--input-shape', 'x=3,16', '-o', dir);
    expect(again.code).toBe(0);
    expect(hashes(dir)).toEqual(first);
  });

  test('run writes the outputs; the i64 output comes back as BigInt64 values', async () => {
    const out = path.join(tmp, 'out');
    const r = await dlc('run', dir, '--random', '--output', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ran .* on webgpu \(.*\): loaded in [\d.]+ ms, ran in [\d.]+ ms \(the first run\)\nprobs: f32\[3,10\] = .*\nbest: i64\[3\] = .*\n$/);
    const probs = readNpy(fs.readFileSync(path.join(out, 'probs.npy')), 'probs.npy');
    const best = readNpy(fs.readFileSync(path.join(out, 'best.npy')), 'best.npy');
    expect(best.dtype).toBe('i64');
    for (let i = 0; i < 3; i++) {
      const row = Array.from(probs.data as Float32Array).slice(i * 10, i * 10 + 10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(Number((best.data as BigInt64Array)[i])).toBe(row.indexOf(Math.max(...row)));
    }
  });

  test('verify matches onnxruntime', async () => {
    const r = await dlc('verify', model, '--target', 'webgpu', '--input-shape', 'x=3,16', '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'webgpu', ok: true });
    expect(r.code).toBe(0);
  });

  test('--precision f16 stores the weights as f16 (recorded with the f32 arithmetic and why), and verifies within the f16 tolerance', async () => {
    const f16 = path.join(tmp, 'f16');
    const r = await dlc('compile', model, '--target', 'webgpu', '--precision', 'f16', '--input-shape', 'x=3,16', '-o', f16);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/precision f32, weights f16 \(f16 requested: .+\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(f16, 'manifest.json'), 'utf8'));
    expect(manifest.precision).toMatchObject({ requested: 'f16', used: 'f32', weights: 'f16' });
    expect(manifest.precision.reason).toMatch(/f32/);
    const bytes = (d: string) => fs.statSync(path.join(d, 'weights.bin')).size;
    expect(bytes(f16)).toBeLessThan(bytes(dir) * 0.75);
    const v = await dlc('verify', model, '--target', 'webgpu', '--precision', 'f16', '--input-shape', 'x=3,16');
    expect(v.stdout).toMatch(/atol 0\.01, rtol 0\.01\): ok/);
    expect(v.code).toBe(0);
  });

  test('bench of a webgpu artifact without --peer-model times dlc alone, in Chromium, and says what is missing', async () => {
    const r = await dlc('bench', dir, '--runs', '2', '--warmup', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^bench .* on webgpu: 2 runs after 0 warm-up, seed 1\n  in Chromium \(.+\), adapter: .+\n  dlc webgpu +first run [\d.]+ ms, median [\d.]+ ms, p90 [\d.]+ ms\n  onnxruntime-web: not measured \(give --peer-model FILE.onnx, the model the artifact was compiled from\)\n$/);
  });

  test('an op the target lacks is one clear line', async () => {
    const file = path.join(tmp, 'wrap-pad.onnx');
    fs.writeFileSync(
      file,
      encodeOnnxModel({
        opset: 19,
        inputs: [{ name: 'x', dtype: 'f32', shape: [2, 3] }],
        initializers: [{ name: 'pads', tensor: Tensor.fromArray('i64', [4], [0, 1, 0, 1]) }],
        outputs: [{ name: 'y', dtype: 'f32', shape: [2, 5] }],
        nodes: [{ op: 'Pad', inputs: ['x', 'pads'], outputs: ['y'], attrs: { mode: 'wrap' } }],
      }),
    );
    const r = await dlc('compile', file, '--target', 'webgpu', '-o', path.join(tmp, 'never'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dlc: .*op pad is not supported by the webgpu target: pad mode 'wrap'.*\n$/);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});
