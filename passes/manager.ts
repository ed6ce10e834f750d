// The pass manager. A pass is `{ name, run(graph, ctx) }` returning a new graph; a pipeline is a list of
// passes and is itself a pass (TVM Sequential). Passes are registered by name with typed options, so that
// a pipeline can be spelled as text (pipeline-text.ts). Instrumentation — printing or dumping the IR before
// the first pass and after each pass, timing, verification — lives here, never in the passes. Dumps are for
// reading: constants past INLINE_ELEMENTS print elided (their bytes, in a dump directory, go once to its
// resource file, so that a dump still parses back: compiler/ir/resources.ts) unless `printConstants`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import { INLINE_ELEMENTS, printGraph, type PrintOptions } from '../compiler/ir/printer.js';
import { IrResources, RESOURCE_FILE } from '../compiler/ir/resources.js';
import type { TargetInfo } from '../compiler/target-info.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { graphSignature } from './graph-edit.js';

export type OptionValue = number | boolean | string;

export interface PassContext {
  /** Runs a nested pass under the manager's instrumentation (composite passes call this for each child). */
  runPass(pass: Pass, graph: Graph): Graph;
  /** Reports something the user may want to know that does not stop compilation. */
  warn(message: string): void;
  /** The target compiled for, when there is one (`dlc inspect` without --target has none). */
  target?: TargetInfo;
}

export interface Pass {
  readonly name: string;
  /** The options given explicitly, as the text form prints them back. */
  readonly options: Readonly<Record<string, OptionValue>>;
  /** The children of a composite pass (a pipeline, a fixpoint). */
  readonly passes?: readonly Pass[];
  run(graph: Graph, ctx: PassContext): Graph;
}

export interface OptionSpec {
  type: 'int' | 'float' | 'bool' | 'string';
  default: OptionValue;
  description: string;
}

export interface PassInfo {
  name: string;
  description: string;
  options: Record<string, OptionSpec>;
  /** Composite passes take a nested pipeline: `name(a,b)`. */
  composite?: boolean;
  /** The pass body, given every option (defaults applied) and, for composites, the children. */
  create(options: Record<string, OptionValue>, children: readonly Pass[]): (graph: Graph, ctx: PassContext) => Graph;
}

const passRegistry = new Map<string, PassInfo>();

export function registerPass(info: PassInfo): void {
  if (passRegistry.has(info.name)) throw new Error(`pass '${info.name}' registered twice`);
  passRegistry.set(info.name, info);
}

export function getPassInfo(name: string): PassInfo {
  const info = passRegistry.get(name);
  if (!info) throw new UsageError(`unknown pass '${name}' (known: ${[...passRegistry.keys()].sort().join(', ')})`);
  return info;
}

export function allPassInfos(): PassInfo[] {
  return [...passRegistry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Instantiates a registered pass; `options` are checked against its schema. */
export function createPass(name: string, options: Record<string, OptionValue> = {}, children: readonly Pass[] = []): Pass {
  const info = getPassInfo(name);
  const resolved: Record<string, OptionValue> = {};
  for (const [key, spec] of Object.entries(info.options)) resolved[key] = spec.default;
  for (const [key, value] of Object.entries(options)) {
    const spec = info.options[key];
    if (!spec) throw new UsageError(`pass '${name}' has no option '${key}'`);
    resolved[key] = checkOption(name, key, spec, value);
  }
  if (!info.composite && children.length) throw new UsageError(`pass '${name}' takes no nested passes`);
  const body = info.create(resolved, children);
  return { name, options: { ...options }, passes: info.composite ? [...children] : undefined, run: body };
}

function checkOption(pass: string, key: string, spec: OptionSpec, value: OptionValue): OptionValue {
  const bad = () => new UsageError(`option '${key}' of pass '${pass}' must be ${spec.type === 'int' ? 'an int' : `a ${spec.type}`}, got '${value}'`);
  switch (spec.type) {
    case 'int': if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad(); break;
    case 'float': if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(); break;
    case 'bool': if (typeof value !== 'boolean') throw bad(); break;
    case 'string': if (typeof value !== 'string') throw bad(); break;
  }
  return value;
}

/** A list of passes run in order: itself a pass. */
export function pipeline(passes: readonly Pass[], name = 'pipeline'): Pass {
  return {
    name,
    options: {},
    passes: [...passes],
    run: (graph, ctx) => passes.reduce((g, p) => ctx.runPass(p, g), graph),
  };
}

// fixpoint(a,b,...): runs its children again until a round leaves the graph unchanged. Registered here
// because it is part of how pipelines are spelled, not a transformation of its own.
registerPass({
  name: 'fixpoint',
  description: 'runs the nested passes repeatedly until the graph stops changing',
  options: { 'max-iterations': { type: 'int', default: 10, description: 'rounds before giving up on convergence' } },
  composite: true,
  create: (options, children) => (graph, ctx) => {
    const rounds = options['max-iterations'] as number;
    let before = graphSignature(graph);
    for (let round = 0; round < rounds; round++) {
      graph = children.reduce((g, p) => ctx.runPass(p, g), graph);
      const after = graphSignature(graph);
      if (after === before) return graph;
      before = after;
    }
    ctx.warn(`fixpoint: the graph still changed after ${rounds} rounds`);
    return graph;
  },
});

export interface Instrumentation {
  /** Receives the IR printed before the first pass and after each (leaf) pass. */
  printIrAfterAll?: (text: string) => void;
  /** Writes the IR before the first pass to `DIR/000_input.ir`, after each pass to `DIR/001_<pass>.ir`, `002_…`. */
  dumpIrDir?: string;
  /** Prints every constant's data in full (as hex past INLINE_ELEMENTS) instead of eliding it. */
  printConstants?: boolean;
  /** Records each pass's wall time (see `PassManager.timings`). */
  timing?: boolean;
  /** Verifies the graph after each pass; a failure names the pass that broke it. */
  verifyEach?: boolean;
  /** Receives warnings from passes. */
  warn?: (message: string) => void;
  /** The target the passes compile for (see PassContext.target). */
  target?: TargetInfo;
}

export interface PassTiming {
  pass: string;
  ms: number;
}

/** Runs a pass (usually a pipeline) with instrumentation around every leaf pass. */
export class PassManager {
  readonly timings: PassTiming[] = [];
  private counter = 0;
  /** Whether the graph a first `run` received has been printed (later runs continue the same numbering). */
  private printedInput = false;
  /** The data that dumps elide, appended to DIR/resources.bin as new blobs appear. */
  private readonly resources = new IrResources();

  constructor(private readonly instruments: Instrumentation = {}) {
    this.ctx.target = instruments.target;
  }

  run(pass: Pass, graph: Graph): Graph {
    if (this.instruments.verifyEach) verifyAfter('the input', graph);
    const { printIrAfterAll, dumpIrDir } = this.instruments;
    if (!this.printedInput && (printIrAfterAll || dumpIrDir)) {
      if (dumpIrDir) prepareDumpDir(dumpIrDir);
      this.printedInput = true;
      this.printIr('input', 'IR before any pass', graph);
    }
    return this.runPass(pass, graph);
  }

  /** Each pass's run count and total time, in order of first run. */
  timingSummary(): { pass: string; runs: number; ms: number }[] {
    const byName = new Map<string, { pass: string; runs: number; ms: number }>();
    for (const t of this.timings) {
      const e = byName.get(t.pass) ?? { pass: t.pass, runs: 0, ms: 0 };
      e.runs++;
      e.ms += t.ms;
      byName.set(t.pass, e);
    }
    return [...byName.values()];
  }

  private readonly ctx: PassContext = {
    runPass: (pass, graph) => this.runPass(pass, graph),
    warn: (message) => this.instruments.warn?.(message),
  };

  private runPass(pass: Pass, graph: Graph): Graph {
    if (pass.passes) return pass.run(graph, this.ctx);
    const start = performance.now();
    const result = pass.run(graph, this.ctx);
    const ms = performance.now() - start;
    const { printIrAfterAll, dumpIrDir, timing, verifyEach } = this.instruments;
    if (timing) this.timings.push({ pass: pass.name, ms });
    if (verifyEach) verifyAfter(`pass '${pass.name}'`, result);
    if (printIrAfterAll || dumpIrDir) {
      this.counter++;
      this.printIr(pass.name, `IR after ${pass.name}`, result);
    }
    return result;
  }

  /** Prints `graph` to the printIrAfterAll sink and dumps it as `DIR/<counter>_<name>.ir`. */
  private printIr(name: string, title: string, graph: Graph): void {
    const { printIrAfterAll, dumpIrDir, printConstants } = this.instruments;
    const elide: PrintOptions = printConstants ? {} : { elideConstantsOver: INLINE_ELEMENTS };
    if (printIrAfterAll) printIrAfterAll(`// -----// ${title} //----- //\n${printGraph(graph, elide)}`);
    if (!dumpIrDir) return;
    const text = printGraph(graph, { ...elide, resources: this.resources });
    const header = text.includes('dense_resource<') ? `// dense_resource data: ${RESOURCE_FILE}\n` : '';
    writeDump(path.join(dumpIrDir, `${String(this.counter).padStart(3, '0')}_${name}.ir`), header + text);
    const blobs = this.resources.takeNew();
    // The first dump starts the resource file afresh: blobs of an earlier run into the directory are not kept.
    if (blobs.length > 0 || this.counter === 0) writeResources(path.join(dumpIrDir, RESOURCE_FILE), blobs, this.counter > 0);
  }
}

/** A context for running a pass outside a manager (tests, one-off calls): no instrumentation. */
export function plainContext(warn: (message: string) => void = () => {}, target?: TargetInfo): PassContext {
  const ctx: PassContext = { runPass: (pass, graph) => pass.run(graph, ctx), warn, target };
  return ctx;
}

function verifyAfter(what: string, graph: Graph): void {
  try {
    verifyGraph(graph);
  } catch (e) {
    if (e instanceof DlcError) throw new Error(`IR verification failed after ${what}: ${e.message}`);
    throw e;
  }
}

function prepareDumpDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create --dump-ir directory '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function writeDump(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
  } catch (e) {
    throw new UsageError(`cannot write '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function writeResources(file: string, blobs: Uint8Array, append: boolean): void {
  try {
    if (append) fs.appendFileSync(file, blobs);
    else fs.writeFileSync(file, blobs);
  } catch (e) {
    throw new UsageError(`cannot write '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
