// Loading weights.bin apart from the artifact: from its own URL, streamed with progress, kept in Cache
// Storage. A fake fetch serves the hand-written artifact (16 bytes of weights) from memory, in chunks; a fake
// `caches` stands in for the browser's Cache Storage.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeWasmArtifact } from '../codegen/artifact.js';
import { handWrittenProgram } from '../tests/util/hand-wasm.js';
import { DlcRuntimeError, loadModel, type FetchResponse, type LoadProgress } from './index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-weights-loading-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ARTIFACT = 'https://example.com/m';
const CDN_WEIGHTS = 'https://cdn.example.com/lenet/v2/weights.bin';
const feeds = () => ({ x: new Float32Array([0.5, -1, 10, 0]), k: new BigInt64Array([7n, -2n]) });
const Y = new Float32Array([1.5, 1, 13, 4]);

let dir: string;
let weightsSha256: string;
beforeAll(async () => {
  dir = path.join(tmp, 'artifact');
  writeWasmArtifact(dir, await handWrittenProgram(), {});
  weightsSha256 = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).files['weights.bin'].sha256;
});

/** A fetch over `files` by URL whose bodies stream in chunks of `chunk` bytes (none: no body); it records each URL asked for. */
function fakeFetch(files: Record<string, Uint8Array>, chunk?: number) {
  const fetched: string[] = [];
  const fetch = async (url: string): Promise<FetchResponse> => {
    fetched.push(url);
    const bytes = files[url];
    if (!bytes) return { ok: false, status: 404, statusText: 'Not Found', arrayBuffer: async () => new ArrayBuffer(0) };
    const response = { ok: true, status: 200, statusText: 'OK', arrayBuffer: async () => bytes.slice().buffer };
    if (chunk === undefined) return response;
    let at = 0;
    const read = async () => (at >= bytes.length ? { done: true } : { done: false, value: bytes.slice(at, (at += chunk)) });
    return { ...response, body: { getReader: () => ({ read }) } };
  };
  return { fetch, fetched };
}

/** The artifact's files at ARTIFACT, weights.bin at `weightsAt`. */
function served(weightsAt = `${ARTIFACT}/weights.bin`): Record<string, Uint8Array> {
  const file = (name: string) => new Uint8Array(fs.readFileSync(path.join(dir, name)));
  return { [`${ARTIFACT}/manifest.json`]: file('manifest.json'), [`${ARTIFACT}/model.wasm`]: file('model.wasm'), [weightsAt]: file('weights.bin') };
}

describe('weightsUrl', () => {
  test('weights.bin comes from its own URL, checked like every file', async () => {
    const { fetch, fetched } = fakeFetch(served(CDN_WEIGHTS), 5);
    const session = await loadModel(ARTIFACT, { fetch, weightsUrl: CDN_WEIGHTS });
    expect((await session.run(feeds())).y).toEqual(Y);
    expect(fetched.sort()).toEqual([CDN_WEIGHTS, `${ARTIFACT}/manifest.json`, `${ARTIFACT}/model.wasm`]);

    const stale = served(CDN_WEIGHTS);
    stale[CDN_WEIGHTS] = new Uint8Array(16);
    await expect(loadModel(ARTIFACT, { fetch: fakeFetch(stale).fetch, weightsUrl: CDN_WEIGHTS })).rejects.toThrow(
      new DlcRuntimeError(`${ARTIFACT}: weights.bin from ${CDN_WEIGHTS} does not match the sha-256 in manifest.json: the artifact is corrupted or was tampered with`),
    );
    await expect(loadModel(ARTIFACT, { fetch, weightsUrl: `${CDN_WEIGHTS}.gone` })).rejects.toThrow(`${ARTIFACT}: cannot fetch weights.bin from ${CDN_WEIGHTS}.gone: HTTP 404 Not Found`);
  });

  test('in Node, a path', async () => {
    const elsewhere = path.join(tmp, 'weights-v2.bin');
    fs.copyFileSync(path.join(dir, 'weights.bin'), elsewhere);
    const bare = path.join(tmp, 'bare');
    fs.cpSync(dir, bare, { recursive: true });
    fs.rmSync(path.join(bare, 'weights.bin'));
    expect((await (await loadModel(bare, { weightsUrl: elsewhere })).run(feeds())).y).toEqual(Y);
  });
});

describe('onProgress', () => {
  test('a streamed body is told chunk by chunk, up to the size the manifest lists', async () => {
    const events: LoadProgress[] = [];
    await loadModel(ARTIFACT, { fetch: fakeFetch(served(), 5).fetch, onProgress: (e) => events.push(e) });
    const weights = events.filter((e) => e.file === 'weights.bin');
    expect(weights).toEqual([5, 10, 15, 16].map((loaded) => ({ file: 'weights.bin', loaded, total: 16 })));
    const wasm = events.filter((e) => e.file === 'model.wasm');
    expect(wasm.length).toBeGreaterThan(1);
    expect(wasm.at(-1)!.loaded).toBe(wasm[0].total);
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(['weights.bin', 'model.wasm']));
  });

  test('a file read whole (a path in Node, a response without a body) is told once', async () => {
    for (const [where, fetch] of [[dir, undefined], [ARTIFACT, fakeFetch(served()).fetch]] as const) {
      const events: LoadProgress[] = [];
      await loadModel(where, { fetch, onProgress: (e) => events.push(e) });
      expect(events.filter((e) => e.file === 'weights.bin')).toEqual([{ file: 'weights.bin', loaded: 16, total: 16 }]);
    }
  });
});

/** A Cache Storage in memory: caches by name, entries by key. */
function fakeCaches() {
  const stores = new Map<string, Map<string, Uint8Array>>();
  let full = false;
  const api = {
    open: async (name: string) => {
      const entries = stores.get(name) ?? new Map<string, Uint8Array>();
      stores.set(name, entries);
      return {
        match: async (key: string) => (entries.has(key) ? new Response(entries.get(key)!.slice()) : undefined),
        put: async (key: string, response: Response) => {
          if (full) throw new Error('QuotaExceededError');
          entries.set(key, new Uint8Array(await response.arrayBuffer()));
        },
        delete: async (key: string) => entries.delete(key),
      };
    },
  };
  return { api, stores, fill: () => (full = true) };
}

describe('cache', () => {
  const global = globalThis as { caches?: unknown };
  afterEach(() => delete global.caches);

  test('a second load takes weights.bin from Cache Storage and downloads nothing of it', async () => {
    const caches = fakeCaches();
    global.caches = caches.api;
    const first = fakeFetch(served(CDN_WEIGHTS), 5);
    expect((await (await loadModel(ARTIFACT, { fetch: first.fetch, weightsUrl: CDN_WEIGHTS, cache: 'dlc-weights' })).run(feeds())).y).toEqual(Y);
    expect(first.fetched).toContain(CDN_WEIGHTS);
    const key = `https://dlc.invalid/weights.bin?sha256=${weightsSha256}`;
    expect([...caches.stores.get('dlc-weights')!.keys()]).toEqual([key]);

    const second = fakeFetch(served(CDN_WEIGHTS), 5);
    const events: LoadProgress[] = [];
    const session = await loadModel(ARTIFACT, { fetch: second.fetch, weightsUrl: CDN_WEIGHTS, cache: 'dlc-weights', onProgress: (e) => events.push(e) });
    expect((await session.run(feeds())).y).toEqual(Y);
    expect(second.fetched.sort()).toEqual([`${ARTIFACT}/manifest.json`, `${ARTIFACT}/model.wasm`]);
    expect(events.filter((e) => e.file === 'weights.bin')).toEqual([{ file: 'weights.bin', loaded: 16, total: 16 }]);
  });

  test('an entry that fails the sha-256 check is deleted and weights.bin fetched and stored again', async () => {
    const caches = fakeCaches();
    global.caches = caches.api;
    const key = `https://dlc.invalid/weights.bin?sha256=${weightsSha256}`;
    await caches.api.open('w');
    const entries = caches.stores.get('w')!;
    entries.set(key, new Uint8Array(16).fill(7));
    const { fetch, fetched } = fakeFetch(served());
    expect((await (await loadModel(ARTIFACT, { fetch, cache: 'w' })).run(feeds())).y).toEqual(Y);
    expect(fetched).toContain(`${ARTIFACT}/weights.bin`);
    expect(entries.get(key)).toEqual(served()[`${ARTIFACT}/weights.bin`]);
  });

  test('without Cache Storage, with cache: false, or with a full cache, weights.bin is downloaded as without caching', async () => {
    const fetchedWeights = async (options: { cache?: string | false }) => {
      const { fetch, fetched } = fakeFetch(served());
      expect((await (await loadModel(ARTIFACT, { fetch, ...options })).run(feeds())).y).toEqual(Y);
      return fetched.filter((url) => url.endsWith('weights.bin')).length;
    };
    expect(await fetchedWeights({ cache: 'w' })).toBe(1);
    const caches = fakeCaches();
    global.caches = caches.api;
    expect(await fetchedWeights({ cache: false })).toBe(1);
    expect(caches.stores.size).toBe(0);
    caches.fill();
    expect(await fetchedWeights({ cache: 'w' })).toBe(1);
    expect(await fetchedWeights({ cache: 'w' })).toBe(1);
  });
});
