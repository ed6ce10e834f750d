// Guards to control flow: kernels nested by the If arms they run in, and which kernels never both run; the
// dependencies of a reader of an If's output name the writers in both arms.
import { Value } from '../compiler/ir/graph.js';
import { exclusive, regionsOf, type ArmGuard } from './branches.js';
import { kernelDependencies } from './step-dependencies.js';

const value = (name: string) => new Value(name, { dtype: 'f32', shape: [1] });
const [c1, c2] = [value('c1'), value('c2')];
const arm = (branch: number, cond: Value, taken: boolean): ArmGuard => ({ branch, node: `If_${branch}`, cond, taken });
const [outerThen, outerElse, innerThen, innerElse] = [arm(0, c1, true), arm(0, c1, false), arm(1, c2, true), arm(1, c2, false)];

// k0; If_0 { then: k1, If_1 { then: k2 else: k3 }, k4  else: k5 }; k6
const guards = [[], [outerThen], [outerThen, innerThen], [outerThen, innerElse], [outerThen], [outerElse], []];

test('kernels nest by their arms, then before else', () => {
  const inner = { guard: { branch: 1, node: 'If_1', cond: c2 }, then: [{ kernel: 2 }], else: [{ kernel: 3 }] };
  expect(regionsOf(guards)).toEqual([
    { kernel: 0 },
    { guard: { branch: 0, node: 'If_0', cond: c1 }, then: [{ kernel: 1 }, inner, { kernel: 4 }], else: [{ kernel: 5 }] },
    { kernel: 6 },
  ]);
});

test('two kernels are exclusive when they sit in different arms of one If', () => {
  expect(exclusive(guards[2], guards[3])).toBe(true);
  expect(exclusive(guards[3], guards[5])).toBe(true);
  expect(exclusive(guards[1], guards[2])).toBe(false);
  expect(exclusive(guards[0], guards[5])).toBe(false);
});

test('a reader of an If\'s output depends on its writers in both arms; a later write replaces them', () => {
  const [x, y, z] = [value('x'), value('y'), value('z')];
  const kernels = [
    { reads: [], writes: [c1] },
    { reads: [c1], writes: [y] },
    { reads: [c1], writes: [y] },
    { reads: [y], writes: [z] },
    { reads: [z], writes: [y] },
    { reads: [y], writes: [x] },
  ];
  const deps = kernelDependencies(kernels, [], [z, y], [[], [outerThen], [outerElse], [], [], []]);
  expect(deps.steps).toEqual([[], [0], [0], [1, 2], [3], [4]]);
  expect(deps.outputs).toEqual([[3], [4]]);
});
