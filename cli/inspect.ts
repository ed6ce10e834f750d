// `dlc inspect MODEL`: loads a model, runs a pass pipeline over it (api/optimize) and prints what it is —
// inputs, outputs, op histogram, parameters, FLOPs, kernels and peak activation memory — as text, JSON or Graphviz.
import { isKernel } from '../compiler/analysis.js';
import { UsageError } from '../compiler/errors.js';
import { Graph, type Node } from '../compiler/ir/graph.js';
import { formatType } from '../compiler/ir/printer.js';
import * as fs from 'node:fs';
import { describeModel, type InspectReport } from '../api/inspect.js';
import { describeArtifact } from '../api/inspect-artifact.js';
import { optimize } from '../api/optimize.js';
import { formatBytes, formatScaled } from './format.js';
import type { CliIo } from './main.js';
import { optimizeOptions, printTimings, type ModelFlags } from './options.js';
import { formatQuantizationReport } from './quantization-report.js';
import { quantizationOptions, type QuantizeFlags } from './quantize-options.js';
import { checkBudgetUsed, compressionOptions, type CompressFlags } from './compress-options.js';
import { formatCompressionReport } from './compression-report.js';
import { finiteOrString } from './quantize.js';
import type { TargetName } from '../codegen/targets.js';

export interface InspectOptions extends ModelFlags, QuantizeFlags, CompressFlags {
  target?: string;
  json?: boolean;
  format: string;
}

export function inspectCommand(model: string, opts: InspectOptions, io: CliIo): number {
  if (fs.statSync(model, { throwIfNoEntry: false })?.isDirectory()) return inspectArtifactCommand(model, opts, io);
  if (opts.format !== 'text' && opts.format !== 'dot') throw new UsageError(`--format must be text or dot, got '${opts.format}'`);
  if (opts.json && opts.format === 'dot') throw new UsageError('--json and --format dot exclude each other');
  const options = optimizeOptions(opts, io, opts.target);
  const compress = compressionOptions(opts);
  if (compress) options.compress = compress;
  const quantize = quantizationOptions(opts, opts.quantize);
  if (quantize) options.quantize = quantize;
  checkBudgetUsed(opts, Boolean(quantize || compress));
  const optimized = optimize(model, options);
  // Kernels are counted as compile would emit them: for --target, or wasm (compile's default) without one.
  const target = (opts.target ?? 'wasm') as TargetName;
  if (opts.json) io.stdout.write(`${JSON.stringify(describeModel(optimized, target), finiteOrString, 2)}\n`);
  else if (opts.format === 'dot') io.stdout.write(toDot(optimized.graph));
  else io.stdout.write(formatReport(describeModel(optimized, target)));
  printTimings(io, optimized.timings);
  return 0;
}

/** `dlc inspect DIR`: what a compiled artifact holds, from its manifest. */
function inspectArtifactCommand(dir: string, opts: InspectOptions, io: CliIo): number {
  const report = describeArtifact(dir);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(report, finiteOrString, 2)}\n`);
    return 0;
  }
  const w = report.weights;
  const lines = [
    `artifact: ${report.artifact} (${report.target}, dlc ${report.dlcVersion}, ${report.kernels} kernels)`,
    ...Object.entries(report.files).map(([name, bytes]) => `  ${name.padEnd(14)} ${formatBytes(bytes)}`),
    `weights: ${formatBytes(w.imageBytes)} as the kernels read them, ${formatBytes(w.fileBytes)} in weights.bin (${w.encoding})`,
  ];
  const bytes = new Map(report.compression?.layers.map((l) => [l.weight, { bytes: l.bytes, encodedBytes: l.encodedBytes }]));
  io.stdout.write(`${lines.join('\n')}\n${report.compression ? formatCompressionReport(report.compression, bytes) : ''}`);
  return 0;
}

function formatReport(report: InspectReport): string {
  const { model, producer, opsets, pipeline, ...s } = report;
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
    ...histogram(s.ops),
    ...(Object.keys(s.fusedOps).length ? [`in fused groups: ${Object.values(s.fusedOps).reduce((a, b) => a + b, 0)} nodes`, ...histogram(s.fusedOps)] : []),
    `params: ${s.params.toLocaleString('en-US')} (${formatBytes(s.paramBytes)})`,
    `flops: ${s.flops.toLocaleString('en-US')} (${formatScaled(s.flops, 'FLOP')})${s.symbolic ? ', at least: symbolic dims left out' : ''}`,
    `kernels: ${s.kernels}`,
    `peak activation memory: ${formatBytes(s.peakActivationBytes)}${s.symbolic ? ', at least' : ''}`,
  ];
  return `${lines.join('\n')}\n${s.quantization ? formatQuantizationReport(s.quantization) : ''}${s.compression ? formatCompressionReport(s.compression) : ''}`;
}

function histogram(ops: Record<string, number>): string[] {
  return Object.entries(ops).map(([op, n]) => `  ${op.padEnd(24)} ${String(n).padStart(6)}`);
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
