// Channel/space rearrangements (depth_to_space, space_to_depth) and dropout.
import { DlcError } from '../errors.js';
import type { Attrs, TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import type { OpDef } from './registry.js';
import { attrInt, attrString, inferSameAsInput, required } from './util.js';
import { dropoutUniform } from './dropout-mask.js';

function blockOf(attrs: Attrs): number {
  const b = attrInt(attrs, 'blocksize');
  if (!Number.isInteger(b) || b < 1) throw new DlcError(`blocksize must be a positive integer, got ${b}`);
  return b;
}

function need4d(t: TensorType | null, op: string): TensorType {
  if (!t || t.shape.length !== 4) throw new DlcError(`${op} needs a 4-D input${t ? `, got [${t.shape}]` : ''}`);
  return t;
}

/**
 * out[n, c, h·b + i, w·b + j] = in[n, k, h, w] with k = (i·b + j)·C' + c (DCR) or c·b² + i·b + j (CRD),
 * where C' = C / b². space_to_depth is the DCR map read the other way.
 */
function rearrange(x: Tensor, b: number, toSpace: boolean, crd: boolean): Tensor {
  const [n, c, h, w] = x.shape;
  const [oc, oh, ow] = toSpace ? [c / (b * b), h * b, w * b] : [c * b * b, h / b, w / b];
  if (!Number.isInteger(oc) || !Number.isInteger(oh) || !Number.isInteger(ow)) {
    throw new DlcError(`shape [${x.shape}] does not divide into blocks of ${b}`);
  }
  const out = new Tensor(x.dtype, [n, oc, oh, ow]);
  // Iterate over the space-side tensor [n, sc, sh, sw]; `depth` is the channel on the depth side.
  const [sc, sh, sw] = toSpace ? [oc, oh, ow] : [c, h, w];
  const [dc, dh, dw] = toSpace ? [c, h, w] : [oc, oh, ow];
  for (let bn = 0; bn < n; bn++) {
    for (let ch = 0; ch < sc; ch++) {
      for (let y = 0; y < sh; y++) {
        const i = y % b;
        const dy = (y - i) / b;
        for (let xx = 0; xx < sw; xx++) {
          const j = xx % b;
          const dx = (xx - j) / b;
          const depth = crd ? ch * b * b + i * b + j : (i * b + j) * sc + ch;
          const spaceAt = ((bn * sc + ch) * sh + y) * sw + xx;
          const depthAt = ((bn * dc + depth) * dh + dy) * dw + dx;
          if (toSpace) out.data[spaceAt] = x.data[depthAt];
          else out.data[depthAt] = x.data[spaceAt];
        }
      }
    }
  }
  return out;
}

function inferRearranged(x: TensorType, b: number, toSpace: boolean): TensorType {
  const f = b * b;
  const [n, c, h, w] = x.shape;
  const div = (d: typeof c, k: number) => {
    if (typeof d !== 'number') return `${d}/${k}`;
    if (d % k !== 0) throw new DlcError(`dim ${d} of [${x.shape}] does not divide by ${k}`);
    return d / k;
  };
  const mul = (d: typeof c, k: number) => (typeof d === 'number' ? d * k : `${d}*${k}`);
  return { dtype: x.dtype, shape: toSpace ? [n, div(c, f), mul(h, b), mul(w, b)] : [n, mul(c, f), div(h, b), div(w, b)] };
}

export const layoutOps: OpDef[] = [
  {
    name: 'depth_to_space',
    attrs: { blocksize: { type: 'int' }, mode: { type: 'string', default: 'DCR' } },
    kind: 'injective',
    onnx: [{ op: 'DepthToSpace' }],
    infer: (ctx) => {
      const mode = attrString(ctx.attrs, 'mode');
      if (mode !== 'DCR' && mode !== 'CRD') throw new DlcError(`unknown depth_to_space mode '${mode}'`);
      return [inferRearranged(need4d(ctx.inputs[0], 'depth_to_space'), blockOf(ctx.attrs), true)];
    },
    ref: (inputs, attrs) => [rearrange(required(inputs, 0), blockOf(attrs), true, attrString(attrs, 'mode') === 'CRD')],
  },
  {
    name: 'space_to_depth',
    attrs: { blocksize: { type: 'int' } },
    kind: 'injective',
    onnx: [{ op: 'SpaceToDepth' }],
    infer: (ctx) => [inferRearranged(need4d(ctx.inputs[0], 'space_to_depth'), blockOf(ctx.attrs), false)],
    ref: (inputs, attrs) => [rearrange(required(inputs, 0), blockOf(attrs), false, false)],
  },
  {
    name: 'dropout',
    attrs: { seed: { type: 'int', optional: true } },
    // At inference dropout is the identity (its mask all ones); in training it drops by dropout-mask.ts's hash.
    kind: 'elemwise',
    onnx: [
      {
        op: 'Dropout',
        // Opsets < 12 carry ratio (and is_test, consumed_inputs) as attributes that do not matter at inference.
        convert: (node, b) => {
          const inputs = node.opset >= 12 ? node.inputs : [node.inputs[0]];
          const attrs: Attrs = node.attrs.seed === undefined ? {} : { seed: node.attrs.seed };
          return b.emit('dropout', inputs, attrs, node.numOutputs);
        },
      },
    ],
    infer: (ctx) => {
      const [x] = inferSameAsInput(ctx);
      return [x, { dtype: 'bool', shape: [...x.shape] }];
    },
    ref: (inputs, attrs, ctx) => {
      const [x, ratio, training] = [required(inputs, 0), inputs[1], inputs[2]];
      const r = ratio ? ratio.data[0] : 0.5;
      const mask = new Tensor('bool', x.shape);
      mask.data.fill(1);
      // Inference, or training with nothing to drop: the identity, every element kept.
      if (!training || training.data[0] === 0 || r === 0) return ctx.numOutputs < 2 ? [x] : [x, mask];
      const seed = (attrs.seed as number | undefined) ?? 0;
      const scale = Math.fround(1 / Math.fround(1 - r));
      const y = new Tensor(x.dtype, x.shape);
      for (let i = 0; i < x.size; i++) {
        mask.data[i] = dropoutUniform(i, seed) >= r ? 1 : 0;
        y.data[i] = mask.data[i] ? x.data[i] * scale : 0;
      }
      return ctx.numOutputs < 2 ? [y] : [y, mask];
    },
  },
];
