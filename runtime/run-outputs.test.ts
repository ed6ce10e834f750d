// Session.run's options and runTensors on wasm, and loading a bundle (FILE.dlc).
import { jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWasmArtifact, writeArtifactBundle, writeArtifactDir } from '../codegen/artifact.js';
import { compileToWasm } from '../codegen/wasm/program.js';
import { Tensor as IrTensor } from '../compiler/ir/tensor.js';
import { buildGraph } from '../tests/util/graphs.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { packBundle } from './bundle.js';
import { DlcRuntimeError, loadModel, type Tensor } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-run-outputs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Two independent branches: y = relu(x + w) (two kernels or one fused), z = k · 3. */
let files: Map<string, Uint8Array>;
beforeAll(async () => {
  const graph = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 2] }, k: { dtype: 'i32', shape: [3] } },
    build: (b, { x, k }) => [
      b.emit('relu', [b.emit('add', [x, b.constant(IrTensor.fromArray('f32', [2, 2], [1, 2, 3, 4]))])[0]])[0],
      b.emit('mul', [k, b.constant(IrTensor.scalar('i32', 3))])[0],
    ],
  });
  files = buildWasmArtifact(await compileToWasm(graph), {});
}, 60000);

const feeds = () => ({ x: new Float32Array([0.5, -3, 10, 0]), k: new Int32Array([7, -2, 1]) });

describe('run(feeds, { outputs })', () => {
  test('returns only the outputs asked for and runs only their kernels', async () => {
    let memory: WebAssembly.Memory | undefined;
    const instantiate = WebAssembly.instantiate;
    const spy = jest.spyOn(WebAssembly, 'instantiate').mockImplementation((async (m: WebAssembly.Module, i: WebAssembly.Imports) => {
      const instance = await instantiate(m, i);
      memory = instance.exports.memory as WebAssembly.Memory;
      return instance;
    }) as typeof WebAssembly.instantiate);
    const session = await loadModel(files);
    spy.mockRestore();
    const [y, z] = session.outputs.map((o) => o.name);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    const zBytes = () => new Int32Array(memory!.buffer.slice(manifest.outputs[1].offset, manifest.outputs[1].offset + 12));

    const only = await session.run(feeds(), { outputs: [y] });
    expect(Object.keys(only)).toEqual([y]);
    expect(only[y]).toEqual(new Float32Array([1.5, 0, 13, 4]));
    // z's kernel did not run: its slot still holds the zeros of a fresh memory.
    expect(zBytes()).toEqual(new Int32Array(3));
    expect((await session.run(feeds(), { outputs: [z] }))[z]).toEqual(new Int32Array([21, -6, 3]));
    expect(zBytes()).toEqual(new Int32Array([21, -6, 3]));
    expect(Object.keys(await session.run(feeds()))).toEqual([y, z]);
  });

  test('an unknown output is refused in one line', async () => {
    const session = await loadModel(files);
    await expect(session.run(feeds(), { outputs: ['nope'] })).rejects.toThrow(new DlcRuntimeError(`unknown output 'nope' (outputs: ${session.outputs.map((o) => o.name).join(', ')})`));
  });

  test('the manifest records each kernel’s dependencies, and an edited record is refused', async () => {
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    expect(manifest.dependencies.steps).toHaveLength(manifest.kernels);
    expect(manifest.dependencies.outputs.map((o: number[]) => o.length)).toEqual([1, 1]);
    const edited = new Map(files);
    manifest.dependencies.outputs[1] = [];
    edited.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    await expect(loadModel(edited)).rejects.toThrow("manifest.json's 'dependencies' is not what model.wasm was compiled for: the manifest was edited");
  });
});

test('runOnGpu and GPUBuffer feeds need a webgpu artifact', async () => {
  const session = await loadModel(files);
  await expect(session.runOnGpu(feeds())).rejects.toThrow(new DlcRuntimeError('runOnGpu() needs a webgpu artifact'));
  const x = (await nodeGpuDevice()).createBuffer({ size: 16, usage: 0x80 });
  await expect(session.run({ ...feeds(), x })).rejects.toThrow(new DlcRuntimeError("input 'x' (f32[2,2]) must be a Float32Array, got GPUBuffer"));
});

describe('runTensors', () => {
  test('gives dtype and dims with each output; checking dtype types data without a cast', async () => {
    const session = await loadModel(files);
    const out = await session.runTensors(feeds());
    const [y, z] = session.outputs.map((o) => o.name);
    expect(out[y]).toEqual({ dtype: 'f32', dims: [2, 2], data: new Float32Array([1.5, 0, 13, 4]) });
    const t: Tensor = out[z];
    if (t.dtype !== 'i32') throw new Error('expected i32');
    const data: Int32Array = t.data;
    expect(Array.from(data)).toEqual([21, -6, 3]);
    expect(Object.keys(await session.runTensors(feeds(), { outputs: [z] }))).toEqual([z]);
  });
});

describe('bundles', () => {
  test('loadModel reads a .dlc file written by writeArtifactBundle, and its bytes', async () => {
    const file = path.join(tmp, 'model.dlc');
    writeArtifactBundle(file, files);
    // Replacing a bundle is allowed; anything else is not.
    writeArtifactBundle(file, files);
    for (const from of [file, new Uint8Array(fs.readFileSync(file))]) {
      const session = await loadModel(from);
      expect((await session.run(feeds()))[session.outputs[1].name]).toEqual(new Int32Array([21, -6, 3]));
    }
    fs.writeFileSync(path.join(tmp, 'other.dlc'), 'not a bundle');
    expect(() => writeArtifactBundle(path.join(tmp, 'other.dlc'), files)).toThrow('exists and is not a dlc bundle; refusing to replace it');
    expect(() => writeArtifactBundle(path.join(tmp, 'model.bin'), files)).toThrow("a bundle's name must end in .dlc");
  });

  test('a damaged bundle is refused in one line', async () => {
    const bytes = packBundle(files);
    await expect(loadModel(bytes.subarray(0, bytes.length - 10))).rejects.toThrow(new DlcRuntimeError('bundle: not a dlc bundle: manifest.json runs past its end'));
    await expect(loadModel(new Uint8Array(16))).rejects.toThrow(new DlcRuntimeError('bundle: not a dlc bundle: it does not start with DLC1'));
    // A byte of the first file after the list (model.wasm) flipped.
    const tampered = bytes.slice();
    tampered[8 + new DataView(bytes.buffer).getUint32(4, true) + 20] ^= 1;
    await expect(loadModel(tampered)).rejects.toThrow('does not match the sha-256 in manifest.json');
  });

  test('a directory artifact and its bundle hold the same files', () => {
    const dir = path.join(tmp, 'dir');
    writeArtifactDir(dir, files);
    const names = fs.readdirSync(dir).sort();
    expect(names).toEqual([...files.keys()].sort());
  });
});
