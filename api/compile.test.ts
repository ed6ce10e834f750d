import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { registerPass } from '../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipelineText } from '../passes/pipelines.js';
import { loadModel } from '../runtime/index.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { scheduleRecord } from '../codegen/schedule.js';
import { compile, writeArtifact } from './index.js';
import { programRecord } from '../codegen/program-record.js';
import { wasmRecord } from '../runtime/program-record.js';

// A pass that reports what its context holds: the target the passes see, and a warning.
const seenTargets: (string | undefined)[] = [];
registerPass({
  name: 'api-test-probe',
  description: 'records ctx.target and warns',
  options: {},
  create: () => (graph, ctx) => {
    seenTargets.push(ctx.target?.name);
    ctx.warn('probe was here');
    return graph;
  },
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-api-compile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('compile', () => {
  test('returns the artifact in memory: files, manifest, program, kernels', async () => {
    const artifact = await compile(TINY_CNN, { target: 'wasm' });
    expect([...artifact.files.keys()].sort()).toEqual(['manifest.json', 'model.wasm', 'weights.bin']);
    expect(artifact.target).toBe('wasm');
    expect(artifact.manifest).toEqual(JSON.parse(new TextDecoder().decode(artifact.files.get('manifest.json'))));
    expect(artifact.manifest).toMatchObject({
      target: 'wasm',
      inputs: [{ name: 'image', dtype: 'f32', shape: [1, 3, 32, 32] }],
      outputs: [{ name: 'probs', dtype: 'f32', shape: [1, 10] }],
      options: { target: 'wasm', pipeline: optPipelineText(DEFAULT_OPT_LEVEL), inputShapes: {}, model: { name: 'tiny-cnn.onnx', sha256: sha256(fs.readFileSync(TINY_CNN)) } },
    });
    // The schedules used: every kind's defaults when none were given.
    expect(artifact.manifest.options.schedules).toEqual(JSON.parse(JSON.stringify(scheduleRecord())));
    expect(artifact.kernels).toBe(artifact.manifest.kernels);
    expect(artifact.kernels).toBeGreaterThan(1);
    // model.wasm is the compiled module with its record of the manifest appended (codegen/program-record.ts).
    const program = artifact.target === 'wasm' ? artifact.program.wasm : new Uint8Array();
    expect(artifact.files.get('model.wasm')!.subarray(0, program.length)).toEqual(program);
    expect(JSON.parse(wasmRecord(new WebAssembly.Module(Uint8Array.from(artifact.files.get('model.wasm')!)))!)).toEqual(JSON.parse(programRecord(artifact.manifest)));
    expect(artifact.timings).toBeUndefined();

    // Written, it loads and runs with the runtime alone.
    const dir = path.join(tmp, 'tiny');
    writeArtifact(artifact, dir);
    for (const [name, bytes] of artifact.files) expect(sha256(fs.readFileSync(path.join(dir, name)))).toBe(sha256(bytes));
    expect(fs.readdirSync(tmp)).toEqual(['tiny']);
    const session = await loadModel(dir);
    const { probs } = await session.run({ image: new Float32Array(3 * 32 * 32).fill(0.5) });
    expect(Array.from(probs as Float32Array).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  });

  test('the same model and options give byte-identical files; a model given as bytes records no name', async () => {
    const a = await compile(TINY_CNN, { target: 'wasm', optLevel: 1 });
    const b = await compile(TINY_CNN, { target: 'wasm', optLevel: 1 });
    expect(b.files).toEqual(a.files);
    const fromBytes = await compile(fs.readFileSync(TINY_CNN), { target: 'wasm', optLevel: 1 });
    expect(fromBytes.files.get('model.wasm')).toEqual(a.files.get('model.wasm'));
    expect(fromBytes.manifest.options.model).toEqual({ sha256: sha256(fs.readFileSync(TINY_CNN)) });
  });

  test('schedules reach code generation and the manifest records them', async () => {
    const schedules = { conv: { kind: 'im2col-gemm' as const, gemm: { tileM: 2 } }, matmul: { unrollK: 2 } };
    const tuned = await compile(TINY_CNN, { target: 'wasm', optLevel: 1, schedules });
    expect(tuned.manifest.options.schedules).toEqual(JSON.parse(JSON.stringify(scheduleRecord(schedules))));
    expect(scheduleRecord(schedules).conv.gemm.tileM).toBe(2);
    const plain = await compile(TINY_CNN, { target: 'wasm', optLevel: 1 });
    expect(tuned.files.get('model.wasm')).not.toEqual(plain.files.get('model.wasm'));
  });

  test('webgpu: compiled without a device, the manifest records the precision', async () => {
    const artifact = await compile(TINY_CNN, { target: 'webgpu', precision: 'f16', optLevel: 1 });
    expect([...artifact.files.keys()].sort()).toEqual(['kernels.wgsl', 'manifest.json', 'weights.bin']);
    expect(artifact.manifest.options.precision).toBe('f16');
    expect(artifact.target === 'webgpu' && artifact.manifest.precision).toMatchObject({ requested: 'f16', weights: 'f16' });
  });

  test('instruments: IR printed and dumped before and after each pass, timings returned, warnings, the target in the pass context', async () => {
    const printed: string[] = [];
    const warnings: string[] = [];
    const dumpIrDir = path.join(tmp, 'dump');
    seenTargets.length = 0;
    const artifact = await compile(TINY_CNN, {
      target: 'wasm',
      pipeline: 'api-test-probe,fold-constants',
      instruments: { printIrAfterAll: (text) => printed.push(text), dumpIrDir, timing: true, verifyEach: true, warn: (m) => warnings.push(m) },
    });
    expect(printed.map((t) => t.split('\n')[0])).toEqual([
      '// -----// IR before any pass //----- //', '// -----// IR after api-test-probe //----- //', '// -----// IR after fold-constants //----- //',
    ]);
    expect(fs.readdirSync(dumpIrDir)).toEqual(['000_input.ir', '001_api-test-probe.ir', '002_fold-constants.ir', 'resources.bin']);
    expect(artifact.timings?.map((t) => [t.pass, t.runs])).toEqual([['api-test-probe', 1], ['fold-constants', 1]]);
    expect(warnings).toEqual(['probe was here']);
    expect(seenTargets).toEqual(['wasm']);
    expect(artifact.manifest.options.pipeline).toBe('api-test-probe,fold-constants');
  });

  test.each([
    [{ inputShapes: { pixels: [1, 3, 8, 8] } }, `${TINY_CNN}: --input-shape names 'pixels', which is not an input of the model (inputs: image)`],
    [{ inputShapes: { image: [1, 3, 32] } }, `${TINY_CNN}: --input-shape image has rank 3, the model declares rank 4`],
    [{ precision: 'f16' as const }, 'precision applies to the webgpu target'],
    [{ target: 'cuda' as 'wasm' }, "unknown target 'cuda' (have: wasm, webgpu)"],
    [{ optLevel: 1, pipeline: 'fold-constants' }, 'give either optLevel or pipeline, not both'],
    [{ optLevel: 9 }, 'unknown optimization level -O9 (have -O0 to -O3)'],
  ])('%j is a DlcError', async (options, message) => {
    const e = await compile(TINY_CNN, { target: 'wasm', ...options }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DlcError);
    expect((e as DlcError).message).toBe(message);
    expect((e as DlcError).exitCode).toBe(2);
  });

  test('a missing model names the file', async () => {
    const missing = path.join(tmp, 'none.onnx');
    await expect(compile(missing, { target: 'wasm' })).rejects.toThrow(`${missing}: cannot read model: ENOENT`);
  });

  test('writeArtifact refuses to replace a directory that is not an artifact', async () => {
    const dir = path.join(tmp, 'precious');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'thesis.tex'), 'keep me');
    expect(() => writeArtifact({ files: new Map([['manifest.json', new Uint8Array(1)]]) }, dir)).toThrow(`${dir} exists and is not a dlc artifact directory; refusing to replace it`);
    expect(fs.readdirSync(dir)).toEqual(['thesis.tex']);
  });
});
