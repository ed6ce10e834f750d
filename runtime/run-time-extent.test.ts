// Outputs whose size depends on data through the runtime itself (loadModel on artifact files): the manifest
// records the extent word, run() trims the output to it, runTensors reports the actual dims, and a manifest
// whose extent lies outside the output's memory is refused.
import { buildWasmArtifact } from '../codegen/artifact.js';
import { compileToWasm } from '../codegen/wasm/program.js';
import { buildGraph } from '../tests/util/graphs.js';
import { actualShape, dimsOf } from './run-time-extent.js';
import { DlcRuntimeError, loadModel } from './index.js';

let files: Map<string, Uint8Array>;
beforeAll(async () => {
  const graph = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, 3] } },
    build: (b, { x }) => [b.emit('non_zero', [x])[0]],
  });
  files = buildWasmArtifact(await compileToWasm(graph), {});
}, 60000);

const manifestOf = (f: Map<string, Uint8Array>) => JSON.parse(new TextDecoder().decode(f.get('manifest.json')));

test('the manifest records the run-time dim, the bound in the shape and where the extent word lies', () => {
  const [out] = manifestOf(files).outputs;
  expect(out.shape).toEqual([2, 6]);
  expect(out.extent).toEqual({ dim: 1, offset: out.offset + 2 * 6 * 8 });
});

test('run() returns the elements of the actual shape, runTensors its dims, zero rows included', async () => {
  const session = await loadModel(files);
  const name = session.outputs[0].name;
  expect(session.outputs[0].runTimeDim).toBe(1);
  const some = await session.runTensors({ x: new Float32Array([0, 1.5, 0, -2, 0, 3]) });
  expect(some[name].dims).toEqual([2, 3]);
  expect(some[name].data).toEqual(new BigInt64Array([0n, 1n, 1n, 1n, 0n, 2n]));
  const none = await session.runTensors({ x: new Float32Array(6) });
  expect(none[name].dims).toEqual([2, 0]);
  expect(none[name].data).toEqual(new BigInt64Array(0));
});

test('a manifest whose extent word lies outside the memory is refused', async () => {
  const manifest = manifestOf(files);
  manifest.outputs[0].extent.offset = manifest.memory.bytes;
  const bad = new Map(files).set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  await expect(loadModel(bad)).rejects.toThrow(DlcRuntimeError);
  await expect(loadModel(bad)).rejects.toThrow(/extent/);
});

test('the actual shape keeps the extent within the bound; dims follow from the element count', () => {
  expect(actualShape([2, 6], { dim: 1, offset: 0 }, 3)).toEqual([2, 3]);
  expect(actualShape([2, 6], { dim: 1, offset: 0 }, 99)).toEqual([2, 6]);
  expect(actualShape([2, 6], { dim: 1, offset: 0 }, -1)).toEqual([2, 0]);
  expect(dimsOf([4, 3], 0, 6)).toEqual([2, 3]);
  expect(dimsOf([4, 3], undefined, 6)).toEqual([4, 3]);
});
