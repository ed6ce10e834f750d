// `dlc profile` on the bundled tiny CNN, on both targets, from the model and from its compiled artifact: every
// kernel of the artifact timed once, times non-negative (no thresholds: machines differ), the table slowest
// first, the JSON a profile that `dlc inspect --format html --profile` takes, and each kernel traced to the
// ONNX nodes it came from (an artifact records them: its signature, and a webgpu artifact's steps and
// kernels.wgsl labels).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateProgram } from '../api/compile.js';
import { profile, SUBMIT_METHOD, TIMESTAMP_METHOD, WASM_METHOD, WASM_STEP_METHOD, type ProfileReport } from '../api/profile.js';
import { optimize } from '../api/optimize.js';
import { buildWebgpuArtifact } from '../codegen/artifact.js';
import { generateWasmProgram } from '../codegen/wasm/program.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { loadModel } from '../runtime/index.js';
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
  // The artifact compile writes is generated with no profiling option: the same program, signature and all
  // (which compile adds each kernel's ONNX sources to).
  const compiled = generateProgram(TINY_CNN, { target: 'wasm' });
  const { kernels, ...rest } = compiled.program.signature;
  expect(rest).toEqual({ ...normal.signature, kernels: undefined });
  expect(kernels.map(({ sources, ...k }) => k)).toEqual(normal.signature.kernels);
  expect(kernels.map((k) => k.sources)).toEqual(normal.signature.kernels.map((k) => TINY_CNN_SOURCES[k.node]));
  expect(compiled.target === 'wasm' && compiled.program.source).toBe(normal.source);
});

test('a bad count is one clear usage error', async () => {
  const runs = await dlc('profile', TINY_CNN, '--runs', '0');
  expect(runs.code).toBe(2);
  expect(runs.stderr).toBe("dlc: --runs takes an integer ≥ 1, got '0'\n");
});

/** Every file of an artifact directory by name. */
function filesOf(dir: string): Record<string, Buffer> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name))]));
}

const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

describe.each(['wasm', 'webgpu'] as const)('dlc profile DIR: a %s artifact as compiled', (target) => {
  const dir = path.join(tmp, `tiny-cnn-${target}`);
  let report: ProfileReport;
  const jsonFile = path.join(tmp, `dir-${target}.json`);

  beforeAll(async () => {
    const compiled = await dlc('compile', TINY_CNN, '--target', target, '-o', dir);
    expect(compiled.code).toBe(0);
    const r = await dlc('profile', dir, '--json', '--runs', '3', '--warmup', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    report = JSON.parse(r.stdout);
    fs.writeFileSync(jsonFile, r.stdout);
  }, 180_000);

  test("the signature records each kernel's ONNX nodes; recompiling gives the same bytes", async () => {
    const kernels = manifestOf(dir).signature.kernels as { node: string; sources: string[] }[];
    expect(Object.fromEntries(kernels.map((k) => [k.node, k.sources]))).toEqual(TINY_CNN_SOURCES);
    const again = path.join(tmp, `tiny-cnn-${target}-again`);
    expect((await dlc('compile', TINY_CNN, '--target', target, '-o', again)).code).toBe(0);
    expect(filesOf(again)).toEqual(filesOf(dir));
  }, 120_000);

  test('times every kernel of the artifact once, named and traced as the artifact records', async () => {
    const recorded = (manifestOf(dir).signature.kernels as { node: string }[]).map((k) => k.node);
    expect(report.model).toBe(dir);
    expect(report.target).toBe(target);
    expect(report.kernels.map((k) => k.name)).toEqual(recorded);
    for (const k of report.kernels) {
      expect(Number.isFinite(k.ms) && k.ms >= 0).toBe(true);
      expect(k.calls).toBe(1);
      expect(k.sources).toEqual(TINY_CNN_SOURCES[k.name]);
      expect(k.ops).toEqual([]);
    }
    expect(report.kernels.reduce((t, k) => t + k.ms, 0)).toBeCloseTo(report.totalMs, 9);
    const timestamps = target === 'webgpu' && (await nodeGpuDevice()).features.has('timestamp-query');
    expect(report.method).toBe(target === 'wasm' ? WASM_STEP_METHOD : timestamps ? TIMESTAMP_METHOD : SUBMIT_METHOD);
  });

  test('--json is a profile that inspect --format html --profile reads for the model', async () => {
    const r = await dlc('inspect', TINY_CNN, '--target', target, '--format', 'html', '--profile', jsonFile);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  test('the table lists every kernel with its recorded ONNX nodes, and no ops column', async () => {
    const r = await dlc('profile', dir, '--runs', '1', '--warmup', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^profile ${dir} on ${target}: 6 kernels`));
    expect(r.stdout).toMatch(/^\s+ms\s+share\s+calls\s+kernel\s+ONNX nodes$/m);
    expect(r.stdout).toMatch(/ BatchNormalization_1\/conv\s+Conv_0, BatchNormalization_1, Relu_2\n/);
  }, 60_000);

  test('compile options and another --target are refused for an artifact', async () => {
    const o = await dlc('profile', dir, '-O', '1');
    expect(o.code).toBe(2);
    expect(o.stderr).toBe(`dlc: ${dir} is a compiled artifact: --opt-level applies only when profiling an ONNX model\n`);
    const other = target === 'wasm' ? 'webgpu' : 'wasm';
    const t = await dlc('profile', dir, '--target', other);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe(`dlc: ${dir} is a ${target} artifact, not ${other}: leave --target out or compile for ${other}\n`);
  });
});

test('dlc profile FILE.dlc: a bundle is profiled as its directory is', async () => {
  const bundle = path.join(tmp, 'tiny-cnn.dlc');
  expect((await dlc('compile', TINY_CNN, '--target', 'wasm', '--bundle', bundle)).code).toBe(0);
  const r = await dlc('profile', bundle, '--json', '--runs', '1', '--warmup', '0');
  expect(r.stderr).toBe('');
  const report: ProfileReport = JSON.parse(r.stdout);
  expect(report.method).toBe(WASM_STEP_METHOD);
  expect(Object.fromEntries(report.kernels.map((k) => [k.name, k.sources]))).toEqual(TINY_CNN_SOURCES);
}, 60_000);

describe('a webgpu artifact names the kernel of each dispatch', () => {
  const dir = path.join(tmp, 'tiny-cnn-webgpu-steps');
  beforeAll(async () => expect((await dlc('compile', TINY_CNN, '--target', 'webgpu', '-o', dir)).code).toBe(0), 60_000);

  test("each step's kernel index, and kernels.wgsl labels each module with the kernels that run it", () => {
    const manifest = manifestOf(dir);
    const names = (manifest.signature.kernels as { node: string }[]).map((k) => k.node);
    const kernels = (manifest.steps as { kernel: number }[]).map((s) => s.kernel);
    // tiny-cnn: one dispatch per kernel, in run order.
    expect(kernels).toEqual(names.map((_, i) => i));
    const wgsl = fs.readFileSync(path.join(dir, 'kernels.wgsl'), 'utf8').split('\n');
    (manifest.steps as { module: number; kernel: number }[]).forEach((s) => {
      const mark = wgsl.indexOf(`// dlc:module ${s.module}`);
      const name = names[s.kernel];
      expect(wgsl[mark + 1]).toBe(`// kernel ${s.kernel} '${name}' from ${TINY_CNN_SOURCES[name].join(', ')}`);
    });
  });

  test('an edited kernel index is refused at load, by the runtime and by dlc profile', async () => {
    const edited = path.join(tmp, 'tiny-cnn-webgpu-edited');
    fs.cpSync(dir, edited, { recursive: true });
    const manifest = manifestOf(dir);
    [manifest.steps[0].kernel, manifest.steps[1].kernel] = [manifest.steps[1].kernel, manifest.steps[0].kernel];
    fs.writeFileSync(path.join(edited, 'manifest.json'), JSON.stringify(manifest));
    const refusal = `${edited}: manifest.json's 'steps' is not what kernels.wgsl was compiled for: the manifest was edited`;
    await expect(loadModel(edited, { device: await nodeGpuDevice() })).rejects.toThrow(refusal);
    const r = await dlc('profile', edited);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dlc: ${refusal}\n`);
    // An index past the kernels is no manifest at all.
    manifest.steps[0].kernel = manifest.kernels;
    fs.writeFileSync(path.join(edited, 'manifest.json'), JSON.stringify(manifest));
    await expect(loadModel(edited, { device: await nodeGpuDevice() })).rejects.toThrow(`${edited}: bad manifest.json: step 0: has a bad kernel index`);
  }, 60_000);
});

test('a module shared by kernels is labelled with each of them, after deduplication', () => {
  const program = compileToWebgpu(optimize(TINY_CNN, { target: 'webgpu' }).graph);
  // Two kernels on one module, as deduplication leaves them when two kernels generate the same code.
  const shared = { ...program, steps: program.steps.map((s, i) => (i === 5 ? { ...s, module: 3 } : s)) };
  const wgsl = new TextDecoder().decode(buildWebgpuArtifact(shared, {}).get('kernels.wgsl')).split('\n');
  const mark = wgsl.indexOf('// dlc:module 3');
  expect(wgsl.slice(mark + 1, mark + 3)).toEqual(["// kernel 3 'GlobalAveragePool_9'", "// kernel 5 'Softmax_12'"]);
});
