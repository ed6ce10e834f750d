// npm run fuzz -- [--count N] [--seed S]: mutation fuzzing of the ONNX frontend, verifier and interpreter.
// npm run fuzz -- --compile [--count N] [--seed S] [--target wasm|webgpu|both]: the whole path — semantic
// mutants run by onnxruntime, then compiled, run and compared on the targets (tests/fuzz/whole-path.ts);
// --only I,J,… reruns the mutants of those indices that a seed made (as the report names them: model#I).
import { allFuzzModels } from '../tests/fuzz/fuzz-models.js';
import { runFuzz } from '../tests/fuzz/run-fuzz.js';
import { formatWholePath, runWholePath } from '../tests/fuzz/whole-path.js';
import type { TargetName } from '../tests/util/targets.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const compileMode = args.includes('--compile');
const count = opt('--count', compileMode ? 200 : 5000);
const seed = opt('--seed', Date.now() % 1e9);
const tty = process.stderr.isTTY;
const progress = (every: number) => (done: number) => {
  if (tty && done % every === 0) process.stderr.write(`\r${done}/${count}`);
};

if (compileMode) {
  const t = args.indexOf('--target') >= 0 ? args[args.indexOf('--target') + 1] : 'both';
  const targets: TargetName[] | undefined = t === 'both' ? ['wasm', 'webgpu'] : t === 'wasm' || t === 'webgpu' ? [t] : undefined;
  if (!targets) {
    console.error(`unknown --target '${t}' (have: wasm, webgpu, both)`);
    process.exit(2);
  }
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',').map(Number)) : undefined;
  const report = await runWholePath({ count, seed, targets, ...(only ? { only } : {}), onProgress: progress(10) });
  if (tty) process.stderr.write('\n');
  for (const line of formatWholePath(report, seed)) console.log(line);
  const failed = Object.values(report.targets).some((r) => r.mismatches.length || r.crashes.length);
  process.exit(failed ? 1 : 0);
}

const report = runFuzz(allFuzzModels(), count, seed, progress(100));
if (tty) process.stderr.write('\n');
for (const c of report.crashes) console.log(`CRASH ${c.model} case ${c.caseIndex} (${c.kind}): ${c.error}`);
console.log(`fuzz(seed ${seed}): ${report.cases} cases, ${report.rejected} rejected with DlcError, ${report.accepted} accepted, ${report.crashes.length} crashes, slowest ${report.slowestMs.toFixed(0)} ms`);
process.exit(report.crashes.length ? 1 : 0);
