// resize (nearest and linear, as PP-OCR uses) over the last two axes: the sampling tables come from
// codegen/resize-tables.ts; the kernel blends up to four input elements per output element. In a threaded
// module each thread takes a share of the planes.
import { Tensor } from '../../../compiler/ir/tensor.js';
import { resizePlan, type AxisTable } from '../../resize-tables.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';
import { sharedLoop } from './threads.js';

export function resizeKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  if (x.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} input (f32 only)`);
  const scalesT = k.node.inputs[2] ? k.constantOf(k.node.inputs[2]) : undefined;
  const { mode, inH, inW, outH, outW, planes, rows: th, cols: tw } = resizePlan(k.node, shapeOf(x), shapeOf(y), scalesT, (d) => unsupported(k.node, d));
  const tables = (t: AxisTable) => [k.constant(Tensor.fromArray('i32', [t.i0.length], t.i0)), k.constant(Tensor.fromArray('i32', [t.i1.length], t.i1)), k.constant(Tensor.fromArray('f32', [t.w.length], t.w))];
  const [h0, h1, hw] = tables(th);
  const [w0, w1, ww] = tables(tw);
  return [
    sharedLoop(k, 'p', planes),
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
