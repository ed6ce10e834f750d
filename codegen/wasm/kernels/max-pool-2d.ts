// 2-D f32 max pools without dilation (SqueezeNet's 3/2 with ceil_mode, ResNet's 3/2 padded), the common case
// that pool.ts's general kernel hands over. Each window is clipped to the input once (rows per output row,
// columns per output), so no tap tests its bounds; padding and ceil_mode's overhang are simply not read, which
// is max's meaning of them. Where four neighbouring outputs' windows lie inside the row, they are computed
// together in an f32x4: stride 1 loads the four taps at once; stride 2 loads eight neighbours and keeps the
// even lanes. f32x4.max and scalar max both propagate NaN, as the general kernel does.
import type { Geom3 } from '../../../compiler/ops/nn-window.js';
import type { KernelContext } from './kernel.js';
import { sharedLoop } from './threads.js';

/** Whether `g` is a pool this kernel computes: one depth plane, no dilation. */
export function isPlainMaxPool2d(g: Geom3): boolean {
  return g.inDims[0] === 1 && g.outDims[0] === 1 && g.kernel[0] === 1 && g.padBegin[0] === 0 && g.dilations.every((d) => d === 1);
}

/**
 * The pool of `planes` planes from `x` to `y` (AssemblyScript pointer expressions). `vectorFrom`..`vectorTo`
 * (start of the last group) are the outputs whose four-wide groups read only inside the row: the first
 * window starting at or after column 0, and the last group whose highest read (its last window's end, plus
 * the 3 or 7 lanes a stride-1 or stride-2 load spans) is the row's last column. In a threaded module the planes
 * are split across threads.
 */
export function maxPool2dKernel(k: KernelContext, x: string, y: string, planes: number, g: Geom3): string {
  const [, iH, iW] = g.inDims;
  const [, oH, oW] = g.outDims;
  const [, kH, kW] = g.kernel;
  const [, sH, sW] = g.strides;
  const [, pH, pW] = g.padBegin;
  const span = sW === 1 ? 3 : sW === 2 ? 7 : undefined;
  const vectorFrom = Math.ceil(pW / sW);
  const vectorTo = span === undefined ? -1 : Math.min(Math.floor((iW - 1 - span - (kW - 1) + pW) / sW), oW - 4);
  const taps = Array.from({ length: kW }, (_, kw) =>
    sW === 1
      ? `      acc = f32x4.max(acc, v128.load(r + ${kw * 4}));`
      : `      acc = f32x4.max(acc, v128.shuffle<f32>(v128.load(r + ${kw * 4}), v128.load(r + ${kw * 4 + 16}), 0, 2, 4, 6));`,
  );
  return [
    sharedLoop(k, 'p', planes),
    `  const xc: usize = ${x} + p * ${iH * iW * 4};`,
    `  const yc: usize = ${y} + p * ${oH * oW * 4};`,
    `  for (let oh: i32 = 0; oh < ${oH}; oh++) {`,
    `    const h0: i32 = max<i32>(oh * ${sH} - ${pH}, 0);`,
    `    const h1: i32 = min<i32>(oh * ${sH} + ${kH - pH}, ${iH});`,
    `    const o: usize = yc + oh * ${oW * 4};`,
    `    for (let ow: i32 = 0; ow < ${oW}; ) {`,
    `      const w0: i32 = ow * ${sW} - ${pW};`,
    `      if (ow >= ${vectorFrom} && ow <= ${vectorTo}) {`,
    '        let acc = f32x4.splat(-Infinity);',
    '        for (let h: i32 = h0; h < h1; h++) {',
    `          const r: usize = xc + (h * ${iW} + w0) * 4;`,
    ...taps.map((t) => `    ${t}`),
    '        }',
    '        v128.store(o + ow * 4, acc);',
    '        ow += 4;',
    '      } else {',
    '        const wa: i32 = max<i32>(w0, 0);',
    `        const wb: i32 = min<i32>(w0 + ${kW}, ${iW});`,
    '        let acc: f32 = -Infinity;',
    '        for (let h: i32 = h0; h < h1; h++) {',
    `          const r: usize = xc + h * ${iW * 4};`,
    '          for (let w: i32 = wa; w < wb; w++) acc = max(acc, load<f32>(r + w * 4));',
    '        }',
    '        store<f32>(o + ow * 4, acc);',
    '        ow++;',
    '      }',
    '    }',
    '  }',
    '}',
  ].join('\n');
}
