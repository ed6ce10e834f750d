import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REAL_MODELS } from '../tests/models/real-models.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';
import { writeNpy } from '../api/npy.js';
import { importOnnxruntime } from '../api/onnxruntime.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-verify-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

describe('dlc verify --target wasm', () => {
  test('tiny-cnn matches onnxruntime (--json)', async () => {
    const r = await dlc('verify', TINY_CNN, '--target', 'wasm', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toEqual({
      target: 'wasm', ok: true, tolerance: { atol: 1e-4, rtol: 1e-3 },
      outputs: [{ name: 'probs', maxAbsError: expect.any(Number), maxRelError: expect.any(Number), rule: expect.stringMatching(/^\|a − b\| ≤ atol·max\|b\| \+ rtol·\|b\| = 0\.0001·/) }],
    });
    expect(report.outputs[0].maxAbsError).toBeLessThan(1e-4);
  });

  test('the text report, on inputs from a .npy file', async () => {
    const image = path.join(tmp, 'image.npy');
    const pixels = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i) * 2);
    fs.writeFileSync(image, writeNpy({ dtype: 'f32', shape: [1, 3, 32, 32], data: pixels }));
    const r = await dlc('verify', TINY_CNN, '--input', `image=${image}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^verify ${TINY_CNN} on wasm against onnxruntime \\(atol 0\\.0001, rtol 0\\.001\\): ok\\n  probs: f32\\[1,10\\]  max abs error [\\d.e+-]+, max rel error [\\d.e+-]+\\n`
        + '    rule: \\|a − b\\| ≤ atol·max\\|b\\| \\+ rtol·\\|b\\| = 0\\.0001·0\\.\\d+ \\+ 0\\.001·\\|b\\| \\(outputs below 1: atol relative to their largest magnitude\\)\\n$'),
    );
    expect(r.stderr).toBe('');
  });

  test('a .npy file of the wrong shape or dtype is refused before compiling, in one line', async () => {
    const wrong = path.join(tmp, 'wrong.npy');
    fs.writeFileSync(wrong, writeNpy({ dtype: 'f32', shape: [1, 3, 32, 31], data: new Float32Array(3 * 32 * 31) }));
    let r = await dlc('verify', TINY_CNN, '--input', `image=${wrong}`);
    expect(r.stderr).toBe(`dlc: ${TINY_CNN}: input 'image' is f32[1,3,32,32], the value given is f32[1,3,32,31]\n`);
    expect(r.code).toBe(1);
    fs.writeFileSync(wrong, writeNpy({ dtype: 'f64', shape: [1, 3, 32, 32], data: new Float64Array(3 * 32 * 32) }));
    r = await dlc('verify', TINY_CNN, '--input', `image=${wrong}`);
    expect(r.stderr).toBe(`dlc: ${TINY_CNN}: input 'image' is f32[1,3,32,32], the value given is f64[1,3,32,32]\n`);
  });

  test('an explicit --atol above every output is applied and warned about', async () => {
    const r = await dlc('verify', TINY_CNN, '--atol', '10');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    rule: |a − b| ≤ atol + rtol·|b| = 10 + 0.001·|b|\n');
    expect(r.stderr).toMatch(/^dlc: warning: output 'probs': every reference value is within atol of 0 \(max \|b\| [\d.]+ ≤ atol 10\): any output that small passes, all-zero included\n$/);
  });

  test('beyond tolerance: exit 1, the report and one line naming the output', async () => {
    const r = await dlc('verify', TINY_CNN, '--atol', '0', '--rtol', '1e-12', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.outputs[0].mismatch).toMatch(/^element \d+ is .*, expected /);
    expect(r.stderr).toMatch(new RegExp(`^dlc: ${TINY_CNN}: output 'probs' differs from onnxruntime beyond tolerance: element \\d+ is .*\\n$`));
  });

  test.each([
    [['--atol', 'tiny'], /^dlc: --atol takes a non-negative number, got 'tiny'\n$/],
    [['--rtol', '-1'], /^dlc: --rtol takes a non-negative number, got '-1'\n$/],
    [['--seed', '1.5'], /^dlc: --seed takes an integer from 0 to 4294967295, got '1\.5'\n$/],
    [['--precision', 'f16'], /^dlc: --precision applies to --target webgpu\n$/],
    [['--input', 'noise=x.npy'], /^dlc: --input names 'noise', which is not an input of the model \(inputs: image\)\n$/],
  ])('%j is a usage error', async (args, message) => {
    const r = await dlc('verify', TINY_CNN, ...args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  test('a missing onnxruntime-node says how to install it', async () => {
    await expect(importOnnxruntime('onnxruntime-node-not-installed')).rejects.toThrow(
      'dlc verify compares with onnxruntime-node, which is not installed: run npm install onnxruntime-node-not-installed',
    );
    expect((await importOnnxruntime()).InferenceSession).toBeDefined();
  });

  test.each(REAL_MODELS.filter((m) => m.name.startsWith('oww-')))('real model $name compiles, runs and matches onnxruntime', async (m) => {
    const shapes = Object.entries(m.inputShapes).flatMap(([name, dims]) => ['--input-shape', `${name}=${dims.join(',')}`]);
    const dir = path.join(tmp, m.name);
    const compiled = await dlc('compile', m.file, ...shapes, '-o', dir);
    expect(compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
    const run = await dlc('run', dir, '--random', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).outputs.length).toBeGreaterThan(0);
    const r = await dlc('verify', m.file, ...shapes, '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).ok).toBe(true);
    expect(r.code).toBe(0);
  });
});
