// Kernels of nodes that read run-time-sized tensors (compiler/run-time-consumers.ts). Each reads its operand's
// extent word, computes the actual elements only, and writes its own output's extent word. The 'rows' form
// runs the op's static kernel, its invocations stopped after the actual rows' elements (a prefix of the
// bounded output, since the run-time dim leads).
import type { Value } from '../../../compiler/ir/graph.js';
import type { ConsumerForm } from '../../../compiler/run-time-consumers.js';
import { extentByteOffset, storageBytes } from '../../run-time-extent.js';
import { boundOf, dimExprs, elementsPerExtent, offsetExpr, reduceRowsPlan, shapeValueExprs, sliceRowsPlan, strideExprs } from '../../run-time-rows.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { STORAGE_BYTES, storageType, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext, WgslKernelGenerator } from './kernel.js';
import { storeExtent } from './run-time-sized.js';
import { Bindings, limitInvocations, perInvocation, unsupported } from './shader.js';

/** `v`'s extent as written (in binding `vb`), kept within its bound, as an i32 expression. */
function extentOf(v: Value, vb: string): string {
  const word = `${vb}[${extentByteOffset(v, STORAGE_BYTES) / STORAGE_BYTES}]`;
  const asI32 = { i32: word, u32: `i32(${word})`, f32: `bitcast<i32>(${word})` }[storageType(v.type.dtype)];
  return `clamp(${asI32}, 0, ${boundOf(v)})`;
}

/** The static kernel, its invocations limited to the actual rows' elements; the first writes the output's extent. */
function rowsKernel(k: WgslKernelContext, form: Extract<ConsumerForm, { form: 'rows' }>, generator: WgslKernelGenerator): WgslDispatch[] {
  const [source, y] = [k.input(form.source), k.output(0)];
  const dispatches = generator(k);
  if (!dispatches) throw new Error(`code generator bug: no kernel for '${k.node.name}' on run-time rows`);
  return dispatches.map((d) => {
    const binding = (v: Value) => {
      const i = d.bindings.findIndex((b) => b.value === v);
      if (i < 0) throw new Error(`code generator bug: '${v.name}' is not bound by the kernel of '${k.node.name}'`);
      return `b${i}`;
    };
    const extent = extentOf(source, binding(source));
    const first = `  if (i == 0u) {\n  ${storeExtent(y, binding(y), extent)}\n  }`;
    return limitInvocations(d, `u32(${extent}) * ${elementsPerExtent(y)}u`, first);
  });
}

/** One invocation per bounded element of y, those past the actual elements (`count`, i32) stopped. */
function perActualElement(b: Bindings, y: Value, count: string, body: string[], prologue: string[] = []): WgslDispatch[] {
  if (sizeOfValue(y) === 0) return [];
  return [limitInvocations(perInvocation({ bindings: b.list, count: sizeOfValue(y), body: body.join('\n') }), `u32(${count})`, prologue.join('\n'))];
}

function transposeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const perm = k.node.attrs.perm as number[] | undefined ?? shapeOf(x).map((_, j, s) => s.length - 1 - j);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const xStrides = strideExprs(dimExprs(x, 'e'));
  const e = `let e = ${extentOf(x, xb)};`;
  return perActualElement(b, y, `e * ${elementsPerExtent(y)}`, [
    '  let o = i32(i);',
    `  ${yb}[o] = ${xb}[${offsetExpr('o', dimExprs(y, 'e'), perm.map((p) => xStrides[p]))}];`,
  ], [`  ${e}`, `  if (i == 0u) {\n  ${storeExtent(y, yb, 'e')}\n  }`]);
}

function sliceRowsKernel(k: WgslKernelContext, form: Extract<ConsumerForm, { form: 'slice-rows' }>): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const { start, end, step, rowElements } = sliceRowsPlan(x, form);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const hi = step > 0 ? 'e' : 'e - 1';
  const count = step > 0 ? `(t - s + ${step - 1}) / ${step}` : `(s - t + ${-step - 1}) / ${-step}`;
  return perActualElement(b, y, `n * ${rowElements}`, [
    '  let o = i32(i);',
    `  ${yb}[o] = ${xb}[(s + (o / ${rowElements}) * ${step}) * ${rowElements} + o % ${rowElements}];`,
  ], [
    `  let e = ${extentOf(x, xb)};`,
    `  var s = ${start}; if (s < 0) { s += e; } s = min(max(s, 0), ${hi});`,
    `  var t = ${end}; if (t < 0) { t += e; } t = min(max(t, ${step > 0 ? 0 : -1}), ${hi});`,
    `  let n = max(0, ${count});`,
    `  if (i == 0u) {\n  ${storeExtent(y, yb, 'n')}\n  }`,
  ]);
}

function reduceRowsKernel(k: WgslKernelContext, form: Extract<ConsumerForm, { form: 'reduce-rows' }>): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const op = k.node.op;
  const t = storageType(x.type.dtype);
  if (t !== 'f32' && op !== 'reduce_sum' && op !== 'reduce_prod') unsupported(k.node, `${op} of ${x.type.dtype} over a run-time dim`);
  const { kept, rest, rowStride } = reduceRowsPlan(x, form.axes);
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const init = { reduce_sum: 0, reduce_mean: 0, reduce_prod: 1, reduce_max: -Infinity, reduce_min: Infinity }[op as 'reduce_sum'];
  const combine = op === 'reduce_max' ? 'acc = max(acc, v);' : op === 'reduce_min' ? 'acc = min(acc, v);' : op === 'reduce_prod' ? 'acc *= v;' : 'acc += v;';
  // A max or min of no rows is its identity, ∓∞, as the reference's.
  const finish = op === 'reduce_mean' ? `acc / f32(e * ${rest.count})` : 'acc';
  if (sizeOfValue(y) === 0) return [];
  return [perInvocation({
    bindings: b.list,
    count: sizeOfValue(y),
    body: [
      `  let e = ${extentOf(x, xb)};`,
      '  let o = i32(i);',
      `  let base = ${offsetExpr('o', kept.dims, kept.strides)};`,
      `  var acc: ${t} = ${wgslLiteral(init, x.type.dtype)};`,
      '  for (var r = 0; r < e; r++) {',
      `    for (var q = 0; q < ${rest.count}; q++) {`,
      `      let v = ${xb}[base + r * ${rowStride} + ${offsetExpr('q', rest.dims, rest.strides)}];`,
      `      ${combine}`,
      '    }',
      '  }',
      `  ${yb}[o] = ${finish};`,
    ].join('\n'),
  })];
}

function shapeKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const values = shapeValueExprs(k.node, x, 'e');
  if (values.length === 0) return [];
  const body = [`  let e = ${extentOf(x, xb)};`, ...values.map((v, j) => `  if (i == ${j}u) { ${yb}[i] = ${v}; }`)].join('\n');
  return [perInvocation({ bindings: b.list, count: values.length, body })];
}

/** A view shares its input's storage, extent word included; a graph output gets a copy of both. */
function viewKernel(k: WgslKernelContext): WgslDispatch[] | null {
  const [x, y] = [k.input(0), k.output(0)];
  if (k.alias(y, x)) return null;
  const b = new Bindings([y]);
  return [perInvocation({ bindings: b.list, count: storageBytes(x, STORAGE_BYTES) / STORAGE_BYTES, body: `  ${b.of(y)}[i] = ${b.of(x)}[i];` })];
}

/** The kernel of a node reading a run-time-sized tensor, in `form`; `generator` is its op's static kernel. */
export function runTimeSizedConsumerKernel(k: WgslKernelContext, form: ConsumerForm, generator: WgslKernelGenerator): WgslDispatch[] | null {
  switch (form.form) {
    case 'rows': return rowsKernel(k, form, generator);
    case 'view': return viewKernel(k);
    case 'transpose': return transposeKernel(k);
    case 'slice-rows': return sliceRowsKernel(k, form);
    case 'reduce-rows': return reduceRowsKernel(k, form);
    case 'shape': return shapeKernel(k);
  }
}
