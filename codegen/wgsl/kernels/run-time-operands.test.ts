import { RUN_TIME_OPERAND_CASES } from '../../op-cases.js';
import { webgpuMismatches as mismatches } from '../../../tests/util/webgpu-mismatches.js';

for (const [name, { graph, feeds }] of Object.entries(RUN_TIME_OPERAND_CASES)) {
  test(name, async () => {
    const g = graph();
    for (const given of feeds) expect(await mismatches(g, 1, {}, given)).toEqual([]);
  });
}
