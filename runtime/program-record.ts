// What the compiled program records of the manifest it was written with, so that an edited manifest.json
// cannot make it run silently wrong: the sha-256 of the canonical JSON of every manifest field that decides
// where tensors and weights lie (model.wasm: a custom section; kernels.wgsl: a comment line before its first
// module). The manifest's sha-256 list covers the program's file, so editing these fields means editing the
// program too; loadModel's `integrity` pins the manifest itself against that.
import { DlcRuntimeError } from './errors.js';
import { sha256Hex } from './files.js';
import type { Manifest } from './manifest.js';

/** The manifest fields the program records, per target. */
export const RECORDED_FIELDS = {
  wasm: ['inputs', 'outputs', 'memory', 'specialized', 'dependencies'],
  webgpu: ['inputs', 'outputs', 'specialized', 'buffers', 'weights', 'modules', 'steps', 'dependencies'],
} as const;
/** The name of model.wasm's custom section that holds the record. */
export const WASM_RECORD_SECTION = 'dlc';
/** The line of kernels.wgsl that holds the record, before its first module. */
export const WGSL_RECORD_MARK = '// dlc:program ';

/** JSON with object keys sorted and no spaces: the text that the record's hashes are taken over. */
export const canonical = (x: unknown): string =>
  x && typeof x == 'object'
    ? Array.isArray(x)
      ? `[${x.map(canonical)}]`
      : `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)}}`
    : JSON.stringify(x);

/** The field of a manifest that is hashed: `specialized` absent counts as none. */
export const recordedValue = (manifest: Record<string, unknown>, field: string): unknown => manifest[field] ?? (field == 'specialized' ? [] : null);

/** The record model.wasm holds (JSON text), or undefined. */
export function wasmRecord(module: WebAssembly.Module): string | undefined {
  const [section] = WebAssembly.Module.customSections(module, WASM_RECORD_SECTION);
  return section && new TextDecoder().decode(section);
}

/** The record kernels.wgsl holds (JSON text), or undefined. */
export const wgslRecord = (wgsl: string): string | undefined => wgsl.split('\n').find((l) => l.startsWith(WGSL_RECORD_MARK))?.slice(WGSL_RECORD_MARK.length);

/** Refuses a manifest whose recorded fields are not those the program `file` was compiled with. */
export async function checkProgramRecord(manifest: Manifest, record: string | undefined, file: string, where: string): Promise<void> {
  let hashes: Record<string, unknown> | undefined;
  try {
    hashes = JSON.parse(record!);
  } catch {}
  if (typeof hashes != 'object' || !hashes) throw new DlcRuntimeError(`${where}: ${file} has no record of its manifest (an older dlc compiled it): recompile the model`);
  for (const field of RECORDED_FIELDS[manifest.target]) {
    const value = recordedValue(manifest as unknown as Record<string, unknown>, field);
    // A field newer than the program (dependencies) is absent from both.
    if (!(field in hashes) && value === null) continue;
    if ((await sha256Hex(new TextEncoder().encode(canonical(value)))) !== hashes[field]) {
      throw new DlcRuntimeError(`${where}: manifest.json's '${field}' is not what ${file} was compiled for: the manifest was edited`);
    }
  }
}
