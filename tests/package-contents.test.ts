// What the published package holds: `npm pack` over package.json's `files` (bin, dist, and the files its
// `imports` resolve to: runtime/read-file-*.js, which dist/runtime/files.js imports as `#read-file`), with dist
// as `npm run build` emits it — the sources tsconfig.build.json names and every source they import. No test,
// shared test case or testing helper may be among them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './util/repo.js';

const TEST_ONLY = [/\.test\.[jt]s$/, /(^|\/)tests\//, /-cases\.[jt]s$/, /(^|\/)testing\.[jt]s$/];
const isTestOnly = (file: string) => TEST_ONLY.some((re) => re.test(file));
const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
/** The files package.json's `imports` resolve to, under every condition. */
const IMPORTED: string[] = Object.values(PACKAGE.imports as Record<string, Record<string, string>>).flatMap((targets) =>
  Object.values(targets).map((t) => path.posix.normalize(t)),
);

/** The repository-relative sources the build compiles, sorted. */
function buildSources(): string[] {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d: ts.Diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, 'tsconfig.build.json'), {}, host)!;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  return program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !program.isSourceFileFromExternalLibrary(f))
    .map((f) => path.relative(REPO_ROOT, f.fileName))
    .sort();
}

/** The files `npm pack` would publish, with dist/ holding what the build emits for `sources`. */
function packedFiles(sources: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-pack-'));
  try {
    fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
    fs.cpSync(path.join(REPO_ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
    for (const file of IMPORTED) fs.cpSync(path.join(REPO_ROOT, file), path.join(dir, file));
    for (const source of sources) {
      const out = path.join(dir, 'dist', source.replace(/\.ts$/, ''));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(`${out}.js`, '');
      fs.writeFileSync(`${out}.d.ts`, '');
    }
    const report = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return (JSON.parse(report) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the published package', () => {
  const sources = buildSources();

  test('the build compiles no test file, shared test case or testing helper', () => {
    expect(sources).toContain('runtime/index.ts');
    expect(sources.filter(isTestOnly)).toEqual([]);
  });

  test('npm pack ships bin, the built sources and what their #imports resolve to, and nothing test-only', () => {
    const files = packedFiles(sources);
    expect(IMPORTED).toEqual(['runtime/read-file-node.js', 'runtime/read-file-browser.js']);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'bin/dlc.js', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', ...IMPORTED]));
    expect(files.filter((f) => !/^(package\.json|bin\/|dist\/)/.test(f) && !IMPORTED.includes(f))).toEqual([]);
    expect(files.filter(isTestOnly)).toEqual([]);
  });
});
