// The op cases (tests/cases/op-cases.ts) on every target, against the reference interpreter: linear algebra,
// integer anchors, max-pool indices, max-unpool, reverse_sequence, tf_idf_vectorizer, and the ops whose operands (trilu's k,
// cum_sum's axis, empty reduce axes) arrive at run time, each fed every value its case lists.
import { OP_CASES, RUN_TIME_OPERAND_CASES } from '../cases/op-cases.js';
import { forEachTarget } from '../util/targets.js';

for (const [family, cases] of Object.entries(OP_CASES)) {
  describe(family, () => {
    for (const [name, graph] of Object.entries(cases)) forEachTarget(name, graph);
  });
}

describe('run-time operands', () => {
  for (const [name, { graph, feeds }] of Object.entries(RUN_TIME_OPERAND_CASES)) {
    feeds.forEach((given, i) => forEachTarget(`${name} (feed ${i + 1})`, graph, { feeds: given }));
  }
});
