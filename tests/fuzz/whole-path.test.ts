// The whole path on seeded semantic mutants of the repo's models (whole-path.ts): each mutant onnxruntime runs
// is compiled, run and compared on a target; a mismatch, a crash, a hang or a refusal that is not of a kind
// dlc documents as unsupported fails. webgpu compiles in milliseconds, so it takes the larger share; wasm
// renders its mutants into a few modules (the AssemblyScript compiler's second is per module).
// `npm run fuzz -- --compile --count N [--seed S] [--target wasm|webgpu|both]` runs any number.
import { seededRandom } from '../../compiler/random.js';
import { makeMutant, semanticSources } from './semantic-mutants.js';
import { formatWholePath, runWholePath, type WholePathReport } from './whole-path.js';
import type { TargetName } from '../util/targets.js';

/**
 * Refusals (DlcError messages, names and numbers blanked) of what dlc documents as unsupported. None of the
 * mutants meets one today; a refusal not listed here fails, with its message in the report.
 */
const DOCUMENTED_REFUSALS: RegExp[] = [];

function failures(report: WholePathReport, target: TargetName, seed: number): string[] {
  const t = report.targets[target]!;
  const lines = formatWholePath(report, seed);
  const bad = [...t.refused.keys()].filter((reason) => !DOCUMENTED_REFUSALS.some((r) => r.test(reason)));
  if (!t.mismatches.length && !t.crashes.length && !bad.length) return [];
  return [...lines, ...bad.map((reason) => `undocumented refusal: ${reason}`)];
}

const CASES: { target: TargetName; count: number; seed: number; wasmBatch?: number }[] = [
  { target: 'webgpu', count: 200, seed: 20261207 },
  { target: 'wasm', count: 60, seed: 20261208, wasmBatch: 30 },
];

for (const { target, count, seed, wasmBatch } of CASES) {
  test(`${target}: ${count} seeded semantic mutants match onnxruntime`, async () => {
    const report = await runWholePath({ count, seed, targets: [target], ...(wasmBatch ? { wasmBatch } : {}) });
    expect(failures(report, target, seed)).toEqual([]);
    expect(report.made).toBe(count);
    // Most mutants must reach the target, or the mutations are making models nobody runs.
    const run = report.made - report.ortRejected;
    expect(run).toBeGreaterThan(count * 0.7);
    expect(report.targets[target]!.passed).toBe(run);
  }, 600_000);
}

test('the mutants are seeded and reach every kind of mutation', () => {
  const sources = semanticSources();
  const make = (seed: number) => {
    const signed = seededRandom(seed);
    const unit = () => (signed() + 1) / 2;
    return Array.from({ length: 150 }, (_, i) => makeMutant(sources[i % sources.length], i, unit));
  };
  const [a, b] = [make(5), make(5)];
  expect(a.map((m) => Buffer.from(m.bytes).toString('base64'))).toEqual(b.map((m) => Buffer.from(m.bytes).toString('base64')));
  const all = a.flatMap((m) => m.mutations).join('\n');
  for (const kind of [/^conv strides/m, /^conv pads/m, /^conv dilations/m, /^conv kernel/m, /^conv group/m, /^(Max|Average)Pool /m, /^\w+ → \w+$/m,
    /^transpose /m, /^output /m, /^pad reflect/m, /^pad edge/m, /^tile /m, /^f16 round trip/m, /^input .*\[\d+,3,\d+,\d+\]/m]) {
    expect(all).toMatch(kind);
  }
});
