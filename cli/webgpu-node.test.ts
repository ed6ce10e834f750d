import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeGpuDevice } from './webgpu-node.js';

test('Dawn gives a device that runs a compute shader (SwiftShader without a GPU)', async () => {
  const device = await nodeGpuDevice();
  expect(await nodeGpuDevice()).toBe(device);
  const code = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&a)) { a[id.x] = a[id.x] * 2.0 + f32(id.x); } }`;
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const n = 1000;
  const buf = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buf, 0, new Float32Array(n).fill(1.5));
  const readback = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] }));
  pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.end();
  enc.copyBufferToBuffer(buf, 0, readback, 0, n * 4);
  device.queue.submit([enc.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  expect(out[0]).toBe(3);
  expect(out[999]).toBe(1002);
});

test('a webgpu command in a fresh process prints nothing of the Vulkan loader\'s on stderr', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-webgpu-node-'));
  const env = { ...process.env };
  delete env.XDG_RUNTIME_DIR;
  delete env.NODE_OPTIONS;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  };
  try {
    expect(cli('compile', 'models/tiny-cnn.onnx', '--target', 'webgpu', '-o', path.join(dir, 'a'))).toEqual({ code: 0, stderr: '' });
    expect(cli('run', path.join(dir, 'a'), '--random', '--json')).toEqual({ code: 0, stderr: '' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
