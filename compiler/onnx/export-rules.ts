// The export rule of each canonical op: the inverse of its registry entry's `onnx` imports. Most are plain
// (export-rule.ts); the rest rewrite what the chosen opset spells differently (reduce axes as an attribute
// before opset 18, num_outputs only from 18) or lacks (gelu before 20, softmax over a 2-D coercion after 13).
import { DlcError } from '../errors.js';
import { knownValue } from '../infer.js';
import type { DType } from '../ir/dtype.js';
import { isConcreteShape, type Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { normalizeAxis } from '../ops/util.js';
import { allOnes, equals, isZero, MIN_EXPORT_OPSET, onnxAttrs, onnxNode, plainRule, type ExportRule } from './export-rule.js';
import { dtypeToOnnx } from './proto.js';
import type { OnnxNodeSpec } from './writer.js';

/** Plain ops whose ONNX form is older than MIN_EXPORT_OPSET (or has no `since` here): canonical → ONNX name. */
const PLAIN_OPS: Record<string, string> = {
  abs: 'Abs', neg: 'Neg', reciprocal: 'Reciprocal', floor: 'Floor', ceil: 'Ceil', round: 'Round', sqrt: 'Sqrt', exp: 'Exp', log: 'Log',
  sin: 'Sin', cos: 'Cos', tan: 'Tan', asin: 'Asin', acos: 'Acos', atan: 'Atan', sinh: 'Sinh', cosh: 'Cosh', asinh: 'Asinh',
  acosh: 'Acosh', atanh: 'Atanh', sign: 'Sign', erf: 'Erf', is_nan: 'IsNaN', is_inf: 'IsInf', not: 'Not',
  relu: 'Relu', leaky_relu: 'LeakyRelu', prelu: 'PRelu', elu: 'Elu', selu: 'Selu', celu: 'Celu', thresholded_relu: 'ThresholdedRelu',
  sigmoid: 'Sigmoid', hard_sigmoid: 'HardSigmoid', tanh: 'Tanh', softplus: 'Softplus', softsign: 'Softsign', shrink: 'Shrink',
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', mod: 'Mod', sum: 'Sum', mean: 'Mean', max: 'Max', min: 'Min',
  equal: 'Equal', greater: 'Greater', greater_or_equal: 'GreaterOrEqual', less: 'Less', less_or_equal: 'LessOrEqual',
  and: 'And', or: 'Or', xor: 'Xor', bit_shift: 'BitShift', where: 'Where', clip: 'Clip',
  conv: 'Conv', conv_transpose: 'ConvTranspose', max_pool: 'MaxPool', global_average_pool: 'GlobalAveragePool',
  global_max_pool: 'GlobalMaxPool', global_lp_pool: 'GlobalLpPool', max_unpool: 'MaxUnpool',
  matmul: 'MatMul', gemm: 'Gemm', einsum: 'Einsum', batch_normalization: 'BatchNormalization',
  instance_normalization: 'InstanceNormalization', lrn: 'LRN', lp_normalization: 'LpNormalization',
  mean_variance_normalization: 'MeanVarianceNormalization', dynamic_quantize_linear: 'DynamicQuantizeLinear',
  qlinear_conv: 'QLinearConv', matmul_integer: 'MatMulInteger', qlinear_matmul: 'QLinearMatMul',
  depth_to_space: 'DepthToSpace', space_to_depth: 'SpaceToDepth', identity: 'Identity', flatten: 'Flatten',
  squeeze: 'Squeeze', unsqueeze: 'Unsqueeze', transpose: 'Transpose', expand: 'Expand', tile: 'Tile', size: 'Size',
  slice: 'Slice', concat: 'Concat', gather: 'Gather', gather_elements: 'GatherElements', gather_nd: 'GatherND',
  compress: 'Compress', one_hot: 'OneHot', non_zero: 'NonZero', arg_max: 'ArgMax', arg_min: 'ArgMin', cum_sum: 'CumSum',
  top_k: 'TopK', constant_of_shape: 'ConstantOfShape', range: 'Range', reverse_sequence: 'ReverseSequence',
  unique: 'Unique', det: 'Det', tf_idf_vectorizer: 'TfIdfVectorizer',
};

/** Reductions and the opset from which their axes are an input (an attribute before). */
const REDUCE_OPS: Record<string, [string, number]> = {
  reduce_sum: ['ReduceSum', 13], reduce_mean: ['ReduceMean', 18], reduce_max: ['ReduceMax', 18], reduce_min: ['ReduceMin', 18],
  reduce_prod: ['ReduceProd', 18], reduce_l1: ['ReduceL1', 18], reduce_l2: ['ReduceL2', 18], reduce_log_sum: ['ReduceLogSum', 18],
  reduce_log_sum_exp: ['ReduceLogSumExp', 18], reduce_sum_square: ['ReduceSumSquare', 18],
};

const isNone = equals('none');

/** A reduction: the axes input becomes the `axes` attribute before `axesInputSince`, so it must be known then. */
function reduceRule(onnxOp: string, axesInputSince: number): ExportRule {
  const plain = plainRule(onnxOp);
  return {
    onnxOp,
    since: (node) => {
      const axes = node.inputs[1];
      const axesUnknown = axes !== null && axes !== undefined && !knownValue(axes);
      // ReduceMean-13 and its kin have no noop_with_empty_axes: reducing over no axes needs the input form.
      const noop = node.attrs.noop_with_empty_axes === 1 && !axes;
      return axesUnknown || (noop && axesInputSince > MIN_EXPORT_OPSET) ? axesInputSince : MIN_EXPORT_OPSET;
    },
    emit: (node, ctx) => {
      if (ctx.opset >= axesInputSince) return plain.emit(node, ctx);
      const { noop_with_empty_axes: _, ...rest } = node.attrs;
      const attrs = onnxAttrs(node.op, rest);
      const axes = knownValue(node.inputs[1]);
      if (axes) attrs.axes = { ints: axes.toNumbers() };
      return [onnxNode(node, onnxOp, [ctx.inputs[0]], ctx.outputs, attrs)];
    },
  };
}

/** cast's `to` is a dtype name; ONNX's is an element-type code. */
const castRule: ExportRule = {
  onnxOp: 'Cast',
  since: () => MIN_EXPORT_OPSET,
  emit: (node, ctx) => [onnxNode(node, 'Cast', ctx.inputs, ctx.outputs, { to: dtypeToOnnx(node.attrs.to as DType) })],
};

/** split's num_outputs is an attribute from opset 18; before, the outputs split evenly by their count. */
const splitRule: ExportRule = {
  onnxOp: 'Split',
  since: (node) => {
    const n = node.attrs.num_outputs;
    const x = node.inputs[0];
    if (typeof n !== 'number' || node.inputs[1] || !x) return MIN_EXPORT_OPSET;
    const dim = x.type.shape[normalizeAxis(node.attrs.axis as number, x.type.shape.length)];
    // An uneven split (a smaller last part) is num_outputs' own meaning.
    return typeof dim === 'number' && dim % n === 0 && node.outputs.length === n ? MIN_EXPORT_OPSET : 18;
  },
  emit: (node, ctx) => {
    const { num_outputs: n, ...rest } = node.attrs;
    const attrs = onnxAttrs(node.op, ctx.opset >= 18 && n !== undefined ? node.attrs : rest);
    return [onnxNode(node, 'Split', ctx.inputs, ctx.outputs, attrs)];
  },
};

/** softmax's coerce_2d (the opset < 13 meaning) is a flatten at `axis`, a softmax over the rows, and a reshape back. */
function softmaxRule(onnxOp: string): ExportRule {
  return {
    onnxOp,
    since: () => MIN_EXPORT_OPSET,
    emit: (node, ctx) => {
      const axis = node.attrs.axis as number;
      if (node.attrs.coerce_2d !== 1) return [onnxNode(node, onnxOp, ctx.inputs, ctx.outputs, { axis })];
      const shape = node.inputs[0]?.type.shape ?? [];
      if (!isConcreteShape(shape)) throw new DlcError(`${node.op} over a 2-D coercion needs a concrete input shape to export`);
      const flat = ctx.fresh(`${node.name}_flat`);
      const rows = ctx.fresh(`${node.name}_rows`);
      const dims = ctx.constant(`${node.name}_shape`, Tensor.fromArray('i64', [shape.length], shape));
      return [
        onnxNode(node, 'Flatten', [ctx.inputs[0]], [flat], { axis }, '_flatten'),
        onnxNode(node, onnxOp, [flat], [rows], { axis: 1 }),
        onnxNode(node, 'Reshape', [rows, dims], ctx.outputs, {}, '_reshape'),
      ];
    },
  };
}

/** Gelu is an ONNX op from opset 20; before, its formula in Erf (or Tanh) and arithmetic. */
const geluRule: ExportRule = {
  onnxOp: 'Gelu',
  since: () => MIN_EXPORT_OPSET,
  emit: (node, ctx) => {
    const approximate = node.attrs.approximate as string;
    if (ctx.opset >= 20) return [onnxNode(node, 'Gelu', ctx.inputs, ctx.outputs, { approximate })];
    const dtype = node.outputs[0].type.dtype;
    const nodes: OnnxNodeSpec[] = [];
    const c = (v: number) => ctx.constant(`${node.name}_c`, Tensor.scalar(dtype, v));
    const op = (onnxOp: string, inputs: string[], out = ctx.fresh(`${node.name}_${onnxOp.toLowerCase()}`)) => {
      nodes.push(onnxNode(node, onnxOp, inputs, [out], {}, `_${nodes.length}`));
      return out;
    };
    const x = ctx.inputs[0];
    let inner: string;
    if (approximate === 'tanh') {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = op('Mul', [op('Mul', [x, x]), x]);
      inner = op('Tanh', [op('Mul', [op('Add', [x, op('Mul', [cube, c(0.044715)])]), c(Math.sqrt(2 / Math.PI))])]);
    } else {
      // 0.5·x·(1 + erf(x / √2))
      inner = op('Erf', [op('Div', [x, c(Math.SQRT2)])]);
    }
    op('Mul', [op('Mul', [x, op('Add', [inner, c(1)])]), c(0.5)], ctx.outputs[0]);
    return nodes;
  },
};

/**
 * conv_integer with a per-channel weight zero point whose values are all equal (int8 weights: all 0) writes it
 * as one value: the same meaning, and onnxruntime's ConvInteger takes only per-tensor zero points.
 */
const convIntegerRule: ExportRule = {
  onnxOp: 'ConvInteger',
  since: () => MIN_EXPORT_OPSET,
  emit: (node, ctx) => {
    const wZp = node.inputs[3]?.data;
    const inputs = [...ctx.inputs];
    if (wZp && wZp.size > 1 && wZp.toNumbers().every((z) => z === wZp.data[0])) {
      inputs[3] = ctx.constant(`${node.name}_w_zero_point`, Tensor.scalar(wZp.dtype, wZp.data[0]));
    }
    return [onnxNode(node, 'ConvInteger', inputs, ctx.outputs, onnxAttrs(node.op, node.attrs))];
  },
};

/** Quantization scales in f16 need opset 19; 16-bit integers (input `intInput`'s dtype), 21. */
function quantSince(intInput: number) {
  return (node: Node): number => {
    const scale = node.inputs[1]?.type.dtype;
    const int = node.inputs[intInput]?.type.dtype;
    if (int === 'i16' || int === 'u16') return 21;
    return scale === 'f16' ? 19 : MIN_EXPORT_OPSET;
  };
}

function buildRules(): Map<string, ExportRule> {
  const rules = new Map<string, ExportRule>();
  for (const [op, onnxOp] of Object.entries(PLAIN_OPS)) rules.set(op, plainRule(onnxOp));
  for (const [op, [onnxOp, since]] of Object.entries(REDUCE_OPS)) rules.set(op, reduceRule(onnxOp, since));
  const later: Record<string, ExportRule> = {
    hard_swish: plainRule('HardSwish', { since: 14 }),
    mish: plainRule('Mish', { since: 18 }),
    bitwise_not: plainRule('BitwiseNot', { since: 18 }),
    bitwise_and: plainRule('BitwiseAnd', { since: 18 }),
    bitwise_or: plainRule('BitwiseOr', { since: 18 }),
    bitwise_xor: plainRule('BitwiseXor', { since: 18 }),
    layer_normalization: plainRule('LayerNormalization', { since: 17 }),
    trilu: plainRule('Trilu', { since: 14 }),
    center_crop_pad: plainRule('CenterCropPad', { since: 18 }),
    reshape: plainRule('Reshape', { gated: { allowzero: { since: 14, isDefault: isZero } } }),
    shape: plainRule('Shape', { gated: { start: { since: 15, isDefault: isZero }, end: { since: 15, isDefault: () => false } } }),
    average_pool: plainRule('AveragePool', { gated: { dilations: { since: 19, isDefault: allOnes } } }),
    lp_pool: plainRule('LpPool', { gated: { dilations: { since: 18, isDefault: allOnes }, ceil_mode: { since: 18, isDefault: isZero } } }),
    resize: plainRule('Resize', {
      sinceFor: (node) => (node.attrs.coordinate_transformation_mode === 'half_pixel_symmetric' ? 19 : MIN_EXPORT_OPSET),
      gated: {
        antialias: { since: 18, isDefault: isZero },
        axes: { since: 18, isDefault: () => false },
        keep_aspect_ratio_policy: { since: 18, isDefault: equals('stretch') },
      },
    }),
    pad: plainRule('Pad', { sinceFor: (node) => (node.attrs.mode === 'wrap' ? 19 : node.inputs[3] ? 18 : MIN_EXPORT_OPSET) }),
    scatter_elements: plainRule('ScatterElements', { sinceFor: scatterSince, gated: { reduction: { since: 16, isDefault: isNone } } }),
    scatter_nd: plainRule('ScatterND', { sinceFor: scatterSince, gated: { reduction: { since: 16, isDefault: isNone } } }),
    quantize_linear: plainRule('QuantizeLinear', { sinceFor: quantSince(2) }),
    dequantize_linear: plainRule('DequantizeLinear', { sinceFor: quantSince(0) }),
    dropout: plainRule('Dropout'),
    cast: castRule,
    conv_integer: convIntegerRule,
    split: splitRule,
    softmax: softmaxRule('Softmax'),
    log_softmax: softmaxRule('LogSoftmax'),
    hardmax: softmaxRule('Hardmax'),
    gelu: geluRule,
  };
  for (const [op, rule] of Object.entries(later)) rules.set(op, rule);
  return rules;
}

/** Reductions max and min joined add and mul in opset 18. */
function scatterSince(node: Node): number {
  const r = node.attrs.reduction;
  return r === 'max' || r === 'min' ? 18 : MIN_EXPORT_OPSET;
}

/** Canonical op → its export rule. */
export const EXPORT_RULES: ReadonlyMap<string, ExportRule> = buildRules();
