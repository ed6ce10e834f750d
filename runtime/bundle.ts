// The single-file form of an artifact (FILE.dlc): "DLC1", the byte length of a JSON list of [name, bytes]
// (u32, little-endian), that list, then each file's bytes in its order. It holds the same files as the
// directory, manifest.json included, so loading it is loading those files from memory, sha-256 checks and all.
import { DlcRuntimeError } from './errors.js';

const MAGIC = 'DLC1';

export const isBundle = (bytes: Uint8Array): boolean => bytes.length > 8 && String.fromCharCode(...bytes.subarray(0, 4)) == MAGIC;

/** A bundle's files by name (views into `bytes`, not copies). */
export function unpackBundle(bytes: Uint8Array, where: string): Map<string, Uint8Array> {
  const bad = (why: string) => new DlcRuntimeError(`${where}: not a dlc bundle: ${why}`);
  if (!isBundle(bytes)) throw bad(`it does not start with ${MAGIC}`);
  const size = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
  let list: [string, number][];
  try {
    list = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + size)));
  } catch (e) {
    throw bad((e as Error).message);
  }
  const files = new Map<string, Uint8Array>();
  let at = 8 + size;
  if (!Array.isArray(list)) throw bad('no list of files');
  for (const [name, n] of list) {
    if (!(n >= 0 && at + n <= bytes.length)) throw bad(`${name} runs past its end`);
    files.set(name, bytes.subarray(at, (at += n)));
  }
  return files;
}

/** The bundle of an artifact's files (for the compiler; loaders only unpack). */
export function packBundle(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const list = new TextEncoder().encode(JSON.stringify([...files].map(([name, b]) => [name, b.length])));
  const out = new Uint8Array(8 + list.length + [...files.values()].reduce((n, b) => n + b.length, 0));
  out.set(new TextEncoder().encode(MAGIC));
  new DataView(out.buffer).setUint32(4, list.length, true);
  out.set(list, 8);
  let at = 8 + list.length;
  for (const b of files.values()) out.set(b, at), (at += b.length);
  return out;
}
