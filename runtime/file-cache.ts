// Keeping a file of an artifact (weights.bin) in Cache Storage, where the environment has it (browsers' secure
// contexts, workers, Deno), so that loading a model again downloads nothing. The key names the file's
// sha-256, so that the same bytes from any URL are one entry and a new weights.bin (dlc update-weights) is
// another. An entry is used only once its bytes pass the sha-256 check; one that fails is deleted and the
// file fetched again. The cache only saves downloads: where it fails (storage full, an opaque origin) the
// file is loaded as without it.

interface CacheLike {
  match(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
  put(key: string, response: Response): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** The file's entry: a URL, as Cache Storage requires, that is never fetched (.invalid is reserved, RFC 2606). */
export function cacheKey(name: string, sha256: string): string {
  return `https://dlc.invalid/${name}?sha256=${sha256}`;
}

/**
 * The file from cache `cacheName` when an entry there passes `verify`, else from `download` (which checks
 * what it returns), stored for the next load.
 */
export async function readThroughCache(cacheName: string, key: string, verify: (bytes: Uint8Array) => Promise<boolean>, download: () => Promise<Uint8Array>): Promise<{ bytes: Uint8Array; cached: boolean }> {
  const storage = (globalThis as { caches?: { open(name: string): Promise<CacheLike> } }).caches;
  const cache = await storage?.open(cacheName).catch(() => undefined);
  if (!cache) return { bytes: await download(), cached: false };
  const hit = await cache.match(key).catch(() => undefined);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (await verify(bytes)) return { bytes, cached: true };
    await cache.delete(key).catch(() => false);
  }
  const bytes = await download();
  await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>)).catch(() => undefined);
  return { bytes, cached: false };
}
