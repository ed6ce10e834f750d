// The dlc-runtime package (runtime/package.json) as an app that ships an artifact gets it: packed by npm from
// the built runtime, dependency-free, bundled for a browser by name with no flags, and installed from its
// tarball alone (offline: it has nothing to fetch) to run an artifact compiled by dlc.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { compile, writeArtifact } from '../api/index.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { loadModel } from './index.js';

const RUNTIME = path.join(REPO_ROOT, 'runtime');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-runtime-pkg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** runtime/ as it is (its built output aside), built as its package's build builds it, and packed by npm. */
function pack(): Packed {
  const stage = path.join(tmp, 'runtime');
  fs.cpSync(RUNTIME, stage, { recursive: true, filter: (from) => from !== path.join(RUNTIME, 'dist') });
  run(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(RUNTIME, 'tsconfig.build.json'), '--outDir', path.join(stage, 'dist')], REPO_ROOT);
  return (JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], stage)) as Packed[])[0];
}

describe('the dlc-runtime package', () => {
  let packed: Packed;
  const app = path.join(tmp, 'app');
  beforeAll(() => {
    packed = pack();
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', path.join(tmp, packed.filename)], app);
  });

  test('has no dependencies, the root package version, and packs only the built runtime and its README', () => {
    const pkg = readJson(path.join(RUNTIME, 'package.json'));
    expect(Object.keys(pkg).filter((k) => /dependencies$/i.test(k))).toEqual([]);
    expect(pkg.version).toBe(readJson(path.join(REPO_ROOT, 'package.json')).version);
    const sources = fs.readdirSync(RUNTIME).filter((f) => f.endsWith('.ts') && !/\.(test|d)\.ts$/.test(f));
    const built = sources.flatMap((f) => [`dist/${f.replace(/\.ts$/, '.js')}`, `dist/${f.replace(/\.ts$/, '.d.ts')}`]);
    const shipped = ['package.json', 'README.md', 'read-file-node.js', 'read-file-browser.js', 'read-file.d.ts'];
    expect(packed.files.map((f) => f.path).sort()).toEqual([...shipped, ...built].sort());
  });

  test('installs alone from its tarball, offline, and runs an artifact dlc compiled, in Node', async () => {
    expect(fs.readdirSync(path.join(app, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['dlc-runtime']);
    const artifact = path.join(app, 'tiny-cnn');
    writeArtifact(await compile(path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx'), { target: 'wasm', optLevel: 2 }), artifact);
    fs.writeFileSync(
      path.join(app, 'main.js'),
      `import { loadModel } from 'dlc-runtime';
const session = await loadModel('./tiny-cnn');
const { probs } = await session.run({ image: new Float32Array(3 * 32 * 32).fill(0.5) });
console.log(JSON.stringify(Array.from(probs)));`,
    );
    const probs = JSON.parse(run(process.execPath, ['main.js'], app));
    const session = await loadModel(artifact);
    const expected = (await session.run({ image: new Float32Array(3 * 32 * 32).fill(0.5) })).probs as Float32Array;
    expect(probs).toEqual(Array.from(expected));
    expect(probs).toHaveLength(10);
  });

  test('bundles by name for the browser with no externals or flags, and no node: import in the bundle', async () => {
    const result = await build({
      stdin: { contents: "export { loadModel } from 'dlc-runtime';", resolveDir: app },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).toContain('loadModel');
    expect(code).toContain('read-file-browser.js');
    expect(code).not.toMatch(/node:|read-file-node/);
  });
});
