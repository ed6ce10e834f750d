// Writes into the compiled program the record of the manifest fields it was compiled with (runtime/program-record.ts
// defines it and checks it at load): the sha-256 of each field's canonical JSON, as taken over the manifest
// exactly as it is written.
import { createHash } from 'node:crypto';
import { canonical, recordedValue, RECORDED_FIELDS, WASM_RECORD_SECTION, WGSL_RECORD_MARK } from '../runtime/program-record.js';
import { canonicalJson } from './canonical-json.js';

/** The record (JSON text) of a manifest of `target`, as the runtime will read it back from manifest.json. */
export function programRecord(manifest: { target: 'wasm' | 'webgpu' }): string {
  const written = JSON.parse(canonicalJson(manifest)) as Record<string, unknown>;
  const hashes: Record<string, string> = {};
  for (const field of RECORDED_FIELDS[manifest.target]) hashes[field] = createHash('sha256').update(canonical(recordedValue(written, field))).digest('hex');
  return JSON.stringify(hashes);
}

/** kernels.wgsl with the record as its first line. */
export function withWgslRecord(wgsl: string, record: string): string {
  return `${WGSL_RECORD_MARK}${record}\n${wgsl}`;
}

/**
 * The module with the record in its custom section (appended; custom sections may lie anywhere and change
 * nothing the module does), in place of any record it already holds (update-weights writes an artifact's
 * module anew).
 */
export function withWasmRecord(wasm: Uint8Array, record: string): Uint8Array<ArrayBuffer> {
  const kept: Uint8Array[] = [wasm.subarray(0, 8)];
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const size = leb(wasm, at + 1);
    const end = size.next + size.value;
    if (id !== 0 || sectionName(wasm, size.next) !== WASM_RECORD_SECTION) kept.push(wasm.subarray(at, end));
    at = end;
  }
  const name = new TextEncoder().encode(WASM_RECORD_SECTION);
  const payload = new TextEncoder().encode(record);
  const body = [...uleb(name.length), ...name, ...payload];
  kept.push(Uint8Array.from([0, ...uleb(body.length), ...body]));
  const out = new Uint8Array(kept.reduce((n, k) => n + k.length, 0));
  kept.reduce((at, k) => (out.set(k, at), at + k.length), 0);
  return out;
}

function sectionName(wasm: Uint8Array, at: number): string {
  const n = leb(wasm, at);
  return new TextDecoder().decode(wasm.subarray(n.next, n.next + n.value));
}

function leb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { value, next: at };
  }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    const b = n % 128;
    n = Math.floor(n / 128);
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
}
