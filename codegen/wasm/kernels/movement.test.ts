import { KERNEL_CASES } from '../../../tests/cases/kernel-cases.js';
import { mismatches } from '../../../tests/util/wasm-testing.js';

for (const [name, graph] of Object.entries(KERNEL_CASES.movement)) {
  test(name, async () => {
    expect(await mismatches(graph())).toEqual([]);
  });
}

