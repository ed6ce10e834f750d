// Every real model's webgpu artifact in a real browser: `dlc compile --target webgpu` builds it, headless
// Chromium (WebGPU on SwiftShader where there is no GPU) loads it from localhost with the bundled runtime on
// the page's own navigator.gpu device and runs it on seeded random inputs, and its outputs must match
// onnxruntime-node's on the same inputs within abs 1e-3 / rel 1e-3 (the f32 tolerance). PP-OCR det
// and rec run at the smaller sizes of codegen/wgsl/models.test.ts (webgpuTestModels).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleRuntime, launchChromium, pageResult, type Browser, type StaticServer, serveStatic } from '../../cli/browser.js';
import { compareTensors } from '../../compiler/compare.js';
import { loadOnnxFile } from '../../compiler/onnx/frontend.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { webgpuTestModels } from '../models/real-models.js';
import { runOnnxruntime } from '../util/ort.js';
import { randomInputs } from '../util/random-inputs.js';
import { dlc } from '../util/run-cli.js';
import { REPO_ROOT } from '../util/repo.js';

const TOLERANCE = { atol: 1e-3, rtol: 1e-3 };
const MODELS = webgpuTestModels();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-browser-models-'));
let browser: Browser;
let server: StaticServer;

// The page loads /artifacts/NAME/ and feeds /inputs/NAME.bin (the one input's f32 elements).
const PAGE = `<!doctype html><html><body><script type="module">
import { loadModel } from '/dlc-runtime.js';
const name = new URLSearchParams(location.search).get('model');
try {
  const session = await loadModel(new URL('/artifacts/' + name + '/', location.href).href);
  const x = new Float32Array(await (await fetch('/inputs/' + name + '.bin')).arrayBuffer());
  const out = await session.run({ [session.inputs[0].name]: x });
  window.dlcResult = { outputs: session.outputs.map((o) => ({ name: o.name, shape: o.shape, values: Array.from(out[o.name]) })) };
  await session.release();
} catch (e) {
  window.dlcResult = { error: String(e && e.message || e) };
}
</script></body></html>`;

const feedsOf = new Map<string, Record<string, Tensor>>();

beforeAll(async () => {
  const routes: Record<string, string | Uint8Array> = {
    '/index.html': new TextEncoder().encode(PAGE),
    '/dlc-runtime.js': await bundleRuntime(path.join(REPO_ROOT, 'runtime', 'index.ts')),
  };
  for (const m of MODELS) {
    const shapes = Object.entries(m.inputShapes).flatMap(([name, dims]) => ['--input-shape', `${name}=${dims.join(',')}`]);
    const dir = path.join(tmp, m.name);
    const compiled = await dlc('compile', m.file, '--target', 'webgpu', ...shapes, '-o', dir);
    if (compiled.code !== 0) throw new Error(compiled.stderr);
    const { graph } = loadOnnxFile(m.file, { inputShapes: m.inputShapes });
    if (graph.inputs.length !== 1) throw new Error(`${m.name}: the page feeds one input, the model has ${graph.inputs.length}`);
    const feeds = randomInputs(graph, 7);
    feedsOf.set(m.name, feeds);
    routes[`/artifacts/${m.name}/`] = dir;
    routes[`/inputs/${m.name}.bin`] = new Uint8Array(Float32Array.from(feeds[graph.inputs[0].name].data as ArrayLike<number>).buffer);
  }
  server = await serveStatic(routes);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface PageOutputs {
  outputs: { name: string; shape: number[]; values: number[] }[];
}

describe('real models on webgpu in Chromium match onnxruntime', () => {
  for (const m of MODELS) {
    test(m.name, async () => {
      const t0 = performance.now();
      const got = await pageResult<PageOutputs>(browser, `${server.url}/index.html?model=${m.name}`, 280000);
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      const want = await runOnnxruntime(m.file, feedsOf.get(m.name)!);
      expect(got.outputs.map((o) => o.name).sort()).toEqual(Object.keys(want).sort());
      const errors: string[] = [];
      for (const o of got.outputs) {
        const d = compareTensors(new Tensor('f32', o.shape, Float32Array.from(o.values)), want[o.name], TOLERANCE);
        errors.push(`${o.name} max abs ${d.maxAbsError.toPrecision(3)}`);
        expect({ output: o.name, mismatch: d.mismatch }).toEqual({ output: o.name, mismatch: undefined });
      }
      process.stdout.write(`chromium webgpu ${m.name}: ${errors.join('; ')} (load and first run ${seconds} s)\n`);
    });
  }
});
