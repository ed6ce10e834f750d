// compile with symbolic dims (`--input-shape x=1,3,H,W --dim H=32..960/32 --dim W=32..960/32`): one artifact
// for every shape of the ranges. The model is compiled at sample shapes (codegen/shape-generic/dim-ranges.ts),
// every one planned in the largest shape's memory; where the programs agree but for their numbers, those
// numbers become polynomials of the dims that the module computes in setDims(). Anything that changes with
// the shape in another way (a kernel's structure, a constant table) is refused, naming the kernel.
import { DlcError, UsageError } from '../compiler/errors.js';
import { PlanSizeMismatch, type PlanSizes } from '../codegen/memory-plan.js';
import { samplePlan, shapeAt, type DimRange, type SamplePlan } from '../codegen/shape-generic/dim-ranges.js';
import { cartesian } from '../codegen/shape-generic/dim-polynomial.js';
import { NotShapeGeneric, sameExceptNumbers, shapeGenericWasm, type SampledWasm } from '../codegen/shape-generic/wasm-program.js';
import type { WasmSource } from '../codegen/wasm/program.js';
import type { KernelDecisions } from '../codegen/wasm/kernels/kernel.js';
import type { CompileOptions, GeneratedProgram } from './compile.js';

/** How a sample is generated: in the largest shape's memory plan, with its kernels' choices. */
export interface SampleCodegen {
  planSizes?: PlanSizes;
  decisions: KernelDecisions;
  shapeGeneric: true;
}

/** Generates the program at concrete shapes. */
export type GenerateAt = (options: CompileOptions, codegen: SampleCodegen) => GeneratedProgram;

export function generateShapeGeneric(options: CompileOptions, generateAt: GenerateAt): GeneratedProgram {
  const ranges = options.dims ?? [];
  const symbolic = options.symbolicShapes ?? {};
  checkDimsUsed(ranges, symbolic);
  if (options.target !== 'wasm') throw new UsageError('symbolic dims (--dim) are compiled for --target wasm only');
  if ((options.threads ?? 1) > 1) throw new UsageError('symbolic dims (--dim) are compiled for one thread only');
  // Both calibrate or retrain on data of one shape, and their guards measure the model at it.
  if (options.compress) throw new UsageError('symbolic dims (--dim) and --compress cannot be combined');
  if (options.quantize) throw new UsageError('symbolic dims (--dim) and --quantize cannot be combined');
  const plan = samplePlan(ranges);
  const at = (point: number[], codegen: SampleCodegen): Sample => {
    const inputShapes = { ...options.inputShapes };
    for (const [name, shape] of Object.entries(symbolic)) inputShapes[name] = shapeAt(shape, ranges, point);
    const generated = generateAt({ ...options, inputShapes, dims: undefined, symbolicShapes: undefined }, codegen);
    if (generated.target !== 'wasm') throw new Error('unreachable');
    return { point, program: generated.program, generated };
  };
  // Convs whose Winograd tiles are not generic (an odd output somewhere in the range) are compiled again without it.
  let fitted = sampleAndFit(ranges, plan, at, new Map());
  if ('failure' in fitted) {
    const vetoes = winogradVetoes(fitted.failure, fitted.choices);
    if (vetoes) fitted = sampleAndFit(ranges, plan, at, vetoes);
    if ('failure' in fitted) throw fitted.failure;
  }
  const { program, bound } = fitted;
  // The inputs' declared shapes, as given (the slots' symbolic shapes are fitted; these must agree).
  for (const input of program.layout.inputs) {
    const given = symbolic[input.name];
    if (!given) continue;
    const fitted = input.symbolicShape ?? input.shape;
    given.forEach((d, i) => {
      const f = fitted[i];
      const ok = typeof d === 'number' ? f === d : typeof f === 'object' && f.terms.length === 1 && f.terms[0].coefficient === 1 && f.terms[0].powers.every((p, k) => p === (ranges[k].name === d ? 1 : 0));
      if (!ok) throw new Error(`code generator bug: input '${input.name}' dim ${i} is not ${d}`);
    });
  }
  return {
    target: 'wasm',
    program,
    recorded: { ...bound.generated.recorded, inputShapes: { ...options.inputShapes, ...symbolic }, dims: ranges.map((r) => ({ ...r })) },
    reports: bound.generated.reports,
  };
}

type Sample = SampledWasm & { generated: GeneratedProgram };
type At = (point: number[], codegen: SampleCodegen) => Sample;
type Choices = ReadonlyMap<string, string | number | boolean>;

/**
 * Samples the model (the largest shape first: its memory plan and its kernels' choices serve every shape, with
 * `vetoes` over them) and fits one program, or says which kernels are not generic and what the kernels chose.
 * Each sample is held to the largest's kernels, weights and plan as soon as it is made, so that a range that
 * fails that way stops early.
 */
function sampleAndFit(ranges: readonly DimRange[], plan: SamplePlan, at: At, vetoes: ReadonlyMap<string, string>): { program: WasmSource; bound: Sample } | { failure: NotShapeGeneric; choices: Choices } {
  const record = new Map<string, string | number | boolean>();
  const bound = at(plan.bound, { decisions: { replay: vetoes, record }, shapeGeneric: true });
  const planSizes = bound.program.planSizes;
  if (!planSizes) throw new Error('code generator bug: no plan sizes');
  const replay = new Map([...record, ...vetoes]);
  const sample = (p: number[]) => {
    const codegen = { decisions: { replay, record: new Map() }, shapeGeneric: true } as const;
    let s: Sample;
    try {
      s = at(p, { ...codegen, planSizes });
    } catch (e) {
      // Other kernels do not fit the largest shape's plan: say which, from the sample in its own plan.
      if (e instanceof PlanSizeMismatch) sameExceptNumbers(bound, at(p, codegen));
      throw e;
    }
    sameExceptNumbers(bound, s);
    return s;
  };
  const checks = plan.checks.map(sample);
  const nodes = cartesian(plan.nodes.map((n) => n.length)).map((idx) => sample(idx.map((i, d) => plan.nodes[d][i])));
  try {
    return { program: shapeGenericWasm(ranges, plan, bound, nodes, checks), bound };
  } catch (e) {
    if (e instanceof NotShapeGeneric) return { failure: e, choices: replay };
    throw e;
  }
}

/** When every kernel that failed is a Winograd conv, the vetoes that make them implicit GEMMs; else undefined. */
function winogradVetoes(e: NotShapeGeneric, choices: Choices): Map<string, string> | undefined {
  if (!e.failures.every((f) => choices.get(`${f.node}|algorithm`) === 'winograd')) return undefined;
  return new Map(e.failures.map((f) => [`${f.node}|winograd`, 'vetoed']));
}

function checkDimsUsed(ranges: readonly DimRange[], symbolic: Record<string, (number | string)[]>): void {
  const used = new Set(Object.values(symbolic).flatMap((s) => s.filter((d): d is string => typeof d === 'string')));
  for (const r of ranges) if (!used.has(r.name)) throw new UsageError(`--dim ${r.name}: no --input-shape uses it`);
  for (const d of used) if (!ranges.some((r) => r.name === d)) throw new UsageError(`dim '${d}' of --input-shape has no range: give --dim ${d}=MIN..MAX[/STEP]`);
  const names = ranges.map((r) => r.name);
  if (new Set(names).size !== names.length) throw new UsageError('--dim given twice for one dim');
  if (ranges.length === 0) throw new DlcError('no symbolic dims');
}
