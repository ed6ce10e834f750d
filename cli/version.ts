// The package version `dlc --version` prints, and the package's folder: found from the package.json above this module (the repository's
// from cli/ when run from source, from dist/cli/ when built, or the installed package's).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageVersion(): string {
  return readPackage(packageRoot()).version!;
}

/** The folder of dlc's own package.json: where its runtime sources (or dist/) lie, whatever the working directory. */
export function packageRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = readPackage(dir);
      if (pkg.name === 'dlc' && pkg.version) return dir;
    }
    if (path.dirname(dir) === dir) throw new Error('dlc cannot find its package.json');
  }
}

/** The name and version of the package in `dir`. */
export function readPackage(dir: string): { name?: string; version?: string } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
}
