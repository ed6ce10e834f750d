// The repository root, found from the working directory (jest and the npm scripts run inside the repo; the
// sources cannot use __dirname or import.meta because they run both as CommonJS and as ESM).
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'dlc') return dir;
    if (path.dirname(dir) === dir) throw new Error(`not inside the dlc repository: ${start}`);
  }
}

export const REPO_ROOT = findRepoRoot(process.cwd());
