// A threaded wasm artifact (dlc compile --threads 2) in headless Chromium: on a cross-origin isolated page
// (COOP/COEP headers) it runs on two Web Workers and gives, bit for bit, what the one-thread artifact gives in
// Node; on a page that is not isolated it runs on the page's thread alone, with a one-line notice, and gives
// the same.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleRuntime, CROSS_ORIGIN_ISOLATION, launchChromium, pageResult, serveStatic, type Browser, type StaticServer } from '../../cli/browser.js';
import { seededRandom } from '../../compiler/random.js';
import { loadModel } from '../../runtime/index.js';
import { dlc } from '../util/run-cli.js';
import { REPO_ROOT } from '../util/repo.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-browser-threads-'));
let browser: Browser;
const servers: StaticServer[] = [];

// Counts the workers the runtime starts and the notices it prints.
const PAGE = `<!doctype html><html><body><script type="module">
let workers = 0;
const notices = [];
const BaseWorker = window.Worker;
window.Worker = class extends BaseWorker { constructor(...args) { super(...args); workers++; } };
const warn = console.warn;
console.warn = (...args) => { notices.push(args.join(' ')); warn(...args); };
const { loadModel } = await import('/dlc-runtime.js');
try {
  const session = await loadModel(new URL('/artifact/', location.href).href);
  const x = new Float32Array(await (await fetch('/input.bin')).arrayBuffer());
  const name = session.outputs[0].name;
  const [a, b] = await Promise.all([session.run({ [session.inputs[0].name]: x }), session.run({ [session.inputs[0].name]: x })]);
  await session.release();
  window.dlcResult = { isolated: self.crossOriginIsolated, workers, notices, values: Array.from(a[name]), again: Array.from(b[name]) };
} catch (e) {
  window.dlcResult = { error: String(e && e.message || e) };
}
</script></body></html>`;

const input = (() => {
  const rand = seededRandom(12);
  return Float32Array.from({ length: 1 * 3 * 32 * 32 }, () => rand() * 2 - 1);
})();

interface PageRun {
  isolated: boolean;
  workers: number;
  notices: string[];
  values: number[];
  again: number[];
}

beforeAll(async () => {
  const model = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
  for (const [dir, extra] of [['threaded', ['--threads', '2']], ['single', []]] as const) {
    const compiled = await dlc('compile', model, '--target', 'wasm', ...extra, '-o', path.join(tmp, dir));
    if (compiled.code !== 0) throw new Error(compiled.stderr);
  }
  const routes = {
    '/index.html': new TextEncoder().encode(PAGE),
    '/dlc-runtime.js': await bundleRuntime(path.join(REPO_ROOT, 'runtime', 'index.ts')),
    '/input.bin': new Uint8Array(input.buffer),
    '/artifact/': path.join(tmp, 'threaded'),
  };
  servers.push(await serveStatic(routes, { headers: CROSS_ORIGIN_ISOLATION }), await serveStatic(routes));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function inNode(): Promise<Float32Array> {
  const session = await loadModel(path.join(tmp, 'single'));
  return Object.values(await session.run({ [session.inputs[0].name]: input }))[0] as Float32Array;
}

test('on a cross-origin isolated page a threaded artifact runs on workers and matches the one-thread artifact bit for bit', async () => {
  const got = await pageResult<PageRun>(browser, `${servers[0].url}/index.html`, 60000);
  expect(got).toMatchObject({ isolated: true, workers: 2, notices: [] });
  const want = await inNode();
  expect(Float32Array.from(got.values)).toEqual(want);
  expect(Float32Array.from(got.again)).toEqual(want);
});

test('on a page that is not isolated it runs on one thread, with a notice, and gives the same', async () => {
  const got = await pageResult<PageRun>(browser, `${servers[1].url}/index.html`, 60000);
  expect(got).toMatchObject({ isolated: false, workers: 0 });
  expect(got.notices).toEqual([expect.stringMatching(/running model\.wasm on one thread: the page is not cross-origin isolated/)]);
  expect(Float32Array.from(got.values)).toEqual(await inNode());
});
