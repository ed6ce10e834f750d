// The runtime in a real browser: headless Chromium (playwright-core, Debian's chromium; WebGPU on SwiftShader
// where there is no GPU) loads a wasm or webgpu artifact from a page served on localhost with the bundled
// runtime, runs it, and hands back the outputs, which must agree with what the wasm artifact computes in Node
// on the same inputs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleRuntime, launchChromium, pageResult, serveStatic, type Browser, type StaticServer } from '../../cli/browser.js';
import { seededRandom } from '../../compiler/random.js';
import { loadModel } from '../../runtime/index.js';
import { dlc } from '../util/run-cli.js';
import { REPO_ROOT } from '../util/repo.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-browser-'));
let browser: Browser;
let server: StaticServer;

const PAGE = `<!doctype html><html><body><script type="module">
import { loadModel } from '/dlc-runtime.js';
try {
  const session = await loadModel(new URL('/artifact/', location.href).href);
  const x = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
  const out = await session.run({ [session.inputs[0].name]: x });
  const name = session.outputs[0].name;
  window.dlcResult = { output: name, values: Array.from(out[name]) };
} catch (e) {
  window.dlcResult = { error: String(e && e.message || e) };
}
</script></body></html>`;

const input = (() => {
  const rand = seededRandom(11);
  return Float32Array.from({ length: 1 * 3 * 32 * 32 }, () => rand() * 2 - 1);
})();

beforeAll(async () => {
  for (const target of ['wasm', 'webgpu']) {
    const compiled = await dlc('compile', path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'), '--target', target, '-o', path.join(tmp, `tiny-cnn-${target}`));
    if (compiled.code !== 0) throw new Error(compiled.stderr);
  }
  const runtime = await bundleRuntime(path.join(REPO_ROOT, 'runtime', 'index.ts'));
  server = await serveStatic({
    '/index.html': new TextEncoder().encode(PAGE),
    '/webgpu.html': new TextEncoder().encode(PAGE.replace("'/artifact/'", "'/artifact-webgpu/'")),
    '/dlc-runtime.js': runtime,
    '/input.bin': new Uint8Array(input.buffer),
    '/artifact/': path.join(tmp, 'tiny-cnn-wasm'),
    '/artifact-webgpu/': path.join(tmp, 'tiny-cnn-webgpu'),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a wasm artifact runs in Chromium and gives what it gives in Node', async () => {
  const got = await pageResult<{ output: string; values: number[] }>(browser, `${server.url}/index.html`, 60000);
  const inNode = await wasmInNode(got.output);
  expect(got.values).toHaveLength(inNode.length);
  expect(Float32Array.from(got.values)).toEqual(inNode);
});

async function wasmInNode(output: string): Promise<Float32Array> {
  const session = await loadModel(path.join(tmp, 'tiny-cnn-wasm'));
  expect(session.inputs[0].shape).toEqual([1, 3, 32, 32]);
  return (await session.run({ [session.inputs[0].name]: input }))[output] as Float32Array;
}

test('a webgpu artifact runs in Chromium on the page\'s own device (navigator.gpu) and agrees with wasm in Node', async () => {
  const got = await pageResult<{ output: string; values: number[] }>(browser, `${server.url}/webgpu.html`, 120000);
  const inNode = await wasmInNode(got.output);
  expect(got.values).toHaveLength(inNode.length);
  const worst = Math.max(...got.values.map((v, i) => Math.abs(v - inNode[i])));
  expect(worst).toBeLessThan(1e-4);
  expect(got.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
});

test('a page that serves a tampered artifact gets the runtime\'s sha-256 error', async () => {
  const bad = path.join(tmp, 'tampered');
  fs.cpSync(path.join(tmp, 'tiny-cnn-wasm'), bad, { recursive: true });
  const weights = fs.readFileSync(path.join(bad, 'weights.bin'));
  weights[0] ^= 1;
  fs.writeFileSync(path.join(bad, 'weights.bin'), weights);
  const tampered = await serveStatic({
    '/index.html': new TextEncoder().encode(PAGE),
    '/dlc-runtime.js': await bundleRuntime(path.join(REPO_ROOT, 'runtime', 'index.ts')),
    '/input.bin': new Uint8Array(input.buffer),
    '/artifact/': bad,
  });
  try {
    await expect(pageResult(browser, `${tampered.url}/index.html`, 60000)).rejects.toThrow(/weights\.bin.*sha-256|sha-256.*weights\.bin/);
  } finally {
    await tampered.close();
  }
});
