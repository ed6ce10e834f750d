// `dlc verify MODEL --target wasm`: compiles the model, runs it on seeded random (or given) inputs and
// compares every output with onnxruntime-node running the original model (api/verify), then prints the
// errors. Exits 1 when an output differs beyond |ours - theirs| ≤ atol + rtol·|theirs|.
import { UsageError } from '../compiler/errors.js';
import type { Tolerance } from '../compiler/compare.js';
import { DEFAULT_TOLERANCE, verify } from '../api/verify.js';
import { checkInputNames, type DeclaredInput } from '../api/model-inputs.js';
import { describeInputFiles, loadFeeds, parseInputFiles } from './feeds.js';
import type { CliIo } from './main.js';
import { compileOptions, printTimings, type CompileFlags } from './options.js';
import { parseSeed } from './run.js';
import { nodeGpuDevice } from './webgpu-node.js';

export interface VerifyOptions extends CompileFlags {
  input: string[];
  atol?: string;
  rtol?: string;
  seed?: string;
  json?: boolean;
}

export async function verifyCommand(model: string, opts: VerifyOptions, io: CliIo): Promise<number> {
  // Given flags override the library's defaults (which, for a quantized artifact, come from its scales).
  const tolerance: Partial<Tolerance> = {};
  if (opts.atol !== undefined) tolerance.atol = parseTolerance('--atol', opts.atol, DEFAULT_TOLERANCE.atol);
  if (opts.rtol !== undefined) tolerance.rtol = parseTolerance('--rtol', opts.rtol, DEFAULT_TOLERANCE.rtol);
  const seed = parseSeed(opts.seed);
  const files = parseInputFiles(opts.input);
  const options = await compileOptions(opts, io);
  // The files' names, dtypes and shapes are checked against the model's inputs before it is compiled.
  const givenInputs = (declared: readonly DeclaredInput[]) => {
    checkInputNames(declared, Object.keys(files), '--input');
    return describeInputFiles(files);
  };
  const device = opts.target === 'webgpu' ? await nodeGpuDevice() : undefined;
  const result = await verify(model, { ...options, seed, tolerance, device, givenInputs, inputs: (inputs) => loadFeeds(inputs, files, { seed }) });
  printTimings(io, result.timings);

  if (opts.json) {
    const outputs = result.outputs.map((r) => ({ name: r.name, maxAbsError: r.maxAbsError, maxRelError: r.maxRelError, mismatch: r.mismatch, rule: r.rule, warning: r.warning }));
    const reason = result.toleranceReason ? { toleranceReason: result.toleranceReason } : {};
    const reference = result.reference ? { reference: result.reference } : {};
    io.stdout.write(`${JSON.stringify({ target: opts.target, ok: result.ok, tolerance: result.tolerance, ...reason, ...reference, outputs }, null, 2)}\n`);
  } else {
    const t = result.tolerance;
    const why = result.toleranceReason ? `; atol ${result.toleranceReason}` : '';
    const against = result.reference ? `onnxruntime on ${result.reference}` : 'onnxruntime';
    const lines = [`verify ${model} on ${opts.target} against ${against} (atol ${result.toleranceReason ? formatError(t.atol) : t.atol}, rtol ${t.rtol}${why}): ${result.ok ? 'ok' : 'FAILED'}`];
    for (const r of result.outputs) {
      const errors = `max abs error ${formatError(r.maxAbsError)}, max rel error ${formatError(r.maxRelError)}`;
      lines.push(`  ${r.name}: ${r.dtype}[${r.shape.join(',')}]  ${errors}${r.mismatch ? `  MISMATCH: ${r.mismatch}` : ''}`, `    rule: ${r.rule}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  for (const r of result.outputs) if (r.warning) io.stderr.write(`dlc: warning: output '${r.name}': ${r.warning}\n`);
  const bad = result.outputs.find((r) => r.mismatch !== undefined);
  if (bad) {
    io.stderr.write(`dlc: ${model}: output '${bad.name}' differs from onnxruntime beyond tolerance: ${bad.mismatch}\n`);
    return 1;
  }
  return 0;
}

function parseTolerance(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x < 0) throw new UsageError(`${flag} takes a non-negative number, got '${text}'`);
  return x;
}

function formatError(x: number): string {
  return x === 0 || !Number.isFinite(x) ? String(x) : x.toPrecision(3);
}
