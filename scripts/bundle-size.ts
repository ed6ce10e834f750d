// The size of runtime code as a page would ship it: bundled and minified by esbuild (the version tsx brings)
// as one ES module, and gzipped at level 9. `npm run bench` reports the runtime's; a test holds the packed
// weights decoder within its budget.
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../tests/util/repo.js';

/** Bytes of `entry` (module text resolved in runtime/) bundled and minified, and gzipped. */
export async function bundleSize(entry: string): Promise<{ bytes: number; gzipBytes: number }> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: path.join(REPO_ROOT, 'runtime'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}
