// Cast: element type conversion. The canonical attribute `to` is a dtype name ('f16'); the ONNX import maps
// ONNX element-type codes (and opset 1's type names) onto it, and CastLike onto cast to its second input's dtype.
import { DlcError } from '../errors.js';
import { castScalar, parseDType, type DType } from '../ir/dtype.js';
import { dtypeFromOnnx, onnx } from '../onnx/proto.js';
import type { OnnxImport, OnnxNode, OpDef } from './registry.js';
import { wrapBig } from './elementwise-int.js';
import { presentInputs } from './elementwise-factory.js';
import { attrString, mapUnary, required } from './util.js';

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/**
 * One element converted to `to`: floats to integers truncate toward zero (NaN and ±∞ give 0), integers wrap
 * (64-bit ones too, exactly), anything to bool is x ≠ 0 (NaN is true, as in C++ and numpy), f16 rounds to nearest even.
 */
export function castElement(x: number, to: DType): number {
  if (to === 'bool') return x !== 0 ? 1 : 0;
  if ((to === 'i64' || to === 'u64') && Number.isFinite(x)) {
    const t = Math.trunc(x);
    const inRange = to === 'i64' ? t >= -TWO_63 && t < TWO_63 : t >= 0 && t < TWO_64;
    return inRange ? t : wrapBig(BigInt(t), to);
  }
  return castScalar(x, to);
}

/** `to` as ONNX writes it: an element-type code, or (opset 1) a type name such as 'FLOAT'. */
function targetOf(node: OnnxNode): DType {
  const to = node.attrs.to;
  if (typeof to === 'number') return dtypeFromOnnx(to);
  if (typeof to === 'string') {
    const code = (onnx.TensorProto.DataType as unknown as Record<string, number | undefined>)[to];
    if (code === undefined) throw new DlcError(`attribute 'to' names unknown type '${to}'`);
    return dtypeFromOnnx(code);
  }
  throw new DlcError("missing attribute 'to'");
}

const castImports: OnnxImport[] = [
  // `saturate` (opset 19) only concerns float8 targets, which dlc does not have.
  { op: 'Cast', convert: (node, b) => b.emit('cast', [node.inputs[0] ?? null], { to: targetOf(node) }, node.numOutputs) },
  {
    op: 'CastLike',
    convert: (node, b) => {
      const like = node.inputs[1];
      if (!like) throw new DlcError('input 1 (target_type) is missing');
      return b.emit('cast', [node.inputs[0] ?? null], { to: like.type.dtype }, node.numOutputs);
    },
  },
];

export const cast: OpDef = {
  name: 'cast',
  attrs: { to: { type: 'string' } },
  kind: 'elemwise',
  onnx: castImports,
  infer: (ctx) => {
    const [x] = presentInputs(ctx, 1, 1);
    return [{ dtype: parseDType(attrString(ctx.attrs, 'to')), shape: [...x.shape] }];
  },
  ref: (inputs, attrs) => {
    const to = parseDType(attrString(attrs, 'to'));
    return [mapUnary(required(inputs, 0), (v) => castElement(v, to), to)];
  },
};
