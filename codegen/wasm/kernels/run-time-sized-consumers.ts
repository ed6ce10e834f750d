// Kernels of nodes that read run-time-sized tensors (compiler/run-time-consumers.ts). Each reads its operand's
// extent word, computes the actual elements only, and writes its own output's extent word. The 'rows' form
// runs the op's static kernel on one row at a time, its row operands' addresses moved along by the row.
import { byteSize } from '../../../compiler/ir/dtype.js';
import type { Node, Value } from '../../../compiler/ir/graph.js';
import type { ConsumerForm } from '../../../compiler/run-time-consumers.js';
import { extentByteOffset, storageBytes } from '../../run-time-extent.js';
import { boundOf, dimExprs, elementsPerExtent, offsetExpr, reduceRowsPlan, rowsPerExtent, rowViews, shapeValueExprs, sliceRowsPlan, strideExprs } from '../../run-time-rows.js';
import { asLiteral, asLoad, asStore, asType, asWorkType } from '../as-target.js';
import { at, elementBytes, shapeOf, sizeOfValue, unsupported, type KernelContext, type KernelGenerator } from './kernel.js';
import { storeExtent } from './run-time-sized.js';

/** `v`'s extent as written, kept within its bound (a bad word cannot overrun the buffer). */
function loadExtent(k: KernelContext, v: Value): string {
  return `min<i32>(max<i32>(load<i32>(${k.ptr(v)} + ${extentByteOffset(v, elementBytes(v.type.dtype))}), 0), ${boundOf(v)})`;
}

/** The static kernel of `k.node` once per actual row, on row views of the output and the aligned inputs. */
function rowsKernel(k: KernelContext, form: Extract<ConsumerForm, { form: 'rows' }>, generator: KernelGenerator): string {
  const y = k.output(0);
  const source = k.input(form.source);
  const views = rowViews(k.node, y, form);
  const byRow = new Map(views.map((v) => [v.row, v]));
  const rowOf = (v: Value | null) => (v && views.find((r) => r.value === v)?.row) || v;
  const node: Node = { ...k.node, inputs: k.node.inputs.map(rowOf), outputs: [views[0].row] };
  const row: KernelContext = {
    ...k,
    node,
    input: (i) => node.inputs[i] ?? k.input(i),
    output: () => views[0].row,
    outputs: [views[0].row],
    constantOf: (v) => (v && byRow.has(v) ? undefined : k.constantOf(v)),
    alias: () => false,
    threads: 1,
    ptr(v) {
      const r = byRow.get(v);
      return r ? `(${k.ptr(r.value)} + rtRow * ${r.rowElements * elementBytes(v.type.dtype)})` : k.ptr(v);
    },
  };
  const body = generator(row);
  if (body === null || /\breturn\b/.test(body)) throw new Error(`code generator bug: no row kernel for '${k.node.name}' on run-time rows`);
  const perExtent = rowsPerExtent(y, form);
  return [
    `const rtExtent: i32 = ${loadExtent(k, source)};`,
    storeExtent(k, y, 'rtExtent'),
    `for (let rtRow: i32 = 0; rtRow < rtExtent${perExtent === 1 ? '' : ` * ${perExtent}`}; rtRow++) {`,
    body.replace(/^/gm, '  '),
    '}',
  ].join('\n');
}

/** y = transpose(x) with the extent in both strides: y's elements in order, each read where x keeps it. */
function transposeKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const perm = k.node.attrs.perm as number[] | undefined ?? shapeOf(x).map((_, j, s) => s.length - 1 - j);
  const xStrides = strideExprs(dimExprs(x, 'e'));
  const t = asType(y.type.dtype);
  return [
    `const e: i32 = ${loadExtent(k, x)};`,
    storeExtent(k, y, 'e'),
    `for (let o: i32 = 0; o < e * ${elementsPerExtent(y)}; o++) {`,
    `  store<${t}>(${at(k.ptr(y), 'o', y.type.dtype)}, load<${t}>(${at(k.ptr(x), offsetExpr('o', dimExprs(y, 'e'), perm.map((p) => xStrides[p])), x.type.dtype)}));`,
    '}',
  ].join('\n');
}

/** Rows s, s + step, … of x along its leading run-time dim, s and the count clamped to the extent as ONNX slices. */
function sliceRowsKernel(k: KernelContext, form: Extract<ConsumerForm, { form: 'slice-rows' }>): string {
  const [x, y] = [k.input(0), k.output(0)];
  const { start, end, step, rowElements } = sliceRowsPlan(x, form);
  const rowBytes = rowElements * elementBytes(x.type.dtype);
  const [lo, hi] = step > 0 ? ['0', 'e'] : ['0', 'e - 1'];
  const count = step > 0 ? `(t - s + ${step - 1}) / ${step}` : `(s - t + ${-step - 1}) / ${-step}`;
  return [
    `const e: i32 = ${loadExtent(k, x)};`,
    `let s: i32 = ${start}; if (s < 0) s += e; s = min<i32>(max<i32>(s, ${lo}), ${hi});`,
    `let t: i32 = ${end}; if (t < 0) t += e; t = min<i32>(max<i32>(t, ${step > 0 ? '0' : '-1'}), ${hi});`,
    `const n: i32 = max<i32>(0, ${count});`,
    `for (let j: i32 = 0; j < n; j++) memory.copy(${k.ptr(y)} + j * ${rowBytes}, ${k.ptr(x)} + (s + j * ${step}) * ${rowBytes}, ${rowBytes});`,
    storeExtent(k, y, 'n'),
  ].join('\n');
}

/** Each output element reduces the actual rows of x (and its other reduced dims): a static output. */
function reduceRowsKernel(k: KernelContext, form: Extract<ConsumerForm, { form: 'reduce-rows' }>): string {
  const [x, y] = [k.input(0), k.output(0)];
  const dtype = x.type.dtype;
  const float = dtype === 'f32' || dtype === 'f64';
  const op = k.node.op;
  if (!float && op !== 'reduce_sum' && op !== 'reduce_prod') unsupported(k.node, `${op} of ${dtype} over a run-time dim`);
  const w = asWorkType(dtype);
  const { kept, rest, rowStride } = reduceRowsPlan(x, form.axes);
  const init = { reduce_sum: 0, reduce_mean: 0, reduce_prod: 1, reduce_max: -Infinity, reduce_min: Infinity }[op as 'reduce_sum'];
  const combine = op === 'reduce_max' ? 'acc = max<W>(acc, v);' : op === 'reduce_min' ? 'acc = min<W>(acc, v);' : op === 'reduce_prod' ? 'acc *= v;' : 'acc += v;';
  const finish = op === 'reduce_mean' ? `acc / <${w}>(e * ${rest.count})` : 'acc';
  return [
    `const e: i32 = ${loadExtent(k, x)};`,
    `for (let o: i32 = 0; o < ${sizeOfValue(y)}; o++) {`,
    `  const base: i32 = ${offsetExpr('o', kept.dims, kept.strides)};`,
    `  let acc: ${w} = ${init === 0 || init === 1 ? `<${w}>${init}` : asLiteral(init, dtype)};`,
    '  for (let r: i32 = 0; r < e; r++) {',
    `    for (let q: i32 = 0; q < ${rest.count}; q++) {`,
    `      const v: ${w} = ${asLoad(at(k.ptr(x), `base + r * ${rowStride} + ${offsetExpr('q', rest.dims, rest.strides)}`, dtype), dtype)};`,
    `      ${combine.replace('<W>', `<${w}>`)}`,
    '    }',
    '  }',
    `  ${asStore(at(k.ptr(y), 'o', y.type.dtype), y.type.dtype, finish)}`,
    '}',
  ].join('\n');
}

function shapeKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  const values = shapeValueExprs(k.node, x, 'e');
  return [`const e: i32 = ${loadExtent(k, x)};`, ...values.map((v, j) => `store<i64>(${at(k.ptr(y), `${j}`, 'i64')}, <i64>(${v}));`)].join('\n');
}

/** A view shares its input's storage, extent word included; a graph output gets a copy of both. */
function viewKernel(k: KernelContext): string | null {
  const [x, y] = [k.input(0), k.output(0)];
  if (k.alias(y, x)) return null;
  return `memory.copy(${k.ptr(y)}, ${k.ptr(x)}, ${storageBytes(x, byteSize(x.type.dtype))});`;
}

/** The kernel of a node reading a run-time-sized tensor, in `form`; `generator` is its op's static kernel. */
export function runTimeSizedConsumerKernel(k: KernelContext, form: ConsumerForm, generator: KernelGenerator): string | null {
  switch (form.form) {
    case 'rows': return rowsKernel(k, form, generator);
    case 'view': return viewKernel(k);
    case 'transpose': return transposeKernel(k);
    case 'slice-rows': return sliceRowsKernel(k, form);
    case 'reduce-rows': return reduceRowsKernel(k, form);
    case 'shape': return shapeKernel(k);
  }
}
