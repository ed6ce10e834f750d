// dlc compile / inspect / eval with --compress on the bundled tiny CNN and a seeded labelled data set: what
// each prints and writes, the artifact's packed weights, and the one-line errors of bad flags.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeDataset } from '../accuracy/dataset.js';
import { seededRandom } from '../compiler/random.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-compress-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
const DATA = path.join(tmp, 'images');
const N = 12;
beforeAll(() => {
  const r = seededRandom(7);
  writeDataset(DATA, { image: { dtype: 'f32', shape: [N, 3, 32, 32], data: new Float32Array(N * 3 * 32 * 32).map(() => r()) } }, Array.from({ length: N }, (_, i) => i % 10));
});

describe('dlc compile --compress', () => {
  const dir = path.join(tmp, 'tiny-deep');

  test('packs the weights, prints the per-layer report and records it in the manifest', async () => {
    const r = await dlc('compile', TINY_CNN, '--compress', 'deep', '-o', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/weights\.bin [\d.]+ KiB, linear memory [\d.]+ \w+ \(packed: [\d.]+ KiB of weights, [\d.]+× smaller\)/);
    expect(r.stdout).toMatch(/\ncompression: prune \+ share; retraining: none: post-training \(no fine-tuning data given\)\n/);
    expect(r.stdout.match(/: pruned at 1σ, shared (5|8) bits/g)).toHaveLength(3);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.weightsEncoding).toBe('packed');
    expect(manifest.options.pipeline).toContain(',compress{techniques=prune+share},');
    // tiny-cnn's layers are small (432 to 2,560 weights): a 256-entry codebook costs about what its indices save.
    expect(manifest.files['weights.bin'].bytes).toBeLessThan(manifest.memory.weightsBytes / 2);
  });

  test('inspect DIR reports each layer with the bytes its weights pack into', async () => {
    const text = await dlc('inspect', dir);
    expect(text.stdout).toMatch(/^artifact: .*tiny-deep \(wasm, dlc [\d.]+, \d+ kernels\)\n/);
    expect(text.stdout).toMatch(/in weights\.bin \(packed\)\n/);
    const report = JSON.parse((await dlc('inspect', dir, '--json')).stdout);
    expect(report.weights.encoding).toBe('packed');
    expect(report.compression.layers).toHaveLength(3);
    for (const l of report.compression.layers) {
      expect(l.encodedBytes).toBeGreaterThan(0);
      expect(l.encodedBytes).toBeLessThan(l.bytes);
      expect(l.density).toBeLessThan(0.5);
    }
  });

  test('eval measures the compressed artifact as the runtime decodes it', async () => {
    const r = JSON.parse((await dlc('eval', dir, '--data', DATA, '--metric', 'agreement', '--reference', TINY_CNN, '--json')).stdout);
    expect(r).toMatchObject({ metric: 'agreement', samples: N });
  });

  test('verify compares the compressed artifact with onnxruntime on the compressed model dlc exports', async () => {
    const r = await dlc('verify', TINY_CNN, '--compress', 'deep');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/against onnxruntime on the compressed model dlc exports \(the weights as shipped\) \(atol 0\.0001, rtol 0\.001\): ok/);
  });

  test('with a budget: the guard holds it, and inspect --compress reports the search', async () => {
    const r = await dlc('inspect', TINY_CNN, '--compress', 'prune', '--eval', DATA, '--metric', 'agreement', '--max-accuracy-drop', '0', '--json');
    // agreement needs a reference: the budget is measured against the f32 model's own outputs.
    expect(r.code).toBe(0);
    const { compression } = JSON.parse(r.stdout);
    expect(compression.guard.drop).toBeLessThanOrEqual(0);
    expect(compression.guard.trials.length).toBeGreaterThan(0);
  });

  test('compile runs the guard on the compiled wasm kernels and says so', async () => {
    const r = await dlc('compile', TINY_CNN, '--compress', 'prune', '--eval', DATA, '--metric', 'agreement', '--max-accuracy-drop', '0', '-o', path.join(tmp, 'tiny-guarded'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/accuracy guard: agreement 100\.0+ \(before 100\.0+, budget drop ≤ 0\) after \d+ trials?; graphs evaluated: \d+ on the compiled wasm kernels\n/);
  });

  test.each([
    [['--compress', 'deep', '--guard-backend', 'gpu', '--eval', DATA, '--max-accuracy-drop', '1'], /unknown guard backend 'gpu' \(have: wasm, reference\)/],
    [['--compress', 'deep', '--guard-backend', 'wasm'], /--guard-backend needs an accuracy budget/],
    [['--guard-backend', 'reference'], /--guard-backend needs --compress/],
    [['--compress', 'zip'], /unknown compression 'zip' \(have: deep, prune, share, lowrank, ternary\)/],
    [['--compress', 'ternary,share'], /ternary weights are already a 3-value codebook/],
    [['--finetune', DATA], /--finetune needs --compress/],
    [['--max-accuracy-drop', '1', '--eval', DATA], /the accuracy-budget flags need --quantize or --compress/],
    [['--compress', 'deep', '--quantize', 'int8', '--calibration', DATA], /give either compression or quantization, not both/],
    [['--compress', 'deep', '--eval', DATA], /--eval-data needs a budget/],
    [['--compress', 'deep', '--finetune-epochs', '0'], /--finetune-epochs takes a positive integer/],
  ])('error: %j', async (args, message) => {
    const r = await dlc('compile', TINY_CNN, '-o', path.join(tmp, 'never'), ...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});
