// `dlc inspect MODEL`: loads a model, runs a pass pipeline over it and prints what it is — inputs, outputs,
// op histogram, parameters, FLOPs, kernels and peak activation memory — as text, JSON or Graphviz.
import { analyzeGraph, isKernel, type GraphStats } from '../compiler/analysis.js';
import { UsageError } from '../compiler/errors.js';
import { Graph, type Node } from '../compiler/ir/graph.js';
import { formatType } from '../compiler/ir/printer.js';
import { loadOnnxFile } from '../compiler/onnx/frontend.js';
import { PassManager, type Pass } from '../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline, parsePipeline, printPipeline } from '../passes/pipelines.js';
import type { CliIo } from './main.js';

export interface InspectOptions {
  inputShape: string[];
  optLevel?: string;
  passes?: string;
  json?: boolean;
  format: string;
  printIrAfterAll?: boolean;
  dumpIr?: string;
  timing?: boolean;
  verifyEach?: boolean;
}

export function inspectCommand(model: string, opts: InspectOptions, io: CliIo): number {
  if (opts.format !== 'text' && opts.format !== 'dot') throw new UsageError(`--format must be text or dot, got '${opts.format}'`);
  if (opts.json && opts.format === 'dot') throw new UsageError('--json and --format dot exclude each other');
  const inputShapes = parseInputShapes(opts.inputShape);
  const pass = selectPipeline(opts);

  const { graph, opsets, producer } = loadOnnxFile(model, { inputShapes });
  const manager = new PassManager({
    printIrAfterAll: opts.printIrAfterAll ? (text) => io.stderr.write(text) : undefined,
    dumpIrDir: opts.dumpIr,
    timing: opts.timing,
    verifyEach: opts.verifyEach,
    warn: (message) => io.stderr.write(`dlc: warning: ${message}\n`),
  });
  const optimized = manager.run(pass, graph);
  const stats = analyzeGraph(optimized);

  if (opts.json) {
    const report = { model, producer, opsets, pipeline: printPipeline(pass), ...stats };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (opts.format === 'dot') {
    io.stdout.write(toDot(optimized));
  } else {
    io.stdout.write(formatReport(model, producer, opsets, printPipeline(pass), stats));
  }
  if (opts.timing) io.stderr.write(formatTimings(manager));
  return 0;
}

/** `name=d0,d1,...` (repeatable) → shapes by input name; `name=` is a scalar. */
export function parseInputShapes(specs: readonly string[]): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--input-shape '${spec}' must look like name=d0,d1,...`);
    const name = spec.slice(0, eq);
    const dimsText = spec.slice(eq + 1).trim();
    const dims = dimsText === '' ? [] : dimsText.split(/[,x]/).map((d) => d.trim());
    if (!dims.every((d) => /^\d+$/.test(d))) {
      throw new UsageError(`--input-shape '${spec}': dims must be non-negative integers separated by commas`);
    }
    if (name in shapes) throw new UsageError(`--input-shape given twice for '${name}'`);
    shapes[name] = dims.map(Number);
  }
  return shapes;
}

export function selectPipeline(opts: Pick<InspectOptions, 'passes' | 'optLevel'>): Pass {
  if (opts.passes !== undefined && opts.optLevel !== undefined) throw new UsageError('give either -O or --passes, not both');
  if (opts.passes !== undefined) return parsePipeline(opts.passes);
  if (opts.optLevel === undefined) return optPipeline(DEFAULT_OPT_LEVEL);
  if (!/^\d+$/.test(opts.optLevel)) throw new UsageError(`-O takes a level 0 to 3, got '${opts.optLevel}'`);
  return optPipeline(Number(opts.optLevel));
}

function formatReport(model: string, producer: string, opsets: Record<string, number>, pipeline: string, s: GraphStats): string {
  const opsetText = Object.entries(opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ');
  const lines = [
    `model: ${model}`,
    `producer: ${producer || '(unknown)'}; opsets: ${opsetText}`,
    `pipeline: ${pipeline || '(none)'}`,
    'inputs:',
    ...s.inputs.map((v) => `  ${v.name}: ${formatType(v)}`),
    'outputs:',
    ...s.outputs.map((v) => `  ${v.name}: ${formatType(v)}`),
    `ops: ${s.nodes} nodes`,
    ...Object.entries(s.ops).map(([op, n]) => `  ${op.padEnd(24)} ${String(n).padStart(6)}`),
    `params: ${s.params.toLocaleString('en-US')} (${formatBytes(s.paramBytes)})`,
    `flops: ${s.flops.toLocaleString('en-US')} (${formatScaled(s.flops, 'FLOP')})${s.symbolic ? ', at least: symbolic dims left out' : ''}`,
    `kernels: ${s.kernels}`,
    `peak activation memory: ${formatBytes(s.peakActivationBytes)}${s.symbolic ? ', at least' : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

function formatTimings(manager: PassManager): string {
  const rows = manager.timingSummary();
  const total = rows.reduce((t, r) => t + r.ms, 0);
  const lines = ['pass timing:'];
  for (const r of rows) lines.push(`  ${r.ms.toFixed(2).padStart(10)} ms  ${String(r.runs).padStart(3)}×  ${r.pass}`);
  lines.push(`  ${total.toFixed(2).padStart(10)} ms        total`);
  return `${lines.join('\n')}\n`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function formatScaled(n: number, unit: string): string {
  const prefixes = ['', 'k', 'M', 'G', 'T', 'P'];
  let v = n;
  let p = 0;
  while (v >= 1000 && p < prefixes.length - 1) {
    v /= 1000;
    p++;
  }
  return `${p === 0 ? v : v.toFixed(2)} ${prefixes[p]}${unit}`;
}

/**
 * Graphviz of the main graph: inputs and outputs as ellipses, nodes as boxes (metadata ops dashed, control
 * flow with its body size), edges labelled with the value's type. Constants are folded into the node label.
 */
export function toDot(graph: Graph): string {
  const lines = [`digraph ${quote(graph.name)} {`, '  node [shape=box, fontname="monospace"];', '  edge [fontname="monospace", fontsize=10];'];
  const source = new Map<unknown, string>();
  graph.inputs.forEach((v, i) => {
    const id = `in${i}`;
    source.set(v, id);
    lines.push(`  ${id} [shape=ellipse, label=${quote(`${v.name}\n${formatType(v.type)}`)}];`);
  });
  graph.nodes.forEach((node, i) => {
    const id = `n${i}`;
    for (const o of node.outputs) source.set(o, id);
    lines.push(`  ${id} [label=${quote(nodeLabel(node))}${isKernel(node) ? '' : ', style=dashed'}];`);
    for (const v of node.inputs) {
      const from = v && source.get(v);
      if (from) lines.push(`  ${from} -> ${id} [label=${quote(formatType(v.type))}];`);
    }
  });
  graph.outputs.forEach((v, i) => {
    lines.push(`  out${i} [shape=ellipse, label=${quote(`${v.name}\n${formatType(v.type)}`)}];`);
    const from = source.get(v);
    if (from) lines.push(`  ${from} -> out${i} [label=${quote(formatType(v.type))}];`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeLabel(node: Node): string {
  const consts = node.inputs.filter((v) => v?.isConst).length;
  const bodies = Graph.subgraphsOf(node).reduce((n, g) => n + [...g.allNodes()].length, 0);
  const extras = [consts ? `${consts} const` : '', bodies ? `${bodies}-node body` : ''].filter(Boolean);
  return `${node.op}${extras.length ? `\n(${extras.join(', ')})` : ''}`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
