// One artifact for a range of input sizes (`--dim`), on real models: PP-OCRv4 rec over text-line widths and
// det over page sizes, each run at several sizes in one session and matched against onnxruntime-node at each.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareTensors } from '../compiler/compare.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { loadModel } from '../runtime/index.js';
import { REAL_MODELS } from '../tests/models/real-models.js';
import { runOnnxruntime } from '../tests/util/ort.js';
import { TOLERANCE } from '../tests/util/wasm-testing.js';
import { randomTensor } from '../tests/util/graphs.js';
import { errorOf } from '../tests/util/errors.js';
import { dlc } from '../tests/util/run-cli.js';
import { compile, generateProgram } from './compile.js';
import type { DimRange } from '../codegen/shape-generic/dim-ranges.js';

const file = (name: string) => REAL_MODELS.find((m) => m.name === name)!.file;

async function matchesOrtAtSizes(model: string, shape: (number | string)[], dims: DimRange[], sizes: Record<string, number>[]): Promise<void> {
  const artifact = await compile(model, { target: 'wasm', symbolicShapes: { x: shape }, dims });
  expect(artifact.target === 'wasm' && artifact.manifest.dims).toEqual(dims);
  const session = await loadModel(artifact.files);
  for (const [i, size] of sizes.entries()) {
    const concrete = shape.map((d) => (typeof d === 'number' ? d : size[d]));
    const x = randomTensor('f32', concrete, 11 + i);
    const want = await runOnnxruntime(model, { x });
    const got = await session.runTensors({ x: x.data as Float32Array }, { dims: size });
    for (const [name, w] of Object.entries(want)) {
      const t = got[name];
      const d = compareTensors(new Tensor('f32', t.dims, t.data as Float32Array), w, TOLERANCE);
      expect({ size, output: name, mismatch: d.mismatch }).toEqual({ size, output: name, mismatch: undefined });
    }
  }
  await session.release();
}

describe('shape-generic artifacts', () => {
  test('PP-OCRv4 rec, one artifact for widths 160..960, matches onnxruntime at three widths', async () => {
    await matchesOrtAtSizes(file('ppocrv4-rec'), [1, 3, 48, 'W'], [{ name: 'W', min: 160, max: 960, step: 32 }], [{ W: 160 }, { W: 416 }, { W: 960 }]);
  }, 300_000);

  test('PP-OCRv4 det, one artifact for pages 64..960 × 64..960, matches onnxruntime at three sizes', async () => {
    const range = (name: string) => ({ name, min: 64, max: 960, step: 32 });
    await matchesOrtAtSizes(file('ppocrv4-det'), [1, 3, 'H', 'W'], [range('H'), range('W')], [{ H: 64, W: 960 }, { H: 544, W: 320 }, { H: 960, W: 960 }]);
  }, 300_000);

  test('det at 32 × 32 has other kernels than at 960 × 960: the range is refused, naming the first', () => {
    const range = (name: string) => ({ name, min: 32, max: 960, step: 32 });
    expect(errorOf(() => generateProgram(file('ppocrv4-det'), { target: 'wasm', symbolicShapes: { x: [1, 3, 'H', 'W'] }, dims: [range('H'), range('W')] })).message).toMatch(
      /the program has other kernels at 32×32 than at 960×960 \(.*\): not shape-generic; narrow the dims' ranges$/,
    );
  }, 300_000);
});

describe('shape-generic errors', () => {
  const rec = file('ppocrv4-rec');
  test('a run names its dims, inside their ranges, and a fixed-shape artifact takes none', async () => {
    const cls = file('ppocr-cls');
    const session = await loadModel((await compile(cls, { target: 'wasm', symbolicShapes: { x: [1, 3, 48, 'W'] }, dims: [{ name: 'W', min: 96, max: 480, step: 32 }] })).files);
    const x = new Float32Array(3 * 48 * 100);
    await expect(session.run({ x })).rejects.toThrow('the model was compiled for a range of shapes: give the dims W');
    await expect(session.run({ x }, { dims: { W: 100 } })).rejects.toThrow('dim W = 100 is outside the compiled range 96..480 in steps of 32');
    await expect(session.run({ x }, { dims: { W: 96 } })).rejects.toThrow("input 'x' (f32[1,3,48,96]) needs 13824 elements, got 14400");
    expect(Object.keys(await session.run({ x: new Float32Array(3 * 48 * 96) }, { dims: { W: 96 } }))).toEqual(['softmax_0.tmp_0']);
    const fixed = await loadModel((await compile(cls, { target: 'wasm', inputShapes: { x: [1, 3, 48, 192] } })).files);
    await expect(fixed.run({ x: new Float32Array(3 * 48 * 192) }, { dims: { W: 192 } })).rejects.toThrow('dims apply to an artifact compiled for a range of shapes');
  }, 120_000);

  test('what cannot be shape-generic is refused in one line', () => {
    const dims = [{ name: 'W', min: 160, max: 960, step: 32 }];
    expect(errorOf(() => generateProgram(rec, { target: 'webgpu', symbolicShapes: { x: [1, 3, 48, 'W'] }, dims })).message).toBe('symbolic dims (--dim) are compiled for --target wasm only');
    expect(errorOf(() => generateProgram(rec, { target: 'wasm', symbolicShapes: { x: [1, 3, 48, 'H'] }, dims })).message).toBe('--dim W: no --input-shape uses it');
  });
});

describe('dlc compile --dim', () => {
  test('writes a shape-generic artifact, and a dim without a range is one usage line', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-dim-'));
    const cls = file('ppocr-cls');
    const ok = await dlc('compile', cls, '--input-shape', 'x=1,3,48,W', '--dim', 'W=96..480/32', '-o', path.join(tmp, 'cls'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/; inputs x: f32\[1,3,48,W\]; outputs softmax_0\.tmp_0: f32\[1,2\]; for every shape with W 96\.\.480\/32\.\n$/);
    const inspect = await dlc('inspect', path.join(tmp, 'cls'));
    expect(inspect.stdout).toContain('dims: W 96..480/32 (one artifact for every shape of the ranges: run(feeds, { dims }))');
    const run = await dlc('run', path.join(tmp, 'cls'), '--random', '--dims', 'W=192', '--json');
    expect(JSON.parse(run.stdout).inputs).toEqual([{ name: 'x', dtype: 'f32', shape: [1, 3, 48, 192] }]);
    const runWithout = await dlc('run', path.join(tmp, 'cls'), '--random');
    expect(runWithout.stderr).toBe(`dlc: ${path.join(tmp, 'cls')} is compiled for a range of shapes: give --dims W=480\n`);
    const manifest = JSON.parse(fs.readFileSync(path.join(tmp, 'cls', 'manifest.json'), 'utf8'));
    expect(manifest.dims).toEqual([{ name: 'W', min: 96, max: 480, step: 32 }]);
    expect(manifest.inputs[0].symbolicShape).toEqual([1, 3, 48, { terms: [{ coefficient: 1, powers: [1] }] }]);
    // dlc bench runs it at the dims given, beside onnxruntime-web at that shape.
    const bench = await dlc('bench', path.join(tmp, 'cls'), '--dims', 'W=192', '--runs', '2', '--warmup', '1', '--peer-model', cls, '--json');
    expect(bench.code).toBe(0);
    const report = JSON.parse(bench.stdout);
    expect(report.inputs).toEqual([{ name: 'x', dtype: 'f32', shape: [1, 3, 48, 192] }]);
    expect(report.speedup).toBeGreaterThan(0);
    const noDims = await dlc('bench', path.join(tmp, 'cls'), '--runs', '1');
    expect(noDims.stderr).toBe(`dlc: ${path.join(tmp, 'cls')} is compiled for a range of shapes: give --dims W=480\n`);
    const outside = await dlc('bench', path.join(tmp, 'cls'), '--dims', 'W=100', '--runs', '1');
    expect(outside.stderr).toBe('dlc: dim W = 100 is outside the compiled range 96..480 in steps of 32\n');
    const bad = await dlc('compile', cls, '--input-shape', 'x=1,3,48,W', '-o', path.join(tmp, 'never'));
    expect(bad.stderr).toBe("dlc: --input-shape 'x=1,3,48,W': dims must be non-negative integers separated by commas (a symbolic dim needs its range: dlc compile --dim NAME=MIN..MAX/STEP)\n");
    expect(bad.code).toBe(2);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 120_000);
});
