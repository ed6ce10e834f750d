// roi_align (ONNX RoiAlign-10/16): each region of interest [x1, y1, x2, y2] (times spatial_scale) of image
// batch_indices[r] is cut into output_height × output_width bins; each bin samples a grid of points
// (sampling_ratio per side, or ⌈roi size / bins⌉ when 0), each point interpolated bilinearly, and the bin
// is their average (avg) or the largest weighted corner of any point (max), as onnxruntime computes it.
// coordinate_transformation_mode half_pixel shifts the roi by −0.5 pixel; output_half_pixel (RoiAlign-10's
// only behaviour) does not, and stretches a roi smaller than a pixel to one.
import { DlcError } from '../errors.js';
import { allocData, castScalar, isFloat } from '../ir/dtype.js';
import type { Attrs } from '../ir/graph.js';
import { Tensor, checkedSize } from '../ir/tensor.js';
import type { OpDef } from './registry.js';
import { attrFloat, attrInt, attrString, required } from './util.js';
import { inType } from './tensor-common.js';

const MODES = ['avg', 'max'];
const COORDINATE_MODES = ['half_pixel', 'output_half_pixel'];

/** The attributes, checked. */
export function roiAlignParams(attrs: Attrs): { mode: 'avg' | 'max'; halfPixel: boolean; pooledH: number; pooledW: number; samplingRatio: number; spatialScale: number } {
  const mode = attrString(attrs, 'mode');
  if (!MODES.includes(mode)) throw new DlcError(`roi_align: mode '${mode}' is not one of ${MODES.join(', ')}`);
  const coordinates = attrString(attrs, 'coordinate_transformation_mode');
  if (!COORDINATE_MODES.includes(coordinates)) throw new DlcError(`roi_align: coordinate_transformation_mode '${coordinates}' is not one of ${COORDINATE_MODES.join(', ')}`);
  const [pooledH, pooledW, samplingRatio] = ['output_height', 'output_width', 'sampling_ratio'].map((n) => attrInt(attrs, n));
  if (pooledH < 1 || pooledW < 1) throw new DlcError(`roi_align: output size ${pooledH}×${pooledW} is empty`);
  if (samplingRatio < 0) throw new DlcError(`roi_align: sampling_ratio ${samplingRatio} is negative`);
  return { mode: mode as 'avg' | 'max', halfPixel: coordinates === 'half_pixel', pooledH, pooledW, samplingRatio, spatialScale: attrFloat(attrs, 'spatial_scale') };
}

/**
 * The bilinear taps of the sample at (y, x) of an h × w plane: four flat offsets and weights, all weights 0
 * for a point more than one pixel outside; coordinates below 0 clamp to 0, the last row and column repeat.
 */
function bilinearTaps(y: number, x: number, h: number, w: number): { at: number[]; weight: number[] } {
  if (y < -1 || y > h || x < -1 || x > w) return { at: [0, 0, 0, 0], weight: [0, 0, 0, 0] };
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let [y0, x0] = [Math.floor(y), Math.floor(x)];
  let [y1, x1] = [y0 + 1, x0 + 1];
  if (y0 >= h - 1) [y0, y1, y] = [h - 1, h - 1, h - 1];
  if (x0 >= w - 1) [x0, x1, x] = [w - 1, w - 1, w - 1];
  const [ly, lx] = [y - y0, x - x0];
  const [hy, hx] = [1 - ly, 1 - lx];
  return { at: [y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1], weight: [hy * hx, hy * lx, ly * hx, ly * lx] };
}

function refRoiAlign(x: Tensor, rois: Tensor, batchIndices: Tensor, attrs: Attrs): Tensor {
  const p = roiAlignParams(attrs);
  const [n, c, h, w] = x.shape;
  const count = rois.shape[0];
  const shape = [count, c, p.pooledH, p.pooledW];
  const out = allocData(x.dtype, checkedSize(shape));
  const offset = p.halfPixel ? 0.5 : 0;
  for (let r = 0; r < count; r++) {
    const b = batchIndices.data[r];
    if (!(b >= 0 && b < n)) throw new DlcError(`roi_align: batch index ${b} of roi ${r} is outside the batch of ${n}`);
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => rois.data[r * 4 + k] * p.spatialScale - offset);
    const [roiH, roiW] = p.halfPixel ? [y2 - y1, x2 - x1] : [Math.max(y2 - y1, 1), Math.max(x2 - x1, 1)];
    const [binH, binW] = [roiH / p.pooledH, roiW / p.pooledW];
    const gridH = p.samplingRatio > 0 ? p.samplingRatio : Math.ceil(roiH / p.pooledH);
    const gridW = p.samplingRatio > 0 ? p.samplingRatio : Math.ceil(roiW / p.pooledW);
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      for (let ph = 0; ph < p.pooledH; ph++) {
        for (let pw = 0; pw < p.pooledW; pw++) {
          let acc = p.mode === 'avg' ? 0 : -Infinity;
          for (let iy = 0; iy < gridH; iy++) {
            for (let ix = 0; ix < gridW; ix++) {
              const taps = bilinearTaps(y1 + ph * binH + ((iy + 0.5) * binH) / gridH, x1 + pw * binW + ((ix + 0.5) * binW) / gridW, h, w);
              const terms = taps.at.map((a, k) => taps.weight[k] * x.data[plane + a]);
              acc = p.mode === 'avg' ? acc + terms.reduce((s, v) => s + v, 0) : Math.max(acc, ...terms);
            }
          }
          const value = p.mode === 'avg' ? acc / Math.max(gridH * gridW, 1) : gridH * gridW > 0 ? acc : 0;
          out[((r * c + ch) * p.pooledH + ph) * p.pooledW + pw] = castScalar(value, x.dtype);
        }
      }
    }
  }
  return new Tensor(x.dtype, shape, out);
}

export const roiAlignOps: OpDef[] = [
  {
    name: 'roi_align',
    attrs: {
      mode: { type: 'string', default: 'avg' },
      coordinate_transformation_mode: { type: 'string', default: 'half_pixel' },
      output_height: { type: 'int', default: 1 },
      output_width: { type: 'int', default: 1 },
      sampling_ratio: { type: 'int', default: 0 },
      spatial_scale: { type: 'float', default: 1 },
    },
    kind: 'opaque',
    onnx: [
      {
        op: 'RoiAlign',
        convert: (node, b) => {
          // RoiAlign-10 has no coordinate_transformation_mode: it behaves as output_half_pixel.
          const attrs = node.opset < 16 ? { ...node.attrs, coordinate_transformation_mode: 'output_half_pixel' } : node.attrs;
          return b.emit('roi_align', node.inputs, attrs, node.numOutputs);
        },
      },
    ],
    infer: (ctx) => {
      const [x, rois] = [inType(ctx, 0), inType(ctx, 1)];
      if (!isFloat(x.dtype)) throw new DlcError(`roi_align: X must be floating point, got ${x.dtype}`);
      if (x.shape.length !== 4) throw new DlcError(`roi_align: X must be [N, C, H, W], got [${x.shape}]`);
      if (rois.shape.length !== 2 || (typeof rois.shape[1] === 'number' && rois.shape[1] !== 4)) throw new DlcError(`roi_align: rois must be [num_rois, 4], got [${rois.shape}]`);
      const p = roiAlignParams(ctx.attrs);
      return [{ dtype: x.dtype, shape: [rois.shape[0], x.shape[1], p.pooledH, p.pooledW] }];
    },
    ref: (inputs, attrs) => [refRoiAlign(required(inputs, 0), required(inputs, 1), required(inputs, 2), attrs)],
  },
];
