// Reading an artifact's files: `fetch` for URLs (and everywhere outside Node), `node:fs/promises` for paths
// in Node, imported only when needed so that a browser never loads it. Every file is checked against the
// sha-256 the manifest lists (WebCrypto, present in browsers' secure contexts and in Node ≥ 19).
import { DlcRuntimeError } from './errors.js';

export type FetchFunction = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface ArtifactSource {
  /** Where the artifact is, for messages. */
  where: string;
  read(name: string): Promise<Uint8Array>;
}

export function artifactSource(dirOrUrl: string, fetchFn?: FetchFunction): ArtifactSource {
  const base = dirOrUrl.replace(/[\\/]+$/, '');
  const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (inNode && !/^https?:/i.test(base) && !fetchFn) {
    const fileUrl = /^file:/i.test(base);
    return {
      where: base,
      read: async (name) => {
        const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
        try {
          return new Uint8Array(await fs.readFile(fileUrl ? new URL(`${base}/${name}`) : `${base}/${name}`));
        } catch (e) {
          throw new DlcRuntimeError(`${base}: cannot read ${name}: ${(e as { code?: string }).code ?? (e as Error).message}`);
        }
      },
    };
  }
  const get = fetchFn ?? (globalThis.fetch as unknown as FetchFunction | undefined);
  if (!get) throw new DlcRuntimeError(`${base}: no fetch in this environment to load the artifact with`);
  return {
    where: base,
    read: async (name) => {
      let response: Awaited<ReturnType<FetchFunction>>;
      try {
        response = await get(`${base}/${name}`);
      } catch (e) {
        throw new DlcRuntimeError(`${base}: cannot fetch ${name}: ${(e as Error).message}`);
      }
      if (!response.ok) throw new DlcRuntimeError(`${base}: cannot fetch ${name}: HTTP ${response.status} ${response.statusText}`.trimEnd());
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new DlcRuntimeError('WebCrypto (crypto.subtle) is unavailable: serve the page from https or localhost to check the artifact');
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
