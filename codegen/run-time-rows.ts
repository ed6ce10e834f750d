// The geometry both targets' kernels for readers of run-time-sized tensors share (compiler/run-time-consumers.ts):
// index arithmetic over shapes whose run-time dim is an expression (the extent read at run time), the row
// views of the 'rows' form, and the compile-time parts of slice-rows and reduce-rows. Expressions are plain
// integer arithmetic, the same text in AssemblyScript and WGSL (i32 operands).
import { Value } from '../compiler/ir/graph.js';
import type { ConsumerForm } from '../compiler/run-time-consumers.js';
import { shapeOf, sizeOfValue } from './shapes.js';

const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** `v`'s bound along its run-time dim. */
export function boundOf(v: Value): number {
  return shapeOf(v)[v.type.runTimeDim!];
}

/** Actual elements of `v` per unit of its extent (the bounded elements over the bound). */
export function elementsPerExtent(v: Value): number {
  const b = boundOf(v);
  return b === 0 ? 0 : sizeOfValue(v) / b;
}

/** `v`'s dims as expressions: its run-time dim is `extent`. */
export function dimExprs(v: Value, extent: string): string[] {
  return shapeOf(v).map((d, j) => (j === v.type.runTimeDim ? extent : `${d}`));
}

/** Row-major strides of dims given as expressions. */
export function strideExprs(dims: readonly string[]): string[] {
  return dims.map((_, j) => dims.slice(j + 1).reduce((p, d) => (p === '1' ? d : d === '1' ? p : `${p} * ${d}`), '1'));
}

/**
 * The offset, Σ coordinate_j · strides_j, of the element at linear `index` of the row-major space `dims`
 * (expressions, possibly of the extent).
 */
export function offsetExpr(index: string, dims: readonly string[], strides: readonly string[]): string {
  const inner = strideExprs(dims);
  const terms = dims.map((d, j) => {
    if (strides[j] === '0' || d === '1') return '';
    const quotient = inner[j] === '1' ? `(${index})` : `((${index}) / (${inner[j]}))`;
    const coordinate = j === 0 ? quotient : `(${quotient} % (${d}))`;
    return strides[j] === '1' ? coordinate : `${coordinate} * (${strides[j]})`;
  }).filter((t) => t !== '');
  return terms.length ? terms.join(' + ') : '0';
}

/** A value standing for one row of `v` (its dim `dim` cut to 1; `flat`: one element), and the bytes between rows. */
export interface RowView {
  value: Value;
  row: Value;
  rowElements: number;
}

/** The row views of the 'rows' form: the output's, then each aligned input's. */
export function rowViews(node: { inputs: readonly (Value | null)[] }, output: Value, form: Extract<ConsumerForm, { form: 'rows' }>): RowView[] {
  const view = (v: Value, dim: number): RowView => {
    const shape = shapeOf(v);
    const rowShape = form.flat ? [1] : shape.map((d, j) => (j === dim ? 1 : d));
    return { value: v, row: new Value(`${v.name}/row`, { dtype: v.type.dtype, shape: rowShape }), rowElements: prod(rowShape) };
  };
  return [view(output, form.outputDim), ...form.aligned.map((a) => view(node.inputs[a.input]!, a.dim))];
}

/** Rows the 'rows' form runs per unit of its source's extent: one (a row per extent unit), or `flat`, its elements. */
export function rowsPerExtent(output: Value, form: Extract<ConsumerForm, { form: 'rows' }>): number {
  return form.flat ? elementsPerExtent(output) : 1;
}

/** Slice-rows's constants within ±(bound + 1), which clamp as the originals do for every extent up to the bound (and fit in i32). */
export function sliceRowsPlan(x: Value, form: Extract<ConsumerForm, { form: 'slice-rows' }>): { start: number; end: number; step: number; rowElements: number } {
  const b = boundOf(x) + 1;
  const clamp = (v: number) => Math.max(-b, Math.min(b, v));
  return { start: clamp(form.start), end: clamp(form.end), step: form.step, rowElements: elementsPerExtent(x) };
}

/**
 * Reduce-rows over input `x` (leading run-time dim d, bounded layout = compact prefix): each output element's
 * kept coordinates (`kept`: dims and strides into x), the reduced dims other than d (`rest`), and d's stride.
 */
export function reduceRowsPlan(x: Value, axes: readonly number[]) {
  const xs = shapeOf(x);
  const d = x.type.runTimeDim!;
  const strides = xs.map((_, j) => prod(xs.slice(j + 1)));
  const keptAxes = xs.map((_, j) => j).filter((j) => !axes.includes(j));
  const restAxes = axes.filter((a) => a !== d);
  return {
    kept: { dims: keptAxes.map((j) => `${xs[j]}`), strides: keptAxes.map((j) => `${strides[j]}`) },
    rest: { dims: restAxes.map((j) => `${xs[j]}`), strides: restAxes.map((j) => `${strides[j]}`), count: prod(restAxes.map((j) => xs[j])) },
    rowStride: strides[d],
  };
}

/** The values Shape (start, end) or Size gives of `x`, as expressions of its extent. */
export function shapeValueExprs(node: { op: string; attrs: Record<string, unknown> }, x: Value, extent: string): string[] {
  const dims = dimExprs(x, extent);
  if (node.op === 'size') return [dims.filter((d) => d !== '1').join(' * ') || '1'];
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
  const start = clamp((node.attrs.start as number | undefined) ?? 0);
  const end = node.attrs.end === undefined ? dims.length : clamp(node.attrs.end as number);
  return dims.slice(start, Math.max(start, end));
}
