import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { DEFAULT_OPT_LEVEL, optPipelineText } from '../passes/pipelines.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { dlc } from '../tests/util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-compile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) out[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  return out;
}

describe('dlc compile --target wasm', () => {
  test('writes the artifact and prints a summary', async () => {
    const dir = path.join(tmp, 'tiny');
    const r = await dlc('compile', TINY_CNN, '--target', 'wasm', '-o', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^compiled ${TINY_CNN} for wasm into ${dir}: \\d+ kernels; model\\.wasm [\\d.]+ KiB, weights\\.bin [\\d.]+ KiB, linear memory [\\d.]+ KiB; inputs image: f32\\[1,3,32,32\\]; outputs probs: f32\\[1,10\\]\\.\\n$`),
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['manifest.json', 'model.wasm', 'weights.bin']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'dlc-artifact',
      target: 'wasm',
      inputs: [{ name: 'image', dtype: 'f32', shape: [1, 3, 32, 32] }],
      outputs: [{ name: 'probs', dtype: 'f32', shape: [1, 10] }],
      options: {
        target: 'wasm',
        pipeline: optPipelineText(DEFAULT_OPT_LEVEL),
        inputShapes: {},
        model: { name: 'tiny-cnn.onnx', sha256: createHash('sha256').update(fs.readFileSync(TINY_CNN)).digest('hex') },
      },
    });
    expect(manifest.memory.weightsBytes).toBe(fs.statSync(path.join(dir, 'weights.bin')).size);
    expect(manifest.kernels).toBeGreaterThan(1);
  });

  test('compiling twice gives byte-identical artifacts', async () => {
    const a = path.join(tmp, 'twice-a');
    const b = path.join(tmp, 'twice-b');
    expect((await dlc('compile', TINY_CNN, '-o', a, '-O2')).code).toBe(0);
    expect((await dlc('compile', TINY_CNN, '-o', b, '-O2')).code).toBe(0);
    expect(hashes(b)).toEqual(hashes(a));
  });

  test('the artifact runs with dlc run', async () => {
    const dir = path.join(tmp, 'tiny-run');
    expect((await dlc('compile', TINY_CNN, '-o', dir)).code).toBe(0);
    const r = await dlc('run', dir, '--random', '--json');
    expect(r.stderr).toBe('');
    const [probs] = JSON.parse(r.stdout).outputs;
    expect(probs).toMatchObject({ name: 'probs', dtype: 'f32', shape: [1, 10] });
    // A softmax: eight shown values, each a probability.
    expect(probs.head).toHaveLength(8);
    for (const p of probs.head) expect(p).toBeGreaterThan(0);
  });

  test('--bundle writes the artifact as one .dlc file that loadModel reads', async () => {
    const file = path.join(tmp, 'tiny.dlc');
    const r = await dlc('compile', TINY_CNN, '--bundle', file);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^compiled ${TINY_CNN} for wasm into ${file}: `));
    const { loadModel } = await import('../runtime/index.js');
    const session = await loadModel(file);
    const out = await session.run({ image: new Float32Array(3 * 32 * 32) });
    expect(out.probs).toHaveLength(10);
  });

  test.each([
    [['--precision', 'f16', '-o', 'OUT'], 2, /^dlc: --precision applies to --target webgpu\n$/],
    [['--target', 'cuda', '-o', 'OUT'], 2, /^dlc: option '--target <target>' argument 'cuda' is invalid\. Allowed choices are wasm, webgpu\.\n$/],
    [[], 2, /^dlc: give -o DIR, --bundle FILE\.dlc, or both\n$/],
    [['--bundle', 'OUT'], 2, /^dlc: .*never: a bundle's name must end in \.dlc\n$/],
    [['-o', 'OUT', '--input-shape', 'pixels=1,3,8,8'], 2, /^dlc: .*tiny-cnn\.onnx: --input-shape names 'pixels', which is not an input of the model \(inputs: image\)\n$/],
    [['-o', 'OUT', '-O9'], 2, /^dlc: unknown optimization level -O9/],
  ])('%j exits %d', async (args, code, message) => {
    const r = await dlc('compile', TINY_CNN, ...args.map((a) => (a === 'OUT' ? path.join(tmp, 'never') : a)));
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  test('refuses to replace a directory that is not an artifact', async () => {
    const dir = path.join(tmp, 'precious');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'thesis.tex'), 'keep me');
    const r = await dlc('compile', TINY_CNN, '-o', dir);
    expect(r.stderr).toBe(`dlc: ${dir} exists and is not a dlc artifact directory; refusing to replace it\n`);
    expect(r.code).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['thesis.tex']);
  });

  test('a missing model is one line', async () => {
    const r = await dlc('compile', path.join(tmp, 'none.onnx'), '-o', path.join(tmp, 'x'));
    expect(r.stderr).toBe(`dlc: ${path.join(tmp, 'none.onnx')}: cannot read model: ENOENT\n`);
    expect(r.code).toBe(1);
  });

  test.each([
    [['--threads', '0'], "dlc: --threads takes an integer from 1 to 64, got '0'\n"],
    [['--threads', 'two'], "dlc: --threads takes an integer from 1 to 64, got 'two'\n"],
    [['--threads', '2', '--target', 'webgpu'], 'dlc: --threads applies to --target wasm\n'],
  ])('%j is a usage error, in one line', async (flags, message) => {
    const r = await dlc('compile', TINY_CNN, ...flags, '-o', path.join(tmp, 'never'));
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(2);
  });
});

describe('dlc compile: model errors', () => {
  for (const target of ['wasm', 'webgpu']) {
    test(`${target}: an error raised in lowering starts with the file, then the node and op`, async () => {
      const file = path.join(tmp, 'pad-wrap.onnx');
      const model = encodeOnnxModel({
        inputs: [{ name: 'x', dtype: 'f32', shape: [2, 5] }],
        outputs: [{ name: 'y', dtype: 'f32', shape: [2, 7] }],
        nodes: [{ op: 'Pad', name: 'pad', inputs: ['x', 'pads'], outputs: ['y'], attrs: { mode: 'wrap' } }],
        initializers: [{ name: 'pads', tensor: Tensor.fromArray('i64', [4], [0, 1, 0, 1]) }],
      });
      fs.writeFileSync(file, model);
      const r = await dlc('compile', file, '--target', target, '-o', path.join(tmp, 'never'));
      expect(r.stderr).toBe(`dlc: ${file}, node 'pad', op pad: op pad is not supported by the ${target} target: pad mode 'wrap'\n`);
      expect(r.code).toBe(1);
      expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
    });
  }
});
