// Linear quantization as element-wise float math until the targets have integer kernels (the definitions are
// in compiler/ops/nn-quant.ts). round() rounds half to even, as ONNX requires; values are clipped into the
// integer type's range before the cast, so the cast is exact.
import { isFloat, isInteger, type DType } from '../compiler/ir/dtype.js';
import type { Value } from '../compiler/ir/graph.js';
import { attrInt, normalizeAxis } from '../compiler/ops/util.js';
import { alongAxis, castTo, concreteShape, emit1, reduceOver, scalarConstant } from './legalize-util.js';
import type { Rewriter, RewriteRule } from './rewrite.js';

/** Integer types quantize_linear may produce whose range f32 holds exactly. */
const RANGES: Partial<Record<DType, [number, number]>> = { u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767] };

/** The smallest normal f32: dividing by it instead of a zero scale keeps 0 / scale at 0. */
const SMALLEST_NORMAL_F32 = 2 ** -126;

/** A scale or zero point shaped to broadcast against x (rank `rank`): a scalar or [n, 1, …] from `axis`. */
function param(rw: Rewriter, p: Value, axis: number, rank: number): Value | undefined {
  const shape = concreteShape(p);
  if (!shape) return undefined;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== 1 && rank === 0) return undefined;
  return alongAxis(rw, p, n === 1 ? 0 : normalizeAxis(axis, rank), rank);
}

/** cast(clip(round(q) + zero point, lo, hi)) to `dtype`: the saturating store of a quantized value. */
function saturate(rw: Rewriter, q: Value, zeroPoint: Value | undefined, dtype: DType): Value {
  const f = q.type.dtype;
  const [lo, hi] = RANGES[dtype]!;
  const rounded = emit1(rw, 'round', [q]);
  const shifted = zeroPoint ? emit1(rw, 'add', [rounded, zeroPoint]) : rounded;
  const clipped = emit1(rw, 'clip', [shifted, scalarConstant(rw, f, lo), scalarConstant(rw, f, hi)]);
  return emit1(rw, 'cast', [clipped], { to: dtype });
}

export const QUANT_RULES: readonly RewriteRule[] = [
  // quantize_linear(x, s, z) = saturate(round(x / s) + z) → cast(clip(round(x / s) + cast(z), lo, hi))
  [{ op: 'quantize_linear' }, (m, rw) => {
    const [x, scale, zp] = m.root.inputs;
    const rank = concreteShape(x)?.length;
    const out = m.root.outputs[0].type.dtype;
    if (!x || !scale || rank === undefined || !isFloat(x.type.dtype) || scale.type.dtype !== x.type.dtype || !RANGES[out]) return undefined;
    const axis = attrInt(m.root.attrs, 'axis');
    const s = param(rw, scale, axis, rank);
    const z = zp ? param(rw, zp, axis, rank) : undefined;
    if (!s || (zp && !z)) return undefined;
    return [saturate(rw, emit1(rw, 'div', [x, s]), z && castTo(rw, z, x.type.dtype), out)];
  }],
  // dequantize_linear(x, s, z) = (x − z) · s → (cast(x) − cast(z)) · s
  [{ op: 'dequantize_linear' }, (m, rw) => {
    const [x, scale, zp] = m.root.inputs;
    const rank = concreteShape(x)?.length;
    if (!x || !scale || rank === undefined || !isInteger(x.type.dtype) || !isFloat(scale.type.dtype)) return undefined;
    const f = scale.type.dtype;
    const axis = attrInt(m.root.attrs, 'axis');
    const s = param(rw, scale, axis, rank);
    const z = zp ? param(rw, zp, axis, rank) : undefined;
    if (!s || (zp && !z)) return undefined;
    const shifted = z ? emit1(rw, 'sub', [castTo(rw, x, f), castTo(rw, z, f)]) : castTo(rw, x, f);
    return [emit1(rw, 'mul', [shifted, s])];
  }],
  // dynamic_quantize_linear(x): lo = min(0, min x), hi = max(0, max x), s = (hi − lo) / 255,
  // z = saturate(round(−lo / s)), y = saturate(round(x / s) + z), dividing by the smallest normal f32 where
  // s = 0 (x is all zeros then, and so are y and z)
  [{ op: 'dynamic_quantize_linear' }, (m, rw) => {
    const [x] = m.root.inputs;
    const shape = concreteShape(x);
    if (!x || !shape || x.type.dtype !== 'f32') return undefined;
    const all = shape.map((_, i) => i);
    const zero = scalarConstant(rw, 'f32', 0);
    const whole = (kind: string) => reduceOver(rw, kind, x, all, false);
    const lo = emit1(rw, 'min', [whole('min'), zero]);
    const hi = emit1(rw, 'max', [whole('max'), zero]);
    const scale = emit1(rw, 'div', [emit1(rw, 'sub', [hi, lo]), scalarConstant(rw, 'f32', 255)]);
    const divisor = emit1(rw, 'max', [scale, scalarConstant(rw, 'f32', SMALLEST_NORMAL_F32)]);
    const zpFloat = emit1(rw, 'clip', [emit1(rw, 'round', [emit1(rw, 'neg', [emit1(rw, 'div', [lo, divisor])])]), zero, scalarConstant(rw, 'f32', 255)]);
    const y = saturate(rw, emit1(rw, 'div', [x, divisor]), zpFloat, 'u8');
    return [y, scale, castTo(rw, zpFloat, 'u8')];
  }],
];
