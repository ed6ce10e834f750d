// Threaded modules (compile option threads > 1) compute what the one-thread module computes, bit for bit: each
// split kernel gives every thread whole row tiles, column panels, channels, planes or vectors, so every element
// is computed by the same code in the same order. One small model holds every kernel that splits (im2col and
// implicit-GEMM and Winograd conv, depthwise, pointwise, max/average/global pools, element-wise plain and broadcast, Gemm with
// and without α, resize, concat, softmax) and one that runs on thread 0 (conv_transpose); its last Gemm has
// 3 columns and one row, fewer work items than threads. threads-rows.test.ts covers the movement, normalization
// and reduction kernels.
import { compile, generateProgram, type Artifact } from '../../../api/compile.js';
import { loadInMemory } from '../../../api/session.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { encodeOnnxModel, type OnnxNodeSpec } from '../../../compiler/onnx/writer.js';
import { seededRandom } from '../../../compiler/random.js';
import type { Session } from '../../../runtime/index.js';

const rand = seededRandom(5);
const initializers: { name: string; tensor: Tensor }[] = [];
const weight = (name: string, shape: number[], scale = 0.3) => {
  const n = shape.reduce((a, b) => a * b, 1);
  initializers.push({ name, tensor: Tensor.fromArray('f32', shape, Array.from({ length: n }, () => (rand() * 2 - 1) * scale)) });
  return name;
};
const nodes: OnnxNodeSpec[] = [];
const op = (op: string, inputs: string[], attrs: OnnxNodeSpec['attrs'] = {}, out = `${op.toLowerCase()}${nodes.length}`) => {
  nodes.push({ op, inputs, outputs: [out], attrs });
  return out;
};
const conv = (x: string, cin: number, cout: number, k: number, attrs: Record<string, number | number[]> = {}) =>
  op('Conv', [x, weight(`w${nodes.length}`, [cout, cin / ((attrs.group as number) ?? 1), k, k]), weight(`b${nodes.length}`, [cout])], { kernel_shape: [k, k], ...attrs });

const strided = op('Relu', [conv('x', 3, 16, 3, { strides: [2, 2], pads: [1, 1, 1, 1] })]);
// 16 channels in and out: Winograd by default.
const padded = conv(strided, 16, 16, 3, { pads: [1, 1, 1, 1] });
// 8 channels out: implicit GEMM.
const implicit = conv(padded, 16, 8, 3, { pads: [1, 1, 1, 1] });
const depthwise = op('Clip', [conv(implicit, 8, 8, 3, { group: 8, pads: [1, 1, 1, 1] }), 'zero', 'six']);
const gate = op('Sigmoid', [op('Mul', ['y', 'three'])]);
const pointwise = op('Add', [conv(depthwise, 8, 16, 1), gate]);
const shifted = op('Add', [pointwise, weight('shift', [1, 16, 1, 1])], {}, 'shifted');
const maxPool = op('MaxPool', [shifted], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
const avgPool = op('AveragePool', [maxPool], { kernel_shape: [2, 2], strides: [2, 2] });
const upsampled = op('Resize', [avgPool, '', 'scales'], { mode: 'nearest' }, 'upsampled');
const flat = op('Flatten', [op('GlobalAveragePool', [maxPool])]);
const hidden = op('Gemm', [flat, weight('fc1', [40, 16]), weight('fc1b', [40])], { transB: 1, alpha: { float: 0.5 } });
op('Softmax', [op('Gemm', [hidden, weight('fc2', [3, 40]), weight('fc2b', [3])], { transB: 1 })], { axis: 1 }, 'probs');
op('Concat', [op('ConvTranspose', [avgPool, weight('wt', [16, 4, 2, 2]), weight('bt', [4])], { kernel_shape: [2, 2], strides: [2, 2] }), upsampled], { axis: 1 }, 'joined');
initializers.push(
  { name: 'zero', tensor: Tensor.fromArray('f32', [], [0]) },
  { name: 'six', tensor: Tensor.fromArray('f32', [], [6]) },
  { name: 'three', tensor: Tensor.fromArray('f32', [], [3]) },
  { name: 'scales', tensor: Tensor.fromArray('f32', [4], [1, 1, 2, 2]) },
);
const MODEL = encodeOnnxModel({
  opset: 17,
  inputs: [{ name: 'x', dtype: 'f32', shape: [1, 3, 64, 64] }, { name: 'y', dtype: 'f32', shape: [1, 16, 32, 32] }],
  outputs: [
    { name: 'probs', dtype: 'f32', shape: [1, 3] },
    { name: 'shifted', dtype: 'f32', shape: [1, 16, 32, 32] },
    { name: 'joined', dtype: 'f32', shape: [1, 20, 16, 16] },
  ],
  nodes,
  initializers,
});

const inMemory = (artifact: Artifact, threads?: number): Promise<Session> => loadInMemory(artifact, 'mem', undefined, threads);

const feeds = {
  x: Float32Array.from({ length: 3 * 64 * 64 }, () => rand() * 2 - 1),
  y: Float32Array.from({ length: 16 * 32 * 32 }, () => rand() * 2 - 1),
};
let one: Artifact;
let threaded: Artifact;

beforeAll(async () => {
  [one, threaded] = [await compile(MODEL, { target: 'wasm' }), await compile(MODEL, { target: 'wasm', threads: 3, minSplitFlops: 0 })];
});

test('the threaded module splits the heavy kernels and leaves the others to thread 0', () => {
  if (threaded.target !== 'wasm' || one.target !== 'wasm') throw new Error('wasm artifacts expected');
  expect(threaded.manifest.memory.threads).toBe(3);
  expect(threaded.manifest.options.threads).toBe(3);
  expect(one.manifest.memory.threads).toBeUndefined();
  const generated = generateProgram(MODEL, { target: 'wasm', threads: 3, minSplitFlops: 0 });
  if (generated.target !== 'wasm') throw new Error('wasm program expected');
  const { source } = generated.program;
  const kernels = generated.program.signature.kernels.map((k) => k.node);
  const isSplit = (i: number) => new RegExp(`function k${i}\\(tid: i32, nthreads: i32\\)`).test(source);
  const serial = kernels.filter((_, i) => !isSplit(i)).map((n) => n.replace(/_\d+$/, ''));
  expect(serial.sort()).toEqual(['ConvTranspose']);
  expect(kernels.filter((_, i) => isSplit(i)).length).toBeGreaterThanOrEqual(10);
  expect(source).toMatch(/gemm_\w+_mt\(/);
  // Winograd's blocks of tiles are split (threadShare names them blk).
  expect(source).toMatch(/blkLo/);
});

test('by default a kernel too small to pay for waking threads runs on thread 0', () => {
  const generated = generateProgram(MODEL, { target: 'wasm', threads: 3 });
  if (generated.target !== 'wasm') throw new Error('wasm program expected');
  const { source, signature } = generated.program;
  const split = signature.kernels.map((k) => k.node).filter((_, i) => new RegExp(`function k${i}\\(tid: i32, nthreads: i32\\)`).test(source));
  // The 16-channel Winograd conv (2.4 M multiply-adds) splits; the Gemms (1,280 and 240 multiply-adds) do not.
  expect(split.some((n) => n.startsWith('Conv'))).toBe(true);
  expect(split.filter((n) => n.startsWith('Gemm'))).toEqual([]);
});

test.each([1, 2, 3])('on %i thread(s) every output equals the one-thread module bit for bit', async (threads) => {
  const [a, b] = [await inMemory(one), await inMemory(threaded, threads)];
  try {
    const [want, got] = [await a.run(feeds), await b.run(feeds)];
    for (const name of ['probs', 'shifted', 'joined']) {
      expect([name, Buffer.from(got[name].buffer).equals(Buffer.from(want[name].buffer))]).toEqual([name, true]);
    }
    // A second run over the memory the first left behind gives the same again.
    expect((await b.run(feeds)).joined).toEqual(want.joined);
  } finally {
    await a.release();
    await b.release();
  }
});
