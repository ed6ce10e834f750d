// The whole tree type-checks (jest strips types without checking them, so this is where type errors fail).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './util/repo.js';

test('tsc --noEmit reports no errors', () => {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', path.join(REPO_ROOT, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    output = String((e as { stdout?: string }).stdout ?? e);
  }
  expect(output).toBe('');
});
