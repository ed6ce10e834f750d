import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../tests/util/repo.js';
import { scheduleRecord } from '../codegen/schedule.js';
import { dlc } from '../tests/util/run-cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-options-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

describe('the options commands share', () => {
  test('dlc --version prints the package version', async () => {
    const r = await dlc('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  test.each(['inspect', 'compile', 'verify', 'bench'])('dlc %s --help lists the model options and --target', async (command) => {
    const r = await dlc(command, '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--input-shape', '--opt-level', '--passes', '--print-ir-after-all', '--dump-ir', '--print-constants', '--timing', '--verify-each', '--target']) expect(r.stdout).toContain(flag);
    for (const flag of ['--precision', '--schedules', '--tuning-records']) expect(r.stdout.includes(flag)).toBe(command !== 'inspect');
  });

  test('compile --schedules records them in the manifest; --timing and --dump-ir instrument the passes', async () => {
    const schedules = path.join(tmp, 'schedules.json');
    fs.writeFileSync(schedules, JSON.stringify({ conv: { kind: 'im2col-gemm' }, matmul: { unrollK: 2 } }));
    const dir = path.join(tmp, 'tuned');
    const dump = path.join(tmp, 'dump');
    const r = await dlc('compile', TINY_CNN, '-o', dir, '-O1', '--schedules', schedules, '--timing', '--dump-ir', dump, '--verify-each');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^pass timing:\n(.* ms +\d+× +[\w-]+\n)+.* ms +total\n$/);
    expect(r.stdout).toMatch(/^compiled /);
    expect(fs.readdirSync(dump).slice(0, 2)).toEqual(['000_input.ir', '001_fold-constants.ir']);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.options.schedules).toEqual(JSON.parse(JSON.stringify(scheduleRecord({ conv: { kind: 'im2col-gemm' }, matmul: { unrollK: 2 } }))));
  });

  test('inspect takes --target (api/inspect.test.ts checks that the passes see it)', async () => {
    const r = await dlc('inspect', TINY_CNN, '--target', 'webgpu', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).kernels).toBeGreaterThan(1);
  });

  test.each([
    [['compile', TINY_CNN, '-o', 'OUT', '--schedules', 'MISSING'], /^dlc: .*missing\.json: cannot read --schedules file: ENOENT\n$/],
    [['compile', TINY_CNN, '-o', 'OUT', '--schedules', 'BAD_JSON'], /^dlc: .*bad\.json: --schedules file is not valid JSON: .*\n$/],
    [['compile', TINY_CNN, '-o', 'OUT', '--schedules', 'ARRAY'], /^dlc: .*array\.json: --schedules file: a schedule file holds one JSON object\n$/],
    [['verify', TINY_CNN, '--schedules', 'TYPO'], /^dlc: .*typo\.json: --schedules file: unknown schedule kind 'matmull' \(known: matmul, conv, gpu, nodes\)\n$/],
    [['bench', REPO_ROOT, '--timing'], /^dlc: .* is a compiled artifact: --timing applies only when benching an ONNX model\n$/],
    [['inspect', TINY_CNN, '--target', 'cuda'], /^dlc: option '--target <target>' argument 'cuda' is invalid\. Allowed choices are wasm, webgpu\.\n$/],
    [['inspect', TINY_CNN, '--schedules', 'x.json'], /^dlc: unknown option '--schedules'/],
  ])('%j is one line, exit 2', async (args, message) => {
    const files: Record<string, [string, string]> = {
      MISSING: ['missing.json', ''],
      BAD_JSON: ['bad.json', '{ "matmul": '],
      ARRAY: ['array.json', '[]'],
      TYPO: ['typo.json', '{ "matmull": {} }'],
    };
    const resolved = args.map((a) => {
      if (a === 'OUT') return path.join(tmp, 'never');
      const file = files[a];
      if (!file) return a;
      if (a !== 'MISSING') fs.writeFileSync(path.join(tmp, file[0]), file[1]);
      return path.join(tmp, file[0]);
    });
    const r = await dlc(...resolved);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});
