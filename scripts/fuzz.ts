// npm run fuzz -- [--count N] [--seed S]: mutation fuzzing of the ONNX frontend, verifier and interpreter.
import { allFuzzModels } from '../tests/fuzz/fuzz-models.js';
import { runFuzz } from '../tests/fuzz/run-fuzz.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const count = opt('--count', 5000);
const seed = opt('--seed', Date.now() % 1e9);
const tty = process.stderr.isTTY;
const report = runFuzz(allFuzzModels(), count, seed, (done) => {
  if (tty && done % 100 === 0) process.stderr.write(`\r${done}/${count}`);
});
if (tty) process.stderr.write('\n');
for (const c of report.crashes) console.log(`CRASH ${c.model} case ${c.caseIndex} (${c.kind}): ${c.error}`);
console.log(`fuzz(seed ${seed}): ${report.cases} cases, ${report.rejected} rejected with DlcError, ${report.accepted} accepted, ${report.crashes.length} crashes, slowest ${report.slowestMs.toFixed(0)} ms`);
process.exit(report.crashes.length ? 1 : 0);
