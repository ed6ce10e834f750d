import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeWasmArtifact } from '../codegen/artifact.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { handWrittenProgram } from '../tests/util/hand-wasm.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { DlcRuntimeError, loadModel } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-runtime-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let count = 0;
async function artifact(): Promise<string> {
  const dir = path.join(tmp, `a${count++}`);
  writeWasmArtifact(dir, await handWrittenProgram(), { optLevel: 2 });
  return dir;
}

function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(m);
  fs.writeFileSync(file, JSON.stringify(m));
}

const feeds = () => ({ x: new Float32Array([0.5, -1, 10, 0]), k: new BigInt64Array([7n, -2n]) });

describe('loadModel and Session.run', () => {
  test('a released session refuses to run; releasing again does nothing', async () => {
    const session = await loadModel(await artifact());
    await session.release();
    await expect(session.run(feeds())).rejects.toThrow(new DlcRuntimeError('this session was released'));
    await session.release();
  });

  test('runs the artifact: y = x + w, z = k * 3, b = k > 0', async () => {
    const session = await loadModel(await artifact());
    expect(session.inputs).toEqual([
      { name: 'x', dtype: 'f32', shape: [2, 2] },
      { name: 'k', dtype: 'i64', shape: [2] },
    ]);
    expect(session.outputs.map((o) => o.name)).toEqual(['y', 'z', 'b']);
    expect(session.compileOptions).toEqual({ optLevel: 2 });
    const out = await session.run(feeds());
    expect(out.y).toEqual(new Float32Array([1.5, 1, 13, 4]));
    expect(out.z).toEqual(new BigInt64Array([21n, -6n]));
    expect(out.b).toEqual(new Uint8Array([1, 0]));
    // Runs again with new inputs; the weights are still in place.
    const again = await session.run({ x: new Float32Array(4), k: new BigInt64Array([0n, 1n]) });
    expect(again.y).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(again.b).toEqual(new Uint8Array([0, 1]));
    expect(out.y).toEqual(new Float32Array([1.5, 1, 13, 4]));
  });

  test('loads from a file: URL and through a caller-supplied fetch', async () => {
    const dir = await artifact();
    const byUrl = await loadModel(pathToFileURL(dir).href);
    expect((await byUrl.run(feeds())).y).toEqual(new Float32Array([1.5, 1, 13, 4]));
    const fetched: string[] = [];
    const fakeFetch = async (url: string) => {
      fetched.push(url);
      const bytes = fs.readFileSync(path.join(dir, url.slice('https://example.com/m/'.length)));
      return { ok: true, status: 200, statusText: 'OK', arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) };
    };
    const byFetch = await loadModel('https://example.com/m/', { fetch: fakeFetch });
    expect((await byFetch.run(feeds())).z).toEqual(new BigInt64Array([21n, -6n]));
    expect(fetched.sort()).toEqual(['https://example.com/m/manifest.json', 'https://example.com/m/model.wasm', 'https://example.com/m/weights.bin']);
    const notFound = async () => ({ ok: false, status: 404, statusText: 'Not Found', arrayBuffer: async () => new ArrayBuffer(0) });
    await expect(loadModel('https://example.com/gone', { fetch: notFound })).rejects.toThrow('https://example.com/gone: cannot fetch manifest.json: HTTP 404 Not Found');
  });

  test('validates the feeds', async () => {
    const session = await loadModel(await artifact());
    const cases: [unknown, string][] = [
      [{ x: new Float32Array(4) }, "missing input 'k' (i64[2])"],
      [{ ...feeds(), q: new Float32Array(1) }, "unknown input 'q' (inputs: x, k)"],
      [{ ...feeds(), x: new Float64Array(4) }, "input 'x' (f32[2,2]) must be a Float32Array, got Float64Array"],
      [{ ...feeds(), k: new Int32Array(2) }, "input 'k' (i64[2]) must be a BigInt64Array, got Int32Array"],
      [{ ...feeds(), x: [1, 2, 3, 4] }, "input 'x' (f32[2,2]) must be a Float32Array, got an Array"],
      [{ ...feeds(), x: new Float32Array(5) }, "input 'x' (f32[2,2]) needs 4 elements, got 5"],
      [null, 'run() takes an object of typed arrays by input name'],
    ];
    for (const [bad, message] of cases) {
      await expect(session.run(bad as never)).rejects.toThrow(new DlcRuntimeError(message));
    }
  });

  test('a view into a larger buffer is read from its own offset', async () => {
    const session = await loadModel(await artifact());
    const big = new Float32Array([99, 1, 1, 1, 1, 99]);
    const out = await session.run({ x: big.subarray(1, 5), k: new BigInt64Array(2) });
    expect(out.y).toEqual(new Float32Array([2, 3, 4, 5]));
  });
});

describe('specialized inputs', () => {
  async function specializedArtifact(): Promise<string> {
    const dir = path.join(tmp, `s${count++}`);
    const specialized = [
      { name: 'shape', value: Tensor.fromArray('i64', [2], [3, -1]) },
      { name: 'scale', value: Tensor.fromArray('f16', [], [0.5]) },
      { name: 'end', value: Tensor.fromArray('i64', [1], [2 ** 63 - 1]) },
      { name: 'limit', value: Tensor.fromArray('f32', [1], [-Infinity]) },
    ];
    writeWasmArtifact(dir, { ...(await handWrittenProgram()), specialized }, {});
    return dir;
  }

  test('are listed apart from the inputs, and a feed equal to the compiled value is taken and dropped', async () => {
    const session = await loadModel(await specializedArtifact());
    expect(session.inputs.map((i) => i.name)).toEqual(['x', 'k']);
    expect(session.specialized.map((s) => [s.name, s.dtype, s.shape])).toEqual([
      ['shape', 'i64', [2]],
      ['scale', 'f16', []],
      ['end', 'i64', [1]],
      ['limit', 'f32', [1]],
    ]);
    expect((await session.run(feeds())).z).toEqual(new BigInt64Array([21n, -6n]));
    const same = { shape: new BigInt64Array([3n, -1n]), scale: new Uint16Array([0x3800]), end: new BigInt64Array([2n ** 63n - 1n]), limit: new Float32Array([-Infinity]) };
    expect((await session.run({ ...feeds(), ...same })).z).toEqual(new BigInt64Array([21n, -6n]));
  });

  test('a feed that differs from the compiled value, or is of another array type, is refused naming the input', async () => {
    const session = await loadModel(await specializedArtifact());
    const message = "input 'shape' was specialized: the artifact was compiled for i64[2] [3, -1]; feed that value or leave it out";
    for (const shape of [new BigInt64Array([3n, 2n]), new BigInt64Array([3n]), new Int32Array([3, -1]), [3, -1]]) {
      await expect(session.run({ ...feeds(), shape: shape as never })).rejects.toThrow(new DlcRuntimeError(message));
    }
    await expect(session.run({ ...feeds(), scale: new Uint16Array([0x3c00]) })).rejects.toThrow("input 'scale' was specialized: the artifact was compiled for f16[] [14336]");
  });

  test('a manifest whose specialized values do not fill the shape is refused', async () => {
    const dir = await specializedArtifact();
    editManifest(dir, (m) => m.specialized[0].values.pop());
    await expect(loadModel(dir)).rejects.toThrow(new DlcRuntimeError(`${dir}: bad manifest.json: specialized input 'shape' needs one value per element`));
  });
});

test('the runtime imports nothing but its own files and, in Node only, node:fs/promises', () => {
  const dir = path.join(REPO_ROOT, 'runtime');
  const sources = fs.readdirSync(dir).filter((f) => /\.[jt]s$/.test(f) && !/\.(test|d)\.ts$/.test(f));
  expect(sources).toContain('index.ts');
  const seen: string[] = [];
  for (const file of sources) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    // Static imports and re-exports open a line; dynamic imports may carry bundler comments.
    const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'([^']+)'|import\(\s*(?:\/\*.*?\*\/\s*)*'([^']+)'/gm)].map((m) => m[1] ?? m[2]);
    // node:fs/promises only where `#read-file` resolves under the `node` condition (runtime/package.json).
    const allowed = (s: string) => /^\.\/[\w-]+\.js$/.test(s) || s === '#read-file' || (s === 'node:fs/promises' && file === 'read-file-node.js');
    for (const s of specifiers) expect([file, s, allowed(s)]).toEqual([file, s, true]);
    seen.push(...specifiers);
  }
  expect(seen).toEqual(expect.arrayContaining(['./wasm-executor.js', './manifest.js', '#read-file', 'node:fs/promises']));
  const { imports } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  expect(imports['#read-file']).toEqual({ types: './read-file.d.ts', node: './read-file-node.js', default: './read-file-browser.js' });
});

/** A well-formed program signature for the hand-written artifact (3 kernels, 16 bytes of weights). */
const SIGNATURE = {
  sha256: 'ab'.repeat(32),
  weights: [{ name: 'w', dtype: 'f32', shape: [2, 2], offset: 0, bytes: 16 }],
  kernels: ['add', 'mul', 'greater'].map((node) => ({ node, sha256: '0123456789abcdef' })),
};

test('a manifest with a program signature loads (the runtime checks it and does not need it)', async () => {
  const dir = await artifact();
  editManifest(dir, (m) => (m.signature = SIGNATURE));
  expect((await (await loadModel(dir)).run(feeds())).y).toEqual(new Float32Array([1.5, 1, 13, 4]));
});

const BAD_SIGNATURE =
  'bad manifest.json: signature needs a hex sha256, weights {name, dtype, shape, offset, bytes} within the 16 bytes of weights, and {node, sha256 (16 hex digits)} for each of the 3 kernels';

describe('a bad artifact is refused with a clear error', () => {

  test('a flipped byte of weights.bin', async () => {
    const dir = await artifact();
    const file = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[5] ^= 1;
    fs.writeFileSync(file, bytes);
    await expect(loadModel(dir)).rejects.toBeInstanceOf(DlcRuntimeError);
    await expect(loadModel(dir)).rejects.toThrow(new DlcRuntimeError(`${dir}: weights.bin does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with`));
  });

  test('a replaced model.wasm', async () => {
    const dir = await artifact();
    fs.appendFileSync(path.join(dir, 'model.wasm'), Buffer.from([0]));
    await expect(loadModel(dir)).rejects.toThrow(`${dir}: model.wasm does not match the sha-256`);
  });

  test('a missing file or directory', async () => {
    const dir = await artifact();
    fs.rmSync(path.join(dir, 'weights.bin'));
    await expect(loadModel(dir)).rejects.toThrow(`${dir}: cannot read weights.bin: ENOENT`);
    await expect(loadModel(path.join(tmp, 'nowhere'))).rejects.toThrow(`${path.join(tmp, 'nowhere')}: cannot read manifest.json: ENOENT`);
  });

  test.each([
    ['another format version', (m: any) => (m.formatVersion = 1), 'artifact format version 1, this runtime reads version 2: recompile the model or update the runtime'],
    ['not a dlc artifact', (m: any) => (m.format = 'other'), 'bad manifest.json: not a dlc artifact (format is "other")'],
    ['an unknown target', (m: any) => (m.target = 'webnn'), "target 'webnn' is not supported by this runtime (have: wasm, webgpu)"],
    ['a slot outside memory', (m: any) => (m.outputs[0].offset = 250), "bad manifest.json: output 'y' (bytes 250..266) lies outside the 256-byte memory"],
    ['an unknown dtype', (m: any) => (m.inputs[0].dtype = 'f8'), `bad manifest.json: input 'x' has unknown dtype "f8"`],
    ['a file outside the directory', (m: any) => (m.files['../secret'] = m.files['weights.bin']), 'bad manifest.json: bad file name "../secret"'],
    ['a dropped file entry', (m: any) => delete m.files['model.wasm'], 'bad manifest.json: files must list model.wasm'],
    ['a signature without its sha-256', (m: any) => (m.signature = { ...SIGNATURE, sha256: undefined }), BAD_SIGNATURE],
    ['a signed weight past the weights', (m: any) => (m.signature = { ...SIGNATURE, weights: [{ name: 'w', dtype: 'f32', shape: [8], offset: 0, bytes: 32 }] }), BAD_SIGNATURE],
    ['a signature missing a kernel', (m: any) => (m.signature = { ...SIGNATURE, kernels: SIGNATURE.kernels.slice(1) }), BAD_SIGNATURE],
  ])('%s', async (_what, edit, message) => {
    const dir = await artifact();
    editManifest(dir, edit);
    await expect(loadModel(dir)).rejects.toThrow(new DlcRuntimeError(`${dir}: ${message}`));
  });

  test('a manifest that is not JSON', async () => {
    const dir = await artifact();
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"format":');
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`^${dir}: bad manifest.json: .*JSON`));
  });
});
