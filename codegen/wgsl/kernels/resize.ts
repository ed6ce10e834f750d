// resize over the last two axes, one invocation per output element blending taps(rows) × taps(cols) input
// elements (1, 4 or 16). The sampling tables of codegen/resize-tables.ts travel as two constants: the source
// indices [rows | cols] and their weights [rows | cols], `taps` per output coordinate; for tf_crop_and_resize
// with a run-time roi a first dispatch (resize-run-time-tables.ts) fills two scratch tables of that layout.
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { resizePlan } from '../../resize-tables.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { runTimeResizeTables } from './resize-run-time-tables.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function resizeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  if (x.type.dtype !== 'f32') unsupported(k.node, `${x.type.dtype} input (f32 only)`);
  const constant = (i: number) => (k.node.inputs[i] ? k.constantOf(k.node.inputs[i]!) : undefined);
  const roi = k.node.inputs[1] ? (constant(1) ?? 'run-time') : undefined;
  const p = resizePlan(k.node, shapeOf(x), shapeOf(y), { roi, scales: constant(2), sizes: constant(3) }, (d) => unsupported(k.node, d));
  if (sizeOfValue(y) === 0) return [];
  const [kh, kw] = [p.rows.taps, p.cols.taps];
  const entries = p.outH * kh + p.outW * kw;
  const dispatches: WgslDispatch[] = [];
  let index: Value;
  let weights: Value;
  if (p.runTime) {
    [index, weights] = [k.scratch('i32', [entries]), k.scratch('f32', [entries])];
    dispatches.push(runTimeResizeTables(k, p.runTime, p.outH, p.outW, index, weights));
  } else {
    index = k.constant(Tensor.fromArray('i32', [entries], [...p.rows.idx, ...p.cols.idx]));
    weights = k.constant(Tensor.fromArray('f32', [entries], [...p.rows.w, ...p.cols.w]));
  }
  const b = new Bindings([y]);
  const [yb, xb, ib] = [b.of(y), b.of(x), b.of(index)];
  // Unweighted (nearest) kernels read no weights.
  const wb = p.unweighted ? '' : b.of(weights);
  const colsAt = p.outH * kh;
  const term = (th: number, tw: number) => (p.unweighted ? `${xb}[r${th} + c${tw}]` : `fh${th} * fw${tw} * ${xb}[r${th} + c${tw}]`);
  const body = [
    `  let w = i % ${p.outW}u;`,
    `  let h = (i / ${p.outW}u) % ${p.outH}u;`,
    `  let plane = (i / ${p.outW * p.outH}u) * ${p.inH * p.inW}u;`,
    p.extrapolation !== undefined ? `  if (${ib}[h * ${kh}u] < 0 || ${ib}[${colsAt}u + w * ${kw}u] < 0) { ${yb}[i] = ${wgslLiteral(p.extrapolation, 'f32')}; return; }` : '',
    ...range(kh).map((t) => `  let r${t} = plane + u32(${ib}[h * ${kh}u + ${t}u]) * ${p.inW}u;`),
    ...range(kw).map((t) => `  let c${t} = u32(${ib}[${colsAt}u + w * ${kw}u + ${t}u]);`),
    ...(p.unweighted ? [] : range(kh).map((t) => `  let fh${t} = ${wb}[h * ${kh}u + ${t}u];`)),
    ...(p.unweighted ? [] : range(kw).map((t) => `  let fw${t} = ${wb}[${colsAt}u + w * ${kw}u + ${t}u];`)),
    `  ${yb}[i] = ${range(kh).flatMap((th) => range(kw).map((tw) => term(th, tw))).join(' + ')};`,
  ].filter((l) => l !== '').join('\n');
  dispatches.push(perInvocation({ bindings: b.list, count: sizeOfValue(y), body }));
  return dispatches;
}
