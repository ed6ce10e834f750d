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

/** Where each kernel's function starts in a generated module (the chunks the fit goes through one by one). */
const KERNEL_START = /\n(?=function k\d+\()/;

export interface SampledWasm {
  point: number[];
  program: WasmSource;
}

/**
 * `nodes` in grid order (plan.nodes), `checks` at plan.checks, `bound` at plan.bound; each sample already held
 * to the bound's kernels, weights and plan (sameExceptNumbers, as it was made).
 */
export function shapeGenericWasm(ranges: readonly DimRange[], plan: SamplePlan, bound: SampledWasm, nodes: readonly SampledWasm[], checks: readonly SampledWasm[]): WasmSource {
  const names = bound.program.signature.kernels.map((k) => k.node);
  const numbers = new FittedNumbers();
  // Kernel by kernel, so that every kernel that is not generic is named (the caller may change their choices).
  const others = [...checks, bound];
  const chunks = (s: SampledWasm) => s.program.source.split(KERNEL_START);
  const nodeChunks = nodes.map(chunks);
  const otherChunks = others.map(chunks);
  const count = nodeChunks[0].length;
  const odd = [...nodeChunks, ...otherChunks].findIndex((c) => c.length !== count);
  if (odd >= 0) throw new DlcError(`the program's code has another structure at ${[...nodes, ...others][odd].point.join('×')}: not shape-generic`);
  const failures: { node: string; message: string }[] = [];
  const generics = nodeChunks[0].map((chunk, c) => {
    const at = (list: SampledWasm[], texts: string[][]) => list.map((s, i): SampledText => ({ point: s.point, text: texts[i][c] }));
    try {
      return fitTexts(plan.nodes, at([...nodes], nodeChunks), at(others, otherChunks), numbers);
    } catch (e) {
      if (!(e instanceof ShapeGenericError)) throw e;
      const m = /^function k(\d+)\(/.exec(chunk);
      failures.push({ node: m ? names[Number(m[1])] : '', message: `${m ? `kernel ${m[1]} (node '${names[Number(m[1])]}')` : 'the shared code of the module'} is not shape-generic: ${e.message}` });
      return undefined;
    }
  });
  if (failures.length > 0) throw new NotShapeGeneric(failures);
  const slotShapes = (s: SampledWasm): SampledText => ({ point: s.point, text: JSON.stringify([...s.program.layout.inputs, ...s.program.layout.outputs].map((t) => t.shape)) });
  const shapes = fitTexts(plan.nodes, nodes.map(slotShapes), others.map(slotShapes), numbers);
  const symbolic = symbolicShapes(JSON.parse(renderGeneric(shapes, (i) => JSON.stringify({ fitted: i }))), numbers.list);
  const global = (i: number) => `__dim${numbers.list[i].kind === 'int' ? 'I' : 'F'}${i}`;
  const rendered = generics.map((g) => renderGeneric(g!, global));
  const source = [...rendered, setDimsSource(ranges, numbers.list, bound.point, global)].join('\n');
  const { layout } = bound.program;
  const withShape = (slots: typeof layout.inputs, offset: number): TensorSlot[] => slots.map((s, i) => ({ ...s, symbolicShape: symbolic[offset + i] }));
  const genericLayout = { ...layout, inputs: withShape(layout.inputs, 0), outputs: withShape(layout.outputs, layout.inputs.length) };
  const signature = programSignature({
    target: 'wasm',
    code: source,
    layout: { ...genericLayout, planEnd: bound.program.planEnd, dims: ranges } as never,
    weights: bound.program.signature.weights,
    kernels: names.map((node, i) => ({ node, code: rendered.find((c) => c.startsWith(`function k${i}(`)) ?? '' })),
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

/** The kernels whose code is not one for every shape (the message is the first one's). */
export class NotShapeGeneric extends DlcError {
  constructor(readonly failures: { node: string; message: string }[]) {
    super(failures.length === 1 ? failures[0].message : `${failures[0].message} (and ${failures.length - 1} more kernel${failures.length === 2 ? '' : 's'})`);
  }
}
