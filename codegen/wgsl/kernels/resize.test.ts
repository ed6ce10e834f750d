import { KERNEL_CASES } from '../../../tests/cases/kernel-cases.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

for (const [name, graph] of Object.entries(KERNEL_CASES.resize)) {
  test(name, async () => {
    expect(await mismatches(graph())).toEqual([]);
  });
}

