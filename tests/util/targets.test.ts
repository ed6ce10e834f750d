// The harness itself: the tolerance table, a run on each target, and skips that must still be needed.
import { f64LayerGraph } from '../cases/recurrent-cases.js';
import { buildGraph } from './graphs.js';
import { expectSkipNeeded, runOnTarget, SKIP_REASONS, TARGETS, TOLERANCES, toleranceOf } from './targets.js';

const relu = () => buildGraph({ inputs: { x: { dtype: 'f32', shape: [2, 5] } }, build: (b, { x }) => b.emit('relu', [x]) });

describe('the tolerance table', () => {
  test('integer and bool outputs are exact; float rows say why', () => {
    for (const target of TARGETS) {
      expect(toleranceOf(target, 'i64')).toEqual({ atol: 0, rtol: 0 });
      expect(toleranceOf(target, 'bool')).toEqual({ atol: 0, rtol: 0 });
      for (const row of Object.values(TOLERANCES[target])) expect(row.why.length).toBeGreaterThan(20);
    }
    expect(toleranceOf('webgpu', 'f32')).toMatchObject({ atol: 1e-4, rtol: 1e-4 });
    expect(toleranceOf('wasm', 'f32')).toMatchObject({ atol: 1e-4, rtol: 1e-3 });
  });

  test('an output whose dtype has no row is a mismatch that says so', async () => {
    const g = buildGraph({ inputs: { x: { dtype: 'f64', shape: [3] } }, build: (b, { x }) => b.emit('neg', [x]) });
    // Every target has every float row today: take one away for the length of the test.
    const row = TOLERANCES.wasm.f64;
    delete TOLERANCES.wasm.f64;
    try {
      expect((await runOnTarget('wasm', g)).mismatches).toEqual([`${g.outputs[0].name}: no wasm tolerance for f64 (add a row to TOLERANCES in tests/util/targets.ts)`]);
    } finally {
      TOLERANCES.wasm.f64 = row;
    }
  });
});

test.each(TARGETS)('%s: a graph runs and matches, and its kernels are counted', async (target) => {
  const g = relu();
  const run = await runOnTarget(target, g);
  expect(run).toMatchObject({ target, kernels: 1, mismatches: [] });
  expect(Object.keys(run.outputs)).toEqual([g.outputs[0].name]);
});

describe('skips', () => {
  test('every reason says what it means', () => {
    for (const meaning of Object.values(SKIP_REASONS)) expect(meaning.length).toBeGreaterThan(20);
  });

  test('a skip holds while the case fails on its target', async () => {
    await expect(expectSkipNeeded('f64 layers', { target: 'wasm', reason: 'f64-unsupported' }, f64LayerGraph())).resolves.toBeUndefined();
  });

  test('a skip that is no longer needed fails, naming the case, target and reason', async () => {
    await expect(expectSkipNeeded('relu', { target: 'wasm', reason: 'f64-unsupported' }, relu())).rejects.toThrow(
      "'relu' is skipped on wasm (f64-unsupported: the target refuses the op with f64 operands at compile time (a DlcError naming the node and op)) but passes there: remove the skip",
    );
  });
});
