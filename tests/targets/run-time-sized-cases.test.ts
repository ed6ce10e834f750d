// The ops whose output size depends on data (tests/cases/run-time-sized-cases.ts) on every target, against the
// reference interpreter: each output trimmed to the extent its kernel wrote, zero rows included.
import { RUN_TIME_SIZED_CASES } from '../cases/run-time-sized-cases.js';
import { forEachTarget } from '../util/targets.js';

for (const [name, { graph, feeds }] of Object.entries(RUN_TIME_SIZED_CASES)) {
  feeds.forEach((given, i) => forEachTarget(`${name} (feed ${i + 1})`, graph, { feeds: given }));
}
