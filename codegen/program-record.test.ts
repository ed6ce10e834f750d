import { createHash } from 'node:crypto';
import { handWrittenProgram } from '../tests/util/hand-wasm.js';
import { canonical, wasmRecord, wgslRecord } from '../runtime/program-record.js';
import { buildWasmArtifact } from './artifact.js';
import { programRecord, withWasmRecord, withWgslRecord } from './program-record.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('canonical JSON sorts keys at every level and has no spaces', () => {
  expect(canonical({ b: [1, { d: 'x', c: null }], a: true })).toBe('{"a":true,"b":[1,{"c":null,"d":"x"}]}');
});

test("the record hashes each recorded field of the manifest as written (specialized absent: none; dependencies absent: null)", () => {
  const manifest = { target: 'wasm' as const, inputs: [{ shape: [2], name: 'x' }], outputs: [], memory: { bytes: 8, weightsOffset: 0, weightsBytes: 0 }, files: {} };
  expect(JSON.parse(programRecord(manifest))).toEqual({
    inputs: sha256('[{"name":"x","shape":[2]}]'),
    outputs: sha256('[]'),
    memory: sha256('{"bytes":8,"weightsBytes":0,"weightsOffset":0}'),
    specialized: sha256('[]'),
    dependencies: sha256('null'),
  });
});

test('model.wasm holds the record in one custom section; writing it again replaces it, and the module still compiles', async () => {
  const { wasm } = await handWrittenProgram();
  const once = withWasmRecord(wasm, '{"a":"1"}');
  const twice = withWasmRecord(once, '{"b":"2"}');
  expect(twice.length).toBe(once.length);
  expect(WebAssembly.Module.customSections(new WebAssembly.Module(twice), 'dlc')).toHaveLength(1);
  expect(wasmRecord(new WebAssembly.Module(twice))).toBe('{"b":"2"}');
  expect(twice.subarray(0, wasm.length)).toEqual(wasm);
});

test('an artifact written from a module that already has a record (update-weights) is byte-identical', async () => {
  const program = await handWrittenProgram();
  const first = buildWasmArtifact(program, {});
  const again = buildWasmArtifact({ ...program, wasm: first.get('model.wasm')! }, {});
  expect(again.get('model.wasm')).toEqual(first.get('model.wasm'));
  expect(again.get('manifest.json')).toEqual(first.get('manifest.json'));
});

test('kernels.wgsl holds the record on its first line', () => {
  expect(wgslRecord(withWgslRecord('// dlc:module 0\nfn main() {}\n', '{"a":"1"}'))).toBe('{"a":"1"}');
  expect(wgslRecord('// dlc:module 0\n')).toBeUndefined();
});
