// resize (nearest and linear, as PP-OCR uses) over the last two axes. Where each output row and column
// samples the input is computed at compile time into tables (two source indices and the weight of the
// second per coordinate); the kernel blends up to four input elements per output element.
import { Tensor } from '../../../compiler/ir/tensor.js';
import { attrInt, attrString } from '../../../compiler/ops/util.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';

/** ONNX's coordinate_transformation_mode: where output coordinate o samples the input (as the reference). */
function sourceCoordinate(mode: string, o: number, inLen: number, outLen: number, scale: number): number | undefined {
  const resized = scale * inLen;
  switch (mode) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': return (inLen / 2) * (1 - outLen / resized) + (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return resized === 1 ? -0.5 : (o + 0.5) / scale - 0.5;
    case 'align_corners': return resized === 1 ? 0 : (o * (inLen - 1)) / (resized - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    default: return undefined;
  }
}

interface AxisTable {
  i0: number[];
  i1: number[];
  /** Weight of i1 (i0 gets 1 − w). */
  w: number[];
}

function axisTable(k: KernelContext, inLen: number, outLen: number, scale: number): AxisTable {
  const attrs = k.node.attrs;
  const mode = attrString(attrs, 'mode');
  const ctm = attrString(attrs, 'coordinate_transformation_mode');
  const nm = attrString(attrs, 'nearest_mode');
  const t: AxisTable = { i0: [], i1: [], w: [] };
  const clamp = (i: number) => Math.min(inLen - 1, Math.max(0, i));
  for (let o = 0; o < outLen; o++) {
    const x = inLen === outLen && scale === 1 ? o : sourceCoordinate(ctm, o, inLen, outLen, scale);
    if (x === undefined) unsupported(k.node, `coordinate_transformation_mode '${ctm}'`);
    // As the reference: the left neighbour and the distance to it in (0, 1].
    const left = Number.isInteger(x) ? x - 1 : Math.floor(x);
    const ratio = x - left;
    if (mode === 'nearest') {
      const right = ratio === 1 || nm === 'ceil' || (nm === 'round_prefer_floor' && ratio > 0.5) || (nm === 'round_prefer_ceil' && ratio >= 0.5);
      const i = clamp(right ? left + 1 : left);
      t.i0.push(i);
      t.i1.push(i);
      t.w.push(0);
    } else {
      t.i0.push(clamp(left));
      t.i1.push(clamp(left + 1));
      t.w.push(ratio);
    }
  }
  return t;
}

export function resizeKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const attrs = k.node.attrs;
  if (x.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} input (f32 only)`);
  const mode = attrString(attrs, 'mode');
  if (mode !== 'nearest' && mode !== 'linear') unsupported(k.node, `mode '${mode}'`);
  if (attrInt(attrs, 'antialias') !== 0 || attrInt(attrs, 'exclude_outside') !== 0) unsupported(k.node, 'antialias or exclude_outside');
  if (attrString(attrs, 'keep_aspect_ratio_policy') !== 'stretch') unsupported(k.node, 'keep_aspect_ratio_policy');
  const xs = shapeOf(x);
  const ys = shapeOf(y);
  const rank = xs.length;
  if (rank < 2) unsupported(k.node, 'rank < 2');
  if (xs.slice(0, -2).some((d, i) => d !== ys[i])) unsupported(k.node, 'resizing axes other than the last two');
  const scalesT = k.node.inputs[2] ? k.constantOf(k.node.inputs[2]) : undefined;
  const axesAttr = attrs.axes as number[] | undefined;
  const scaleOf = (a: number) => {
    if (!scalesT) return ys[a] / xs[a];
    const axes = axesAttr ? axesAttr.map((v) => (v < 0 ? v + rank : v)) : xs.map((_, i) => i);
    const j = axes.indexOf(a);
    return j < 0 ? 1 : scalesT.data[j];
  };
  const [inH, inW] = xs.slice(-2);
  const [outH, outW] = ys.slice(-2);
  const th = axisTable(k, inH, outH, scaleOf(rank - 2));
  const tw = axisTable(k, inW, outW, scaleOf(rank - 1));
  const tables = (t: AxisTable) => [k.constant(Tensor.fromArray('i32', [t.i0.length], t.i0)), k.constant(Tensor.fromArray('i32', [t.i1.length], t.i1)), k.constant(Tensor.fromArray('f32', [t.w.length], t.w))];
  const [h0, h1, hw] = tables(th);
  const [w0, w1, ww] = tables(tw);
  const planes = xs.slice(0, -2).reduce((p, d) => p * d, 1);
  return [
    `for (let p: i32 = 0; p < ${planes}; p++) {`,
    `  const xp: usize = ${k.ptr(x)} + p * ${inH * inW * 4};`,
    `  let o: usize = ${k.ptr(y)} + p * ${outH * outW * 4};`,
    `  for (let h: i32 = 0; h < ${outH}; h++) {`,
    `    const r0: usize = xp + load<i32>(${h0} + h * 4) * ${inW * 4};`,
    `    const r1: usize = xp + load<i32>(${h1} + h * 4) * ${inW * 4};`,
    `    const fh = load<f32>(${hw} + h * 4);`,
    `    for (let w: i32 = 0; w < ${outW}; w++) {`,
    `      const c0 = load<i32>(${w0} + w * 4) * 4;`,
    `      const c1 = load<i32>(${w1} + w * 4) * 4;`,
    `      const fw = load<f32>(${ww} + w * 4);`,
    mode === 'nearest'
      ? '      store<f32>(o, load<f32>(r0 + c0));'
      : [
          '      const top = load<f32>(r0 + c0) + fw * (load<f32>(r0 + c1) - load<f32>(r0 + c0));',
          '      const bottom = load<f32>(r1 + c0) + fw * (load<f32>(r1 + c1) - load<f32>(r1 + c0));',
          '      store<f32>(o, top + fh * (bottom - top));',
        ].join('\n'),
    '      o += 4;',
    '    }',
    '  }',
    '}',
  ].join('\n');
}
