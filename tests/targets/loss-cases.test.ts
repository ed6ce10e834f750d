// The loss cases (tests/cases/loss-cases.ts) on every target, against the reference interpreter.
import { LOSS_CASES } from '../cases/loss-cases.js';
import { forEachTarget } from '../util/targets.js';

describe('loss kernels match the interpreter', () => {
  for (const [name, graph] of Object.entries(LOSS_CASES)) forEachTarget(name, graph);
});
