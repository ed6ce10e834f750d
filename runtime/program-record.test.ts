// An edited manifest.json is refused even where the editor updated the sha-256 list to match (the program
// records the manifest fields it was compiled with), and loadModel's `integrity` pins the manifest itself.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compile, writeArtifact } from '../api/compile.js';
import { describeArtifact } from '../api/inspect-artifact.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { handWrittenProgram } from '../tests/util/hand-wasm.js';
import { DlcRuntimeError, loadModel, type ArtifactFiles, type LoadOptions } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-program-record-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LENET_5 = path.join(REPO_ROOT, 'models', 'mnist', 'lenet-5.onnx');
const built: Partial<Record<'wasm' | 'webgpu', Promise<string>>> = {};
let copies = 0;

/** A fresh copy of LeNet-5 compiled for `target` (compiled once per target). */
async function lenet(target: 'wasm' | 'webgpu'): Promise<string> {
  built[target] ??= compile(LENET_5, { target }).then((a) => {
    const dir = path.join(tmp, target);
    writeArtifact(a, dir);
    return dir;
  });
  const dir = path.join(tmp, `copy${copies++}`);
  fs.cpSync(await built[target]!, dir, { recursive: true });
  return dir;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const manifestFile = (dir: string) => path.join(dir, 'manifest.json');

/** Edits the manifest as a careful attacker would: every file's size and sha-256 made to match again. */
function tamper(dir: string, edit: (m: Record<string, any>) => void): void {
  const m = JSON.parse(fs.readFileSync(manifestFile(dir), 'utf8'));
  edit(m);
  for (const name of Object.keys(m.files)) {
    const bytes = fs.readFileSync(path.join(dir, name));
    m.files[name] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  fs.writeFileSync(manifestFile(dir), JSON.stringify(m));
}

const truncateWeights = (dir: string) => fs.writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(0));

/** The one-line DlcRuntimeError loading `dir` fails with. */
async function refusal(dir: string | ArtifactFiles, options: LoadOptions = {}): Promise<string> {
  const error = await loadModel(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DlcRuntimeError);
  const { message } = error as DlcRuntimeError;
  expect(message).not.toContain('\n');
  return message;
}

const notCompiledFor = (dir: string, field: string, file: string) =>
  `${dir}: manifest.json's '${field}' is not what ${file} was compiled for: the manifest was edited`;

describe('a wasm artifact whose manifest was edited (hashes updated) is refused', () => {
  test.each([
    ['input shape 1,1,28,29', 'inputs', (m: any) => (m.inputs[0].shape = [1, 1, 28, 29])],
    ['input shape 1,1,2,2', 'inputs', (m: any) => (m.inputs[0].shape = [1, 1, 2, 2])],
    ['output shape 1,5000', 'outputs', (m: any) => (m.outputs[0].shape = [1, 5000])],
    ['output offset moved onto the input', 'outputs', (m: any) => (m.outputs[0].offset = m.inputs[0].offset)],
  ])('%s', async (_what, field, edit) => {
    const dir = await lenet('wasm');
    tamper(dir, edit);
    expect(await refusal(dir)).toBe(notCompiledFor(dir, field, 'model.wasm'));
  }, 120_000);

  // The signature (optional, informative) is dropped too: its weight placements would not fit 0 bytes.
  test('weights.bin truncated to 0 bytes, its size and sha-256 and memory.weightsBytes updated', async () => {
    const dir = await lenet('wasm');
    truncateWeights(dir);
    tamper(dir, (m) => {
      m.memory.weightsBytes = 0;
      delete m.signature;
    });
    expect(await refusal(dir)).toBe(notCompiledFor(dir, 'memory', 'model.wasm'));
  }, 120_000);

  test('the untouched artifact loads and runs', async () => {
    const session = await loadModel(await lenet('wasm'));
    const out = await session.run({ [session.inputs[0].name]: new Float32Array(28 * 28).fill(0.5) });
    expect(out[session.outputs[0].name]).toHaveLength(10);
  }, 120_000);

  test('a module with no record (an older dlc) is refused: recompile', async () => {
    const dir = await lenet('wasm');
    fs.writeFileSync(path.join(dir, 'model.wasm'), (await handWrittenProgram()).wasm);
    tamper(dir, () => {});
    expect(await refusal(dir)).toBe(`${dir}: model.wasm has no record of its manifest (an older dlc compiled it): recompile the model`);
  }, 120_000);
});

describe('a webgpu artifact whose manifest was edited (hashes updated) is refused', () => {
  test.each([
    ['input shape 1,1,2,2', 'inputs', (m: any) => (m.inputs[0].shape = [1, 1, 2, 2])],
    ['output shape 1,5', 'outputs', (m: any) => (m.outputs[0].shape = [1, 5])],
    ['output buffer moved onto the input', 'outputs', (m: any) => (m.outputs[0].buffer = m.inputs[0].buffer)],
    ['a step dispatching fewer workgroups', 'steps', (m: any) => (m.steps[0].workgroups = [1, 1, 1])],
  ])('%s', async (_what, field, edit) => {
    const dir = await lenet('webgpu');
    tamper(dir, edit);
    expect(await refusal(dir, { device: await nodeGpuDevice() })).toBe(notCompiledFor(dir, field, 'kernels.wgsl'));
  }, 120_000);

  test('weights.bin truncated to 0 bytes, its size and sha-256 and weights.bytes updated', async () => {
    const dir = await lenet('webgpu');
    truncateWeights(dir);
    tamper(dir, (m) => {
      m.weights.bytes = 0;
      delete m.signature;
    });
    expect(await refusal(dir, { device: await nodeGpuDevice() })).toBe(notCompiledFor(dir, 'weights', 'kernels.wgsl'));
  }, 120_000);

  test('the untouched artifact loads and runs', async () => {
    const session = await loadModel(await lenet('webgpu'), { device: await nodeGpuDevice() });
    const out = await session.run({ [session.inputs[0].name]: new Float32Array(28 * 28).fill(0.5) });
    expect(out[session.outputs[0].name]).toHaveLength(10);
  }, 120_000);
});

describe('loadModel(dir, {integrity}) pins manifest.json', () => {
  const pin = (dir: string, bits: 256 | 384) => `sha${bits}-${createHash(`sha${bits}`).update(fs.readFileSync(manifestFile(dir))).digest('base64')}`;

  test('the right digest is accepted, alone or beside others', async () => {
    const dir = await lenet('wasm');
    await expect(loadModel(dir, { integrity: pin(dir, 256) })).resolves.toBeDefined();
    await expect(loadModel(dir, { integrity: `sha512-${'A'.repeat(86)}== ${pin(dir, 384)}` })).resolves.toBeDefined();
  }, 120_000);

  test('the integrity dlc inspect DIR reports is accepted', async () => {
    const dir = await lenet('webgpu');
    await expect(loadModel(dir, { integrity: describeArtifact(dir).integrity, device: await nodeGpuDevice() })).resolves.toBeDefined();
  }, 120_000);

  test('a manifest changed after pinning is refused before anything else is read', async () => {
    const dir = await lenet('wasm');
    const integrity = pin(dir, 256);
    tamper(dir, (m) => (m.options = { edited: true }));
    expect(await refusal(dir, { integrity })).toBe(`${dir}: manifest.json does not match its integrity pin: the artifact was changed`);
  }, 120_000);

  test('a malformed pin is refused', async () => {
    const dir = await lenet('wasm');
    expect(await refusal(dir, { integrity: 'md5-abc' })).toBe(`${dir}: bad integrity 'md5-abc': want sha256-, sha384- or sha512-<base64>`);
  }, 120_000);
});

describe('loadModel(files) loads an artifact from memory', () => {
  const read = (dir: string) => new Map(fs.readdirSync(dir).map((name) => [name, new Uint8Array(fs.readFileSync(path.join(dir, name)))]));

  test('a Map or an object of files runs, pinned or not; an edited manifest is refused as from a directory', async () => {
    const dir = await lenet('wasm');
    const files = read(dir);
    const x = new Float32Array(28 * 28).fill(0.25);
    const fromDir = await (await loadModel(dir)).run({ input: x });
    const fromMap = await (await loadModel(files, { integrity: describeArtifact(dir).integrity })).run({ input: x });
    expect(fromMap).toEqual(fromDir);
    expect(await (await loadModel(Object.fromEntries(files))).run({ input: x })).toEqual(fromDir);
    tamper(dir, (m) => (m.inputs[0].shape = [1, 1, 2, 2]));
    expect(await refusal(read(dir))).toBe(notCompiledFor('in-memory artifact', 'inputs', 'model.wasm'));
  }, 120_000);

  test('a missing file is named', async () => {
    const files = read(await lenet('wasm'));
    files.delete('weights.bin');
    expect(await refusal(files)).toBe('in-memory artifact: no weights.bin');
  }, 120_000);
});
