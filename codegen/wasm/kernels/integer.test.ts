import { OP_CASES } from '../../op-cases.js';
import { mismatches } from '../testing.js';

describe('integer anchors match the interpreter', () => {
  for (const [name, graph] of Object.entries(OP_CASES.integer)) {
    test(name, async () => {
      expect(await mismatches(graph())).toEqual([]);
    });
  }
});
