// The packed weights decoder's cost in the runtime: bundled and minified by esbuild and gzipped at level 9,
// as scripts/bench.ts measures the whole runtime, it must stay within 3 KiB.
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../tests/util/repo.js';

const BUDGET_GZIP_BYTES = 3072;

async function gzipBytes(entry: string): Promise<number> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: path.join(REPO_ROOT, 'runtime'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    external: ['node:fs/promises'],
    write: false,
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
}

test('decodeWeights bundles to at most 3 KiB gzipped', async () => {
  const alone = await gzipBytes("export { decodeWeights } from './weights-decode.js';");
  expect(alone).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  // What it adds to the runtime, which already holds DlcRuntimeError (for the record).
  const runtime = await gzipBytes("export * from './index.js';");
  const withDecoder = await gzipBytes("export * from './index.js'; export { decodeWeights } from './weights-decode.js';");
  console.log(`decodeWeights: ${alone} bytes gzipped alone, +${withDecoder - runtime} on the runtime's ${runtime}`);
});
