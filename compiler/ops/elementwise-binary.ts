// Broadcasting element-wise ops over several inputs: arithmetic, variadic sum/mean/max/min, comparisons,
// logic, bit operations, where and clip.
import { DlcError } from '../errors.js';
import { isFloat } from '../ir/dtype.js';
import type { TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { OpDef, OnnxImport } from './registry.js';
import { arithmeticOp, broadcastOp, checkChoice, checkDType, checkFlag, plainImport, predicateOp, presentInputs } from './elementwise-factory.js';
import { bitwise, exactInt, floorMod, intDiv, intPow, shiftLeft, shiftRight } from './elementwise-int.js';
import { attrInt, attrString, broadcastShapes, knownSize, mapBroadcast, mapUnary, required } from './util.js';

const variadic: [number, number] = [1, Infinity];

function sumOf(v: number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}

const arithmeticOps: OpDef[] = [
  arithmeticOp('add', 'Add', (x, y) => x + y, (d) => exactInt(d, (x, y) => x + y, (x, y) => x + y)),
  arithmeticOp('sub', 'Sub', (x, y) => x - y, (d) => exactInt(d, (x, y) => x - y, (x, y) => x - y)),
  arithmeticOp('mul', 'Mul', (x, y) => x * y, (d) => exactInt(d, (x, y) => x * y, (x, y) => x * y)),
  arithmeticOp('div', 'Div', (x, y) => x / y, () => intDiv),
  broadcastOp({
    name: 'pow',
    onnx: 'Pow',
    accepts: 'numeric',
    sameTypes: false, // the exponent's dtype may differ from the base's; the output has the base's
    kernel: (_, [base]) => (isFloat(base) ? Math.pow : intPow(base)),
  }),
  broadcastOp({
    name: 'mod',
    onnx: 'Mod',
    accepts: 'numeric',
    attrs: { fmod: { type: 'int', default: 0 } },
    checkAttrs: (attrs) => checkFlag(attrs, 'fmod'),
    // fmod=1: C fmod (JS %, the dividend's sign); fmod=0: the divisor's sign, as Python
    kernel: (attrs) => (attrInt(attrs, 'fmod') === 1 ? (x, y) => x % y : floorMod),
  }),
  broadcastOp({ name: 'sum', onnx: 'Sum', accepts: 'numeric', arity: variadic, flopsPerElement: (k) => k - 1, kernel: () => (...v) => sumOf(v) }),
  broadcastOp({ name: 'mean', onnx: 'Mean', accepts: 'float', arity: variadic, flopsPerElement: (k) => k, kernel: () => (...v) => sumOf(v) / v.length }),
  broadcastOp({ name: 'max', onnx: 'Max', accepts: 'numeric', arity: variadic, flopsPerElement: (k) => k - 1, kernel: () => Math.max }),
  broadcastOp({ name: 'min', onnx: 'Min', accepts: 'numeric', arity: variadic, flopsPerElement: (k) => k - 1, kernel: () => Math.min }),
];

const predicateOps: OpDef[] = [
  predicateOp('equal', 'Equal', 'any', (x, y) => x === y),
  predicateOp('greater', 'Greater', 'numeric', (x, y) => x > y),
  predicateOp('greater_or_equal', 'GreaterOrEqual', 'numeric', (x, y) => x >= y),
  predicateOp('less', 'Less', 'numeric', (x, y) => x < y),
  predicateOp('less_or_equal', 'LessOrEqual', 'numeric', (x, y) => x <= y),
  predicateOp('and', 'And', 'bool', (x, y) => x !== 0 && y !== 0),
  predicateOp('or', 'Or', 'bool', (x, y) => x !== 0 || y !== 0),
  predicateOp('xor', 'Xor', 'bool', (x, y) => (x !== 0) !== (y !== 0)),
];

const bitOps: OpDef[] = [
  broadcastOp({
    name: 'bit_shift',
    onnx: 'BitShift',
    accepts: 'integer',
    attrs: { direction: { type: 'string' } },
    checkAttrs: (attrs) => checkChoice(attrs, 'direction', ['LEFT', 'RIGHT']),
    kernel: (attrs, [d]) => (attrString(attrs, 'direction') === 'LEFT' ? shiftLeft(d) : shiftRight),
  }),
  broadcastOp({ name: 'bitwise_and', onnx: 'BitwiseAnd', accepts: 'integer', kernel: (_, [d]) => bitwise(d, (x, y) => x & y, (x, y) => x & y) }),
  broadcastOp({ name: 'bitwise_or', onnx: 'BitwiseOr', accepts: 'integer', kernel: (_, [d]) => bitwise(d, (x, y) => x | y, (x, y) => x | y) }),
  broadcastOp({ name: 'bitwise_xor', onnx: 'BitwiseXor', accepts: 'integer', kernel: (_, [d]) => bitwise(d, (x, y) => x ^ y, (x, y) => x ^ y) }),
];

const where: OpDef = {
  name: 'where',
  attrs: {},
  kind: 'broadcast',
  onnx: [plainImport('Where', 'where')],
  infer: (ctx) => {
    const [cond, x, y] = presentInputs(ctx, 3, 3);
    checkDType(cond.dtype, 'bool', 'condition (input 0)');
    if (x.dtype !== y.dtype) throw new DlcError(`inputs 1 and 2 have dtypes ${x.dtype} and ${y.dtype}; they must match`);
    return [{ dtype: x.dtype, shape: broadcastShapes([cond.shape, x.shape, y.shape]) }];
  },
  ref: (inputs) => {
    const [c, x, y] = [0, 1, 2].map((i) => required(inputs, i));
    return [mapBroadcast([c, x, y], (cv, xv, yv) => (cv ? xv : yv), x.dtype)];
  },
};

/** Clip's bound must be a single element (a scalar, or a 1-element tensor from older exporters). */
function checkBound(t: TensorType | null, x: TensorType, which: string): void {
  if (!t) return;
  if (t.dtype !== x.dtype) throw new DlcError(`${which} has dtype ${t.dtype}, the input has ${x.dtype}; they must match`);
  const n = knownSize(t.shape);
  if (n !== undefined && n !== 1) throw new DlcError(`${which} must be a scalar, got shape [${t.shape}]`);
}

/** Opset < 11 gives the bounds as float attributes (absent: unbounded); later opsets as optional inputs. */
const clipImport: OnnxImport = {
  op: 'Clip',
  convert: (node, b) => {
    const [x, ...rest] = node.inputs;
    if (node.opset >= 11) return b.emit('clip', [x, ...rest], node.attrs, node.numOutputs);
    if (!x) throw new DlcError('input 0 is missing');
    const bound = (name: string) => {
      const v = node.attrs[name];
      return typeof v === 'number' ? b.constant(Tensor.scalar(x.type.dtype, v)) : null;
    };
    return b.emit('clip', [x, bound('min'), bound('max')], {}, node.numOutputs);
  },
};

const clip: OpDef = {
  name: 'clip',
  attrs: {},
  kind: 'broadcast',
  onnx: [clipImport],
  infer: (ctx) => {
    const n = ctx.inputs.length;
    if (n < 1 || n > 3) throw new DlcError(`takes 1 to 3 inputs, got ${n}`);
    const x = ctx.inputs[0];
    if (!x) throw new DlcError('input 0 is missing');
    checkDType(x.dtype, 'numeric', 'input 0');
    checkBound(ctx.inputs[1] ?? null, x, 'min (input 1)');
    checkBound(ctx.inputs[2] ?? null, x, 'max (input 2)');
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  // min(max(x, lo), hi): NaN stays NaN, and lo > hi gives hi everywhere, as ONNX specifies.
  ref: (inputs) => {
    const x = required(inputs, 0);
    const bound = (i: number, dflt: number) => {
      const t = inputs[i];
      if (!t) return dflt;
      if (t.size !== 1) throw new DlcError(`input ${i} of clip must be a scalar, got shape [${t.shape}]`);
      return t.data[0];
    };
    const lo = bound(1, -Infinity);
    const hi = bound(2, Infinity);
    return [mapUnary(x, (v) => Math.min(hi, Math.max(lo, v)))];
  },
};

export const broadcastingOps: OpDef[] = [...arithmeticOps, ...predicateOps, ...bitOps, where, clip];
