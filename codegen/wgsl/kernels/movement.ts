// Data movement on the GPU: views that alias their input (reshape and friends), and copies where each output
// element reads one input element at an offset computed from its coordinates (transpose, slice, concat,
// split, gather, pad, tile, depth_to_space), plus the few ops that store compile-time values (shape, size).
import type { Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInt, attrString, normalizeAxis } from '../../../compiler/ops/util.js';
import { isInferenceDropout, depthSpaceView, padGeometry, sliceView, tileView, transposeView } from '../../movement-geometry.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, offsetsOf, perInvocation, unsupported } from './shader.js';
import { trainingDropoutKernel } from './dropout.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** y[o] = x[base + Σ coordᵢ·inStridesᵢ] over the space `dims` (the output walked with `outStrides`, offset `outBase`). */
export function stridedCopy(x: Value, y: Value, dims: number[], outStrides: number[], inStrides: number[], base = 0, outBase = 0): WgslDispatch[] {
  const count = prod(dims);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const body = [offsetsOf(dims, [outStrides, inStrides], 'i'), `  ${yb}[${outBase}u + o0] = ${xb}[${base}u + o1];`].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/** Ops that only reinterpret the shape: the output is the input's storage (a copy only for a graph output). */
export function viewKernel(k: WgslKernelContext): WgslDispatch[] | null {
  const [x, y] = [k.input(0), k.output(0)];
  if (k.node.outputs.length > 1) unsupported(k.node, 'a second output');
  if (k.alias(y, x)) return null;
  const n = sizeOfValue(y);
  return stridedCopy(x, y, [n], [1], [1]);
}

/** Dropout at inference: the identity, and a mask of ones when it is asked for; training decides at run time. */
export function dropoutKernel(k: WgslKernelContext): WgslDispatch[] | null {
  if (!isInferenceDropout(k)) return trainingDropoutKernel(k);
  const [x, y, mask] = [k.input(0), k.output(0), k.node.outputs[1]];
  const copy = k.alias(y, x) ? [] : stridedCopy(x, y, [sizeOfValue(y)], [1], [1]);
  if (!mask || sizeOfValue(mask) === 0) return copy.length ? copy : null;
  const b = new Bindings([mask]);
  const fill = perInvocation({ bindings: b.list, count: sizeOfValue(mask), body: `  ${b.of(mask)}[i] = ${wgslLiteral(1, mask.type.dtype)};` });
  return [...copy, fill];
}

export function transposeKernel(k: WgslKernelContext): WgslDispatch[] {
  const v = transposeView(k.node, shapeOf(k.input(0)));
  return stridedCopy(k.input(0), k.output(0), v.dims, stridesOf(v.dims), v.inStrides);
}

/** One copy per input, each into its band of the output along the axis. */
export function concatKernel(k: WgslKernelContext): WgslDispatch[] {
  const y = k.output(0);
  const ys = shapeOf(y);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), ys.length);
  const yst = stridesOf(ys);
  const out: WgslDispatch[] = [];
  let offset = 0;
  for (const x of k.node.inputs) {
    if (!x) continue;
    const xs = shapeOf(x);
    out.push(...stridedCopy(x, y, xs, yst, stridesOf(xs), 0, offset * yst[axis]));
    offset += xs[axis];
  }
  return out;
}

export function splitKernel(k: WgslKernelContext): WgslDispatch[] {
  const x = k.input(0);
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const xst = stridesOf(xs);
  const out: WgslDispatch[] = [];
  let offset = 0;
  for (const y of k.node.outputs) {
    const ys = shapeOf(y);
    out.push(...stridedCopy(x, y, ys, stridesOf(ys), xst, offset * xst[axis]));
    offset += ys[axis];
  }
  return out;
}

export function sliceKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const ys = shapeOf(y);
  const { inStrides, base } = sliceView(k, shapeOf(x), ys, (detail) => unsupported(k.node, detail));
  // Negative steps make negative strides: offsets are computed in i32 then.
  if (inStrides.some((s) => s < 0)) return signedStridedCopy(x, y, ys, inStrides, base);
  return stridedCopy(x, y, ys, stridesOf(ys), inStrides, base);
}

/** A strided copy whose input strides may be negative (a reversed slice). */
function signedStridedCopy(x: Value, y: Value, ys: number[], inStrides: number[], base: number): WgslDispatch[] {
  const count = prod(ys);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const lines = ['  var r = i;', `  var src = ${base};`];
  for (let d = ys.length - 1; d >= 0; d--) {
    lines.push(`  src += i32(r % ${ys[d]}u) * ${inStrides[d]};`, `  r = r / ${ys[d]}u;`);
  }
  lines.push(`  ${yb}[i] = ${xb}[u32(src)];`);
  return [perInvocation({ bindings: b.list, count, body: lines.join('\n') })];
}

/** y[o, j, i] = x[o, idx[j], i] along the axis; negative indices count from the end, out-of-range ones clamp. */
export function gatherKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const inner = prod(xs.slice(axis + 1));
  const d = xs[axis];
  const n = sizeOfValue(idx);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb, ib] = [b.of(y), b.of(x), b.of(idx)];
  const body = [
    `  let e = i % ${inner}u;`,
    `  let j = (i / ${inner}u) % ${n}u;`,
    `  let o = i / ${inner * n}u;`,
    `  var q = i32(${ib}[j]);`,
    `  q = clamp(select(q, q + ${d}, q < 0), 0, ${d - 1});`,
    `  ${yb}[i] = ${xb}[(o * ${d}u + u32(q)) * ${inner}u + e];`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/** y[e] = x at e's coordinates with the one along `axis` replaced by indices[e] (negative counts from the end). */
export function gatherElementsKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const is = shapeOf(idx);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const st = stridesOf(xs);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const d = xs[axis];
  const b = new Bindings([y]);
  const [yb, xb, ib] = [b.of(y), b.of(x), b.of(idx)];
  const body = [
    offsetsOf(is, [st.map((s, i) => (i === axis ? 0 : s))], 'i'),
    `  var q = i32(${ib}[i]);`,
    `  q = clamp(select(q, q + ${d}, q < 0), 0, ${d - 1});`,
    `  ${yb}[i] = ${xb}[o0 + u32(q) * ${st[axis]}u];`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/** Constant, edge and reflect padding: each output coordinate maps back into the input or takes the fill value. */
export function padKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const mode = attrString(k.node.attrs, 'mode');
  if (mode !== 'constant' && mode !== 'edge' && mode !== 'reflect') unsupported(k.node, `pad mode '${mode}'`);
  const xs = shapeOf(x);
  const ys = shapeOf(y);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const { before, fill } = padGeometry(k, xs, (detail) => unsupported(k.node, detail));
  if (mode !== 'constant' && xs.some((d, i) => d === 0 && ys[i] > 0)) unsupported(k.node, `${mode} padding of an empty axis`);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const xst = stridesOf(xs);
  const lines = ['  var r = i;', '  var src = 0;', '  var inside = true;'];
  for (let d = ys.length - 1; d >= 0; d--) {
    lines.push(`  var c${d} = i32(r % ${ys[d]}u) - ${before[d]};`, `  r = r / ${ys[d]}u;`);
    const n = xs[d];
    if (mode === 'constant') lines.push(`  inside = inside && c${d} >= 0 && c${d} < ${n};`);
    // padSource's mapping (codegen/movement-geometry.ts) computed in the shader.
    else if (mode === 'edge') lines.push(`  c${d} = clamp(c${d}, 0, ${n - 1});`);
    else if (n === 1) lines.push(`  c${d} = 0;`);
    else {
      lines.push(`  c${d} = abs(c${d}) % ${2 * (n - 1)};`, `  c${d} = select(c${d}, ${2 * (n - 1)} - c${d}, c${d} >= ${n});`);
    }
    lines.push(`  src += c${d} * ${xst[d]};`);
  }
  // A fill known only at run time is read from its operand's binding.
  const fillExpr = typeof fill === 'number' ? wgslLiteral(fill, y.type.dtype) : `${b.of(fill)}[0]`;
  lines.push(`  if (inside) { ${yb}[i] = ${xb}[u32(src)]; } else { ${yb}[i] = ${fillExpr}; }`);
  return [perInvocation({ bindings: b.list, count, body: lines.join('\n') })];
}

/** y[c] = x[c mod shape(x)] per axis, as a strided copy (codegen/movement-geometry.ts). */
export function tileKernel(k: WgslKernelContext): WgslDispatch[] {
  const v = tileView(shapeOf(k.input(0)), shapeOf(k.output(0)));
  return stridedCopy(k.input(0), k.output(0), v.dims, stridesOf(v.dims), v.inStrides);
}

/** depth_to_space and space_to_depth as one transpose of a 6-D view (codegen/movement-geometry.ts). */
export function depthSpaceKernel(k: WgslKernelContext): WgslDispatch[] {
  const v = depthSpaceView(k.node, shapeOf(k.input(0)));
  return stridedCopy(k.input(0), k.output(0), v.dims, stridesOf(v.dims), v.inStrides);
}

/** Keeps the elements on or above (upper) or on or below the k-th diagonal of the last two axes, zeroes the rest. */
export function triluKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const kT = k.node.inputs[1] ? k.constantOf(k.node.inputs[1]) : undefined;
  if (k.node.inputs[1] && !kT) unsupported(k.node, 'k known only at run time');
  const diag = kT ? kT.data[0] : 0;
  const [rows, cols] = xs.slice(-2);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const keep = attrInt(k.node.attrs, 'upper') !== 0 ? `j - r >= ${diag}` : `j - r <= ${diag}`;
  const body = [
    `  let j = i32(i % ${cols}u);`,
    `  let r = i32((i / ${cols}u) % ${rows}u);`,
    `  ${yb}[i] = select(${wgslLiteral(0, x.type.dtype)}, ${xb}[i], ${keep});`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}

/** shape and size depend on the input's (concrete) shape alone: the kernel stores their values. */
export function shapeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  let values: number[];
  if (k.node.op === 'size') values = [prod(xs)];
  else {
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + xs.length : v, 0), xs.length);
    const start = clamp(attrInt(k.node.attrs, 'start'));
    const end = k.node.attrs.end === undefined ? xs.length : clamp(attrInt(k.node.attrs, 'end'));
    values = xs.slice(start, Math.max(start, end));
  }
  if (values.length === 0) return [];
  const b = new Bindings([y]);
  const yb = b.of(y);
  const body = values.map((v, j) => `  if (i == ${j}u) { ${yb}[i] = ${wgslLiteral(v, y.type.dtype)}; }`).join('\n');
  return [perInvocation({ bindings: b.list, count: values.length, body })];
}

/** Running sums along an axis (exclusive: without the element itself; reverse: from the end), one invocation per line. */
export function cumSumKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const axisT = k.constantOf(k.input(1));
  if (!axisT) unsupported(k.node, 'an axis known only at run time');
  const axis = normalizeAxis(axisT.data[0], xs.length);
  const d = xs[axis];
  const inner = prod(xs.slice(axis + 1));
  const lines = prod(xs) / Math.max(d, 1);
  if (prod(xs) === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const exclusive = attrInt(k.node.attrs, 'exclusive') !== 0;
  const s = attrInt(k.node.attrs, 'reverse') !== 0 ? `${d - 1}u - s` : 's';
  const body = [
    `  let base = (i / ${inner}u) * ${d * inner}u + i % ${inner}u;`,
    `  var acc = ${wgslLiteral(0, x.type.dtype)};`,
    `  for (var s = 0u; s < ${d}u; s++) {`,
    `    let e = base + (${s}) * ${inner}u;`,
    `    let v = ${xb}[e];`,
    exclusive ? `    ${yb}[e] = acc;\n    acc += v;` : `    acc += v;\n    ${yb}[e] = acc;`,
    '  }',
  ].join('\n');
  return [perInvocation({ bindings: b.list, count: lines, body })];
}
