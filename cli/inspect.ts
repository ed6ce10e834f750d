// `dlc inspect MODEL`: loads a model, runs a pass pipeline over it (api/optimize) and prints what it is —
// inputs, outputs, op histogram, parameters, FLOPs, kernels and peak activation memory — as text or JSON; or
// draws its graph, fused kernels as groups, as Graphviz or as a self-contained HTML page.
import { formatDimRanges } from '../codegen/shape-generic/dim-ranges.js';
import { UsageError } from '../compiler/errors.js';
import { formatType } from '../compiler/ir/printer.js';
import type { KernelInfo } from '../compiler/kernel-list.js';
import * as fs from 'node:fs';
import { describeModel, type InspectReport } from '../api/inspect.js';
import { describeArtifact } from '../api/inspect-artifact.js';
import { optimize } from '../api/optimize.js';
import { TARGET_INFO } from '../codegen/targets.js';
import { toDot } from './graph-dot.js';
import { buildGraphView } from './graph-view.js';
import { graphPage } from './inspect-html.js';
import { readKernelProfile } from './kernel-profile.js';
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
  /** With --format html: a JSON file of each kernel's time (cli/kernel-profile.ts). */
  profile?: string;
}

export function inspectCommand(model: string, opts: InspectOptions, io: CliIo): number {
  if (fs.statSync(model, { throwIfNoEntry: false })?.isDirectory()) return inspectArtifactCommand(model, opts, io);
  if (!['text', 'dot', 'html'].includes(opts.format)) throw new UsageError(`--format must be text, dot or html, got '${opts.format}'`);
  if (opts.json && opts.format !== 'text') throw new UsageError(`--json and --format ${opts.format} exclude each other`);
  if (opts.profile !== undefined && opts.format !== 'html') throw new UsageError('--profile colours the graph of --format html; give that too');
  const options = optimizeOptions(opts, io, opts.target);
  const compress = compressionOptions(opts);
  if (compress) options.compress = compress;
  const quantize = quantizationOptions(opts, opts.quantize);
  if (quantize) options.quantize = quantize;
  checkBudgetUsed(opts, Boolean(quantize || compress));
  const optimized = optimize(model, options);
  // Kernels are counted and named as compile would emit them: for --target, or wasm (compile's default) without one.
  const target = (opts.target ?? 'wasm') as TargetName;
  const limits = TARGET_INFO[target].limits;
  if (opts.json) io.stdout.write(`${JSON.stringify(describeModel(optimized, target), finiteOrString, 2)}\n`);
  else if (opts.format === 'dot') io.stdout.write(toDot(buildGraphView(optimized.graph, limits)));
  else if (opts.format === 'html') {
    const report = describeModel(optimized, target);
    const profile = opts.profile === undefined ? undefined : readKernelProfile(opts.profile, report.kernelList);
    io.stdout.write(graphPage({ view: buildGraphView(optimized.graph, limits), report, profile }));
  } else io.stdout.write(formatReport(describeModel(optimized, target)));
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
    `integrity: ${report.integrity} (loadModel(url, { integrity }) pins the artifact)`,
    ...(report.dims ? [`dims: ${formatDimRanges(report.dims)} (one artifact for every shape of the ranges: run(feeds, { dims }))`] : []),
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
    `kernels: ${s.kernels}${armsSummary(s.kernelList)}`,
    `peak activation memory: ${formatBytes(s.peakActivationBytes)}${s.symbolic ? ', at least' : ''}`,
  ];
  return `${lines.join('\n')}\n${s.quantization ? formatQuantizationReport(s.quantization) : ''}${s.compression ? formatCompressionReport(s.compression) : ''}`;
}

/** How many of the kernels run only in an If's arm, per arm: ` (11 in If arms: If_7 then 10, If_7 else 1)`. */
function armsSummary(kernels: readonly KernelInfo[]): string {
  const perArm = new Map<string, number>();
  for (const k of kernels) if (k.branch !== undefined) perArm.set(k.branch, (perArm.get(k.branch) ?? 0) + 1);
  if (perArm.size === 0) return '';
  const inArms = [...perArm.values()].reduce((a, b) => a + b, 0);
  return ` (${inArms} in If arms: ${[...perArm].map(([arm, n]) => `${arm} ${n}`).join(', ')})`;
}

function histogram(ops: Record<string, number>): string[] {
  return Object.entries(ops).map(([op, n]) => `  ${op.padEnd(24)} ${String(n).padStart(6)}`);
}
