// `dlc compile MODEL --target wasm|webgpu -o DIR`: compiles a model (api/compile) and writes its artifact
// (manifest.json, weights.bin, and model.wasm or kernels.wgsl), then prints what it holds. `--bundle FILE.dlc`
// writes the same files as one file, instead of the directory or beside it.
import { formatShape } from '../compiler/ir/graph.js';
import { formatDimRanges, formatSymbolicShape } from '../codegen/shape-generic/dim-ranges.js';
import type { SymbolicShape } from '../runtime/symbolic-dims.js';
import { checkArtifactDestination, compile, writeArtifact } from '../api/compile.js';
import { checkBundleDestination, writeArtifactBundle } from '../codegen/artifact.js';
import { DlcError } from '../compiler/errors.js';
import { formatBytes } from './format.js';
import { formatCompressionReport } from './compression-report.js';
import type { CliIo } from './main.js';
import { compileOptions, printTimings, type CompileFlags } from './options.js';

export interface CompileOptions extends CompileFlags {
  output?: string;
  bundle?: string;
}

export async function compileCommand(model: string, opts: CompileOptions, io: CliIo): Promise<number> {
  const options = await compileOptions(opts, io);
  const { output, bundle } = opts;
  if (output === undefined && bundle === undefined) throw new DlcError('give -o DIR, --bundle FILE.dlc, or both', {}, 2);
  // Refused before compiling, not after.
  if (output !== undefined) checkArtifactDestination(output);
  if (bundle !== undefined) checkBundleDestination(bundle);
  const artifact = await compile(model, options);
  if (output !== undefined) writeArtifact(artifact, output);
  if (bundle !== undefined) writeArtifactBundle(bundle, artifact.files);
  printTimings(io, artifact.timings);

  const { files } = artifact;
  // A dim whose extent depends on data shows its bound: ≤N.
  // A shape-generic artifact's shapes are written with its dims.
  const dims = artifact.target === 'wasm' ? artifact.manifest.dims : undefined;
  const names = (dims ?? []).map((r) => r.name);
  const slots = (list: readonly { name: string; dtype: string; shape: number[]; extent?: { dim: number }; symbolicShape?: SymbolicShape }[]) =>
    list.map((s) => `${s.name}: ${s.dtype}${s.symbolicShape ? formatSymbolicShape(s.symbolicShape, names) : formatShape(s.shape.map((d, i) => (i === s.extent?.dim ? `≤${d}` : d)))}`).join(', ');
  const size = (name: string) => formatBytes(files.get(name)?.length ?? 0);
  const kernels = `${artifact.kernels} kernel${artifact.kernels === 1 ? '' : 's'}`;
  let details: string;
  if (artifact.target === 'webgpu') {
    const { program } = artifact;
    const p = program.precision;
    const gpuBytes = program.buffers.reduce((a, b) => a + b, 0);
    details =
      `${kernels} (${program.steps.length} dispatches, ${program.modules.length} shader modules); kernels.wgsl ${size('kernels.wgsl')}, ` +
      `weights.bin ${size('weights.bin')}, GPU buffers ${formatBytes(gpuBytes)}; precision ${p.used}${p.weights !== p.used ? `, weights ${p.weights}` : ''}${p.reason ? ` (${p.requested} requested: ${p.reason})` : ''}`;
  } else {
    details = `${kernels}; model.wasm ${size('model.wasm')}, weights.bin ${size('weights.bin')}, linear memory ${formatBytes(artifact.program.layout.memoryBytes)}`;
  }
  const { inputs, outputs } = artifact.manifest;
  if (artifact.manifest.weightsEncoding === 'packed') {
    const image = artifact.target === 'wasm' ? artifact.manifest.memory.weightsBytes : (artifact.manifest.weights?.bytes ?? 0);
    details += ` (packed: ${formatBytes(image)} of weights, ${(image / Math.max(1, files.get('weights.bin')!.length)).toFixed(1)}× smaller)`;
  }
  io.stdout.write(`compiled ${model} for ${opts.target} into ${[output, bundle].filter(Boolean).join(' and ')}: ${details}; inputs ${slots(inputs)}; outputs ${slots(outputs)}${dims ? `; for every shape with ${formatDimRanges(dims)}` : ''}.\n`);
  if (artifact.compression) io.stdout.write(formatCompressionReport(artifact.compression));
  return 0;
}
