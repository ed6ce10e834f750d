import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../tests/util/repo.js';
import { importOnnxruntimeWeb, percentiles } from './bench.js';
import { dlc } from '../tests/util/run-cli.js';
import { browserBenchFiles } from './bench-browser.js';
import { packageVersion } from './version.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-bench-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

const timing = { firstRunMs: expect.any(Number), medianMs: expect.any(Number), p90Ms: expect.any(Number) };

function expectRan(t: { firstRunMs: number; medianMs: number; p90Ms: number }) {
  expect(t.medianMs).toBeGreaterThan(0);
  expect(t.p90Ms).toBeGreaterThanOrEqual(t.medianMs);
  expect(t.firstRunMs).toBeGreaterThan(0);
}

const ORT = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8')).version as string;

/** What a JSON report records of the plan: runs, warm-up, seed, the inputs' shapes and both sides' versions. */
const plan = (runs: number, warmup: number, seed: number, onnxruntimeWeb?: string) => ({
  runs,
  warmup,
  seed,
  inputs: [{ name: 'image', dtype: 'f32', shape: [1, 3, 32, 32] }],
  versions: { dlc: packageVersion(), node: process.version, ...(onnxruntimeWeb ? { onnxruntimeWeb } : {}) },
});

describe('dlc bench --target webgpu', () => {
  test('tiny-cnn: dlc and onnxruntime-web WebGPU both run in headless Chromium on one adapter (--json)', async () => {
    const r = await dlc('bench', TINY_CNN, '--target', 'webgpu', '--runs', '2', '--warmup', '0', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toEqual({
      target: 'webgpu', where: expect.stringMatching(/^Chromium \(.+\), adapter: .+/), ...timing, ...plan(2, 0, 1, ORT),
      peer: { name: 'onnxruntime-web webgpu (Chromium)', ...timing }, speedup: expect.any(Number),
    });
    expectRan(report);
    expectRan(report.peer);
    expect(report.speedup).toBeCloseTo(report.peer.medianMs / report.medianMs, 10);
  });
});

describe('dlc bench --target wasm', () => {
  test('tiny-cnn: both dlc and onnxruntime-web run (--json)', async () => {
    const r = await dlc('bench', TINY_CNN, '--target', 'wasm', '--runs', '3', '--warmup', '1', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toEqual({ target: 'wasm', threads: 1, ...timing, ...plan(3, 1, 1, ORT), peer: { name: 'onnxruntime-web wasm (1 thread)', ...timing }, speedup: expect.any(Number) });
    expectRan(report);
    expectRan(report.peer);
    expect(report.speedup).toBeCloseTo(report.peer.medianMs / report.medianMs, 10);
  });

  test('the text report on a compiled artifact with --peer-model; without it only dlc runs', async () => {
    const dir = path.join(tmp, 'tiny-cnn');
    expect((await dlc('compile', TINY_CNN, '-o', dir)).code).toBe(0);
    const r = await dlc('bench', dir, '--peer-model', TINY_CNN, '--runs', '2', '--warmup', '0', '--seed', '7');
    expect(r.code).toBe(0);
    const ms = '[\\d.]+ ms';
    const side = (name: string) => `  ${name} +first run ${ms}, median ${ms}, p90 ${ms}\\n`;
    expect(r.stdout).toMatch(
      new RegExp(
        `^bench ${dir} on wasm: 2 runs after 0 warm-up, seed 7\\n${side('dlc wasm')}${side('onnxruntime-web wasm \\(1 thread\\)')}` +
          `  speedup \\(onnxruntime-web median / dlc median\\): [\\d.]+×\\n$`,
      ),
    );
    const alone = await dlc('bench', dir, '--runs', '1', '--json');
    expect(alone.code).toBe(0);
    const report = JSON.parse(alone.stdout);
    expect(report).toEqual({ target: 'wasm', threads: 1, ...timing, ...plan(1, 3, 1), peer: null, speedup: null });
    expectRan(report);
  });

  test('a --peer-model that is not the compiled model is refused', async () => {
    const dir = path.join(tmp, 'tiny-cnn-2');
    expect((await dlc('compile', TINY_CNN, '-o', dir)).code).toBe(0);
    const other = path.join(tmp, 'other.onnx');
    fs.writeFileSync(other, Buffer.concat([fs.readFileSync(TINY_CNN), Buffer.from([0])]));
    const r = await dlc('bench', dir, '--peer-model', other);
    expect(r.stderr).toBe(`dlc: ${other}: --peer-model is not the model ${dir} was compiled from (its sha-256 differs from the manifest's)\n`);
    expect(r.code).toBe(2);
  });

  test.each([
    [[TINY_CNN, '--runs', '0'], /^dlc: --runs takes an integer from 1 to 1000000, got '0'\n$/],
    [[TINY_CNN, '--warmup', 'x'], /^dlc: --warmup takes an integer from 0 to 1000000, got 'x'\n$/],
    [[TINY_CNN, '--seed', '-1'], /^dlc: --seed takes an integer from 0 to 4294967295, got '-1'\n$/],
    [[TINY_CNN, '--peer-model', TINY_CNN], /^dlc: --peer-model goes with an artifact directory: a model is its own peer\n$/],
    [[TINY_CNN, '--precision', 'f16'], /^dlc: --precision applies to --target webgpu\n$/],
    [[REPO_ROOT, '-O', '1'], /^dlc: .* is a compiled artifact: --input-shape, -O and --passes apply only when benching an ONNX model\n$/],
  ])('%j is a usage error', async (args, message) => {
    const r = await dlc('bench', ...args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  test('a directory that is not an artifact', async () => {
    const r = await dlc('bench', tmp, '--runs', '1');
    expect(r.stderr).toBe(`dlc: ${tmp}: not a dlc artifact directory: cannot read manifest.json: ENOENT\n`);
    expect(r.code).toBe(1);
  });

  test('a missing onnxruntime-web says how to install it', async () => {
    await expect(importOnnxruntimeWeb('onnxruntime-web-not-installed')).rejects.toThrow(
      'dlc bench compares with onnxruntime-web, which is not installed: run npm install onnxruntime-web-not-installed',
    );
    expect((await importOnnxruntimeWeb()).InferenceSession).toBeDefined();
  });
});

describe('percentiles', () => {
  test('median and nearest-rank p90', () => {
    expect(percentiles([5, 1, 3, 2, 4])).toEqual({ medianMs: 3, p90Ms: 5 });
    expect(percentiles([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ medianMs: 5.5, p90Ms: 9 });
    expect(percentiles([7])).toEqual({ medianMs: 7, p90Ms: 7 });
  });
});

describe('the browser bench finds its files from dlc itself', () => {
  test('whatever the working directory (an installed dlc run from an app folder)', () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const files = browserBenchFiles();
      expect(files.runtimeEntry).toBe(path.join(REPO_ROOT, 'runtime', 'index.ts'));
      expect(fs.existsSync(path.join(files.ortDist, 'ort.webgpu.min.mjs'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});
