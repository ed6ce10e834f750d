// A headless Chromium with WebGPU, driven by playwright-core, and a static file server on localhost for the
// pages it loads. `dlc bench --target webgpu` measures onnxruntime-web's WebGPU backend here (it runs in a
// browser, not under Dawn in Node), and the browser tests load artifacts with the runtime through it.
// playwright-core and esbuild are dev dependencies: imported only when needed, with a clear error otherwise.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';

/** Debian's chromium (scripts/setup-system.sh); DLC_CHROMIUM overrides. */
export const CHROMIUM = process.env.DLC_CHROMIUM ?? '/usr/bin/chromium';

/**
 * WebGPU on the software Vulkan driver (SwiftShader) where no GPU is present, and no network traffic of
 * Chromium's own: this machine's closed network refuses it, and a test must not depend on it.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader',
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.wasm': 'application/wasm', '.wgsl': 'text/plain',
};

export interface StaticServer {
  /** http://127.0.0.1:PORT, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Told the path of every request as it comes (a test's request log). */
  onRequest?: (path: string) => void;
  /**
   * Headers of every response, e.g. CROSS_ORIGIN_ISOLATION, which a page needs to run a threaded wasm
   * artifact on several threads.
   */
  headers?: Record<string, string>;
}

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, a shared memory sent to workers). */
export const CROSS_ORIGIN_ISOLATION: Record<string, string> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Serves each URL prefix from a folder or one file (`{'/ort/': dir, '/model.onnx': file}`), or from bytes
 * made in memory. Nothing outside the named folders is reachable: paths are resolved and checked.
 */
export async function serveStatic(routes: Record<string, string | Uint8Array>, options: ServeOptions = {}): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    options.onRequest?.(url);
    const found = resolveRoute(routes, url);
    if (!found) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', CONTENT_TYPES[path.extname(found.name)] ?? 'application/octet-stream');
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
    res.end(found.bytes);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function resolveRoute(routes: Record<string, string | Uint8Array>, url: string): { name: string; bytes: Uint8Array } | undefined {
  for (const [prefix, target] of Object.entries(routes)) {
    if (!prefix.endsWith('/')) {
      if (url !== prefix) continue;
      if (typeof target !== 'string') return { name: prefix, bytes: target };
      return fs.existsSync(target) ? { name: prefix, bytes: fs.readFileSync(target) } : undefined;
    }
    if (!url.startsWith(prefix) || typeof target !== 'string') continue;
    const root = path.resolve(target);
    const file = path.resolve(root, url.slice(prefix.length));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
    return { name: file, bytes: fs.readFileSync(file) };
  }
  return undefined;
}

type Playwright = typeof import('playwright-core');
export type Browser = Awaited<ReturnType<Playwright['chromium']['launch']>>;

/** Headless Chromium with WebGPU (CHROMIUM_ARGS), each launch with a fresh profile. */
export async function launchChromium(): Promise<Browser> {
  let playwright: Playwright;
  try {
    playwright = await import('playwright-core');
  } catch (e) {
    throw new DlcError(`the browser needs playwright-core, which is not installed (npm install playwright-core): ${(e as Error).message}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new DlcError(`no Chromium at ${CHROMIUM}: run scripts/setup-system.sh or set DLC_CHROMIUM`);
  const chromium = playwright.chromium ?? (playwright as unknown as { default: Playwright }).default.chromium;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** The runtime as one ES module for a page (`import { loadModel } from '/dlc-runtime.js'`), bundled by esbuild. */
export async function bundleRuntime(entry: string): Promise<Uint8Array> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    throw new DlcError(`bundling the runtime for the browser needs esbuild (npm install esbuild): ${(e as Error).message}`);
  }
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

/**
 * Opens `url` in a new page, waits until the page sets `window.dlcResult` (a JSON-able value, or
 * `{error}`), and returns it. Console errors of the page are kept for the message when it fails.
 */
export async function pageResult<T>(browser: Browser, url: string, timeoutMs: number): Promise<T> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { dlcResult?: unknown }).dlcResult !== undefined, null, { timeout: timeoutMs });
    const result = await page.evaluate(() => (window as unknown as { dlcResult: unknown }).dlcResult);
    const error = (result as { error?: string } | null)?.error;
    if (error) throw new DlcError(`in the browser: ${error}`);
    return result as T;
  } catch (e) {
    if (e instanceof DlcError) throw e;
    throw new DlcError(`in the browser: ${(e as Error).message.split('\n')[0]}${errors.length ? ` (page errors: ${errors.slice(0, 3).join('; ')})` : ''}`);
  } finally {
    await page.close();
  }
}
