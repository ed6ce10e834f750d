// npm run conformance -- [--target reference|wasm] [--filter REGEX] [--verbose]
// Prints `conformance(TARGET): N/922 passed (M with shape inputs specialized)` and the failures grouped by reason.
import { listCases } from '../tests/conformance/cases.js';
import { BACKENDS } from '../tests/conformance/backends.js';
import { formatSummary, runCases, summarize } from '../tests/conformance/run-cases.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const target = opt('--target') ?? 'reference';
  const backend = Object.hasOwn(BACKENDS, target) ? BACKENDS[target as keyof typeof BACKENDS] : undefined;
  if (!backend) {
    console.error(`unknown target '${target}' (have: ${Object.keys(BACKENDS).join(', ')})`);
    process.exit(2);
  }
  const filter = opt('--filter');
  const re = filter ? new RegExp(filter) : undefined;
  const cases = listCases('node').filter((c) => !re || re.test(c.name));
  const results = await runCases(cases, backend, { atol: 1e-4, rtol: 1e-3 });
  console.log(formatSummary(target, summarize(results), args.includes('--verbose')));
}

main();
