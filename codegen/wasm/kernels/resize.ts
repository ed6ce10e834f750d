// resize over the last two axes: the sampling tables come from codegen/resize-tables.ts (or, for
// tf_crop_and_resize with a run-time roi, from resize-run-time-tables.ts, filled before the blend); the kernel
// blends taps(rows) × taps(cols) input elements per output element (1, 4 or 16). In a threaded module each
// thread takes a share of the planes.
import { Tensor } from '../../../compiler/ir/tensor.js';
import { resizePlan, type AxisTable, type ResizePlan } from '../../resize-tables.js';
import { shapeOf, unsupported, type KernelContext } from './kernel.js';
import { runTimeResizeTables } from './resize-run-time-tables.js';
import { isThreaded, onThreadZero, sharedLoop } from './threads.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Σ terms, as one expression. */
const sum = (terms: string[]) => terms.join(' + ');

export function resizeKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  if (x.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} input (f32 only)`);
  const constant = (i: number) => (k.node.inputs[i] ? k.constantOf(k.node.inputs[i]!) : undefined);
  const roi = k.node.inputs[1] ? (constant(1) ?? 'run-time') : undefined;
  const p = resizePlan(k.node, shapeOf(x), shapeOf(y), { roi, scales: constant(2), sizes: constant(3) }, (d) => unsupported(k.node, d));
  const { inH, inW, outH, outW } = p;
  const upsample = integerNearestFactors(p);
  if (upsample) return nearestUpsampleKernel(k, p, upsample);
  // Each table: i32 indices and f32 weights, `taps` per output coordinate.
  let prologue = '';
  let tables: [string, string, string, string];
  if (p.runTime) {
    const bytes = (len: number) => len * p.runTime!.taps * 4;
    tables = [k.scratch(bytes(outH)), k.scratch(bytes(outH)), k.scratch(bytes(outW)), k.scratch(bytes(outW))];
    const fill = runTimeResizeTables(k, k.ptr(k.input(1)), p.runTime, tables);
    prologue = isThreaded(k) ? onThreadZero(k, fill) : fill;
  } else {
    // Unweighted (nearest) kernels read no weights: those tables are left out.
    const place = (t: AxisTable) => [k.constant(Tensor.fromArray('i32', [t.idx.length], t.idx)), p.unweighted ? '' : k.constant(Tensor.fromArray('f32', [t.w.length], t.w))];
    tables = [...place(p.rows), ...place(p.cols)] as [string, string, string, string];
  }
  const [hIdx, hW, wIdx, wW] = tables;
  const [kh, kw] = [p.rows.taps, p.cols.taps];
  const weighted = !p.unweighted;
  const extrapolate = p.extrapolation !== undefined;
  const fill = (what: string) => `store<f32>(o, ${p.extrapolation}); o += 4;${what}`;
  const rowValue = (th: number) => sum(range(kw).map((tw) => (weighted ? `fw${tw} * load<f32>(r${th} + c${tw})` : `load<f32>(r${th} + c${tw})`)));
  const value = sum(range(kh).map((th) => (weighted ? `fh${th} * (${rowValue(th)})` : rowValue(th))));
  return [
    prologue,
    sharedLoop(k, 'p', p.planes),
    `  const xp: usize = ${k.ptr(x)} + p * ${inH * inW * 4};`,
    `  let o: usize = ${k.ptr(y)} + p * ${outH * outW * 4};`,
    `  for (let h: i32 = 0; h < ${outH}; h++) {`,
    extrapolate ? `    if (load<i32>(${hIdx} + h * ${kh * 4}) < 0) { for (let w: i32 = 0; w < ${outW}; w++) { ${fill(' }')} continue; }` : '',
    ...range(kh).map((t) => `    const r${t}: usize = xp + load<i32>(${hIdx} + h * ${kh * 4} + ${t * 4}) * ${inW * 4};`),
    ...(weighted ? range(kh).map((t) => `    const fh${t} = load<f32>(${hW} + h * ${kh * 4} + ${t * 4});`) : []),
    `    for (let w: i32 = 0; w < ${outW}; w++) {`,
    extrapolate ? `      if (load<i32>(${wIdx} + w * ${kw * 4}) < 0) { ${fill(' continue;')} }` : '',
    ...range(kw).map((t) => `      const c${t} = load<i32>(${wIdx} + w * ${kw * 4} + ${t * 4}) * 4;`),
    ...(weighted ? range(kw).map((t) => `      const fw${t} = load<f32>(${wW} + w * ${kw * 4} + ${t * 4});`) : []),
    `      store<f32>(o, ${value});`,
    '      o += 4;',
    '    }',
    '  }',
    '}',
  ].filter((l) => l !== '').join('\n');
}

/**
 * Nearest resizing by whole factors (a ×2 upsample) whose tables are floor(o / factor) along both axes: the
 * kernel computes the index instead of loading it, and the weights hold no table whose length is the output's
 * (which keeps the kernel the same for every input size: codegen/shape-generic).
 */
function integerNearestFactors(p: ResizePlan): [number, number] | undefined {
  if (p.runTime || !p.unweighted || p.extrapolation !== undefined || p.rows.taps !== 1 || p.cols.taps !== 1) return undefined;
  const factor = (t: AxisTable, n: number, out: number) => (out % n === 0 && t.idx.every((i, o) => i === Math.floor(o / (out / n))) ? out / n : undefined);
  const fh = factor(p.rows, p.inH, p.outH);
  const fw = factor(p.cols, p.inW, p.outW);
  return fh && fw ? [fh, fw] : undefined;
}

function nearestUpsampleKernel(k: KernelContext, p: ResizePlan, [fh, fw]: [number, number]): string {
  const [x, y] = [k.input(0), k.output(0)];
  const { inH, inW, outH, outW } = p;
  return [
    sharedLoop(k, 'p', p.planes),
    `  const xp: usize = ${k.ptr(x)} + p * ${inH * inW * 4};`,
    `  let o: usize = ${k.ptr(y)} + p * ${outH * outW * 4};`,
    `  for (let h: i32 = 0; h < ${outH}; h++) {`,
    `    const r: usize = xp + (h / ${fh}) * ${inW * 4};`,
    `    for (let w: i32 = 0; w < ${outW}; w++) {`,
    `      store<f32>(o, load<f32>(r + ((w / ${fw}) << 2)));`,
    '      o += 4;',
    '    }',
    '  }',
    '}',
  ].join('\n');
}
