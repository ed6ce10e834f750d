import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { handWrittenProgram } from '../tests/util/hand-wasm.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { buildWasmArtifact, DLC_VERSION, writeArtifactDir, writeWasmArtifact } from './artifact.js';
import { canonicalJson } from './canonical-json.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-artifact-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const OPTIONS = { optLevel: 2, inputShapes: { x: [2, 2] }, model: { name: 'm.onnx', sha256: 'ab'.repeat(32) } };

function readDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) out[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  return out;
}

describe('artifact writer', () => {
  test('writes manifest.json, weights.bin and model.wasm with a manifest listing their hashes', async () => {
    const program = await handWrittenProgram();
    const dir = path.join(tmp, 'a');
    writeWasmArtifact(dir, program, OPTIONS);
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'model.wasm', 'weights.bin']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const hashes = readDir(dir);
    expect(manifest).toEqual({
      format: 'dlc-artifact',
      formatVersion: 2,
      target: 'wasm',
      dlcVersion: DLC_VERSION,
      inputs: [
        { name: 'x', dtype: 'f32', shape: [2, 2], offset: 64 },
        { name: 'k', dtype: 'i64', shape: [2], offset: 96 },
      ],
      outputs: [
        { name: 'y', dtype: 'f32', shape: [2, 2], offset: 192 },
        { name: 'z', dtype: 'i64', shape: [2], offset: 224 },
        { name: 'b', dtype: 'bool', shape: [2], offset: 240 },
      ],
      memory: { bytes: 256, weightsOffset: 128, weightsBytes: 16 },
      kernels: 3,
      files: {
        // The module and its record of the manifest (codegen/program-record.test.ts).
        'model.wasm': { bytes: fs.statSync(path.join(dir, 'model.wasm')).size, sha256: hashes['model.wasm'] },
        'weights.bin': { bytes: 16, sha256: hashes['weights.bin'] },
      },
      options: OPTIONS,
    });
    // The sha-256 of the four f32 weights 1, 2, 3, 4 (little-endian), computed independently.
    expect(hashes['weights.bin']).toBe(createHash('sha256').update(Buffer.from('0000803f000000400000404000008040', 'hex')).digest('hex'));
  });

  test('records the specialized inputs (elements as the runtime arrays hold them), and nothing when there are none', async () => {
    const program = await handWrittenProgram();
    const manifestOf = (files: Map<string, Uint8Array>) => JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    expect(manifestOf(buildWasmArtifact(program, OPTIONS))).not.toHaveProperty('specialized');
    expect(manifestOf(buildWasmArtifact({ ...program, specialized: [] }, OPTIONS))).not.toHaveProperty('specialized');
    const specialized = [
      { name: 'shape', value: Tensor.fromArray('i64', [2], [3, -1]) },
      { name: 'scale', value: Tensor.fromArray('f16', [], [0.5]) },
      { name: 'limits', value: Tensor.fromArray('f32', [3], [Infinity, NaN, 0.25]) },
    ];
    const files = buildWasmArtifact({ ...program, specialized }, OPTIONS);
    expect(manifestOf(files).specialized).toEqual([
      { name: 'shape', dtype: 'i64', shape: [2], values: [3, -1] },
      { name: 'scale', dtype: 'f16', shape: [], values: [0x3800] },
      { name: 'limits', dtype: 'f32', shape: [3], values: ['Infinity', 'NaN', 0.25] },
    ]);
    expect(buildWasmArtifact({ ...program, specialized }, OPTIONS).get('manifest.json')).toEqual(files.get('manifest.json'));
  });

  test('identical input and options give byte-identical artifacts', async () => {
    const program = await handWrittenProgram();
    writeWasmArtifact(path.join(tmp, 'd1'), program, OPTIONS);
    writeWasmArtifact(path.join(tmp, 'd2'), program, { inputShapes: { x: [2, 2] }, model: OPTIONS.model, optLevel: 2 });
    expect(readDir(path.join(tmp, 'd2'))).toEqual(readDir(path.join(tmp, 'd1')));
    // Different options, different manifest.
    writeWasmArtifact(path.join(tmp, 'd3'), program, { ...OPTIONS, optLevel: 1 });
    expect(readDir(path.join(tmp, 'd3'))['manifest.json']).not.toBe(readDir(path.join(tmp, 'd1'))['manifest.json']);
  });

  test('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{\n  "a": [\n    {\n      "c": 3,\n      "d": 2\n    }\n  ],\n  "b": 1\n}');
  });

  test('replaces an existing artifact and leaves no temporary directory behind', async () => {
    const program = await handWrittenProgram();
    const dir = path.join(tmp, 'replace');
    writeWasmArtifact(dir, program, OPTIONS);
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'from an older compile');
    writeWasmArtifact(dir, program, { ...OPTIONS, optLevel: 3 });
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'model.wasm', 'weights.bin']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).options.optLevel).toBe(3);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('.replace'))).toEqual([]);
  });

  test('refuses to replace a file or a directory that is not an artifact', async () => {
    const program = await handWrittenProgram();
    const file = path.join(tmp, 'plain.txt');
    fs.writeFileSync(file, 'keep me');
    expect(() => writeWasmArtifact(file, program, OPTIONS)).toThrow(new DlcError(`${file} exists and is not a dlc artifact directory; refusing to replace it`));
    const dir = path.join(tmp, 'home');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
    expect(() => writeWasmArtifact(dir, program, OPTIONS)).toThrow(/is not a dlc artifact directory/);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  test('a failed write leaves neither a half-written artifact nor the temporary directory', () => {
    const dir = path.join(tmp, 'failing');
    // A file name that cannot be created (a directory separator inside) makes the write fail halfway.
    const files = new Map([['weights.bin', new Uint8Array(4)], ['no/such/dir', new Uint8Array(1)]]);
    expect(() => writeArtifactDir(dir, files)).toThrow(/^cannot write artifact .*failing: ENOENT$/);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('.failing'))).toEqual([]);
  });

  test('a layout that disagrees with the weights is a code generator bug', async () => {
    const program = await handWrittenProgram();
    expect(() => buildWasmArtifact({ ...program, weights: new Uint8Array(8) }, {})).toThrow('code generator bug: 8 bytes of weights, the layout says 16');
  });

  test('DLC_VERSION is the package version', () => {
    expect(DLC_VERSION).toBe(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });
});
