// The webgpu side of Session.run's options: only the dispatches the asked outputs need, GPUBuffers in and out,
// and feeds in shared memory (Dawn's writeBuffer crashed the process on a SharedArrayBuffer's view).
import { buildWebgpuArtifact } from '../codegen/artifact.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { Tensor as IrTensor } from '../compiler/ir/tensor.js';
import { buildGraph } from '../tests/util/graphs.js';
import { DlcRuntimeError, loadModel } from './index.js';

/** y = relu(x + w), z = k · 3: independent branches. */
const files = buildWebgpuArtifact(
  compileToWebgpu(
    buildGraph({
      inputs: { x: { dtype: 'f32', shape: [2, 2] }, k: { dtype: 'i32', shape: [3] } },
      build: (b, { x, k }) => [
        b.emit('relu', [b.emit('add', [x, b.constant(IrTensor.fromArray('f32', [2, 2], [1, 2, 3, 4]))])[0]])[0],
        b.emit('mul', [k, b.constant(IrTensor.scalar('i32', 3))])[0],
      ],
    }),
  ),
  {},
);
const feeds = () => ({ x: new Float32Array([0.5, -3, 10, 0]), k: new Int32Array([7, -2, 1]) });
const STORAGE = 0x80, COPY_SRC = 0x04, COPY_DST = 0x08, MAP_READ = 0x01;

async function readBuffer(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const read = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, read, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(0x01);
  const out = read.getMappedRange().slice(0);
  read.destroy();
  return out;
}

test('outputs asked for: only their dispatches run', async () => {
  const device = await nodeGpuDevice();
  const session = await loadModel(files, { device });
  const [y, z] = session.outputs.map((o) => o.name);
  // Counts the dispatches of every pass the session encodes.
  let dispatches = 0;
  const create = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (d?: GPUCommandEncoderDescriptor) => {
    const encoder = create(d);
    const begin = encoder.beginComputePass.bind(encoder);
    encoder.beginComputePass = (p?: GPUComputePassDescriptor) => {
      const pass = begin(p);
      const dispatch = pass.dispatchWorkgroups.bind(pass);
      pass.dispatchWorkgroups = (...a: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) => (dispatches++, dispatch(...a));
      return pass;
    };
    return encoder;
  };
  try {
    const all = await session.run(feeds());
    const total = dispatches;
    dispatches = 0;
    const onlyZ = await session.run(feeds(), { outputs: [z] });
    expect(Object.keys(onlyZ)).toEqual([z]);
    expect(onlyZ[z]).toEqual(all[z]);
    expect(onlyZ[z]).toEqual(new Int32Array([21, -6, 3]));
    expect(dispatches).toBeGreaterThan(0);
    expect(dispatches).toBeLessThan(total);
    expect((await session.run(feeds(), { outputs: [y] }))[y]).toEqual(new Float32Array([1.5, 0, 13, 4]));
  } finally {
    device.createCommandEncoder = create;
  }
});

test('a GPUBuffer feeds an input, and runOnGpu leaves outputs in GPUBuffers of their own', async () => {
  const device = await nodeGpuDevice();
  const session = await loadModel(files, { device });
  const [y, z] = session.outputs.map((o) => o.name);
  const x = device.createBuffer({ size: 16, usage: STORAGE | COPY_SRC | COPY_DST });
  device.queue.writeBuffer(x, 0, new Float32Array([1, 1, -9, 1]));
  expect((await session.run({ x, k: new Int32Array(3) }))[y]).toEqual(new Float32Array([2, 3, 0, 5]));

  const out = await session.runOnGpu({ x, k: new Int32Array([1, 2, 3]) }, { outputs: [z] });
  expect(Object.keys(out)).toEqual([z]);
  expect(out[z]).toMatchObject({ dtype: 'i32', storage: 'i32', dims: [3] });
  // The output buffer is the caller's: a later run does not overwrite it.
  await session.run({ x, k: new Int32Array([9, 9, 9]) });
  expect(new Int32Array(await readBuffer(device, out[z].buffer, 12))).toEqual(new Int32Array([3, 6, 9]));
  out[z].buffer.destroy();

  const small = device.createBuffer({ size: 8, usage: STORAGE | COPY_SRC });
  await expect(session.run({ x: small, k: new Int32Array(3) })).rejects.toThrow(new DlcRuntimeError("input 'x' needs a GPUBuffer of at least 16 bytes (f32, 4 bytes an element), got 8"));
});

test('a released session refuses runOnGpu too', async () => {
  const device = await nodeGpuDevice();
  const session = await loadModel(files, { device });
  await session.release();
  await expect(session.runOnGpu(feeds())).rejects.toThrow(new DlcRuntimeError('this session was released'));
});

test('feeds backed by a SharedArrayBuffer are copied before the upload', async () => {
  const session = await loadModel(files, { device: await nodeGpuDevice() });
  const x = new Float32Array(new SharedArrayBuffer(16));
  x.set([0.5, -3, 10, 0]);
  const k = new Int32Array(new SharedArrayBuffer(12));
  k.set([7, -2, 1]);
  const out = await session.run({ x, k });
  expect(out[session.outputs[0].name]).toEqual(new Float32Array([1.5, 0, 13, 4]));
  expect(out[session.outputs[1].name]).toEqual(new Int32Array([21, -6, 3]));
});
