import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWebgpuArtifact, writeArtifactDir } from '../codegen/artifact.js';
import { buildGraph } from '../tests/util/graphs.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { floatToHalf, halfToFloat } from './gpu-storage.js';
import { DlcRuntimeError, loadModel } from './index.js';
import { splitModules } from './webgpu-executor.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-webgpu-runtime-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** y = x + w (f32), z = k · 3 (i64), b = k > 0 (bool), h = cast(x, f16). */
function artifact(name: string): string {
  const graph = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 2] }, k: { dtype: 'i64', shape: [2] } },
    build: (b, { x, k }) => [
      b.emit('add', [x, b.constant(Tensor.fromArray('f32', [2, 2], [1, 2, 3, 4]))])[0],
      b.emit('mul', [k, b.constant(Tensor.scalar('i64', 3))])[0],
      b.emit('greater', [k, b.constant(Tensor.scalar('i64', 0))])[0],
      b.emit('cast', [x], { to: 'f16' })[0],
    ],
  });
  const dir = path.join(tmp, name);
  writeArtifactDir(dir, buildWebgpuArtifact(compileToWebgpu(graph), { test: true }));
  return dir;
}

function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(m);
  fs.writeFileSync(file, JSON.stringify(m));
}

describe('loadModel with a webgpu artifact', () => {
  test('runs on the given device; i64, bool and f16 cross the storage boundary', async () => {
    const session = await loadModel(artifact('ok'), { device: await nodeGpuDevice() });
    expect(session.inputs.map((i) => i.dtype)).toEqual(['f32', 'i64']);
    expect(session.compileOptions).toEqual({ test: true });
    const [y, z, b, h] = session.outputs.map((o) => o.name);
    const out = await session.run({ x: new Float32Array([0.5, -1, 10, 0]), k: new BigInt64Array([7n, -2n]) });
    expect(out[y]).toEqual(new Float32Array([1.5, 1, 13, 4]));
    expect(out[z]).toEqual(new BigInt64Array([21n, -6n]));
    expect(out[b]).toEqual(new Uint8Array([1, 0]));
    expect(out[h]).toEqual(new Uint16Array([0x3800, 0xbc00, 0x4900, 0]));
    // Concurrent runs are queued and each gets its own results.
    const [r1, r2] = await Promise.all([
      session.run({ x: new Float32Array(4), k: new BigInt64Array([0n, 1n]) }),
      session.run({ x: new Float32Array([1, 1, 1, 1]), k: new BigInt64Array([2n, 2n]) }),
    ]);
    expect(r1[y]).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(r2[y]).toEqual(new Float32Array([2, 3, 4, 5]));
    expect(r2[z]).toEqual(new BigInt64Array([6n, 6n]));
  });

  test('a released session refuses to run, after the runs under way finish', async () => {
    const session = await loadModel(artifact('released'), { device: await nodeGpuDevice() });
    const running = session.run({ x: new Float32Array(4), k: new BigInt64Array(2) });
    await session.release();
    expect((await running)[session.outputs[0].name]).toEqual(new Float32Array([1, 2, 3, 4]));
    await expect(session.run({ x: new Float32Array(4), k: new BigInt64Array(2) })).rejects.toThrow(new DlcRuntimeError('this session was released'));
  });

  test('without a device and without navigator.gpu it says what to pass', async () => {
    const dir = artifact('nodevice');
    await expect(loadModel(dir)).rejects.toThrow(new DlcRuntimeError(`${dir}: this artifact targets WebGPU: pass loadModel(dir, { device }) or run where navigator.gpu exists`));
  });

  test('feeds are checked as for wasm', async () => {
    const session = await loadModel(artifact('feeds'), { device: await nodeGpuDevice() });
    await expect(session.run({ x: new Float32Array(4), k: new Int32Array(2) as never })).rejects.toThrow("input 'k' (i64[2]) must be a BigInt64Array, got Int32Array");
    await expect(session.run({ x: new Float32Array(3), k: new BigInt64Array(2) })).rejects.toThrow("input 'x' (f32[2,2]) needs 4 elements, got 3");
  });

  test.each([
    ['a step past the modules', (m: any) => (m.steps[0].module = 99), 'bad manifest.json: step 0: needs a module index'],
    ['a binding outside its buffer', (m: any) => (m.steps[0].bindings[0].offset = 1 << 20), /bad manifest\.json: step 0's binding \(bytes \d+\.\.\d+\) lies outside the \d+-byte memory/],
    ['an unknown storage type', (m: any) => (m.inputs[0].storage = 'f16'), `bad manifest.json: input 'x' has unknown storage type "f16"`],
    ['no precision', (m: any) => delete m.precision, 'bad manifest.json: precision must give requested, used and weights (f32 or f16)'],
    ['a dropped kernels.wgsl', (m: any) => delete m.files['kernels.wgsl'], 'bad manifest.json: files must list kernels.wgsl'],
  ])('a manifest with %s is refused', async (_what, edit, message) => {
    const dir = artifact(`bad-${_what.replace(/\W/g, '')}`);
    editManifest(dir, edit);
    await expect(loadModel(dir, { device: await nodeGpuDevice() })).rejects.toThrow(message);
  });

  test('a shader that does not compile is refused with its message', async () => {
    const dir = artifact('badwgsl');
    const file = path.join(dir, 'kernels.wgsl');
    const text = fs.readFileSync(file, 'utf8').replace('fn main(', 'fn main(bogus: nonsense, ');
    fs.writeFileSync(file, text);
    editManifest(dir, (m) => {
      const bytes = Buffer.from(text);
      m.files['kernels.wgsl'] = { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
    await expect(loadModel(dir, { device: await nodeGpuDevice() })).rejects.toThrow(/module 0 of kernels\.wgsl does not compile: \d+:\d+ /);
  });
});

test('splitModules finds each module after its mark and refuses them out of order', () => {
  expect(splitModules('// dlc:module 0\na\nb\n// dlc:module 1\nc\n', 'x')).toEqual(['a\nb', 'c\n']);
  expect(() => splitModules('// dlc:module 1\na\n', 'x')).toThrow('x: kernels.wgsl has module 1 out of order');
});

test('f16 bits round-trip and round to nearest even', () => {
  for (const bits of [0, 0x3c00, 0xbc00, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x3555]) expect(floatToHalf(halfToFloat(bits))).toBe(bits);
  expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
  expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00);
  expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
  expect(floatToHalf(70000)).toBe(0x7c00);
});
