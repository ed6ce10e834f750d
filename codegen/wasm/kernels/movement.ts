// Data movement: views that alias their input (reshape and friends), transpose, concat, split, slice,
// gather, pad. Copies of contiguous runs use memory.copy; everything else is a strided loop nest. In a threaded
// module the copies split across threads by output rows or byte ranges (a copy is a copy on any thread).
import { DlcError } from '../../../compiler/errors.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { stridesOf, Tensor } from '../../../compiler/ir/tensor.js';
import { attrInt, attrString, normalizeAxis } from '../../../compiler/ops/util.js';
import { asLiteral, asType } from '../as-target.js';
import { at, elementBytes, shapeOf, sizeOfValue, unsupported, type KernelContext } from './kernel.js';
import { loopNest } from '../../loops.js';
import { trainingDropoutKernel } from './dropout.js';
import { isThreaded, sharedNest, threadShare } from './threads.js';
import { isInferenceDropout, depthSpaceView, padGeometry, padSource, sliceView, tileView, transposeView } from '../../movement-geometry.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

function copy(k: KernelContext, dst: Value, src: Value): string {
  return `memory.copy(${k.ptr(dst)}, ${k.ptr(src)}, ${sizeOfValue(dst) * elementBytes(dst.type.dtype)});`;
}

/** Ops that only reinterpret the shape: the output is the input's bytes (a copy only for a graph output). */
export function viewKernel(k: KernelContext): string | null {
  const [x, y] = [k.input(0), k.output(0)];
  if (k.node.outputs.length > 1) unsupported(k.node, 'a second output');
  if (k.alias(y, x)) return null;
  return copy(k, y, x);
}

/** Dropout at inference: the identity, and a mask of ones (true) when it is asked for; training decides at run time. */
export function dropoutKernel(k: KernelContext): string | null {
  if (!isInferenceDropout(k)) return trainingDropoutKernel(k);
  const [x, y, mask] = [k.input(0), k.output(0), k.node.outputs[1]];
  const code = k.alias(y, x) ? [] : [copy(k, y, x)];
  if (mask && sizeOfValue(mask) > 0) {
    const t = asType(mask.type.dtype);
    code.push(loopNest({ dims: [sizeOfValue(mask)], strides: [[1]] }, ([o]) => `store<${t}>(${at(k.ptr(mask), o, mask.type.dtype)}, ${asLiteral(1, mask.type.dtype)});`));
  }
  return code.length ? code.join('\n') : null;
}

/** A strided gather: output element at `o` reads input element at `offset(index)`, as a loop nest. */
function stridedCopy(k: KernelContext, x: Value, y: Value, dims: number[], outStrides: number[], inStrides: number[], base = 0): string {
  const t = asType(y.type.dtype);
  return sharedNest(k, { dims, strides: [outStrides, inStrides] }, ([o, i]) => `store<${t}>(${at(k.ptr(y), o, y.type.dtype)}, load<${t}>(${at(k.ptr(x), base ? `${base} + ${i}` : i, x.type.dtype)}));`);
}

export function transposeKernel(k: KernelContext): string {
  const v = transposeView(k.node, shapeOf(k.input(0)));
  return stridedCopy(k, k.input(0), k.output(0), v.dims, stridesOf(v.dims), v.inStrides);
}

/**
 * Copies `rows` runs of `run` elements between two strided places (a concat or split piece, named `piece`).
 * Threaded, each thread copies a share of the rows, or of the bytes of a single run (in 64-byte units).
 */
function blockCopy(k: KernelContext, piece: string, dst: Value, dstOff: number, dstStride: number, src: Value, srcOff: number, srcStride: number, rows: number, run: number): string {
  const size = elementBytes(dst.type.dtype);
  const bytes = run * size;
  if (isThreaded(k) && rows === 1) {
    return `${threadShare(k, piece, bytes, 64)}\nmemory.copy(${k.ptr(dst)} + ${dstOff * size} + ${piece}Lo, ${k.ptr(src)} + ${srcOff * size} + ${piece}Lo, ${piece}Hi - ${piece}Lo);`;
  }
  if (isThreaded(k)) {
    return `${threadShare(k, piece, rows)}\nfor (let r: i32 = ${piece}Lo; r < ${piece}Hi; r++) memory.copy(${k.ptr(dst)} + ${dstOff * size} + r * ${dstStride * size}, ${k.ptr(src)} + ${srcOff * size} + r * ${srcStride * size}, ${bytes});`;
  }
  if (rows === 1) return `memory.copy(${k.ptr(dst)} + ${dstOff * size}, ${k.ptr(src)} + ${srcOff * size}, ${bytes});`;
  return `for (let r: i32 = 0; r < ${rows}; r++) memory.copy(${k.ptr(dst)} + ${dstOff * size} + r * ${dstStride * size}, ${k.ptr(src)} + ${srcOff * size} + r * ${srcStride * size}, ${bytes});`;
}

export function concatKernel(k: KernelContext): string {
  const y = k.output(0);
  const ys = shapeOf(y);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), ys.length);
  const outer = prod(ys.slice(0, axis));
  const inner = prod(ys.slice(axis + 1));
  const code: string[] = [];
  let offset = 0;
  for (const x of k.node.inputs) {
    if (!x) continue;
    const chunk = shapeOf(x)[axis] * inner;
    if (chunk > 0) code.push(blockCopy(k, `p${code.length}`, y, offset, ys[axis] * inner, x, 0, chunk, outer, chunk));
    offset += chunk;
  }
  return code.join('\n');
}

export function splitKernel(k: KernelContext): string {
  const x = k.input(0);
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const outer = prod(xs.slice(0, axis));
  const inner = prod(xs.slice(axis + 1));
  const code: string[] = [];
  let offset = 0;
  for (const y of k.node.outputs) {
    const chunk = shapeOf(y)[axis] * inner;
    if (chunk > 0) code.push(blockCopy(k, `p${code.length}`, y, 0, chunk, x, offset, xs[axis] * inner, outer, chunk));
    offset += chunk;
  }
  return code.join('\n');
}

export function sliceKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const ys = shapeOf(y);
  const { inStrides, base } = sliceView(k, shapeOf(x), ys, (detail) => unsupported(k.node, detail));
  if (ys.some((d) => d === 0)) return '';
  return stridedCopy(k, x, y, ys, stridesOf(ys), inStrides, base);
}

export function gatherKernel(k: KernelContext): string {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const outer = prod(xs.slice(0, axis));
  const inner = prod(xs.slice(axis + 1));
  const d = xs[axis];
  const n = sizeOfValue(idx);
  const size = elementBytes(x.type.dtype);
  const it = asType(idx.type.dtype);
  // Negative indices count from the end; out-of-range ones are clamped rather than read past the tensor.
  // Threaded, each thread copies a share of the outer × index rows.
  const loops = isThreaded(k)
    ? [threadShare(k, 'g', outer * n), `for (let g: i32 = gLo; g < gHi; g++) {`, `  const o: i32 = g / ${n}, j: i32 = g % ${n};`, '  {']
    : [`for (let o: i32 = 0; o < ${outer}; o++) {`, `  for (let j: i32 = 0; j < ${n}; j++) {`];
  return [
    ...loops,
    `    let q = <i32>load<${it}>(${at(k.ptr(idx), 'j', idx.type.dtype)});`,
    `    if (q < 0) q += ${d};`,
    `    q = q < 0 ? 0 : q > ${d - 1} ? ${d - 1} : q;`,
    `    memory.copy(${k.ptr(y)} + (o * ${n} + j) * ${inner * size}, ${k.ptr(x)} + (o * ${d} + q) * ${inner * size}, ${inner * size});`,
    '  }',
    '}',
  ].join('\n');
}

export function padKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const mode = attrString(k.node.attrs, 'mode');
  if (mode !== 'constant' && mode !== 'edge' && mode !== 'reflect') unsupported(k.node, `pad mode '${mode}'`);
  const xs = shapeOf(x);
  const ys = shapeOf(y);
  const { before, fill } = padGeometry(k, xs, (detail) => unsupported(k.node, detail));
  const t = asType(y.type.dtype);
  if (mode !== 'constant') return edgePad(k, mode, xs, ys, before);
  const ost = stridesOf(ys);
  // Fill everything, then copy the part of the input that survives (negative pads crop).
  const lo = xs.map((_, i) => Math.max(0, -before[i]));
  const dims = xs.map((d, i) => Math.min(d - lo[i], ys[i] - Math.max(0, before[i])));
  if (dims.some((d) => d < 0)) throw new DlcError(`pad of [${xs}] to [${ys}] is inconsistent`);
  const xst = stridesOf(xs);
  const inBase = lo.reduce((s, l, i) => s + l * xst[i], 0);
  const outBase = before.reduce((s, b, i) => s + Math.max(0, b) * ost[i], 0);
  // A fill known only at run time is loaded once from its operand's first element.
  const fillExpr = typeof fill === 'number' ? asLiteral(fill, y.type.dtype) : 'fill';
  const code = typeof fill === 'number' ? [] : [`const fill = load<${t}>(${k.ptr(fill)});`];
  code.push(loopNest({ dims: [sizeOfValue(y)], strides: [[1]] }, ([o]) => `store<${t}>(${at(k.ptr(y), o, y.type.dtype)}, ${fillExpr});`, 'f'));
  if (dims.every((d) => d > 0)) {
    code.push(loopNest({ dims, strides: [ost, xst] }, ([o, i]) => `store<${t}>(${at(k.ptr(y), `${outBase} + ${o}`, y.type.dtype)}, load<${t}>(${at(k.ptr(x), `${inBase} + ${i}`, x.type.dtype)}));`));
  }
  return code.join('\n');
}

/**
 * Edge and reflect padding: every output element copies the input element padSource maps it to. The source
 * offset along each axis comes from a table made at compile time, so the loop nest only adds and loads.
 */
function edgePad(k: KernelContext, mode: 'edge' | 'reflect', xs: number[], ys: number[], before: number[]): string {
  const [x, y] = [k.input(0), k.output(0)];
  if (sizeOfValue(y) === 0) return '';
  if (xs.some((d, i) => d === 0 && ys[i] > 0)) unsupported(k.node, `${mode} padding of an empty axis`);
  const t = asType(y.type.dtype);
  const xst = stridesOf(xs);
  const tables = ys.map((n, d) => k.constant(new Tensor('i32', [n], Int32Array.from({ length: n }, (_, c) => padSource(mode, c - before[d], xs[d]) * xst[d]))));
  const lines = ['let o: i32 = 0;'];
  ys.forEach((n, d) => {
    const src = `load<i32>(${tables[d]} + (p${d} << 2))`;
    lines.push(`${'  '.repeat(d)}for (let p${d}: i32 = 0; p${d} < ${n}; p${d}++) {`, `${'  '.repeat(d + 1)}const s${d}: i32 = ${d === 0 ? src : `s${d - 1} + ${src}`};`);
  });
  const last = ys.length - 1;
  const inner = '  '.repeat(ys.length);
  lines.push(`${inner}store<${t}>(${at(k.ptr(y), 'o', y.type.dtype)}, load<${t}>(${at(k.ptr(x), last < 0 ? '0' : `s${last}`, x.type.dtype)}));`, `${inner}o++;`);
  ys.forEach((_, d) => lines.push(`${'  '.repeat(ys.length - 1 - d)}}`));
  return lines.join('\n');
}

/** shape and size depend on the input's (concrete) shape alone: the kernel stores their values. */
export function shapeKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  let values: number[];
  if (k.node.op === 'size') values = [xs.reduce((p, d) => p * d, 1)];
  else {
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + xs.length : v, 0), xs.length);
    const start = clamp(attrInt(k.node.attrs, 'start'));
    const end = k.node.attrs.end === undefined ? xs.length : clamp(attrInt(k.node.attrs, 'end'));
    values = xs.slice(start, Math.max(start, end));
  }
  return values.map((v, i) => `store<i64>(${at(k.ptr(y), `${i}`, 'i64')}, ${asLiteral(v, 'i64')});`).join('\n');
}

/** y[e] = x at e's coordinates with the one along `axis` replaced by indices[e] (negative counts from the end). */
export function gatherElementsKernel(k: KernelContext): string {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const xs = shapeOf(x);
  const is = shapeOf(idx);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), xs.length);
  const st = stridesOf(xs);
  const t = asType(x.type.dtype);
  const d = xs[axis];
  const strides = [stridesOf(is), stridesOf(is), st.map((s, i) => (i === axis ? 0 : s))];
  return sharedNest(k, { dims: is, strides }, ([o, oi, ox]) => [
    `let q = <i32>load<${asType(idx.type.dtype)}>(${at(k.ptr(idx), oi, idx.type.dtype)});`,
    `if (q < 0) q += ${d};`,
    `q = q < 0 ? 0 : q > ${d - 1} ? ${d - 1} : q;`,
    `store<${t}>(${at(k.ptr(y), o, y.type.dtype)}, load<${t}>(${at(k.ptr(x), `${ox} + q * ${st[axis]}`, x.type.dtype)}));`,
  ].join('\n'));
}

/** Keeps the elements on or above (upper) or on or below the k-th diagonal of the last two axes, zeroes the rest. */
export function triluKernel(k: KernelContext): string {
  const kT = k.node.inputs[1] ? k.constantOf(k.node.inputs[1]) : undefined;
  if (k.node.inputs[1] && !kT) unsupported(k.node, 'k known only at run time');
  return triluAbout(k, kT ? `${kT.data[0]}` : '0');
}

/** trilu's loops about the diagonal `diag` (an i64 expression). */
export function triluAbout(k: KernelContext, diag: string): string {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const [rows, cols] = xs.slice(-2);
  const t = asType(x.type.dtype);
  const keep = attrInt(k.node.attrs, 'upper') !== 0 ? `<i64>(j - i) >= ${diag}` : `<i64>(j - i) <= ${diag}`;
  return [
    `for (let p: i32 = 0; p < ${xs.slice(0, -2).reduce((a, b) => a * b, 1)}; p++) for (let i: i32 = 0; i < ${rows}; i++) for (let j: i32 = 0; j < ${cols}; j++) {`,
    `  const e = (p * ${rows} + i) * ${cols} + j;`,
    `  store<${t}>(${at(k.ptr(y), 'e', y.type.dtype)}, ${keep} ? load<${t}>(${at(k.ptr(x), 'e', x.type.dtype)}) : ${asLiteral(0, x.type.dtype)});`,
    '}',
  ].join('\n');
}

/** y[c] = x[c mod shape(x)] per axis, as a strided copy (codegen/movement-geometry.ts). */
export function tileKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  if (sizeOfValue(y) === 0) return '';
  const v = tileView(shapeOf(x), shapeOf(y));
  return stridedCopy(k, x, y, v.dims, stridesOf(v.dims), v.inStrides);
}

/** depth_to_space and space_to_depth as one transpose of a 6-D view (codegen/movement-geometry.ts). */
export function depthSpaceKernel(k: KernelContext): string {
  const v = depthSpaceView(k.node, shapeOf(k.input(0)));
  return stridedCopy(k, k.input(0), k.output(0), v.dims, stridesOf(v.dims), v.inStrides);
}

/** Running sums along an axis (exclusive: without the element itself; reverse: from the end). */
export function cumSumKernel(k: KernelContext): string {
  const axisT = k.constantOf(k.input(1));
  if (!axisT) unsupported(k.node, 'an axis known only at run time');
  return cumSumAlong(k, normalizeAxis(axisT.data[0], shapeOf(k.input(0)).length));
}

/** cum_sum's loops along `axis` (normalized). */
export function cumSumAlong(k: KernelContext, axis: number): string {
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const d = xs[axis];
  const inner = xs.slice(axis + 1).reduce((p, v) => p * v, 1);
  const outer = xs.slice(0, axis).reduce((p, v) => p * v, 1);
  const t = asType(x.type.dtype);
  const exclusive = attrInt(k.node.attrs, 'exclusive') !== 0;
  const idx = attrInt(k.node.attrs, 'reverse') !== 0 ? `${d - 1} - s` : 's';
  const e = `(o * ${d} + (${idx})) * ${inner} + i`;
  return [
    `for (let o: i32 = 0; o < ${outer}; o++) for (let i: i32 = 0; i < ${inner}; i++) {`,
    `  let acc: ${t} = ${asLiteral(0, x.type.dtype)};`,
    `  for (let s: i32 = 0; s < ${d}; s++) {`,
    `    const v = load<${t}>(${at(k.ptr(x), e, x.type.dtype)});`,
    exclusive ? `    store<${t}>(${at(k.ptr(y), e, y.type.dtype)}, acc);\n    acc += v;` : `    acc += v;\n    store<${t}>(${at(k.ptr(y), e, y.type.dtype)}, acc);`,
    '  }',
    '}',
  ].join('\n');
}
