// The package version `dlc --version` prints: read from the package.json above this module (the repository's
// from cli/ when run from source, from dist/cli/ when built, or the installed package's).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dlc' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error('dlc cannot find its package.json');
  }
}
