// The kernel cases (tests/cases/kernel-cases.ts) on every target, against the reference interpreter.
import { KERNEL_CASES } from '../cases/kernel-cases.js';
import { forEachTarget } from '../util/targets.js';

for (const [family, cases] of Object.entries(KERNEL_CASES)) {
  describe(family, () => {
    for (const [name, graph] of Object.entries(cases)) forEachTarget(name, graph);
  });
}
