// A shape-generic wasm program from the programs generated at sample shapes (dim-ranges.ts): one module whose
// varying numbers read module globals, which an exported `setDims(…)` sets from the dims before a run. Every
// sample was planned in the largest shape's memory, so the addresses agree; the weights must agree byte for
// byte (a constant table that depends on the shape, such as a resize's index table, has no generic form).
import { DlcError } from '../../compiler/errors.js';
import type { DimPolynomial } from '../../runtime/symbolic-dims.js';
import { programSignature } from '../signature.js';
import type { TensorSlot, WasmSource } from '../wasm/program.js';
import { polynomialSource } from './dim-polynomial.js';
import type { DimRange, SamplePlan } from './dim-ranges.js';
import { FittedNumbers, fitTexts, renderGeneric, ShapeGenericError, type FittedNumber, type SampledText } from './fit-numbers.js';

export interface SampledWasm {
  point: number[];
  program: WasmSource;
}

/** `nodes` in grid order (plan.nodes), `checks` at plan.checks, `bound` at plan.bound. */
export function shapeGenericWasm(ranges: readonly DimRange[], plan: SamplePlan, bound: SampledWasm, nodes: readonly SampledWasm[], checks: readonly SampledWasm[]): WasmSource {
  const all = [...nodes, ...checks, bound];
  const names = bound.program.signature.kernels.map((k) => k.node);
  for (const s of all) sameExceptNumbers(bound, s);
  const numbers = new FittedNumbers();
  const text = (s: SampledWasm): SampledText => ({ point: s.point, text: s.program.source });
  let generic;
  try {
    generic = fitTexts(plan.nodes, nodes.map(text), [...checks, bound].map(text), numbers);
  } catch (e) {
    if (!(e instanceof ShapeGenericError)) throw e;
    throw new DlcError(`${kernelAt(nodes[0].program.source, e.offset, names)} is not shape-generic: ${e.message}`);
  }
  const slotShapes = (s: SampledWasm): SampledText => ({ point: s.point, text: JSON.stringify([...s.program.layout.inputs, ...s.program.layout.outputs].map((t) => t.shape)) });
  const shapes = fitTexts(plan.nodes, nodes.map(slotShapes), [...checks, bound].map(slotShapes), numbers);
  const symbolic = symbolicShapes(JSON.parse(renderGeneric(shapes, (i) => JSON.stringify({ fitted: i }))), numbers.list);
  const global = (i: number) => `__dim${numbers.list[i].kind === 'int' ? 'I' : 'F'}${i}`;
  const source = [renderGeneric(generic, global), setDimsSource(ranges, numbers.list, bound.point, global)].join('\n');
  const { layout } = bound.program;
  const withShape = (slots: typeof layout.inputs, offset: number): TensorSlot[] => slots.map((s, i) => ({ ...s, symbolicShape: symbolic[offset + i] }));
  const genericLayout = { ...layout, inputs: withShape(layout.inputs, 0), outputs: withShape(layout.outputs, layout.inputs.length) };
  const kernels = source.split(/\n(?=function k\d+\()/);
  const signature = programSignature({
    target: 'wasm',
    code: source,
    layout: { ...genericLayout, planEnd: bound.program.planEnd, dims: ranges } as never,
    weights: bound.program.signature.weights,
    kernels: names.map((node, i) => ({ node, code: kernels.find((k) => k.startsWith(`function k${i}(`)) ?? '' })),
  });
  return { ...bound.program, source, layout: genericLayout, signature: { ...signature, kernels: signature.kernels.map((k, i) => ({ ...bound.program.signature.kernels[i], sha256: k.sha256 })) }, dims: [...ranges] };
}

/** What must not vary with the shape: the kernels, their dependencies, the weights and where tensors live. */
export function sameExceptNumbers(bound: SampledWasm, s: SampledWasm): void {
  const at = s.point.join('×');
  const a = bound.program;
  const b = s.program;
  const names = a.signature.kernels.map((k) => k.node);
  const kernelNames = b.signature.kernels.map((k) => k.node);
  if (kernelNames.join('\n') !== names.join('\n')) {
    const i = kernelNames.findIndex((n, j) => n !== names[j]);
    const which = i < 0 || i >= names.length ? `${kernelNames.length} kernels against ${names.length}` : `kernel ${i} computes '${kernelNames[i]}' against '${names[i]}'`;
    throw new DlcError(`the program has other kernels at ${at} than at ${bound.point.join('×')} (${which}): not shape-generic; narrow the dims' ranges`);
  }
  if (a.weights.length !== b.weights.length || a.weights.some((x, i) => x !== b.weights[i])) {
    const w = a.signature.weights.find((p, i) => {
      const q = b.signature.weights[i];
      return !q || q.offset !== p.offset || q.bytes !== p.bytes || a.weights.subarray(p.offset, p.offset + p.bytes).some((x, k) => x !== b.weights[q.offset + k]);
    });
    throw new DlcError(`constant '${w?.name ?? '?'}' depends on the input shape (it differs at ${at}): not shape-generic`);
  }
  const offsets = (p: WasmSource) => JSON.stringify([...p.layout.inputs, ...p.layout.outputs].map((t) => t.offset));
  if (offsets(a) !== offsets(b) || a.planEnd !== b.planEnd) throw new Error(`code generator bug: the memory plan at ${at} is not the largest shape's`);
}

/** Each slot's shape with its fitted dims as polynomials (integers only). */
function symbolicShapes(shapes: (number | { fitted: number })[][], list: readonly FittedNumber[]): (number | DimPolynomial)[][] {
  return shapes.map((shape) =>
    shape.map((d) => {
      if (typeof d === 'number') return d;
      const f = list[d.fitted];
      if (f.kind !== 'int') throw new Error('code generator bug: a fitted tensor dim is not an integer');
      return { terms: f.terms };
    }),
  );
}

/** The globals the generic code reads, and `setDims(…)`, which computes them from the dims (initially the largest shape's). */
function setDimsSource(ranges: readonly DimRange[], list: readonly FittedNumber[], bound: readonly number[], global: (i: number) => string): string {
  const f64 = (x: number) => {
    const t = String(x);
    return /[.eEn]/.test(t) ? t : `${t}.0`;
  };
  const dimNames = ranges.map((r) => `dim_${r.name}`);
  const lines = list.map((f, i) => {
    const poly = polynomialSource(f.terms, dimNames, f64);
    const value = f.kind === 'int' ? `<i32>Math.round(${poly})` : f.kind === 'reciprocal' ? `1.0 / (${poly})` : `${poly}`;
    return `  ${global(i)} = ${value};`;
  });
  const decls = list.map((f, i) => `let ${global(i)}: ${f.kind === 'int' ? 'i32' : 'f64'} = 0;`);
  return [
    ...decls,
    `export function setDims(${ranges.map((_, d) => `d${d}: i32`).join(', ')}): void {`,
    ...dimNames.map((n, d) => `  const ${n}: f64 = <f64>d${d};`),
    ...lines,
    '}',
    `setDims(${bound.join(', ')});`,
  ].join('\n');
}

/** The kernel (and its node) that holds character `offset` of a generated source, for the error line. */
function kernelAt(source: string, offset: number, names: readonly string[]): string {
  const before = source.slice(0, offset);
  const m = [...before.matchAll(/\nfunction k(\d+)\(/g)].pop();
  return m ? `kernel ${m[1]} (node '${names[Number(m[1])]}')` : 'the shared code of the module';
}
