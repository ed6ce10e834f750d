// Reading an artifact's files: `fetch` for URLs (and everywhere outside Node), the file system for paths in
// Node, through `#read-file`, which package.json's `imports` resolve by export condition (read-file-node.js
// under `node`, read-file-browser.js otherwise) so that a browser bundle never meets node:fs. A fetched body
// is read chunk by chunk where the response has one, so that progress can be told as it arrives. Every file
// is checked against the sha-256 the manifest lists (WebCrypto, present in browsers' secure contexts and in
// Node ≥ 19), and the manifest against a subresource-integrity pin where the caller gives one.
import { readLocalFile } from '#read-file';
import { DlcRuntimeError } from './errors.js';

/** What the runtime needs of a `fetch` Response: a streamed `body` is optional (arrayBuffer() otherwise). */
export interface FetchResponse {
  ok: boolean;
  status: number;
  statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  body?: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> } } | null;
}

export type FetchFunction = (url: string) => Promise<FetchResponse>;

export interface ReadOptions {
  /** Where the file is instead of the artifact's directory: a URL, or in Node a path. */
  location?: string;
  /** Told the bytes read so far as they arrive. */
  onBytes?: (loaded: number) => void;
}

export interface ArtifactSource {
  /** Where the artifact is, for messages. */
  where: string;
  read(name: string, options?: ReadOptions): Promise<Uint8Array>;
}

/** An artifact's files by name, manifest.json included (what `compile` returns), to load without a directory. */
export type ArtifactFiles = ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;

export function artifactSource(from: string | ArtifactFiles, fetchFn?: FetchFunction): ArtifactSource {
  if (typeof from != 'string') {
    const elsewhere = artifactSource('', fetchFn);
    return {
      where: 'in-memory artifact',
      read: async (name, options = {}) => {
        if (options.location !== undefined) return elsewhere.read(name, options);
        const bytes = from instanceof Map ? from.get(name) : (from as Record<string, Uint8Array>)[name];
        if (!(bytes instanceof Uint8Array)) throw new DlcRuntimeError(`in-memory artifact: no ${name}`);
        options.onBytes?.(bytes.length);
        return bytes;
      },
    };
  }
  const dirOrUrl = from;
  const base = dirOrUrl.replace(/[\\/]+$/, '');
  const get = fetchFn ?? (globalThis.fetch as unknown as FetchFunction | undefined);
  return {
    where: base,
    read: async (name, { location, onBytes } = {}) => {
      const at = location ?? `${base}/${name}`;
      // Named in messages: the file, and where it came from when that is not the artifact's directory.
      const what = location === undefined ? name : `${name} from ${location}`;
      if (readLocalFile && !/^https?:/i.test(at) && !fetchFn) {
        try {
          const bytes = await readLocalFile(at);
          onBytes?.(bytes.length);
          return bytes;
        } catch (e) {
          throw new DlcRuntimeError(`${base}: cannot read ${what}: ${(e as { code?: string }).code ?? (e as Error).message}`);
        }
      }
      if (!get) throw new DlcRuntimeError(`${base}: no fetch in this environment to load the artifact with`);
      let response: FetchResponse;
      try {
        response = await get(at);
      } catch (e) {
        throw new DlcRuntimeError(`${base}: cannot fetch ${what}: ${(e as Error).message}`);
      }
      if (!response.ok) throw new DlcRuntimeError(`${base}: cannot fetch ${what}: HTTP ${response.status} ${response.statusText}`.trimEnd());
      return bodyBytes(response, onBytes);
    },
  };
}

/** A response's body, read chunk by chunk where it is a stream. */
async function bodyBytes(response: FetchResponse, onBytes?: (loaded: number) => void): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onBytes?.(bytes.length);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value!);
    loaded += r.value!.length;
    onBytes?.(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

export const sha256Hex = async (bytes: Uint8Array): Promise<string> => hex(await digest('SHA-256', bytes));

/** The digest of `bytes` by a WebCrypto algorithm ('SHA-256', 'SHA-384', 'SHA-512'). */
export async function digest(algorithm: string, bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new DlcRuntimeError('WebCrypto (crypto.subtle) is unavailable: serve the page from https or localhost to check the artifact');
  return new Uint8Array(await subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>));
}

export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Refuses bytes that match none of the subresource-integrity digests in `integrity`. */
export async function checkIntegrity(bytes: Uint8Array, integrity: string, where: string): Promise<void> {
  for (const token of integrity.trim().split(/\s+/)) {
    const [, bits, base64] = /^sha(256|384|512)-([A-Za-z0-9+/]+={0,2})$/.exec(token) ?? [];
    if (!bits) throw new DlcRuntimeError(`${where}: bad integrity '${token}': want sha256-, sha384- or sha512-<base64>`);
    if (btoa(String.fromCharCode(...(await digest(`SHA-${bits}`, bytes)))) === base64) return;
  }
  throw new DlcRuntimeError(`${where}: manifest.json does not match its integrity pin: the artifact was changed`);
}
