import { OP_CASES } from '../../op-cases.js';
import { mismatches } from '../testing.js';

for (const [name, graph] of Object.entries(OP_CASES.reverseSequence)) {
  test(name, async () => {
    expect(await mismatches(graph())).toEqual([]);
  });
}
