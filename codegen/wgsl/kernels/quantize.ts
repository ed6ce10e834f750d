// Linear quantization: quantize_linear and dequantize_linear (scale and zero point per tensor or along an
// axis) and dynamic_quantize_linear. Quantized values are stored as i32/u32 (wgsl-target.ts) and computed
// in f32, as the reference emulates: q = saturate(round_half_even(x / scale) + zero_point). WGSL's round()
// rounds half to even, and its float-to-integer conversion saturates.
import type { Value } from '../../../compiler/ir/graph.js';
import { attrInt, normalizeAxis } from '../../../compiler/ops/util.js';
import type { DType } from '../../../compiler/ir/dtype.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

const RANGES: Partial<Record<DType, [number, number]>> = {
  u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767], i32: [-2147483648, 2147483647],
};

/** The element of a quantization parameter that element `i` of x uses: one for all, or one per index along the axis. */
function paramAt(k: WgslKernelContext, x: Value, param: Value, binding: string): string {
  const n = sizeOfValue(param);
  if (n === 1) return `${binding}[0]`;
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const inner = xs.slice(axis + 1).reduce((p, d) => p * d, 1);
  return `${binding}[(i / ${inner}u) % ${n}u]`;
}

/** f32 `q` rounded half to even, plus the zero point, clamped into `dtype` and stored as its storage type. */
function saturate(q: string, zp: string, dtype: DType): string {
  const [lo, hi] = RANGES[dtype]!;
  return `${storageType(dtype)}(clamp(round(${q}) + ${zp}, ${wgslLiteral(lo, 'f32')}, ${wgslLiteral(hi, 'f32')}))`;
}

export function quantizeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, scale, zp, y] = [k.input(0), k.input(1), k.node.inputs[2] ?? undefined, k.output(0)];
  if (!RANGES[y.type.dtype]) unsupported(k.node, `${y.type.dtype} outputs`);
  if (storageType(x.type.dtype) !== 'f32') unsupported(k.node, `${x.type.dtype} inputs (floats only)`);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const z = zp ? `f32(${paramAt(k, x, zp, b.of(zp))})` : '0.0f';
  const body = `  ${yb}[i] = ${saturate(`${xb}[i] / ${paramAt(k, x, scale, b.of(scale))}`, z, y.type.dtype)};`;
  return [perInvocation({ bindings: b.list, count, body })];
}

/** y = (x − zero_point) · scale. */
export function dequantizeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, scale, zp, y] = [k.input(0), k.input(1), k.node.inputs[2] ?? undefined, k.output(0)];
  if (storageType(y.type.dtype) !== 'f32') unsupported(k.node, `${y.type.dtype} outputs`);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const shifted = zp ? `(f32(${xb}[i]) - f32(${paramAt(k, x, zp, b.of(zp))}))` : `f32(${xb}[i])`;
  const body = `  ${yb}[i] = ${shifted} * ${paramAt(k, x, scale, b.of(scale))};`;
  return [perInvocation({ bindings: b.list, count, body })];
}

/**
 * scale = (max(0, max x) − min(0, min x)) / 255, zero point = saturate(round(−min / scale)), then y as
 * quantize_linear. One invocation finds the range (a sequential pass: the tensors this op sees are
 * activations of one layer), then one invocation per element quantizes with the stored scale and zero point.
 */
export function dynamicQuantizeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y, scale, zp] = [k.input(0), k.output(0), k.output(1), k.output(2)];
  if (storageType(x.type.dtype) !== 'f32') unsupported(k.node, `${x.type.dtype} inputs (floats only)`);
  const count = sizeOfValue(x);
  const r = new Bindings([scale, zp]);
  const [xr, sr, zr] = [r.of(x), r.of(scale), r.of(zp)];
  const range = [
    '  var lo = 0.0f;',
    '  var hi = 0.0f;',
    `  for (var e = 0u; e < ${count}u; e++) { lo = min(lo, ${xr}[e]); hi = max(hi, ${xr}[e]); }`,
    '  let s = (hi - lo) / 255.0f;',
    `  ${sr}[0] = s;`,
    `  ${zr}[0] = select(${saturate('-lo / s', '0.0f', 'u8')}, 0u, s == 0.0f);`,
  ].join('\n');
  const dispatches = [perInvocation({ bindings: r.list, count: 1, body: range })];
  if (count === 0) return dispatches;
  const b = new Bindings([y]);
  const [yb, xb, sb, zb] = [b.of(y), b.of(x), b.of(scale), b.of(zp)];
  const body = [
    `  let s = ${sb}[0];`,
    `  ${yb}[i] = select(${saturate(`${xb}[i] / s`, `f32(${zb}[0])`, 'u8')}, ${zb}[0], s == 0.0f);`,
  ].join('\n');
  return [...dispatches, perInvocation({ bindings: b.list, count, body })];
}
