// `dlc compile MODEL --target wasm|webgpu -o DIR`: compiles a model (api/compile) and writes its artifact
// (manifest.json, weights.bin, and model.wasm or kernels.wgsl), then prints what it holds.
import { formatShape } from '../compiler/ir/graph.js';
import { checkArtifactDestination, compile, writeArtifact } from '../api/compile.js';
import { formatBytes } from './format.js';
import { formatCompressionReport } from './compression-report.js';
import type { CliIo } from './main.js';
import { compileOptions, printTimings, type CompileFlags } from './options.js';

export interface CompileOptions extends CompileFlags {
  output: string;
}

export async function compileCommand(model: string, opts: CompileOptions, io: CliIo): Promise<number> {
  const options = compileOptions(opts, io);
  // Refused before compiling, not after.
  checkArtifactDestination(opts.output);
  const artifact = await compile(model, options);
  writeArtifact(artifact, opts.output);
  printTimings(io, artifact.timings);

  const { files } = artifact;
  const slots = (list: readonly { name: string; dtype: string; shape: number[] }[]) => list.map((s) => `${s.name}: ${s.dtype}${formatShape(s.shape)}`).join(', ');
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
  io.stdout.write(`compiled ${model} for ${opts.target} into ${opts.output}: ${details}; inputs ${slots(inputs)}; outputs ${slots(outputs)}.\n`);
  if (artifact.compression) io.stdout.write(formatCompressionReport(artifact.compression));
  return 0;
}
