import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph } from '../../tests/util/graphs.js';
import { gridFor, WORKGROUP_SIZE } from './kernels/shader.js';
import { webgpuMismatches } from '../../tests/util/webgpu-mismatches.js';
import { storageType, storedValue, WGSL_TARGET, wgslLiteral, withHelpers } from './wgsl-target.js';

test('every dtype has a 32-bit storage type; compile-time values are clamped into it', () => {
  expect(['f32', 'f16', 'f64', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'bool'].map((d) => storageType(d as never))).toEqual([
    'f32', 'f32', 'f32', 'i32', 'i32', 'i32', 'i32', 'u32', 'u32', 'u32', 'u32', 'u32',
  ]);
  expect(storedValue(9.22e18, 'i64')).toBe(2147483647);
  expect(storedValue(-1, 'u8')).toBe(0);
  expect(storedValue(0.1, 'f32')).toBe(Math.fround(0.1));
});

test('literals: floats with a suffix, NaN and infinities through helpers, integers typed', () => {
  expect(wgslLiteral(1, 'f32')).toBe('1.0f');
  expect(wgslLiteral(-2.5, 'f32')).toBe('(-2.5f)');
  expect(wgslLiteral(1e-30, 'f32')).toMatch(/^1\.\d+e-30f$/);
  expect(wgslLiteral(NaN, 'f32')).toBe('dlc_nan()');
  expect(wgslLiteral(-Infinity, 'f64')).toBe('dlc_ninf()');
  expect(wgslLiteral(-3, 'i64')).toBe('i32(-3)');
  expect(wgslLiteral(1, 'bool')).toBe('1u');
  expect(WGSL_TARGET.convert('x', 'f32', 'u8')).toBe('(u32(i32(x)) & 0xffu)');
  expect(WGSL_TARGET.convert('x', 'i32', 'i8')).toBe('((x << 24u) >> 24u)');
  // A module gets the helpers it calls, and those they call, once.
  const code = withHelpers('fn main() { let y = dlc_pow(2.0f, 3.0f); }');
  expect(code.match(/fn dlc_nan\(/g)).toHaveLength(1);
  expect(withHelpers(code)).toBe(code);
});

test('grids past 65,535 workgroups fold into y and z', () => {
  expect(gridFor(100)).toEqual([2, 1, 1]);
  expect(gridFor(65535 * WORKGROUP_SIZE + 1)).toEqual([65535, 2, 1]);
  expect(gridFor(65535 * 65535 * WORKGROUP_SIZE + 1)).toEqual([65535, 65535, 2]);
});

// WGSL lets implementations assume no NaN arises from arithmetic (SwiftShader folds ∞·0 to 0), so only
// infinities are produced here.
test('infinities and a folded grid run as the interpreter says', async () => {
  const n = 65535 * WORKGROUP_SIZE + 1000;
  const g = buildGraph({
    inputs: { x: { dtype: 'f32', shape: [n] }, s: { dtype: 'f32', shape: [5] } },
    build: (b, { x, s }) => {
      const c = (v: number) => b.constant(Tensor.scalar('f32', v));
      const inf = b.emit('div', [s, c(0)])[0];
      return [
        b.emit('relu', [x])[0],
        b.emit('is_inf', [inf])[0],
        b.emit('max', [s, c(-Infinity)])[0],
        b.emit('pow', [s, c(3)])[0],
        b.emit('cast', [b.emit('mul', [s, c(300)])[0]], { to: 'u8' })[0],
      ];
    },
  });
  expect(await webgpuMismatches(g)).toEqual([]);
});
