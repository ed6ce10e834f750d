// `dlc run DIR`: loads a compiled artifact with the runtime, runs it on inputs from .npy files or seeded
// random ones, prints a summary (target, input shapes, load and run time), each output's type and first values,
// and writes the outputs as .npy files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError, UsageError } from '../compiler/errors.js';
import { loadArtifact, targetOf } from './load-artifact.js';
import { withRuntimeErrors } from '../api/session.js';
import { parseDimValues } from './options.js';
import { formatValues, headValues, loadFeeds, parseInputFiles } from './feeds.js';
import type { CliIo } from './main.js';
import { writeNpy } from '../api/npy.js';

export interface RunOptions {
  input: string[];
  random?: boolean;
  /** A shape-generic artifact's dims (`H=640,W=480`). */
  dims?: string;
  seed?: string;
  output?: string;
  json?: boolean;
}

export async function runCommand(dir: string, opts: RunOptions, io: CliIo): Promise<number> {
  const files = parseInputFiles(opts.input);
  if (opts.seed !== undefined && !opts.random) throw new UsageError('--seed goes with --random');
  const seed = parseSeed(opts.seed);
  const loadStart = performance.now();
  const session = await loadArtifact(dir);
  const loadMs = performance.now() - loadStart;
  // A shape-generic artifact runs at the dims given (--dims H=640,W=480).
  if (opts.dims === undefined && session.dims.length > 0) throw new UsageError(`${dir} is compiled for a range of shapes: give --dims ${session.dims.map((r) => `${r.name}=${r.max}`).join(',')}`);
  const dims = opts.dims === undefined ? undefined : parseDimValues(opts.dims);
  const inputs = dims ? await withRuntimeErrors(async () => session.inputsAt(dims)) : session.inputs;
  const feeds = loadFeeds(inputs, files, opts.random ? { seed } : undefined);
  const runStart = performance.now();
  // runTensors: an output whose size depends on data comes with its actual dims.
  const tensors = await withRuntimeErrors(() => session.runTensors(feeds, dims ? { dims } : {}));
  const outputs = Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.data]));
  const shapeOf = (name: string) => tensors[name].dims;
  const runMs = performance.now() - runStart;
  const target = String(targetOf(dir));

  const written: Record<string, string> = {};
  if (opts.output !== undefined) {
    try {
      fs.mkdirSync(opts.output, { recursive: true });
      for (const info of session.outputs) {
        const file = path.join(opts.output, `${info.name.replace(/[^\w.-]/g, '_')}.npy`);
        fs.writeFileSync(file, writeNpy({ dtype: info.dtype, shape: shapeOf(info.name), data: outputs[info.name] }));
        written[info.name] = file;
      }
    } catch (e) {
      throw new DlcError(`cannot write outputs: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: opts.output });
    }
  }

  if (opts.json) {
    const report = session.outputs.map((o) => ({ name: o.name, dtype: o.dtype, shape: shapeOf(o.name), head: headValues(o.dtype, outputs[o.name]), file: written[o.name] }));
    const inputList = inputs.map(({ name, dtype, shape }) => ({ name, dtype, shape }));
    io.stdout.write(`${JSON.stringify({ target, inputs: inputList, loadMs, runMs, outputs: report }, null, 2)}\n`);
  } else {
    const inputText = inputs.map((i) => `${i.name}: ${i.dtype}[${i.shape.join(',')}]`).join(', ');
    io.stdout.write(`ran ${dir} on ${target} (${inputText}): loaded in ${loadMs.toFixed(1)} ms, ran in ${runMs.toFixed(2)} ms (the first run)\n`);
    for (const o of session.outputs) {
      const where = written[o.name] ? `  → ${written[o.name]}` : '';
      io.stdout.write(`${o.name}: ${o.dtype}[${shapeOf(o.name).join(',')}] = ${formatValues(o.dtype, outputs[o.name])}${where}\n`);
    }
  }
  return 0;
}

/** `--seed S`: a non-negative integer below 2^32; 1 when not given. */
export function parseSeed(seed: string | undefined): number {
  if (seed === undefined) return 1;
  if (!/^\d+$/.test(seed) || Number(seed) >= 2 ** 32) throw new UsageError(`--seed takes an integer from 0 to 4294967295, got '${seed}'`);
  return Number(seed);
}
