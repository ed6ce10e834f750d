// Runs conformance cases through a backend and groups the failures by reason.
import { DlcError } from '../../compiler/errors.js';
import type { Graph } from '../../compiler/ir/graph.js';
import type { Tensor } from '../../compiler/ir/tensor.js';
import * as fs from 'node:fs';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import { shapeInputs } from '../../compiler/shape-inputs.js';
import { loadDataSet, type ConformanceCase } from './cases.js';
import { asDeclared, contradictsDeclaration, declaredValues, feedsForUnreadInputs } from './case-quirks.js';
import { compareTensors, type Tolerance } from '../../compiler/compare.js';

/** Runs a graph on inputs (in graph-input order) and returns outputs in graph-output order. */
export type Backend = (graph: Graph, inputs: Tensor[]) => Tensor[] | Promise<Tensor[]>;

export interface CaseResult {
  name: string;
  passed: boolean;
  /** Failure reason, grouped: 'unsupported ONNX op X', 'mismatch', 'error: ...'. */
  reason?: string;
  detail?: string;
  /** The inputs specialized to the case's values because their values decide shapes (see loadCase). */
  specialized?: string[];
}

/** A backend that compiles many cases at once (one wasm module for many graphs): for each graph, a function
 * that runs it, or the error that stopped its compilation. */
export interface BatchedBackend {
  batchSize: number;
  compile(graphs: Graph[]): Promise<(((inputs: Tensor[]) => Tensor[] | Promise<Tensor[]>) | Error)[]>;
}

export async function runCase(c: ConformanceCase, backend: Backend, tol: Tolerance): Promise<CaseResult> {
  let specialized: string[] = [];
  try {
    const loaded = loadCase(c);
    specialized = loaded.specialized;
    return withSpecialized(check(c, await backend(loaded.graph, loaded.inputs), loaded.expected, tol), specialized);
  } catch (e) {
    return withSpecialized(failure(c, e), specialized);
  }
}

/** Runs cases in order, through a plain backend one by one or through a batched one `batchSize` at a time. */
export async function runCases(cases: ConformanceCase[], backend: Backend | BatchedBackend, tol: Tolerance): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  if (typeof backend === 'function') {
    for (const c of cases) results.push(await runCase(c, backend, tol));
    return results;
  }
  for (let start = 0; start < cases.length; start += backend.batchSize) {
    const loaded: { c: ConformanceCase; loaded: ReturnType<typeof loadCase> }[] = [];
    const byCase = new Map<ConformanceCase, CaseResult>();
    for (const c of cases.slice(start, start + backend.batchSize)) {
      try {
        loaded.push({ c, loaded: loadCase(c) });
      } catch (e) {
        byCase.set(c, failure(c, e));
      }
    }
    const runners = await backend.compile(loaded.map((l) => l.loaded.graph));
    for (const [i, { c, loaded: { inputs, expected, specialized } }] of loaded.entries()) {
      const runner = runners[i];
      try {
        if (runner instanceof Error) throw runner;
        byCase.set(c, withSpecialized(check(c, await runner(inputs), expected, tol), specialized));
      } catch (e) {
        byCase.set(c, withSpecialized(failure(c, e), specialized));
      }
    }
    for (const c of cases.slice(start, start + backend.batchSize)) results.push(byCase.get(c)!);
  }
  return results;
}

/**
 * The case's graph, specialized to the shapes of its data set (some models leave dims symbolic) and to the
 * values of exactly those inputs whose values decide shapes (a Reshape's shape, a Slice's starts: the inputs
 * that reach a registry `shapeOperands`), as TensorRT takes shape tensors at build time; those inputs leave
 * the graph and the feeds. Inputs of data-dependent ops (NonZero, Compress, Unique) stay inputs.
 */
export function loadCase(c: ConformanceCase): { graph: Graph; inputs: Tensor[]; expected: Tensor[]; specialized: string[] } {
  const data = loadDataSet(c);
  const bytes = fs.readFileSync(c.model);
  const declared = declaredValues(bytes);
  const names = declared.inputs.map((d) => d.name).slice(0, data.inputs.length);
  const given = data.inputs.map((t, i) => asDeclared(t, declared.inputs[i]));
  const expected = data.outputs.map((t, i) => asDeclared(t, declared.outputs[i]));
  const contradicted = new Set(names.filter((_, i) => contradictsDeclaration(given[i], declared.inputs[i])));
  const shapesOf = (keep: (n: string) => boolean) => Object.fromEntries(names.filter(keep).map((n) => [n, [...given[names.indexOf(n)].shape]]));
  let options = { file: c.model, inputShapes: shapesOf((n) => !contradicted.has(n)) };
  let { graph } = importOnnx(bytes, options);
  let inputs = feedsForUnreadInputs(graph, names, given, contradicted);
  // An input the graph reads is fed its data as given, its shape overriding the declaration (as before).
  if (inputs.some((t, i) => t === given[i] && contradicted.has(names[i]))) {
    options = { file: c.model, inputShapes: shapesOf(() => true) };
    graph = importOnnx(bytes, options).graph;
    inputs = given;
  }
  const specialized = [...shapeInputs(graph).keys()].map((v) => v.name).filter((n) => names.includes(n));
  if (specialized.length === 0) return { graph, inputs, expected, specialized };
  const inputValues = Object.fromEntries(specialized.map((n) => [n, inputs[names.indexOf(n)]]));
  return {
    graph: importOnnx(bytes, { ...options, inputValues }).graph,
    inputs: inputs.filter((_, i) => !specialized.includes(names[i])),
    expected,
    specialized,
  };
}

function withSpecialized(r: CaseResult, specialized: string[]): CaseResult {
  return specialized.length ? { ...r, specialized } : r;
}

function check(c: ConformanceCase, got: Tensor[], expected: Tensor[], tol: Tolerance): CaseResult {
  if (got.length < expected.length) return fail(c, 'wrong number of outputs', `${got.length} < ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const d = compareTensors(got[i], expected[i], tol);
    if (d.mismatch) return fail(c, 'mismatch', `output ${i}: ${d.mismatch}`);
  }
  return { name: c.name, passed: true };
}

function failure(c: ConformanceCase, e: unknown): CaseResult {
  if (e instanceof DlcError) return fail(c, reasonOf(e.message), e.message);
  return fail(c, `crash: ${(e as Error).name}`, (e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e));
}

function fail(c: ConformanceCase, reason: string, detail: string): CaseResult {
  return { name: c.name, passed: false, reason, detail };
}

/** Collapses an error message into a reason shared by similar failures. */
function reasonOf(message: string): string {
  const unsupported = /unsupported ONNX op '[^']+'/.exec(message);
  if (unsupported) return unsupported[0];
  // A target's refusal keeps the op and what it lacks: 'op max_pool is not supported by the wasm target: the indices output'.
  const refused = /op \S+ is not supported by .*$/.exec(message);
  const tail = refused ? refused[0] : message.replace(/^.*?: (?=[^:]*$)/, '');
  // Names, shapes and counts vary from case to case; dtype names (f64, i32) do not.
  return `error: ${tail.replace(/'[^']*'/g, "'…'").replace(/\[[^\]]*\]/g, '[…]').replace(/(?<![A-Za-z\d])\d+/g, 'N')}`;
}

export interface Summary {
  passed: number;
  /** Passing cases whose shape inputs were specialized to the case's values. */
  specialized: number;
  total: number;
  byReason: Map<string, CaseResult[]>;
}

export function summarize(results: CaseResult[]): Summary {
  const byReason = new Map<string, CaseResult[]>();
  for (const r of results) {
    if (r.passed) continue;
    const l = byReason.get(r.reason!) ?? [];
    l.push(r);
    byReason.set(r.reason!, l);
  }
  const passed = results.filter((r) => r.passed);
  return { passed: passed.length, specialized: passed.filter((r) => r.specialized).length, total: results.length, byReason };
}

export function formatSummary(label: string, s: Summary, verbose = false): string {
  const lines = [`conformance(${label}): ${s.passed}/${s.total} passed${s.specialized ? ` (${s.specialized} with shape inputs specialized)` : ''}`];
  const reasons = [...s.byReason.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [reason, cases] of reasons) {
    const names = cases.map((c) => c.name);
    const shown = verbose ? names : names.slice(0, 6);
    lines.push(`  ${cases.length} × ${reason}: ${shown.join(', ')}${shown.length < names.length ? ', …' : ''}`);
    if (verbose) for (const c of cases) lines.push(`      ${c.name}: ${c.detail}`);
  }
  return lines.join('\n');
}

/**
 * Runs each case on the reference and, where it passes there, again through `optimized`; returns the
 * cases the optimization broke (with why) and how many were checked.
 */
export async function regressionsUnder(cases: ConformanceCase[], optimized: Backend, reference: Backend, tol: Tolerance): Promise<{ regressions: string[]; checked: number }> {
  const regressions: string[] = [];
  let checked = 0;
  for (const c of cases) {
    if (!(await runCase(c, reference, tol)).passed) continue;
    checked++;
    const after = await runCase(c, optimized, tol);
    if (!after.passed) regressions.push(`${c.name}: ${after.detail}`);
  }
  return { regressions, checked };
}
