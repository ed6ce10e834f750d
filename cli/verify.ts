// `dlc verify MODEL --target wasm`: compiles the model to a temporary artifact, runs it on seeded random (or
// given) inputs and compares every output with onnxruntime-node running the original model. Exits 1 when
// an output differs beyond |ours - theirs| ≤ atol + rtol·|theirs| (integers and bools must be exact).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareTensors, type Difference, type Tolerance } from '../compiler/compare.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import type { TensorInfo, TypedArray } from '../runtime/index.js';
import { loadArtifact } from './load-artifact.js';
import { compileModelToArtifact, type ModelOptions } from './compile.js';
import { loadFeeds, parseInputFiles, toTensor, withRuntimeErrors, type Feeds } from './feeds.js';
import type { CliIo } from './main.js';
import { parseSeed } from './run.js';

type Onnxruntime = typeof import('onnxruntime-node');

export interface VerifyOptions extends ModelOptions {
  input: string[];
  atol?: string;
  rtol?: string;
  seed?: string;
  json?: boolean;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/**
 * The default with `--precision f16` (weights stored as f16): a weight keeps 11 significant bits (relative
 * error ≤ 2⁻¹¹ ≈ 4.9e-4), and the errors of a layer's many products add up through the layers.
 */
export const F16_TOLERANCE: Tolerance = { atol: 1e-2, rtol: 1e-2 };

export const ORT_TYPES: Record<DType, string> = {
  f32: 'float32', f16: 'float16', f64: 'float64', i8: 'int8', u8: 'uint8', i16: 'int16', u16: 'uint16',
  i32: 'int32', u32: 'uint32', i64: 'int64', u64: 'uint64', bool: 'bool',
};

export async function verifyCommand(model: string, opts: VerifyOptions, io: CliIo): Promise<number> {
  const defaults = opts.precision === 'f16' ? F16_TOLERANCE : DEFAULT_TOLERANCE;
  const tol = { atol: parseTolerance('--atol', opts.atol, defaults.atol), rtol: parseTolerance('--rtol', opts.rtol, defaults.rtol) };
  const seed = parseSeed(opts.seed);
  const files = parseInputFiles(opts.input);
  const ort = await importOnnxruntime();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-verify-'));
  let results: { name: string; dtype: DType; shape: number[]; diff: Difference }[];
  try {
    const dir = path.join(tmp, 'artifact');
    await compileModelToArtifact(model, opts, dir, io);
    const session = await loadArtifact(dir);
    const feeds = loadFeeds(session.inputs, files, { seed });
    const ours = await withRuntimeErrors(() => session.run(feeds));
    const theirs = await runOnnxruntime(ort, model, feeds, session.inputs);
    results = session.outputs.map((o) => {
      const want = theirs[o.name];
      if (!want) throw new DlcError(`onnxruntime gave no output '${o.name}'`, { file: model });
      const diff = compareTensors(toTensor(o.dtype, o.shape, ours[o.name]), toTensor(want.dtype, want.shape, want.data), tol);
      return { name: o.name, dtype: o.dtype, shape: o.shape, diff };
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const ok = results.every((r) => r.diff.mismatch === undefined);
  if (opts.json) {
    const outputs = results.map((r) => ({ name: r.name, maxAbsError: r.diff.maxAbsError, maxRelError: r.diff.maxRelError, mismatch: r.diff.mismatch }));
    io.stdout.write(`${JSON.stringify({ target: opts.target, ok, outputs }, null, 2)}\n`);
  } else {
    const lines = [`verify ${model} on ${opts.target} against onnxruntime (atol ${tol.atol}, rtol ${tol.rtol}): ${ok ? 'ok' : 'FAILED'}`];
    for (const r of results) {
      const errors = `max abs error ${formatError(r.diff.maxAbsError)}, max rel error ${formatError(r.diff.maxRelError)}`;
      lines.push(`  ${r.name}: ${r.dtype}[${r.shape.join(',')}]  ${errors}${r.diff.mismatch ? `  MISMATCH: ${r.diff.mismatch}` : ''}`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  const bad = results.find((r) => r.diff.mismatch !== undefined);
  if (bad) {
    io.stderr.write(`dlc: ${model}: output '${bad.name}' differs from onnxruntime beyond tolerance: ${bad.diff.mismatch}\n`);
    return 1;
  }
  return 0;
}

/** onnxruntime-node, a dev dependency: loaded only by `dlc verify`, with a clear error where it is missing. */
export async function importOnnxruntime(specifier = 'onnxruntime-node'): Promise<Onnxruntime> {
  try {
    const module = await import(specifier);
    return (module.default?.InferenceSession ? module.default : module) as Onnxruntime;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new DlcError(`dlc verify compares with onnxruntime-node, which is not installed: run npm install ${specifier}`);
    }
    throw new DlcError(`cannot load ${specifier}: ${(e as Error).message}`);
  }
}

interface OrtResult {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

async function runOnnxruntime(ort: Onnxruntime, model: string, feeds: Feeds, inputs: readonly TensorInfo[]): Promise<Record<string, OrtResult>> {
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>> | undefined;
  try {
    session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
    const ortFeeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const i of inputs) ortFeeds[i.name] = new ort.Tensor(ORT_TYPES[i.dtype] as 'float32', feeds[i.name] as Float32Array, i.shape);
    const out = await session.run(ortFeeds);
    const results: Record<string, OrtResult> = {};
    for (const [name, t] of Object.entries(out)) {
      const dtype = (Object.keys(ORT_TYPES) as DType[]).find((d) => ORT_TYPES[d] === t.type);
      if (!dtype) throw new DlcError(`onnxruntime output '${name}' has type ${t.type}, which dlc does not compare`, { file: model });
      results[name] = { dtype, shape: [...t.dims], data: t.data as TypedArray };
    }
    return results;
  } catch (e) {
    if (e instanceof DlcError) throw e;
    throw new DlcError(`onnxruntime: ${(e as Error).message}`, { file: model });
  } finally {
    await session?.release();
  }
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
