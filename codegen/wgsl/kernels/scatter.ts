// Index-driven data movement: gather_nd (one invocation per output element) and scatter_elements /
// scatter_nd. A scatter copies the data, then applies the updates in order in ONE invocation: updates to the
// same element must land in index order (the last one wins, or they combine), which parallel invocations
// would not guarantee. Fine for the small index sets these ops see; a hot scatter would want atomics.
import type { Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInt, attrString, normalizeAxis } from '../../../compiler/ops/util.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { stridedCopy } from './movement.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** `acc` combined with `v` by the scatter's reduction. */
function combine(k: WgslKernelContext, acc: string, v: string, dtype: Value['type']['dtype']): string {
  const reduction = attrString(k.node.attrs, 'reduction');
  switch (reduction) {
    case 'none': return v;
    case 'add': return `${acc} + ${v}`;
    case 'mul': return `${acc} * ${v}`;
    case 'max': return storageType(dtype) === 'f32' ? `max(${acc}, ${v})` : `select(${acc}, ${v}, ${v} > ${acc})`;
    case 'min': return storageType(dtype) === 'f32' ? `min(${acc}, ${v})` : `select(${acc}, ${v}, ${v} < ${acc})`;
    default: return unsupported(k.node, `reduction '${reduction}'`);
  }
}

/** An index read as i32, negative ones counting from the end of a dim of `d`, clamped into it. */
const wrapIndex = (expr: string, d: number) => `clamp(select(i32(${expr}), i32(${expr}) + ${d}, i32(${expr}) < 0), 0, ${d - 1})`;

export function scatterElementsKernel(k: WgslKernelContext): WgslDispatch[] {
  const [data, idx, upd, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  const ds = shapeOf(data);
  const is = shapeOf(idx);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), ds.length);
  const n = sizeOfValue(y);
  const out = stridedCopy(data, y, [n], [1], [1]);
  const count = sizeOfValue(idx);
  if (count === 0) return out;
  const b = new Bindings([y]);
  const [yb, ib, ub] = [b.of(y), b.of(idx), b.of(upd)];
  const dst = stridesOf(ds);
  const lines = ['  for (var e = 0u; e < ' + count + 'u; e++) {', '    var r = e;', '    var o = 0u;'];
  for (let d = is.length - 1; d >= 0; d--) {
    const c = d === axis ? `u32(${wrapIndex(`${ib}[e]`, ds[d])})` : `(r % ${is[d]}u)`;
    lines.push(`    o += ${c} * ${dst[d]}u;`, `    r = r / ${is[d]}u;`);
  }
  lines.push(`    ${yb}[o] = ${combine(k, `${yb}[o]`, `${ub}[e]`, y.type.dtype)};`, '  }');
  return [...out, perInvocation({ bindings: b.list, count: 1, body: lines.join('\n') })];
}

/** The element offset in `data` of index tuple `t` (k indices from `ib`), past `batch` leading dims. */
function tupleOffset(ib: string, t: string, kk: number, ds: number[], batch: number): string {
  const st = stridesOf(ds);
  return Array.from({ length: kk }, (_, j) => `u32(${wrapIndex(`${ib}[${t} * ${kk}u + ${j}u]`, ds[batch + j])}) * ${st[batch + j]}u`).join(' + ') || '0u';
}

export function scatterNdKernel(k: WgslKernelContext): WgslDispatch[] {
  const [data, idx, upd, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  const ds = shapeOf(data);
  const is = shapeOf(idx);
  const kk = is[is.length - 1];
  const tuples = prod(is.slice(0, -1));
  const slice = prod(ds.slice(kk));
  const out = stridedCopy(data, y, [sizeOfValue(y)], [1], [1]);
  if (tuples * slice === 0) return out;
  const b = new Bindings([y]);
  const [yb, ib, ub] = [b.of(y), b.of(idx), b.of(upd)];
  const body = [
    `  for (var t = 0u; t < ${tuples}u; t++) {`,
    `    let o = ${tupleOffset(ib, 't', kk, ds, 0)};`,
    `    for (var s = 0u; s < ${slice}u; s++) { ${yb}[o + s] = ${combine(k, `${yb}[o + s]`, `${ub}[t * ${slice}u + s]`, y.type.dtype)}; }`,
    '  }',
  ].join('\n');
  return [...out, perInvocation({ bindings: b.list, count: 1, body })];
}

/** y[t, s] = data[batch(t), idx[t]…, s] with `batch_dims` leading dims shared by data and indices. */
export function gatherNdKernel(k: WgslKernelContext): WgslDispatch[] {
  const [data, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const ds = shapeOf(data);
  const is = shapeOf(idx);
  const batch = attrInt(k.node.attrs, 'batch_dims');
  const kk = is[is.length - 1];
  const slice = prod(ds.slice(batch + kk));
  const perBatch = prod(is.slice(batch, -1));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb, ib] = [b.of(y), b.of(data), b.of(idx)];
  const body = [
    `  let t = i / ${slice}u;`,
    `  let base = (t / ${Math.max(perBatch, 1)}u) * ${prod(ds.slice(batch))}u;`,
    `  ${yb}[i] = ${xb}[base + ${tupleOffset(ib, 't', kk, ds, batch)} + i % ${slice}u];`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
