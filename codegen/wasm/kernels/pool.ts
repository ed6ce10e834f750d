// Pools: max and average over 1-D to 3-D windows (lifted to 3-D), and the global pools. In a threaded module
// each thread takes a share of the (batch, channel) planes.
import { attrInt } from '../../../compiler/ops/util.js';
import { poolGeometry } from '../../window-geometry.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';
import { isPlainMaxPool2d, maxPool2dKernel } from './max-pool-2d.js';
import { sharedLoop } from './threads.js';

function checkF32(k: KernelContext): void {
  if (k.input(0).type.dtype !== 'f32') unsupported(k.node, `${k.input(0).type.dtype} input (f32 only)`);
}

export function poolKernel(k: KernelContext): string {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const g = poolGeometry(k.node, xs, (detail) => unsupported(k.node, detail));
  const [iD, iH, iW] = g.inDims;
  const [oD, oH, oW] = g.outDims;
  const [kD, kH, kW] = g.kernel;
  const [sD, sH, sW] = g.strides;
  const [dD, dH, dW] = g.dilations;
  const [pD, pH, pW] = g.padBegin;
  const [eD, eH, eW] = g.padEnd;
  const isMax = k.node.op === 'max_pool';
  if (isMax && isPlainMaxPool2d(g)) return maxPool2dKernel(k, k.ptr(x), k.ptr(y), xs[0] * xs[1], g);
  const countPad = !isMax && attrInt(k.node.attrs, 'count_include_pad') !== 0;
  const inPlane = iD * iH * iW;
  const outPlane = oD * oH * oW;
  // Average divides by the taps inside the input, or with count_include_pad by those inside the padded input.
  const tap = isMax ? 'acc = max(acc, v);' : 'acc += v; count++;';
  return [
    sharedLoop(k, 'p', xs[0] * xs[1]),
    `  const xc: usize = ${k.ptr(x)} + p * ${inPlane * 4};`,
    `  let o: usize = ${k.ptr(y)} + p * ${outPlane * 4};`,
    `  for (let od: i32 = 0; od < ${oD}; od++) for (let oh: i32 = 0; oh < ${oH}; oh++) for (let ow: i32 = 0; ow < ${oW}; ow++) {`,
    `    let acc: f32 = ${isMax ? '-Infinity' : '0'};`,
    '    let count: i32 = 0;',
    '    let padCount: i32 = 0;',
    `    for (let kd: i32 = 0; kd < ${kD}; kd++) {`,
    `      const id = od * ${sD} - ${pD} + kd * ${dD};`,
    `      if (id < ${-pD} || id >= ${iD + eD}) continue;`,
    `      for (let kh: i32 = 0; kh < ${kH}; kh++) {`,
    `        const ih = oh * ${sH} - ${pH} + kh * ${dH};`,
    `        if (ih < ${-pH} || ih >= ${iH + eH}) continue;`,
    `        for (let kw: i32 = 0; kw < ${kW}; kw++) {`,
    `          const iw = ow * ${sW} - ${pW} + kw * ${dW};`,
    `          if (iw < ${-pW} || iw >= ${iW + eW}) continue;`,
    '          padCount++;',
    `          if (id < 0 || id >= ${iD} || ih < 0 || ih >= ${iH} || iw < 0 || iw >= ${iW}) continue;`,
    `          const v = load<f32>(xc + ((id * ${iH} + ih) * ${iW} + iw) * 4);`,
    `          ${tap}`,
    '        }',
    '      }',
    '    }',
    `    store<f32>(o, ${isMax ? 'acc' : `acc / <f32>${countPad ? 'padCount' : 'count'}`});`,
    '    o += 4;',
    '  }',
    '}',
  ].join('\n');
}

export function globalPoolKernel(k: KernelContext): string {
  checkF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const plane = xs.slice(2).reduce((p, d) => p * d, 1);
  const isMax = k.node.op === 'global_max_pool';
  return [
    sharedLoop(k, 'p', xs[0] * xs[1]),
    `  const xc: usize = ${k.ptr(x)} + p * ${plane * 4};`,
    '  let i: i32 = 0;',
    ...(isMax
      ? [
          // Four running maxima, folded after the vector loop.
          '  let m4 = f32x4.splat(-Infinity);',
          `  for (; i + 4 <= ${plane}; i += 4) m4 = f32x4.max(m4, v128.load(xc + i * 4));`,
          '  let acc: f32 = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));',
          `  for (; i < ${plane}; i++) acc = max(acc, load<f32>(xc + i * 4));`,
          `  store<f32>(${k.ptr(y)} + p * 4, acc);`,
        ]
      : [
          // Sums accumulate in f64 (a plane may hold 10⁵ elements): each f32x4 widens into two f64x2 sums.
          '  let lo = f64x2.splat(0);',
          '  let hi = f64x2.splat(0);',
          `  for (; i + 4 <= ${plane}; i += 4) {`,
          '    const v = v128.load(xc + i * 4);',
          '    lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));',
          '    hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));',
          '  }',
          '  const s = f64x2.add(lo, hi);',
          '  let acc: f64 = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);',
          `  for (; i < ${plane}; i++) acc += <f64>load<f32>(xc + i * 4);`,
          `  store<f32>(${k.ptr(y)} + p * 4, <f32>(acc / ${plane}.0));`,
        ]),
    '}',
  ].join('\n');
}
