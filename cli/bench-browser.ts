// Timing in headless Chromium: a compiled artifact run by the runtime in a page, and onnxruntime-web's
// WebGPU backend on the same .onnx in another page of the same browser, on the same inputs and the same
// adapter. onnxruntime-web's WebGPU backend runs only in a browser, so a fair comparison of the webgpu target
// happens here rather than under Dawn in Node. Each side gets its own page; the first run of each is from
// the page's first line (device, pipelines and weights included) to the first result read back, as on a
// page load.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import type { TensorInfo } from '../runtime/index.js';
import { percentiles, type BenchPlan, type Timing } from './bench.js';
import { bundleRuntime, launchChromium, pageResult, serveStatic } from './browser.js';
import { packageRoot } from './version.js';
import type { Feeds } from '../api/feeds.js';

export const BROWSER_PEER_NAME = 'onnxruntime-web webgpu (Chromium)';

/** Where the runtime's entry point and onnxruntime-web's browser files are. */
export interface BrowserBenchFiles {
  /** runtime/index.ts (or the built dist/runtime/index.js). */
  runtimeEntry: string;
  /** node_modules/onnxruntime-web/dist. */
  ortDist: string;
}

/**
 * The runtime's entry point (its TypeScript source in a checkout, dist/ in an installed package), found from
 * dlc's own package whatever the working directory, and onnxruntime-web's browser files, resolved as dlc's own
 * import of it would be (then from the working directory).
 */
export function browserBenchFiles(): BrowserBenchFiles {
  const dlc = packageRoot();
  const source = path.join(dlc, 'runtime', 'index.ts');
  return {
    runtimeEntry: fs.existsSync(source) ? source : path.join(dlc, 'dist', 'runtime', 'index.js'),
    ortDist: path.join(packageDir('onnxruntime-web', 'comparing with onnxruntime-web WebGPU'), 'dist'),
  };
}

/** A package's folder, looked up along node_modules (a package's `exports` may hide its package.json). */
export function packageDir(pkg: string, why: string): string {
  const bases = [createRequire(import.meta.url), createRequire(path.join(process.cwd(), 'index.js'))].flatMap((r) => r.resolve.paths(pkg) ?? []);
  for (const base of bases) {
    if (fs.existsSync(path.join(base, pkg, 'package.json'))) return path.join(base, pkg);
  }
  throw new DlcError(`${why} needs the npm package ${pkg}, which is not installed: run npm install ${pkg}`);
}

interface PageTiming {
  firstRunMs: number;
  samples: number[];
  adapter: string;
}

/** The body shared by both pages: time `first()` then `plan.runs` runs of `run()` after a warm-up. */
const TIMING_SCRIPT = `
async function feeds(infos) {
  const out = {};
  for (const i of infos) out[i.name] = new ARRAYS[i.dtype](await (await fetch('/feeds/' + i.name + '.bin')).arrayBuffer());
  return out;
}
const ARRAYS = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array, i64: BigInt64Array, u64: BigUint64Array,
  i16: Int16Array, u16: Uint16Array, i8: Int8Array, u8: Uint8Array, bool: Uint8Array };
async function time(config, first, run) {
  const start = performance.now();
  await first();
  const firstRunMs = performance.now() - start;
  for (let i = 0; i < config.warmup; i++) await run();
  const samples = [];
  for (let i = 0; i < config.runs; i++) { const t = performance.now(); await run(); samples.push(performance.now() - t); }
  const adapter = await navigator.gpu?.requestAdapter();
  return { firstRunMs, samples, adapter: adapter ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description].filter(Boolean).join(' ') : 'none' };
}
`;

const DLC_PAGE = `<!doctype html><html><body><script type="module">
import { loadModel } from '/dlc-runtime.js';
${TIMING_SCRIPT}
try {
  const config = await (await fetch('/config.json')).json();
  const x = await feeds(config.inputs);
  let session;
  window.dlcResult = await time(config, async () => { session = await loadModel(new URL('/artifact/', location.href).href); await session.run(x); },
    () => session.run(x));
} catch (e) { window.dlcResult = { error: String(e && e.message || e) }; }
</script></body></html>`;

const ORT_PAGE = `<!doctype html><html><body><script type="module">
import * as ort from '/ort/ort.webgpu.min.mjs';
${TIMING_SCRIPT}
const TYPES = { f32: 'float32', f64: 'float64', i32: 'int32', u32: 'uint32', i64: 'int64', u64: 'uint64', i16: 'int16', u16: 'uint16', i8: 'int8', u8: 'uint8', bool: 'bool' };
try {
  const config = await (await fetch('/config.json')).json();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = '/ort/';
  const x = await feeds(config.inputs);
  const t = {};
  for (const i of config.inputs) t[i.name] = new ort.Tensor(TYPES[i.dtype], i.dtype === 'bool' ? Uint8Array.from(x[i.name]) : x[i.name], i.shape);
  let session;
  // Outputs come back to the CPU (onnxruntime-web's default output location), as dlc's do.
  window.dlcResult = await time(config, async () => { session = await ort.InferenceSession.create('/model.onnx', { executionProviders: ['webgpu'] }); await session.run(t); },
    () => session.run(t));
} catch (e) { window.dlcResult = { error: 'onnxruntime-web: ' + String(e && e.message || e) }; }
</script></body></html>`;

export interface BrowserBenchResult {
  ours: Timing;
  theirs?: Timing;
  /** The adapter both pages ran on, as the browser describes it. */
  adapter: string;
}

/** Times the artifact in `dir` (and the peer model, when given) in headless Chromium. */
export async function benchInBrowser(
  dir: string, peerModel: string | undefined, feeds: Feeds, inputs: readonly TensorInfo[], plan: BenchPlan, files: BrowserBenchFiles,
): Promise<BrowserBenchResult> {
  const routes: Record<string, string | Uint8Array> = {
    '/dlc.html': new TextEncoder().encode(DLC_PAGE),
    '/ort.html': new TextEncoder().encode(ORT_PAGE),
    '/config.json': new TextEncoder().encode(JSON.stringify({ runs: plan.runs, warmup: plan.warmup, inputs })),
    '/dlc-runtime.js': await bundleRuntime(files.runtimeEntry),
    '/artifact/': dir,
    '/ort/': files.ortDist,
  };
  if (peerModel) routes['/model.onnx'] = path.resolve(peerModel);
  for (const i of inputs) {
    const a = feeds[i.name];
    routes[`/feeds/${i.name}.bin`] = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  }
  const server = await serveStatic(routes);
  const browser = await launchChromium();
  // Generous: SwiftShader runs a large model's first run (pipelines and all) in tens of seconds.
  const timeoutMs = 60000 + (plan.runs + plan.warmup) * 30000;
  try {
    plan.progress?.('dlc (Chromium)', 0, plan.runs + plan.warmup);
    const ours = await pageResult<PageTiming>(browser, `${server.url}/dlc.html`, timeoutMs);
    let theirs: PageTiming | undefined;
    if (peerModel) {
      plan.progress?.('onnxruntime-web (Chromium)', 0, plan.runs + plan.warmup);
      theirs = await pageResult<PageTiming>(browser, `${server.url}/ort.html`, timeoutMs);
    }
    const timing = (p: PageTiming): Timing => ({ firstRunMs: p.firstRunMs, ...percentiles(p.samples) });
    return { ours: timing(ours), theirs: theirs && timing(theirs), adapter: ours.adapter };
  } finally {
    await browser.close();
    await server.close();
  }
}
