// `dlc profile` on the bundled tiny CNN, on both targets: every kernel of the artifact timed once, times
// non-negative (no thresholds: machines differ), the table slowest first, the JSON a profile that
// `dlc inspect --format html --profile` takes, and each kernel traced to the ONNX nodes it came from.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateProgram } from '../api/compile.js';
import { profile, SUBMIT_METHOD, TIMESTAMP_METHOD, WASM_METHOD, type ProfileReport } from '../api/profile.js';
import { optimize } from '../api/optimize.js';
import { generateWasmProgram } from '../codegen/wasm/program.js';
import { dlc } from '../tests/util/run-cli.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from './webgpu-node.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-profile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

/** tiny-cnn's kernels and the ONNX nodes each computes (BatchNorm folded into the first conv, hard-swish fused into the second). */
const TINY_CNN_SOURCES: Record<string, string[]> = {
  'BatchNormalization_1/conv': ['Conv_0', 'BatchNormalization_1', 'Relu_2'],
  MaxPool_3: ['MaxPool_3'],
  Conv_4: ['Conv_4', 'Add_5', 'Clip_6', 'Mul_7', 'Div_8'],
  GlobalAveragePool_9: ['GlobalAveragePool_9'],
  Gemm_11: ['Flatten_10', 'Gemm_11'],
  Softmax_12: ['Softmax_12'],
};

function checkReport(report: ProfileReport, target: 'wasm' | 'webgpu'): void {
  const artifactKernels = generateProgram(TINY_CNN, { target }).program.signature.kernels.map((k) => k.node);
  expect(report.target).toBe(target);
  // Every kernel of the artifact, once, in run order.
  expect(report.kernels.map((k) => k.name)).toEqual(artifactKernels);
  for (const k of report.kernels) {
    expect(Number.isFinite(k.ms) && k.ms >= 0).toBe(true);
    expect(k.calls).toBeGreaterThanOrEqual(1);
    expect(k.sources).toEqual(TINY_CNN_SOURCES[k.name]);
    expect(k.ops.length).toBeGreaterThan(0);
  }
  expect(report.kernels.reduce((t, k) => t + k.ms, 0)).toBeCloseTo(report.totalMs, 9);
  if (report.totalMs > 0) expect(report.kernels.reduce((t, k) => t + k.share, 0)).toBeCloseTo(1, 9);
  expect(report.runMs).toBeGreaterThanOrEqual(0);
}

/** The table's rows (after the header lines): [ms, kernel]. */
function tableRows(text: string): [number, string][] {
  const lines = text.trimEnd().split('\n');
  const header = lines.findIndex((l) => /^\s+ms\s+share\s+calls\s+kernel/.test(l));
  expect(header).toBeGreaterThan(0);
  return lines.slice(header + 1).map((l) => {
    const [ms, , , kernel] = l.trim().split(/\s+/);
    return [Number(ms), kernel];
  });
}

describe.each(['wasm', 'webgpu'] as const)('dlc profile --target %s', (target) => {
  let report: ProfileReport;
  const jsonFile = path.join(tmp, `${target}.json`);

  beforeAll(async () => {
    const r = await dlc('profile', TINY_CNN, '--target', target, '--json', '--runs', '3', '--warmup', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
    fs.writeFileSync(jsonFile, r.stdout);
  }, 180_000);

  test('times every kernel of the artifact once, traced to the ONNX nodes of tiny-cnn', async () => {
    checkReport(report, target);
    const timestamps = target === 'webgpu' && (await nodeGpuDevice()).features.has('timestamp-query');
    expect(report.method).toBe(target === 'wasm' ? WASM_METHOD : timestamps ? TIMESTAMP_METHOD : SUBMIT_METHOD);
    expect(report.runs).toBe(3);
  });

  test('--json is a profile that inspect --format html --profile reads', async () => {
    const r = await dlc('inspect', TINY_CNN, '--target', target, '--format', 'html', '--profile', jsonFile);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<html');
  }, 60_000);

  test('the table lists every kernel, slowest first, with its ONNX nodes', async () => {
    const r = await dlc('profile', TINY_CNN, '--target', target, '--runs', '2', '--warmup', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^profile .*tiny-cnn.onnx on ${target}: 6 kernels`));
    expect(r.stdout).toContain('method: ');
    const rows = tableRows(r.stdout);
    expect(rows.map(([, k]) => k).sort()).toEqual(Object.keys(TINY_CNN_SOURCES).sort());
    for (let i = 1; i < rows.length; i++) expect(rows[i][0]).toBeLessThanOrEqual(rows[i - 1][0]);
    expect(r.stdout).toMatch(/BatchNormalization_1\/conv\s+conv\+relu\s+Conv_0, BatchNormalization_1, Relu_2/);
  }, 180_000);
});

test('webgpu without timestamp queries: each dispatch submitted alone, and the report says so', async () => {
  const report = await profile(TINY_CNN, { target: 'webgpu', runs: 2, warmup: 0, device: await nodeGpuDevice(), wgslLanguageFeatures: await nodeWgslLanguageFeatures(), gpuTiming: 'submit' });
  expect(report.method).toBe(SUBMIT_METHOD);
  checkReport(report, 'webgpu');
}, 60_000);

test('the profiling build is the normal program with its kernels exported: the normal build is unchanged', () => {
  const { graph } = optimize(TINY_CNN, { target: 'wasm' });
  const normal = generateWasmProgram(graph);
  const profiling = generateWasmProgram(graph, { exportKernels: true });
  expect(normal.source).not.toMatch(/export function k\d/);
  expect(profiling.source.match(/^export function k\d+\(\)/gm)).toHaveLength(normal.kernels);
  expect(profiling.source.replace(/^export (function k\d+\(\))/gm, '$1')).toBe(normal.source);
  // The artifact compile writes is generated with no profiling option: the same program, signature and all.
  const compiled = generateProgram(TINY_CNN, { target: 'wasm' });
  expect(compiled.program.signature).toEqual(normal.signature);
  expect(compiled.target === 'wasm' && compiled.program.source).toBe(normal.source);
});

test('an artifact directory or a bad count is one clear usage error', async () => {
  const dir = path.join(tmp, 'artifact');
  fs.mkdirSync(dir, { recursive: true });
  const r = await dlc('profile', dir, '--target', 'wasm');
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^dlc: .*artifact directory: dlc profile times the kernels of a build it makes from the model.*\n$/);
  const runs = await dlc('profile', TINY_CNN, '--runs', '0');
  expect(runs.code).toBe(2);
  expect(runs.stderr).toBe("dlc: --runs takes an integer ≥ 1, got '0'\n");
});
