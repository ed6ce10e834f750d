import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { interpret } from '../compiler/interpreter.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { loadOnnxFile } from '../compiler/onnx/frontend.js';
import { decodeModel, onnx, type TensorProto } from '../compiler/onnx/proto.js';
import { seededRandom } from '../compiler/random.js';
import { loadModel } from '../runtime/index.js';
import { runOnnxruntime } from '../tests/util/ort.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';
import { compile, writeArtifact } from './compile.js';
import { updateWeights } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-update-weights-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LENET = path.join(REPO_ROOT, 'models', 'mnist', 'lenet-300-100.onnx');
const LENET_5 = path.join(REPO_ROOT, 'models', 'mnist', 'lenet-5.onnx');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** LeNet-300-100 with its initializers edited (`edit` gets and returns each one's f32 values and dims), written to `name`. */
function editedLenet(name: string, edit: (t: TensorProto, values: Float32Array) => { values: Float32Array; dims: number[] }): string {
  const model = decodeModel(fs.readFileSync(LENET), LENET);
  for (const t of model.graph!.initializer!) {
    const raw = t.rawData!;
    const { values, dims } = edit(t, new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
    t.rawData = new Uint8Array(values.buffer);
    t.dims = dims;
  }
  const file = path.join(tmp, name);
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

/** "Retrained": every weight moved by up to ±20 % and some noise; the graph is the same. */
function retrainedLenet(): string {
  const rand = seededRandom(5);
  return editedLenet('retrained.onnx', (t, values) => ({ values: values.map((v) => v * (1 + 0.2 * rand()) + 0.01 * rand()), dims: t.dims!.map(Number) }));
}

/** LeNet with 200 hidden units in its first layer instead of 300: fc1's first 200 rows, fc2's first 200 columns. */
function narrowerLenet(): string {
  return editedLenet('lenet-200-100.onnx', (t, values) => {
    if (t.name === 'fc1.weight') return { values: values.slice(0, 200 * 784), dims: [200, 784] };
    if (t.name === 'fc1.bias') return { values: values.slice(0, 200), dims: [200] };
    if (t.name === 'fc2.weight') return { values: Float32Array.from({ length: 100 * 200 }, (_, i) => values[Math.floor(i / 200) * 300 + (i % 200)]), dims: [100, 200] };
    return { values, dims: t.dims!.map(Number) };
  });
}

const digit = (() => {
  const rand = seededRandom(3);
  return Float32Array.from({ length: 28 * 28 }, () => (rand() + 1) / 2);
})();

function files(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, sha256(fs.readFileSync(path.join(dir, name)))]));
}

function copyArtifact(from: string, name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

let wasmArtifact: string;
let webgpuArtifact: string;
let retrained: string;

beforeAll(async () => {
  // One wasm compile for the file (seconds); webgpu compiles no kernels here.
  wasmArtifact = path.join(tmp, 'lenet-wasm');
  writeArtifact(await compile(LENET, { target: 'wasm' }), wasmArtifact);
  webgpuArtifact = path.join(tmp, 'lenet-webgpu');
  writeArtifact(await compile(LENET, { target: 'webgpu' }), webgpuArtifact);
  retrained = retrainedLenet();
});

describe('updateWeights', () => {
  test('wasm: model.wasm is kept byte for byte, weights.bin is the retrained model\'s, and the runtime runs it as onnxruntime and the interpreter run the retrained model', async () => {
    const out = path.join(tmp, 'lenet-wasm-retrained');
    const updated = await updateWeights(wasmArtifact, retrained, { output: out });
    const before = files(wasmArtifact);
    const after = files(out);
    expect(after['model.wasm']).toBe(before['model.wasm']);
    expect(after['weights.bin']).not.toBe(before['weights.bin']);
    expect(updated.kernelsFile).toBe('model.wasm');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    const old = JSON.parse(fs.readFileSync(path.join(wasmArtifact, 'manifest.json'), 'utf8'));
    expect(manifest.files['weights.bin']).toEqual({ bytes: old.files['weights.bin'].bytes, sha256: after['weights.bin'] });
    expect(manifest.options.model).toEqual({ name: 'retrained.onnx', sha256: sha256(fs.readFileSync(retrained)) });
    // Everything else is the artifact's: the same program, only the weights' values differ.
    expect({ ...manifest, files: {}, options: {} }).toEqual({ ...old, files: {}, options: {} });
    expect(manifest.options).toEqual({ ...old.options, model: manifest.options.model });
    expect(updated.manifest).toEqual(manifest);

    const input = new Tensor('f32', [1, 1, 28, 28], digit);
    const logits = (await (await loadModel(out)).run({ input: digit })).logits as Float32Array;
    const ort = (await runOnnxruntime(retrained, { input })).logits.data;
    const reference = interpret(loadOnnxFile(retrained).graph, { input }).logits.data;
    logits.forEach((v, i) => {
      expect(v).toBeCloseTo(ort[i], 3);
      expect(v).toBeCloseTo(reference[i], 3);
    });
    // The original weights give other logits: the update took effect.
    const original = (await (await loadModel(wasmArtifact)).run({ input: digit })).logits as Float32Array;
    expect(Math.max(...original.map((v, i) => Math.abs(v - logits[i])))).toBeGreaterThan(1e-2);
  });

  test('webgpu: the updated artifact is byte for byte what compiling the retrained model gives', async () => {
    const out = path.join(tmp, 'lenet-webgpu-retrained');
    const updated = await updateWeights(webgpuArtifact, retrained, { output: out });
    expect(updated.kernelsFile).toBe('kernels.wgsl');
    expect(files(out)['kernels.wgsl']).toBe(files(webgpuArtifact)['kernels.wgsl']);
    expect(files(out)['weights.bin']).not.toBe(files(webgpuArtifact)['weights.bin']);
    const compiled = await compile(retrained, { target: 'webgpu' });
    // Compared by hash: jest compares megabytes element by element, slowly.
    const hashes = (m: Map<string, Uint8Array>) => Object.fromEntries([...m].map(([name, bytes]) => [name, sha256(bytes)]));
    expect(hashes(updated.files)).toEqual(hashes(compiled.files));
  });

  test.each([
    ['-O0', { optLevel: 0 }],
    ['-O1 and schedules', { optLevel: 1, schedules: { gpu: { matmul: { tileK: 8 } }, nodes: { '/fc2/Gemm': { gpu: { matmul: { threadM: 2 } } } } } }],
  ])('replays the compile options the manifest records (%s)', async (_what, options) => {
    const dir = path.join(tmp, `webgpu-${options.optLevel}`);
    writeArtifact(await compile(LENET, { target: 'webgpu', ...options }), dir);
    const updated = await updateWeights(dir, retrained, { output: `${dir}-retrained` });
    const compiled = await compile(retrained, { target: 'webgpu', ...options });
    expect(updated.files.get('manifest.json')).toEqual(compiled.files.get('manifest.json'));
  });

  test('a model of another shape is refused, naming the first difference, and nothing is written', async () => {
    const narrower = narrowerLenet();
    const out = path.join(tmp, 'never');
    const refused = await updateWeights(wasmArtifact, narrower, { output: out }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DlcError);
    expect((refused as DlcError).message).toBe(
      `${wasmArtifact}: ${narrower} does not match the compiled program: weight '/fc1/Gemm/const0' is f32[784,300] in the artifact, f32[784,200] in ${narrower}; recompile with dlc compile`,
    );
    await expect(updateWeights(webgpuArtifact, LENET_5, { output: out })).rejects.toThrow(
      `${webgpuArtifact}: ${LENET_5} does not match the compiled program: weight 1 is '/fc1/Gemm/const0' f32[784,300] in the artifact, '/conv1/Conv/const0'`,
    );
    expect(fs.existsSync(out)).toBe(false);
    // From another version of dlc, the code generator may be what differs.
    const older = copyArtifact(webgpuArtifact, 'older');
    const manifest = JSON.parse(fs.readFileSync(path.join(older, 'manifest.json'), 'utf8'));
    fs.writeFileSync(path.join(older, 'manifest.json'), JSON.stringify({ ...manifest, dlcVersion: '0.0.1' }));
    await expect(updateWeights(older, narrower)).rejects.toThrow(/f32\[784,200\] in .* \(the artifact was compiled by dlc 0\.0\.1, this is dlc 0\.1\.0\); recompile with dlc compile$/);
  });

  let edited = 0;
  test.each([
    ['a quantized artifact', (m: any) => (m.options.quantization = { layers: [] }), 'the artifact was quantized with calibration data, which update-weights cannot replay; recompile with dlc compile --quantize'],
    ['an option it does not know', (m: any) => (m.options.sparsity = 0.5), "the artifact records the compile option 'sparsity', which update-weights cannot replay; recompile with dlc compile"],
    ['an artifact without a signature', (m: any) => delete m.signature, `the artifact records no program signature (dlc 0.1.0 wrote it); recompile with dlc compile`],
    ['a pipeline that is not what it replays to', (m: any) => (m.options.pipeline = ' fold-constants'), `the compile option 'pipeline' the artifact records did not replay (" fold-constants" recorded, "fold-constants" replayed); recompile with dlc compile`],
  ])('%s is refused', async (_what, edit, message) => {
    const dir = copyArtifact(webgpuArtifact, `edited-${edited++}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    edit(manifest);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await expect(updateWeights(dir, retrained)).rejects.toThrow(new DlcError(`${dir}: ${message}`));
  });

  test('a tampered kernels file is refused rather than re-shipped', async () => {
    const dir = copyArtifact(webgpuArtifact, 'tampered');
    fs.appendFileSync(path.join(dir, 'kernels.wgsl'), '\n');
    await expect(updateWeights(dir, retrained)).rejects.toThrow(`${dir}: kernels.wgsl does not match the sha-256 in manifest.json`);
  });
});

describe('dlc update-weights', () => {
  test('replaces the artifact in place and prints one line', async () => {
    const dir = copyArtifact(wasmArtifact, 'in-place');
    const before = files(dir);
    const r = await dlc('update-weights', dir, retrained);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^updated ${dir} with the weights of ${retrained}: weights\\.bin 1\\.0 MiB \\(sha-256 [0-9a-f]{12}…\\), model\\.wasm kept \\([\\d.]+ KiB\\)\\.\\n$`));
    expect(files(dir)['model.wasm']).toBe(before['model.wasm']);
    expect(files(dir)['weights.bin']).not.toBe(before['weights.bin']);
    // Written beside it and renamed into place: nothing is left over.
    expect(fs.readdirSync(tmp).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  test('a model that does not match exits 1 with one line and leaves the artifact as it was', async () => {
    const dir = copyArtifact(wasmArtifact, 'refusing');
    const before = files(dir);
    const r = await dlc('update-weights', dir, LENET_5, '-o', path.join(tmp, 'never-cli'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^dlc: ${dir}: ${LENET_5} does not match the compiled program: weight 1 is '/fc1/Gemm/const0' f32\\[784,300\\] in the artifact, .*; recompile with dlc compile\\n$`));
    expect(files(dir)).toEqual(before);
    expect(fs.existsSync(path.join(tmp, 'never-cli'))).toBe(false);
  });

  test('usage errors exit 2', async () => {
    const r = await dlc('update-weights', wasmArtifact);
    expect(r.stderr).toBe("dlc: missing required argument 'model'\n");
    expect(r.code).toBe(2);
  });
});
