// Compiles generated AssemblyScript in-process with the `assemblyscript` compiler API: SIMD on, -O3
// (shrink level 0), no debug info, the stub runtime and no `abort` import, so the module imports nothing
// (a threaded module imports its shared memory, nothing else).
// The compiler is deterministic: the same source gives the same bytes.
import { DlcError } from '../../compiler/errors.js';

export const WASM_PAGE_BYTES = 65536;

/** Largest linear memory a wasm32 module can declare (65536 pages = 4 GiB). */
const MAX_PAGES = 65536;

export interface AscOptions {
  /** Pages the module's memory starts with. */
  initialPages: number;
  /** Where AssemblyScript puts its static data. */
  memoryBase: number;
  /**
   * Import the memory as a shared `env.memory` of exactly initialPages (threads: every thread instantiates
   * the module over the same memory) and enable atomics; otherwise the module owns its memory.
   */
  shared?: boolean;
}

export async function compileAssemblyScript(source: string, options: AscOptions): Promise<Uint8Array> {
  if (options.initialPages > MAX_PAGES) throw new DlcError(`the model needs ${options.initialPages} pages of memory, over wasm32's ${MAX_PAGES}`);
  const asc = await import('assemblyscript/asc');
  const result = await asc.compileString(
    { 'model.ts': source },
    {
      runtime: 'stub',
      use: ['abort='],
      enable: options.shared ? ['simd', 'threads'] : ['simd'],
      optimizeLevel: 3,
      shrinkLevel: 0,
      noAssert: true,
      debug: false,
      initialMemory: Math.max(1, options.initialPages),
      memoryBase: options.memoryBase,
      ...(options.shared ? { importMemory: true, sharedMemory: true, maximumMemory: Math.max(1, options.initialPages) } : {}),
    },
  );
  if (result.error || !result.binary) {
    // Generated code that does not compile is a bug in a kernel generator, not a user error.
    throw new Error(`AssemblyScript rejected the generated source: ${result.error?.message}\n${result.stderr.toString()}`);
  }
  return result.binary;
}

function readLeb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, pos];
  }
}

/** The end of the module's static data (the highest byte its active data segments initialize), 0 without any. */
export function staticDataEnd(wasm: Uint8Array): number {
  let pos = 8;
  let end = 0;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, body] = readLeb(wasm, pos + 1);
    if (id === 11) {
      let [count, p] = readLeb(wasm, body);
      for (; count > 0; count--) {
        const flags = wasm[p++];
        if (flags === 2) p = readLeb(wasm, p)[1];
        let offset = 0;
        if (flags !== 1) {
          // Offset expression: i32.const <leb> end (the only form AssemblyScript emits).
          if (wasm[p] !== 0x41) throw new Error('unexpected data segment offset expression');
          let v: number;
          [v, p] = readLeb(wasm, p + 1);
          offset = v;
          p++;
        }
        const [len, q] = readLeb(wasm, p);
        end = Math.max(end, offset + len);
        p = q + len;
      }
    }
    pos = body + size;
  }
  return end;
}
