// Threaded modules split the movement, normalization, softmax and reduction kernels by whole rows, planes or
// byte ranges (threads.ts sharedNest, sharedLoop, threadShare), element-wise kernels by the flat index of their
// leading dims, and a matmul of few rows by column panels:
// every output must equal the one-thread module's bit for bit on 1, 2 and 3 threads, and every one of these
// kernels must split. The shapes are small and odd-sized, so that thread shares are ragged and some outer
// dims are smaller than the thread count.
import { compile, generateProgram, type Artifact } from '../../../api/compile.js';
import { loadInMemory } from '../../../api/session.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { encodeOnnxModel, type OnnxNodeSpec } from '../../../compiler/onnx/writer.js';
import { seededRandom } from '../../../compiler/random.js';

const rand = seededRandom(11);
const initializers: { name: string; tensor: Tensor }[] = [];
const constant = (name: string, dtype: 'f32' | 'i64', shape: number[], values: number[]) => {
  initializers.push({ name, tensor: Tensor.fromArray(dtype, shape, values) });
  return name;
};
const randoms = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);
const nodes: OnnxNodeSpec[] = [];
const outputs: { name: string; shape: number[]; dtype?: 'f32' | 'i64' }[] = [];
/** A node whose (first) output is a graph output, so that nothing fuses it away. */
const op = (opType: string, inputs: string[], shape: number[], attrs: OnnxNodeSpec['attrs'] = {}, dtype: 'f32' | 'i64' = 'f32') => {
  const out = `${opType.toLowerCase()}${nodes.length}`;
  nodes.push({ op: opType, inputs, outputs: [out], attrs });
  outputs.push({ name: out, shape, dtype });
  return out;
};

// x: [2, 5, 9, 12]; y: [3, 7, 33] (33 columns: a ragged vector tail in softmax).
const t = op('Transpose', ['x'], [2, 9, 12, 5], { perm: [0, 2, 3, 1] });
op('Transpose', ['x'], [12, 9, 5, 2], { perm: [3, 2, 1, 0] });
op('Slice', [t, constant('starts', 'i64', [3], [1, 1, 0]), constant('ends', 'i64', [3], [8, 11, 5]), constant('axes', 'i64', [3], [1, 2, 3]), constant('steps', 'i64', [3], [2, 3, 1])], [2, 4, 4, 5]);
op('Gather', ['x', constant('rows', 'i64', [4], [3, -1, 0, 3])], [2, 4, 9, 12], { axis: 1 });
op('Gather', ['y', constant('one', 'i64', [], [2])], [3, 33], { axis: 1 });
op('GatherElements', ['y', constant('picks', 'i64', [3, 2, 33], Array.from({ length: 3 * 2 * 33 }, (_, i) => (i * 5) % 7))], [3, 2, 33], { axis: 1 });
nodes.push({ op: 'Split', inputs: ['x', constant('parts', 'i64', [2], [2, 3])], outputs: ['split_a', 'split_b'], attrs: { axis: 1 } });
outputs.push({ name: 'split_a', shape: [2, 2, 9, 12] }, { name: 'split_b', shape: [2, 3, 9, 12] });
// Along axis 0 each piece is one run of bytes; along axis 2 it is rows of runs.
op('Concat', ['y', 'y'], [6, 7, 33], { axis: 0 });
op('Concat', ['y', 'x2'], [3, 7, 44], { axis: 2 });
op('Tile', ['y', constant('reps', 'i64', [3], [1, 2, 1])], [3, 14, 33]);
op('DepthToSpace', ['x3'], [1, 2, 6, 6], { blocksize: 2 });
op('LayerNormalization', ['y', constant('gamma', 'f32', [33], randoms(33)), constant('beta', 'f32', [33], randoms(33))], [3, 7, 33], { axis: -1 });
op('InstanceNormalization', ['x', constant('scale', 'f32', [5], randoms(5)), constant('bias', 'f32', [5], randoms(5))], [2, 5, 9, 12]);
op('Softmax', ['y'], [3, 7, 33], { axis: -1 });
op('Softmax', ['y'], [3, 7, 33], { axis: 1 });
op('LogSoftmax', ['y'], [3, 7, 33], { axis: -1 });
op('Hardmax', ['y'], [3, 7, 33], { axis: 1 });
op('ReduceMean', ['y', constant('last', 'i64', [1], [-1])], [3, 7], { keepdims: 0 });
op('ReduceMax', ['x', constant('channels', 'i64', [1], [1])], [2, 1, 9, 12], { keepdims: 1 });
op('ArgMax', ['y'], [3, 33], { axis: 1, keepdims: 0 }, 'i64');
// A broadcast add whose outer dims (2 × 6 × 40, the 36 columns vectorized) are shared by their flat index.
op('Add', ['z', constant('ramp', 'f32', [6, 1, 36], randoms(6 * 36))], [2, 6, 40, 36]);
// Two rows against 40 columns: the product splits by column panels.
op('MatMul', ['rows2', constant('wide', 'f32', [64, 40], randoms(64 * 40))], [2, 40]);

const MODEL = encodeOnnxModel({
  opset: 17,
  inputs: [
    { name: 'x', dtype: 'f32', shape: [2, 5, 9, 12] },
    { name: 'y', dtype: 'f32', shape: [3, 7, 33] },
    { name: 'x2', dtype: 'f32', shape: [3, 7, 11] },
    { name: 'x3', dtype: 'f32', shape: [1, 8, 3, 3] },
    { name: 'rows2', dtype: 'f32', shape: [2, 64] },
    { name: 'z', dtype: 'f32', shape: [2, 6, 40, 36] },
  ],
  outputs: outputs.map((o) => ({ name: o.name, dtype: o.dtype ?? 'f32', shape: o.shape })),
  nodes,
  initializers,
});

const feeds = {
  x: Float32Array.from(randoms(2 * 5 * 9 * 12)),
  y: Float32Array.from(randoms(3 * 7 * 33)),
  x2: Float32Array.from(randoms(3 * 7 * 11)),
  x3: Float32Array.from(randoms(8 * 3 * 3)),
  rows2: Float32Array.from(randoms(2 * 64)),
  z: Float32Array.from(randoms(2 * 6 * 40 * 36)),
};
let one: Artifact;
let threaded: Artifact;

beforeAll(async () => {
  [one, threaded] = [await compile(MODEL, { target: 'wasm' }), await compile(MODEL, { target: 'wasm', threads: 3, minSplitFlops: 0 })];
});

test('every movement, normalization, softmax and reduction kernel splits', () => {
  const generated = generateProgram(MODEL, { target: 'wasm', threads: 3, minSplitFlops: 0 });
  if (generated.target !== 'wasm') throw new Error('wasm program expected');
  const { source, signature } = generated.program;
  const serial = signature.kernels.map((k) => k.node).filter((_, i) => !source.includes(`function k${i}(tid: i32, nthreads: i32)`));
  expect(serial).toEqual([]);
  expect(signature.kernels.length).toBeGreaterThanOrEqual(outputs.length - 2);
  // The matmul of two rows shares column panels (the GEMM helper's threaded form); the add shares 2 × 6 outer rows.
  expect(source).toMatch(/gemm_\w+_mt\(/);
  expect(source).toMatch(/for \(let iFlat: i32 = iShareLo; iFlat < iShareHi; iFlat\+\+\) \{\n\s+const iC0: i32 = iFlat \/ 6;/);
});

test('a copy under minSplitBytes stays on thread 0 and one over it splits', () => {
  const generated = generateProgram(MODEL, { target: 'wasm', threads: 2, minSplitBytes: 4096 });
  if (generated.target !== 'wasm') throw new Error('wasm program expected');
  const { source, signature } = generated.program;
  const split = (prefix: string) => {
    const found = signature.kernels.map((k, i) => ({ node: k.node, i })).filter((k) => k.node.startsWith(prefix));
    if (found.length === 0) throw new Error(`no ${prefix} kernel`);
    return found.map((k) => source.includes(`function k${k.i}(tid: i32, nthreads: i32)`));
  };
  // Each transpose reads and writes 1,080 floats (8,640 bytes); the depth-to-space 72 (576 bytes).
  expect(split('Transpose')).toEqual([true, true]);
  expect(split('DepthToSpace')).toEqual([false]);
});

test.each([1, 2, 3])('on %i thread(s) every output equals the one-thread module bit for bit', async (threads) => {
  const [a, b] = [await loadInMemory(one, 'mem'), await loadInMemory(threaded, 'mem', undefined, threads)];
  try {
    const [want, got] = [await a.run(feeds), await b.run(feeds)];
    for (const { name } of outputs) {
      expect([name, Buffer.from(got[name].buffer).equals(Buffer.from(want[name].buffer))]).toEqual([name, true]);
    }
  } finally {
    await a.release();
    await b.release();
  }
});
