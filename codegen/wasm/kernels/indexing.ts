// Indexing by run-time index tensors: gather_nd, scatter_nd and scatter_elements (with their none/add/mul/
// max/min reductions), and eye_like. Negative indices count from the end, as in the reference; the module
// has no channel for run-time errors, so an index still outside its dim after that is skipped (gather_nd
// writes zeros for it) where the reference interpreter rejects it.
import { isFloat, type DType } from '../../../compiler/ir/dtype.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { attrInt, attrString, normalizeAxis } from '../../../compiler/ops/util.js';
import { asType } from '../as-target.js';
import { elementBytes, shapeOf, unsupported, type KernelContext } from './kernel.js';
import { loopNest } from '../../loops.js';

const prod = (xs: readonly number[]) => xs.reduce((p, d) => p * d, 1);

/** The AssemblyScript load of index element `i` (an i32 expression) of an i64 or i32 index tensor, as i32. */
function indexLoad(k: KernelContext, v: ReturnType<KernelContext['input']>, i: string): string {
  const d = v.type.dtype;
  if (d !== 'i64' && d !== 'i32') unsupported(k.node, `${d} indices`);
  return `<i32>load<${asType(d)}>(${k.ptr(v)} + (${i}) * ${elementBytes(d)})`;
}

/** `old ∘ update` for a scatter reduction, as AssemblyScript over values of `dtype`. */
function combine(k: KernelContext, reduction: string, dtype: DType, old: string, update: string): string {
  switch (reduction) {
    case 'none': return update;
    case 'add': return `${old} + ${update}`;
    case 'mul': return `${old} * ${update}`;
    // NaN already there stays, as in the reference.
    case 'max': return isFloat(dtype) ? `(${old} >= ${update} || isNaN(${old}) ? ${old} : ${update})` : `(${old} >= ${update} ? ${old} : ${update})`;
    case 'min': return isFloat(dtype) ? `(${old} <= ${update} || isNaN(${old}) ? ${old} : ${update})` : `(${old} <= ${update} ? ${old} : ${update})`;
    default: return unsupported(k.node, `reduction '${reduction}'`);
  }
}

/**
 * For each index tuple (k indices into dims b…b+k−1 of data, per batch of the first b dims), the element
 * offset of the slice it names in data; `body` gets the tuple's number j and that offset (−1 when out of range).
 */
function tupleOffsets(k: KernelContext, dataShape: number[], indicesShape: number[], batchDims: number, body: (j: string, offset: string) => string): string {
  const indices = k.input(1);
  const q = indicesShape.length;
  const depth = indicesShape[q - 1];
  const st = stridesOf(dataShape);
  const perBatch = prod(indicesShape.slice(batchDims, q - 1));
  const lines = [
    `for (let bt: i32 = 0; bt < ${prod(dataShape.slice(0, batchDims))}; bt++) for (let jj: i32 = 0; jj < ${perBatch}; jj++) {`,
    `  const j = bt * ${perBatch} + jj;`,
    `  let o: i32 = bt * ${prod(dataShape.slice(batchDims))};`,
    '  let outside = false;',
  ];
  for (let t = 0; t < depth; t++) {
    const dim = dataShape[batchDims + t];
    lines.push(
      `  let x${t}: i32 = ${indexLoad(k, indices, `j * ${depth} + ${t}`)};`,
      `  if (x${t} < 0) x${t} += ${dim};`,
      `  if (x${t} < 0 || x${t} >= ${dim}) outside = true;`,
      `  else o += x${t} * ${st[batchDims + t]};`,
    );
  }
  lines.push(`  ${body('j', 'outside ? -1 : o')}`, '}');
  return lines.join('\n');
}

export function gatherNdKernel(k: KernelContext): string {
  const [data, indices, y] = [k.input(0), k.input(1), k.output(0)];
  const ds = shapeOf(data);
  const is = shapeOf(indices);
  const b = attrInt(k.node.attrs, 'batch_dims');
  const slice = prod(ds.slice(b + is[is.length - 1])) * elementBytes(data.type.dtype);
  return tupleOffsets(k, ds, is, b, (j, o) => [
    `const src: i32 = ${o};`,
    `if (src < 0) memory.fill(${k.ptr(y)} + ${j} * ${slice}, 0, ${slice});`,
    `else memory.copy(${k.ptr(y)} + ${j} * ${slice}, ${k.ptr(data)} + src * ${elementBytes(data.type.dtype)}, ${slice});`,
  ].join(' '));
}

export function scatterNdKernel(k: KernelContext): string {
  const [data, indices, updates, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  const ds = shapeOf(data);
  const is = shapeOf(indices);
  const dt = data.type.dtype;
  const ty = asType(dt);
  const eb = elementBytes(dt);
  const slice = prod(ds.slice(is[is.length - 1]));
  const reduction = attrString(k.node.attrs, 'reduction');
  const at = (p: string, i: string) => `${p} + (${i}) * ${eb}`;
  return [
    `memory.copy(${k.ptr(y)}, ${k.ptr(data)}, ${prod(ds) * eb});`,
    tupleOffsets(k, ds, is, 0, (j, o) => [
      `const dst: i32 = ${o};`,
      `if (dst >= 0) for (let e: i32 = 0; e < ${slice}; e++) {`,
      `  const u = load<${ty}>(${at(k.ptr(updates), `${j} * ${slice} + e`)});`,
      `  const old = load<${ty}>(${at(k.ptr(y), 'dst + e')});`,
      `  store<${ty}>(${at(k.ptr(y), 'dst + e')}, <${ty}>(${combine(k, reduction, dt, 'old', 'u')}));`,
      '}',
    ].join('\n')),
  ].join('\n');
}

export function scatterElementsKernel(k: KernelContext): string {
  const [data, indices, updates, y] = [k.input(0), k.input(1), k.input(2), k.output(0)];
  const ds = shapeOf(data);
  const is = shapeOf(indices);
  const dt = data.type.dtype;
  const ty = asType(dt);
  const eb = elementBytes(dt);
  const axis = normalizeAxis(attrInt(k.node.attrs, 'axis'), ds.length);
  const st = stridesOf(ds);
  const reduction = attrString(k.node.attrs, 'reduction');
  // Walk the indices' elements: operand 0 is their (and the updates') offset, operand 1 the data offset of
  // the element with the axis coordinate left out, added from the index value.
  const walk = loopNest({ dims: is, strides: [stridesOf(is), st.map((s, i) => (i === axis ? 0 : s))] }, ([e, o]) => [
    `let x: i32 = ${indexLoad(k, indices, e)};`,
    `if (x < 0) x += ${ds[axis]};`,
    `if (x >= 0 && x < ${ds[axis]}) {`,
    `  const p = ${k.ptr(y)} + (${o} + x * ${st[axis]}) * ${eb};`,
    `  const u = load<${ty}>(${k.ptr(updates)} + (${e}) * ${eb});`,
    `  const old = load<${ty}>(p);`,
    `  store<${ty}>(p, <${ty}>(${combine(k, reduction, dt, 'old', 'u')}));`,
    '}',
  ].join('\n'));
  return [`memory.copy(${k.ptr(y)}, ${k.ptr(data)}, ${prod(ds) * eb});`, walk].join('\n');
}

/** Ones on the k-th diagonal of a [rows, cols] matrix, zeros elsewhere: the input's values are not read. */
export function eyeLikeKernel(k: KernelContext): string {
  const y = k.output(0);
  const [rows, cols] = shapeOf(y);
  const diag = attrInt(k.node.attrs, 'k');
  const dt = y.type.dtype;
  const ty = asType(dt);
  const eb = elementBytes(dt);
  const first = Math.max(0, -diag);
  const last = Math.min(rows, cols - diag);
  return [
    `memory.fill(${k.ptr(y)}, 0, ${rows * cols * eb});`,
    `for (let i: i32 = ${first}; i < ${last}; i++) store<${ty}>(${k.ptr(y)} + (i * ${cols} + i + ${diag}) * ${eb}, <${ty}>1);`,
  ].join('\n');
}
