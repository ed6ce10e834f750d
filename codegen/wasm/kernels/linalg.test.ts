import { OP_CASES } from '../../op-cases.js';
import { buildGraph, mismatches } from '../testing.js';

for (const [name, graph] of Object.entries(OP_CASES.linalg)) {
  test(name, async () => {
    expect(await mismatches(graph())).toEqual([]);
  });
}

test('det and dft of f64 input, computed in f64', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f64', shape: [2, 5, 5] }, c: { dtype: 'f64', shape: [4, 7, 2] } },
    build: (b, { x, c }) => [b.emit('det', [x])[0], b.emit('dft', [c], { inverse: 1 })[0]],
  });
  expect(await mismatches(g)).toEqual([]);
});
