import { Value } from '../compiler/ir/graph.js';
import { dispatchDependencies, kernelDependencies } from './step-dependencies.js';
import { stepsFor } from '../runtime/output-selection.js';

const v = (name: string) => new Value(name, { dtype: 'f32', shape: [2] });

test('kernel dependencies follow values through their alias groups; inputs have no writer', () => {
  const [x, a, b, view, c, y] = ['x', 'a', 'b', 'view', 'c', 'y'].map(v);
  const deps = kernelDependencies(
    [
      { reads: [x], writes: [a] }, // 0
      { reads: [x], writes: [b] }, // 1
      { reads: [view], writes: [c] }, // 2: view is a reshape of a
      { reads: [c, b], writes: [y] }, // 3
    ],
    [[view, a]],
    [y, a, x],
  );
  expect(deps).toEqual({ steps: [[], [], [0], [1, 2]], outputs: [[3], [0], []] });
  expect(stepsFor([1], 4, deps)).toEqual([0]);
  expect(stepsFor([0], 4, deps)).toEqual([0, 1, 2, 3]);
  expect(stepsFor([2], 4, deps)).toEqual([]);
  // Without dependencies (an older artifact) every step runs.
  expect(stepsFor([2], 4)).toEqual([0, 1, 2, 3]);
});

test('dispatch dependencies: every dispatch of the kernels read, and the earlier ones of its own kernel', () => {
  const kernel = { steps: [[], [0], []], outputs: [[1], [2]] };
  // Kernel 0 has two dispatches (0, 1), kernel 1 two (2, 3), kernel 2 one (4).
  expect(dispatchDependencies(kernel, [2, 2, 1])).toEqual({ steps: [[], [0], [0, 1], [0, 1, 2], []], outputs: [[2, 3], [4]] });
  // A kernel with no dispatches (empty tensors) contributes none.
  expect(dispatchDependencies(kernel, [1, 0, 1])).toEqual({ steps: [[], []], outputs: [[], [1]] });
});
