import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeWasmArtifact } from '../codegen/artifact.js';
import { handWrittenProgram } from '../tests/util/hand-wasm.js';
import { dlc } from '../tests/util/run-cli.js';
import { readNpy, writeNpy } from '../api/npy.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The hand-written model: y = x + [1, 2, 3, 4], z = k * 3, b = k > 0.
const artifact = path.join(tmp, 'artifact');
const xFile = path.join(tmp, 'x.npy');
const kFile = path.join(tmp, 'k.npy');
beforeAll(async () => {
  writeWasmArtifact(artifact, await handWrittenProgram(), {});
  fs.writeFileSync(xFile, writeNpy({ dtype: 'f32', shape: [2, 2], data: new Float32Array([0.5, -1, 10, 0.25]) }));
  fs.writeFileSync(kFile, writeNpy({ dtype: 'i64', shape: [2], data: new BigInt64Array([7n, -2n]) }));
});

describe('dlc run', () => {
  test('runs on .npy inputs and prints each output', async () => {
    const r = await dlc('run', artifact, '--input', `x=${xFile}`, '--input', `k=${kFile}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [summary, ...lines] = r.stdout.split('\n');
    expect(summary).toMatch(new RegExp(`^ran ${artifact} on wasm \\(x: f32\\[2,2\\], k: i64\\[2\\]\\): loaded in [\\d.]+ ms, ran in [\\d.]+ ms \\(the first run\\)$`));
    expect(lines.join('\n')).toBe('y: f32[2,2] = [1.5, 1, 13, 4.25]\nz: i64[2] = [21, -6]\nb: bool[2] = [1, 0]\n');
  });

  test('--output writes one .npy file per output, --json reports them', async () => {
    const out = path.join(tmp, 'out');
    const r = await dlc('run', artifact, '--input', `x=${xFile}`, '--input', `k=${kFile}`, '--output', out, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.loadMs).toBeGreaterThan(0);
    expect(report.runMs).toBeGreaterThanOrEqual(0);
    expect({ ...report, loadMs: 0, runMs: 0 }).toEqual({
      target: 'wasm',
      inputs: [{ name: 'x', dtype: 'f32', shape: [2, 2] }, { name: 'k', dtype: 'i64', shape: [2] }],
      loadMs: 0,
      runMs: 0,
      outputs: [
        { name: 'y', dtype: 'f32', shape: [2, 2], head: [1.5, 1, 13, 4.25], file: path.join(out, 'y.npy') },
        { name: 'z', dtype: 'i64', shape: [2], head: ['21', '-6'], file: path.join(out, 'z.npy') },
        { name: 'b', dtype: 'bool', shape: [2], head: [1, 0], file: path.join(out, 'b.npy') },
      ],
    });
    expect(readNpy(fs.readFileSync(path.join(out, 'y.npy')), 'y.npy')).toEqual({ dtype: 'f32', shape: [2, 2], data: new Float32Array([1.5, 1, 13, 4.25]) });
    expect(readNpy(fs.readFileSync(path.join(out, 'z.npy')), 'z.npy').data).toEqual(new BigInt64Array([21n, -6n]));
  });

  test('--random fills the inputs not given, reproducibly per seed', async () => {
    const y = async (...extra: string[]) => {
      const r = await dlc('run', artifact, '--input', `k=${kFile}`, '--random', '--json', ...extra);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).outputs[0].head as number[];
    };
    const seeded = await y('--seed', '7');
    expect(await y('--seed', '7')).toEqual(seeded);
    expect(await y('--seed', '8')).not.toEqual(seeded);
    expect(await y()).toEqual(await y('--seed', '1'));
    // x is uniform in [0, 1), so y - w lies there too.
    seeded.forEach((v, i) => {
      expect(v - (i + 1)).toBeGreaterThanOrEqual(0);
      expect(v - (i + 1)).toBeLessThan(1);
    });
  });

  test('an integer input drawn at random is small', async () => {
    const r = await dlc('run', artifact, '--random', '--json');
    const z = JSON.parse(r.stdout).outputs[1].head.map(Number);
    for (const v of z) expect([0, 3, 6, 9]).toContain(v);
  });
});

describe('dlc run errors', () => {
  const f64File = path.join(tmp, 'x64.npy');
  const shapeFile = path.join(tmp, 'x4.npy');
  beforeAll(() => {
    fs.writeFileSync(f64File, writeNpy({ dtype: 'f64', shape: [2, 2], data: new Float64Array(4) }));
    fs.writeFileSync(shapeFile, writeNpy({ dtype: 'f32', shape: [4], data: new Float32Array(4) }));
  });

  test.each([
    [['--input', 'x=X'], 2, /^dlc: no value for input 'k' \(i64\[2\]\): give --input k=FILE\.npy or --random\n$/],
    [['--input', 'q=X', '--random'], 2, /^dlc: --input names 'q', which is not an input of the model \(inputs: x, k\)\n$/],
    [['--input', 'x'], 2, /^dlc: --input 'x' must look like name=file\.npy\n$/],
    [['--input', 'x=X', '--input', 'x=X'], 2, /^dlc: --input given twice for 'x'\n$/],
    [['--input', 'x=F64', '--random'], 1, /^dlc: .*x64\.npy: input 'x' is f32, the file holds f64\n$/],
    [['--input', 'x=SHAPE', '--random'], 1, /^dlc: .*x4\.npy: input 'x' has shape \[2,2\], the file holds \[4\]\n$/],
    [['--input', 'x=nowhere.npy', '--random'], 1, /^dlc: nowhere\.npy: cannot read input 'x': ENOENT\n$/],
    [['--seed', '3'], 2, /^dlc: --seed goes with --random\n$/],
    [['--random', '--seed', '-1'], 2, /^dlc: --seed takes an integer from 0 to 4294967295, got '-1'\n$/],
  ])('%j exits %d', async (args, code, message) => {
    const files: Record<string, string> = { X: xFile, F64: f64File, SHAPE: shapeFile };
    const r = await dlc('run', artifact, ...args.map((a) => a.replace(/=(X|F64|SHAPE)$/, (_m, k: string) => `=${files[k]}`)));
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });

  test('a missing or tampered artifact is refused in one line', async () => {
    const missing = await dlc('run', path.join(tmp, 'none'), '--random');
    expect(missing.stderr).toBe(`dlc: ${path.join(tmp, 'none')}: cannot read manifest.json: ENOENT\n`);
    expect(missing.code).toBe(1);

    const tampered = path.join(tmp, 'tampered');
    fs.cpSync(artifact, tampered, { recursive: true });
    const weights = fs.readFileSync(path.join(tampered, 'weights.bin'));
    weights[0] ^= 0x80;
    fs.writeFileSync(path.join(tampered, 'weights.bin'), weights);
    const r = await dlc('run', tampered, '--random');
    expect(r.stderr).toBe(`dlc: ${tampered}: weights.bin does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with\n`);
    expect(r.code).toBe(1);
  });
});
