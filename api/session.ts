// Running a compiled artifact in this process: the runtime loads it straight from memory (its files served
// to the runtime's fetch), and the runtime's errors become DlcErrors (one line, exit 1 on the command line).
import { DlcError } from '../compiler/errors.js';
import { DlcRuntimeError, loadModel, type Session } from '../runtime/index.js';
import type { Artifact } from './compile.js';

/**
 * Loads an artifact that `compile` returned; `where` names it in messages. `threads`: how many threads a wasm
 * artifact compiled with --threads runs on (all of them by default).
 */
export function loadInMemory(artifact: Pick<Artifact, 'files'>, where: string, device?: GPUDevice, threads?: number): Promise<Session> {
  const prefix = `${where}/`;
  const fetch = async (url: string) => {
    const bytes = url.startsWith(prefix) ? artifact.files.get(url.slice(prefix.length)) : undefined;
    return {
      ok: bytes !== undefined,
      status: bytes === undefined ? 404 : 200,
      statusText: bytes === undefined ? 'Not Found' : 'OK',
      arrayBuffer: async () => (bytes === undefined ? new ArrayBuffer(0) : bytes.slice().buffer),
    };
  };
  return withRuntimeErrors(() => loadModel(where, { fetch, device, ...(threads === undefined ? {} : { threads }) }));
}

/** Runs `body`, turning the runtime's errors into the compiler's (one line, exit 1). */
export async function withRuntimeErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DlcRuntimeError) throw new DlcError(e.message);
    throw e;
  }
}
