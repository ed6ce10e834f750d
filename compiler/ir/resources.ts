// The data an IR dump keeps beside its text (MLIR's dense_resource blobs): tensors too large to read inline
// print as `dense_resource<blob_K>`, K the first 16 hex digits of their bytes' SHA-256, and their bytes go to
// a resource file once (a weight that every pass's dump prints is stored once per dump directory). The file
// is a run of records, each `K` (16 ASCII hex digits), its byte length (u32, little-endian) and the bytes;
// new blobs are appended. parseIrFile reads a dump and the resource file beside it back into the graph.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../errors.js';
import type { Graph } from './graph.js';
import { parseGraph } from './parser.js';
import type { ResourceSink } from './printer.js';

/** The resource file beside the dumps of a directory. */
export const RESOURCE_FILE = 'resources.bin';

const KEY_PREFIX = 'blob_';
const KEY_DIGITS = 16;

/** Blobs by key: what a printer elides into and a parser reads back from. */
export class IrResources implements ResourceSink {
  private readonly blobs = new Map<string, Uint8Array>();
  /** Keys added since the last `takeNew`, in order. */
  private fresh: string[] = [];

  add(bytes: Uint8Array): string {
    const key = KEY_PREFIX + createHash('sha256').update(bytes).digest('hex').slice(0, KEY_DIGITS);
    if (!this.blobs.has(key)) {
      this.blobs.set(key, bytes);
      this.fresh.push(key);
    }
    return key;
  }

  get(key: string): Uint8Array | undefined {
    return this.blobs.get(key);
  }

  get size(): number {
    return this.blobs.size;
  }

  /** The records of the blobs added since the last call, as the resource file holds them. */
  takeNew(): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const key of this.fresh) {
      const bytes = this.blobs.get(key)!;
      const head = new Uint8Array(KEY_DIGITS + 4);
      head.set(Buffer.from(key.slice(KEY_PREFIX.length), 'ascii'));
      new DataView(head.buffer).setUint32(KEY_DIGITS, bytes.length, true);
      parts.push(head, bytes);
    }
    this.fresh = [];
    return Buffer.concat(parts);
  }

  /** The blobs of a resource file's bytes; `file` names it in errors. */
  static decode(data: Uint8Array, file: string): IrResources {
    const r = new IrResources();
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let at = 0; at < data.length; ) {
      if (at + KEY_DIGITS + 4 > data.length) throw new DlcError(`resource file is truncated at byte ${at}`, { file });
      const digits = Buffer.from(data.subarray(at, at + KEY_DIGITS)).toString('ascii');
      if (!/^[0-9a-f]+$/.test(digits)) throw new DlcError(`resource file has no blob key at byte ${at}`, { file });
      const length = dv.getUint32(at + KEY_DIGITS, true);
      const start = at + KEY_DIGITS + 4;
      if (start + length > data.length) throw new DlcError(`resource file is truncated in blob ${KEY_PREFIX}${digits}`, { file });
      r.blobs.set(KEY_PREFIX + digits, data.slice(start, start + length));
      at = start + length;
    }
    return r;
  }
}

/** Reads an IR file; its `dense_resource` data comes from the resource file in its directory. */
export function parseIrFile(file: string): Graph {
  const text = readFile(file);
  if (!text.includes('dense_resource<')) return parseGraph(text, file);
  const resourceFile = path.join(path.dirname(file), RESOURCE_FILE);
  const resources = IrResources.decode(readFile(resourceFile, null), resourceFile);
  return parseGraph(text, file, { resources });
}

function readFile(file: string): string;
function readFile(file: string, encoding: null): Uint8Array;
function readFile(file: string, encoding: 'utf8' | null = 'utf8'): string | Uint8Array {
  try {
    return encoding ? fs.readFileSync(file, encoding) : fs.readFileSync(file);
  } catch (e) {
    throw new DlcError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
}
