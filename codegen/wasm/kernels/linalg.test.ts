// det and dft in f64 on wasm (webgpu computes f64 as f32); the shared linalg cases run in tests/targets/op-cases.test.ts.
import { buildGraph, mismatches } from '../../../tests/util/wasm-testing.js';

test('det and dft of f64 input, computed in f64', async () => {
  const g = buildGraph({
    inputs: { x: { dtype: 'f64', shape: [2, 5, 5] }, c: { dtype: 'f64', shape: [4, 7, 2] } },
    build: (b, { x, c }) => [b.emit('det', [x])[0], b.emit('dft', [c], { inverse: 1 })[0]],
  });
  expect(await mismatches(g)).toEqual([]);
});
