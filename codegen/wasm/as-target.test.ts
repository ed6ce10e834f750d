import { f16BitsToF32, f32ToF16Bits } from '../../compiler/ir/dtype.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../../tests/util/wasm-testing.js';
import { compileToWasm } from './program.js';
import { loadProgram } from './run-program.js';

/** f16 results of casting `values` of `from` to f16 and back to f32 on the wasm target. */
async function castsToF16(from: 'f32' | 'f64', values: number[]): Promise<{ half: number[]; widened: number[] }> {
  const g = buildGraph({
    inputs: { x: { dtype: from, shape: [values.length] } },
    build: (b, { x }) => {
      const h = b.emit('cast', [x], { to: 'f16' })[0];
      return [h, b.emit('cast', [h], { to: 'f32' })[0]];
    },
  });
  const out = (await loadProgram(await compileToWasm(g))).run({ x: Tensor.fromArray(from, [values.length], values) });
  const [half, widened] = g.outputs.map((v) => Array.from(out[v.name].data));
  return { half, widened };
}

describe('f16 on the wasm target: stored as bits, rounded to nearest even', () => {
  test('f32 → f16 → f32 is exact at ties, subnormals, overflow, signed zero, infinities and NaN', async () => {
    const values = [
      1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 5 * 2 ** -11), 65504, 65519.99, 65520, -70000, 2 ** -24, 2 ** -25, 1.5 * 2 ** -25,
      3 * 2 ** -25, 2 ** -14 - 2 ** -25, 6.1e-5, 1e-8, -0, Infinity, -Infinity, NaN, 0.1, 1023.75, 2049,
    ];
    const want = values.map((v) => f16BitsToF32(f32ToF16Bits(v)));
    const { half, widened } = await castsToF16('f32', values);
    expect(half).toEqual(want);
    expect(widened).toEqual(want);
  });

  test('f64 → f16 rounds once, from the f64 value (not through f32)', async () => {
    // Each lies just past an f16 tie by less than half an f32 ulp: rounding to f32 first would land on the tie.
    const values = [1 + 2 ** -11 + 2 ** -40, 2 ** -25 + 2 ** -60, -(2048 + 1 + 2 ** -30), 65519.999999];
    const { half } = await castsToF16('f64', values);
    expect(half).toEqual([1 + 2 ** -10, 2 ** -24, -2050, 65504]);
  });
});
