// dlc quantize / compile --quantize / inspect --quantize / eval / verify --quantize on the bundled tiny CNN with
// a seeded calibration set: what each prints and writes, and the one-line errors of bad flags and data.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { writeDataset } from '../accuracy/dataset.js';
import { seededRandom } from '../compiler/random.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-quantize-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
const DATA = path.join(tmp, 'images');
const N = 12;
beforeAll(() => {
  const r = seededRandom(7);
  writeDataset(DATA, { image: { dtype: 'f32', shape: [N, 3, 32, 32], data: new Float32Array(N * 3 * 32 * 32).map(() => r()) } }, Array.from({ length: N }, (_, i) => i % 10));
});

describe('dlc quantize', () => {
  test('writes a QDQ model onnxruntime runs, and prints the per-layer report', async () => {
    const out = path.join(tmp, 'tiny.int8.onnx');
    const r = await dlc('quantize', TINY_CNN, '--calibration', DATA, '-o', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^quantized .* into .*tiny\.int8\.onnx \(\d+ bytes\)\nquantization: affine, 8 bits, minmax calibration on 12 samples\n/);
    expect(r.stdout.match(/: int8; u8 scale [\d.e-]+ zp \d+, weights i8 ×\d+ scales/g)).toHaveLength(3);
    const session = await ort.InferenceSession.create(out);
    const { probs } = await session.run({ image: new ort.Tensor('float32', new Float32Array(3 * 32 * 32).fill(0.5), [1, 3, 32, 32]) });
    expect(probs.dims).toEqual([1, 10]);
    await session.release();
  });

  test('--json, dynamic fixed point: power-of-two scales', async () => {
    const r = await dlc('quantize', TINY_CNN, '--mode', 'dfp', '--calibration', DATA, '-o', path.join(tmp, 'dfp.onnx'), '--json');
    expect(r.code).toBe(0);
    const { quantization } = JSON.parse(r.stdout);
    expect(quantization.mode).toBe('dfp');
    for (const l of quantization.layers) expect(Number.isInteger(Math.log2(l.activation.scale))).toBe(true);
  });

  test.each([
    [['--calibration', DATA, '-o', 'x.bin'], /-o names the ONNX model to write/],
    [['-o', 'x.onnx'], /quantization needs --calibration DIR/],
    [['--calibration', path.join(tmp, 'missing'), '-o', 'x.onnx'], /missing: not a data-set folder/],
    [['--calibration', DATA, '--bits', '16', '-o', 'x.onnx'], /16-bit quantization is dynamic fixed point/],
    [['--calibration', DATA, '--max-accuracy-drop', '1', '-o', 'x.onnx'], /an accuracy budget is measured on --eval-data DIR/],
    [['--calibration', DATA, '--eval-data', DATA, '-o', 'x.onnx'], /--eval-data needs a budget/],
    [['--calibration', DATA, '--calibrator', 'magic', '-o', 'x.onnx'], /calibrator/],
    [['--calibration', DATA, '--eval-data', DATA, '--metric', 'det-cer', '--max-accuracy-drop', '1', '-o', 'x.onnx'], /--metric det-cer and --recognizer MODEL go together/],
    [['--calibration', DATA, '--recognizer', TINY_CNN, '-o', 'x.onnx'], /--recognizer reads the lines a detector finds on --eval-data DIR/],
  ])('error: %j', async (args, message) => {
    const r = await dlc('quantize', TINY_CNN, ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('compile, inspect, verify and eval with --quantize', () => {
  test('compile records the report in the manifest; inspect --json reports it', async () => {
    const dir = path.join(tmp, 'tiny-int8');
    const r = await dlc('compile', TINY_CNN, '--quantize', 'int8', '--calibration', DATA, '-o', dir);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.options.pipeline).toContain('quantize{mode=int8,bits=8,calibrator=minmax},fold-qdq,');
    // On wasm, tiny-cnn's two convs are too small to be faster in int8 (TargetInfo.int8Pays): they stay f32, and say why.
    expect(manifest.options.quantization.layers.map((l: { precision: string; reason?: string }) => [l.precision, l.reason])).toEqual([
      ['f32', 'no faster in int8 on wasm'], ['f32', 'no faster in int8 on wasm'], ['int8', undefined],
    ]);
    // Without a target every layer is quantized.
    const i = await dlc('inspect', TINY_CNN, '--quantize', 'int8', '--calibration', DATA, '--json');
    const report = JSON.parse(i.stdout);
    expect((report.ops.conv_integer ?? 0) + (report.fusedOps.conv_integer ?? 0)).toBeGreaterThan(0);
    expect(report.quantization.layers.map((l: { precision: string }) => l.precision)).toEqual(['int8', 'int8', 'int8']);
  });

  test('verify states the tolerance it derived from the scales', async () => {
    const r = await dlc('verify', TINY_CNN, '--quantize', 'int8', '--calibration', DATA);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/atol from the quantization scales: 4 × [\d.e-]+ \(s_x · max Σ\|w\| of the last quantized layer 'Gemm_11'\)\): ok/);
  });

  test('eval: top-1 of the model and of its int8 artifact, agreement with the f32 model', async () => {
    const f32 = JSON.parse((await dlc('eval', TINY_CNN, '--data', DATA, '--json')).stdout);
    expect(f32).toMatchObject({ metric: 'top1', unit: '%', samples: N });
    const agreement = await dlc('eval', path.join(tmp, 'tiny-int8'), '--data', DATA, '--metric', 'agreement', '--reference', TINY_CNN);
    expect(agreement.stdout).toMatch(/: agreement [\d.]+ % on 12 samples of /);
    const missing = await dlc('eval', TINY_CNN, '--data', DATA, '--metric', 'sqnr');
    expect(missing.stderr).toMatch(/sqnr compares with a reference model \(--reference MODEL\)/);
    const noLabels = await dlc('eval', TINY_CNN, '--data', DATA, '--metric', 'cer');
    expect(noLabels.stderr).toMatch(/cer needs string labels/);
  });
});
