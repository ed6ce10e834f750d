// The packed weights decoder's cost in the runtime: bundled and minified by esbuild and gzipped at level 9,
// as `npm run bench` measures the whole runtime, it must stay within 3 KiB.
import { bundleSize } from '../scripts/bundle-size.js';

const BUDGET_GZIP_BYTES = 3072;

test('decodeWeights bundles to at most 3 KiB gzipped', async () => {
  const alone = await bundleSize("export { decodeWeights } from './weights-decode.js';");
  expect(alone.gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  const runtime = await bundleSize("export * from './index.js';");
  console.log(`decodeWeights: ${alone.gzipBytes} bytes gzipped alone; the runtime with it: ${runtime.gzipBytes}`);
});
