// Streaming state (run's `feedback` option) on a small accumulator, hn = h + x and y = 2·hn, on every executor:
// wasm, wasm compiled for two threads, and webgpu (Dawn). The state stays in the runtime between runs; feeding
// the input sets it, resetState() and a first run start it at zeros; bad bindings are one-line errors.
import { compile } from '../api/compile.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { DlcRuntimeError, loadModel, type Session, type TypedArray } from './index.js';

// 16,384 elements: the threaded module splits the add between its threads.
const N = 16384;
const MODEL = encodeOnnxModel({
  inputs: [{ name: 'x', dtype: 'f32', shape: [1, N] }, { name: 'h', dtype: 'f32', shape: [1, N] }, { name: 'k', dtype: 'f32', shape: [2] }],
  outputs: [{ name: 'hn', dtype: 'f32', shape: [1, N] }, { name: 'y', dtype: 'f32', shape: [1, N] }, { name: 'kn', dtype: 'f32', shape: [2] }],
  initializers: [],
  nodes: [
    { op: 'Add', inputs: ['h', 'x'], outputs: ['hn'] },
    { op: 'Add', inputs: ['hn', 'hn'], outputs: ['y'] },
    { op: 'Neg', inputs: ['k'], outputs: ['kn'] },
  ],
});

const filled = (v: number) => new Float32Array(N).fill(v);
const k = new Float32Array([1, 2]);

const sessions: [string, () => Promise<Session>][] = [
  ['wasm', async () => loadModel((await compile(MODEL, { target: 'wasm' })).files)],
  ['wasm, 2 threads', async () => loadModel((await compile(MODEL, { target: 'wasm', threads: 2 })).files)],
  ['webgpu', async () => loadModel((await compile(MODEL, { target: 'webgpu' })).files, { device: await nodeGpuDevice() })],
];

describe.each(sessions)('feedback on %s', (_, load) => {
  let session: Session;
  beforeAll(async () => {
    session = await load();
  });
  afterAll(() => session.release());

  const feedback = { hn: 'h' };
  const first = (out: Record<string, TypedArray>) => [out.hn?.[0], out.hn?.[N - 1], out.y?.[0]];

  test('the state stays in the runtime between runs, starting at zeros', async () => {
    session.resetState();
    expect(first(await session.run({ x: filled(1), k }, { feedback }))).toEqual([1, 1, 2]);
    expect(first(await session.run({ x: filled(2), k }, { feedback }))).toEqual([3, 3, 6]);
    expect(first(await session.run({ x: filled(0.5), k }, { feedback }))).toEqual([3.5, 3.5, 7]);
  });

  test('a fed input sets the state; resetState() clears it', async () => {
    await session.run({ x: filled(1), k }, { feedback });
    expect(first(await session.run({ x: filled(1), h: filled(10), k }, { feedback }))).toEqual([11, 11, 22]);
    expect(first(await session.run({ x: filled(1), k }, { feedback }))).toEqual([12, 12, 24]);
    session.resetState();
    expect(first(await session.run({ x: filled(1), k }, { feedback }))).toEqual([1, 1, 2]);
  });

  test('the state advances when the run returns other outputs only', async () => {
    session.resetState();
    const out = await session.run({ x: filled(1), k }, { feedback, outputs: ['kn'] });
    expect(Object.keys(out)).toEqual(['kn']);
    expect(first(await session.run({ x: filled(1), k }, { feedback }))).toEqual([2, 2, 4]);
  });

  test('a run without the binding needs every input again, and the next one with it starts at zeros', async () => {
    await session.run({ x: filled(1), k }, { feedback });
    await expect(session.run({ x: filled(1), k })).rejects.toThrow(/^missing input 'h'/);
    expect(first(await session.run({ x: filled(1), h: filled(5), k }))).toEqual([6, 6, 12]);
    expect(first(await session.run({ x: filled(1), k }, { feedback }))).toEqual([1, 1, 2]);
  });

  test('bindings are checked: names, dtypes and shapes, one input per output', async () => {
    const run = (fb: Record<string, string>) => session.run({ x: filled(1), h: filled(0), k }, { feedback: fb });
    await expect(run({ out: 'h' })).rejects.toThrow(new DlcRuntimeError("feedback: unknown output 'out' (outputs: hn, y, kn)"));
    await expect(run({ hn: 'state' })).rejects.toThrow(new DlcRuntimeError("feedback: output 'hn' is bound to 'state', which is not an input (inputs: x, h, k)"));
    await expect(run({ kn: 'h' })).rejects.toThrow(new DlcRuntimeError("feedback: output 'kn' is f32[2], input 'h' is f32[1,16384]; a state must keep its dtype and shape"));
    await expect(run({ hn: 'h', y: 'h' })).rejects.toThrow(new DlcRuntimeError("feedback: input 'h' is bound to both 'hn' and 'y'"));
    // Two bindings at once: k flips sign on every run.
    session.resetState();
    const both = { hn: 'h', kn: 'k' };
    await session.run({ x: filled(1), k }, { feedback: both });
    expect(Array.from((await session.run({ x: filled(1) }, { feedback: both })).kn as Float32Array)).toEqual([1, 2]);
  });
});
