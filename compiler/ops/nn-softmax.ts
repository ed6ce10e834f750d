// softmax, log_softmax and hardmax along one axis (ONNX opset >= 13 semantics).
//
// Opsets < 13 coerce the input to 2-D at `axis` (default 1) and normalize each row of the result, i.e.
// jointly over every axis from `axis` on. The canonical ops express that with `coerce_2d = 1` rather than a
// reshape → softmax → reshape chain, so that imports need no shape ops and kernels see one anchor; where the
// old axis is already the last one the two semantics agree and the import emits the plain form.
import { DlcError } from '../errors.js';
import type { Attrs } from '../ir/graph.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import type { ImportBuilder, OnnxImport, OnnxNode, OpDef } from './registry.js';
import { attrInt, inferSameAsInput, normalizeAxis, required } from './util.js';
import { knownProduct } from './nn-window.js';

const enum Mode { Softmax, LogSoftmax, Hardmax }

/** Splits a shape into outer × n × inner around the normalized axis (or axes, when coerced to 2-D). */
function splitAt(shape: readonly number[], attrs: Attrs): { outer: number; n: number; inner: number } {
  const axis = normalizeAxis(attrInt(attrs, 'axis'), Math.max(shape.length, 1));
  const outer = sizeOf(shape.slice(0, axis));
  if (attrInt(attrs, 'coerce_2d') !== 0) return { outer, n: sizeOf(shape.slice(axis)), inner: 1 };
  return { outer, n: shape.length === 0 ? 1 : shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

function run(x: Tensor, attrs: Attrs, mode: Mode): Tensor {
  const { outer, n, inner } = splitAt(x.shape, attrs);
  const out = new Float64Array(x.size);
  const src = x.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = -Infinity;
      let arg = 0;
      for (let j = 0; j < n; j++) {
        const v = src[base + j * inner];
        if (v > max) {
          max = v;
          arg = j;
        }
      }
      if (mode === Mode.Hardmax) {
        out[base + arg * inner] = 1;
        continue;
      }
      // Subtracting the max keeps exp() finite: softmax(x) = softmax(x − max).
      let sum = 0;
      for (let j = 0; j < n; j++) sum += Math.exp(src[base + j * inner] - max);
      if (mode === Mode.Softmax) for (let j = 0; j < n; j++) out[base + j * inner] = Math.exp(src[base + j * inner] - max) / sum;
      else {
        const logSum = Math.log(sum);
        for (let j = 0; j < n; j++) out[base + j * inner] = src[base + j * inner] - max - logSum;
      }
    }
  }
  return new Tensor(x.dtype, x.shape, out);
}

function importer(onnxOp: string, op: string): OnnxImport {
  return {
    op: onnxOp,
    convert: (node: OnnxNode, b: ImportBuilder) => {
      const x = node.inputs[0];
      if (node.opset >= 13 || !x) return b.emit(op, node.inputs, node.attrs, node.numOutputs);
      const rank = x.type.shape.length;
      const axis = normalizeAxis((node.attrs.axis as number | undefined) ?? 1, Math.max(rank, 1));
      return b.emit(op, node.inputs, { axis, coerce_2d: axis >= rank - 1 ? 0 : 1 }, node.numOutputs);
    },
  };
}

function def(name: string, onnxOp: string, mode: Mode): OpDef {
  return {
    name,
    attrs: { axis: { type: 'int', default: -1 }, coerce_2d: { type: 'int', default: 0 } },
    kind: 'opaque',
    onnx: [importer(onnxOp, name)],
    infer: (ctx) => {
      const x = ctx.inputs[0];
      if (!x) throw new DlcError('missing input 0');
      normalizeAxis(attrInt(ctx.attrs, 'axis'), Math.max(x.shape.length, 1));
      return inferSameAsInput(ctx);
    },
    ref: (inputs, attrs) => [run(required(inputs, 0), attrs, mode)],
    // max, subtract, exp, sum, divide: about 5 FLOPs per element.
    cost: (ctx) => ({ flops: 5 * knownProduct(ctx.outputs[0].shape) }),
  };
}

export const softmaxOps: OpDef[] = [
  def('softmax', 'Softmax', Mode.Softmax),
  def('log_softmax', 'LogSoftmax', Mode.LogSoftmax),
  def('hardmax', 'Hardmax', Mode.Hardmax),
];
