// Reading an artifact's file from a path or file: URL, in Node (and runtimes that answer to the `node`
// condition): what `#read-file` resolves to there (runtime/package.json `imports`). Plain JavaScript beside
// the sources, so that the import resolves alike from the sources and from the built package; read-file.d.ts
// types it.
import { readFile } from 'node:fs/promises';

export const readLocalFile = async (at) => new Uint8Array(await readFile(/^file:/i.test(at) ? new URL(at) : at));
