// The README's library example, run as a user would run it: its ```js block under "## Library API", with
// 'dlc' and 'dlc/runtime' pointed at the sources (api/index.ts, runtime/index.ts, so that no build is needed)
// and run by tsx in a fresh process, in a directory where models/ is the repository's.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../tests/util/repo.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-readme-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The first ```js block after the heading. */
function exampleUnder(markdown: string, heading: string): string {
  const section = markdown.indexOf(`\n${heading}\n`);
  if (section < 0) throw new Error(`README.md has no '${heading}' section`);
  const block = /\n```js\n([\s\S]*?)\n```\n/.exec(markdown.slice(section));
  if (!block) throw new Error(`README.md has no \`\`\`js block under '${heading}'`);
  return block[1];
}

test('the README library example compiles tiny-cnn, writes it, loads it with the runtime and runs it', async () => {
  const example = exampleUnder(fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'), '## Library API');
  expect(example).toContain("from 'dlc'");
  const source = example
    .replace(/from 'dlc'/g, `from '${path.join(REPO_ROOT, 'api', 'index.ts')}'`)
    .replace(/from 'dlc\/runtime'/g, `from '${path.join(REPO_ROOT, 'runtime', 'index.ts')}'`);
  fs.writeFileSync(path.join(tmp, 'example.mts'), source);
  fs.symlinkSync(path.join(REPO_ROOT, 'models'), path.join(tmp, 'models'));

  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const { stdout, stderr } = await promisify(execFile)(tsx, ['example.mts'], { cwd: tmp, timeout: 240_000 });
  expect(stderr).toBe('');
  // Ten class probabilities that sum to 1, from the artifact the example wrote.
  const probs = stdout.trim().split(' ').map(Number);
  expect(probs).toHaveLength(10);
  expect(probs.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
  expect(fs.readdirSync(path.join(tmp, 'build', 'tiny-cnn')).sort()).toEqual(['manifest.json', 'model.wasm', 'weights.bin']);
});
