// weights.bin in a real browser: headless Chromium loads a compressed wasm LeNet-300-100 artifact (Deep
// Compression: weights.bin packed, decoded by the runtime at load) from a page served on
// localhost with progress events and Cache Storage; after a reload the page loads it again, and the server's
// request log must show that weights.bin was not asked for the second time while the outputs stay the same.
// The page fetches with `cache: 'no-store'`, so that the browser's HTTP cache cannot be what spares the
// download: manifest.json and model.wasm, which are not kept, are requested both times.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleRuntime, launchChromium, serveStatic, type Browser, type StaticServer } from '../../cli/browser.js';
import { seededRandom } from '../../compiler/random.js';
import { loadModel, type LoadProgress } from '../../runtime/index.js';
import { dlc } from '../util/run-cli.js';
import { REPO_ROOT } from '../util/repo.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-browser-cache-'));
let browser: Browser;
let server: StaticServer;
let artifact: string;
const requests: string[] = [];

const PAGE = `<!doctype html><html><body><script type="module">
import { loadModel } from '/dlc-runtime.js';
try {
  const progress = [];
  const session = await loadModel(new URL('/artifact/', location.href).href, {
    fetch: (url) => fetch(url, { cache: 'no-store' }),
    cache: 'dlc-weights',
    onProgress: (e) => progress.push(e),
  });
  const x = new Float32Array(await (await fetch('/input.bin', { cache: 'no-store' })).arrayBuffer());
  const out = await session.run({ [session.inputs[0].name]: x });
  const name = session.outputs[0].name;
  const cached = (await (await caches.open('dlc-weights')).keys()).map((r) => r.url);
  window.dlcResult = { output: name, values: Array.from(out[name]), progress, cached };
} catch (e) {
  window.dlcResult = { error: String(e && e.message || e) };
}
</script></body></html>`;

interface PageResult {
  output: string;
  values: number[];
  progress: LoadProgress[];
  cached: string[];
}

const input = (() => {
  const rand = seededRandom(7);
  return Float32Array.from({ length: 28 * 28 }, () => (rand() + 1) / 2);
})();

/** The artifact the page loads: LeNet-300-100 compiled for wasm with Deep Compression (packed weights). */
async function artifactToServe(): Promise<string> {
  const dir = path.join(tmp, 'lenet-300-100-wasm');
  const compiled = await dlc('compile', path.join(REPO_ROOT, 'models', 'mnist', 'lenet-300-100.onnx'), '--target', 'wasm', '--compress', 'deep', '-o', dir);
  if (compiled.code !== 0) throw new Error(compiled.stderr);
  return dir;
}

beforeAll(async () => {
  artifact = await artifactToServe();
  server = await serveStatic(
    {
      '/index.html': new TextEncoder().encode(PAGE),
      '/dlc-runtime.js': await bundleRuntime(path.join(REPO_ROOT, 'runtime', 'index.ts')),
      '/input.bin': new Uint8Array(input.buffer),
      '/artifact/': artifact,
    },
    { onRequest: (url) => requests.push(url) },
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** What the page in `page` hands back once it has run. */
async function resultOf(page: Awaited<ReturnType<Browser['newPage']>>): Promise<PageResult> {
  await page.waitForFunction(() => (window as unknown as { dlcResult?: unknown }).dlcResult !== undefined, null, { timeout: 60000 });
  const result = await page.evaluate(() => (window as unknown as { dlcResult: PageResult & { error?: string } }).dlcResult);
  if (result.error) throw new Error(`in the browser: ${result.error}`);
  return result;
}

test('weights.bin streams in with progress, is kept in Cache Storage, and is not downloaded again after a reload', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(artifact, 'manifest.json'), 'utf8'));
  expect(manifest.weightsEncoding).toBe('packed');
  const weights = manifest.files['weights.bin'];
  const session = await loadModel(artifact);
  const inNode = (await session.run({ [session.inputs[0].name]: input }))[session.outputs[0].name] as Float32Array;

  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // A network of 200 kB/s (DevTools' throttling), over which the 69 kB of packed weights arrive in pieces, as
    // they would from a server far away; over loopback they come at once.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 2e5, uploadThroughput: -1 });
    requests.length = 0;
    await page.goto(`${server.url}/index.html`);
    const first = await resultOf(page);
    expect(requests).toEqual(expect.arrayContaining(['/artifact/manifest.json', '/artifact/model.wasm', '/artifact/weights.bin']));
    expect(Float32Array.from(first.values)).toEqual(inNode);
    // The body arrives in several chunks, each told, up to the manifest's size.
    const told = first.progress.filter((e) => e.file === 'weights.bin');
    expect(told.length).toBeGreaterThan(1);
    expect(told.every((e, i) => e.total === weights.bytes && (i === 0 || e.loaded > told[i - 1].loaded))).toBe(true);
    expect(told.at(-1)!.loaded).toBe(weights.bytes);
    expect(first.cached).toEqual([`https://dlc.invalid/weights.bin?sha256=${weights.sha256}`]);

    requests.length = 0;
    await page.reload();
    const second = await resultOf(page);
    expect(requests).toEqual(expect.arrayContaining(['/index.html', '/artifact/manifest.json', '/artifact/model.wasm']));
    expect(requests).not.toContain('/artifact/weights.bin');
    expect(second.progress.filter((e) => e.file === 'weights.bin')).toEqual([{ file: 'weights.bin', loaded: weights.bytes, total: weights.bytes }]);
    expect(second.values).toEqual(first.values);
  } finally {
    await context.close();
  }
});
