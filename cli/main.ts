// The `dlc` command line, a thin layer over the library (api/): it parses flags, calls the library and prints.
// `runCli` parses the arguments, runs one command and returns the exit code, so that tests run it
// in-process; bin/dlc.js is the launcher. The options shared by the commands are declared in options.ts. Every failure ends in one line on stderr:
//   DlcError → `dlc: <message>`, exit 1 (model) or 2 (usage); commander's usage errors → exit 2;
//   anything else is a bug → `dlc: internal error: <message>`, exit 70, the stack only with DLC_DEBUG=1.
import { Command, CommanderError, Option } from 'commander';
import { DlcError } from '../compiler/errors.js';
import { benchCommand, DEFAULT_RUNS, DEFAULT_WARMUP, type BenchOptions } from './bench.js';
import { compileCommand, type CompileOptions } from './compile.js';
import { evalCommand, type EvalOptions } from './eval.js';
import { inspectCommand, type InspectOptions } from './inspect.js';
import { addModelOptions, addTargetOptions, addThreadsOption, collect } from './options.js';
import { TARGET_NAMES } from '../codegen/targets.js';
import { DEFAULT_PROFILE_RUNS, DEFAULT_PROFILE_WARMUP, profileCommand, type ProfileFlags } from './profile.js';
import { runCommand, type RunOptions } from './run.js';
import { addQuantizeOptions } from './quantize-options.js';
import { addCompressOptions } from './compress-options.js';
import { quantizeCommand, type QuantizeOptions } from './quantize.js';
import { DEFAULT_PATIENCE, DEFAULT_TRIALS, tuneCommand, type TuneFlags } from './tune.js';
import { updateWeightsCommand, type UpdateWeightsFlags } from './update-weights.js';
import { packageVersion } from './version.js';
import { verifyCommand, type VerifyOptions } from './verify.js';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Exit code for a bug in dlc (BSD's EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** Runs `dlc` on the user's arguments (process.argv without node and the script). */
export async function runCli(argv: readonly string[], io: CliIo = process, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, io, env.DLC_DEBUG === '1');
  }
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('dlc')
    .description('a deep-learning compiler: ONNX in, WebGPU (WGSL) or WebAssembly artifacts out')
    .version(packageVersion(), '-V, --version', 'print the package version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Errors are printed by reportError as one line.
      outputError: () => {},
    })
    .showSuggestionAfterError(true);

  const inspect = program
    .command('inspect')
    .description('load a model, run a pass pipeline and print its inputs, outputs, ops, size and cost; or tell what an artifact directory holds')
    .argument('<model>', 'ONNX model file, or an artifact directory');
  addModelOptions(inspect);
  addTargetOptions(inspect, { compiles: false });
  addQuantizeOptions(inspect, { modeFlag: '--quantize' });
  addCompressOptions(inspect);
  inspect
    .option('--json', 'print one JSON object')
    .addOption(new Option('--format <format>', 'output format: a text report, Graphviz, or a self-contained HTML page of the graph').choices(['text', 'dot', 'html']).default('text'))
    .option('--profile <file>', 'with --format html: colour each kernel by its time, from JSON {"kernels": [{"name", "ms"}]} (kernel names as inspect --json reports them)')
    .action((model: string, opts: InspectOptions) => setExitCode(inspectCommand(model, opts, io)));

  const compile = program
    .command('compile')
    .description('compile a model into an artifact directory: manifest.json, weights.bin, and model.wasm or kernels.wgsl')
    .argument('<model>', 'ONNX model file');
  addTargetOptions(compile, { compiles: true });
  compile.option('-o, --output <dir>', 'artifact directory to write (replaced if it holds an artifact)');
  compile.option('--bundle <file.dlc>', 'also or instead write the artifact as one file, which loadModel reads (replaced if it is a bundle)');
  addThreadsOption(compile, 'wasm: build for N threads (a worker pool over a shared memory; browsers need a cross-origin isolated page); 1 by default');
  compile.option('--dim <name=min..max[/step]>', 'wasm: a symbolic dim of --input-shape (x=1,3,H,W) and its range, e.g. H=32..960/32 (repeatable): one artifact runs every shape of the ranges', collect, []);
  addModelOptions(compile);
  addQuantizeOptions(compile, { modeFlag: '--quantize' });
  addCompressOptions(compile);
  compile.action(async (model: string, opts: CompileOptions) => setExitCode(await compileCommand(model, opts, io)));

  program
    .command('update-weights')
    .description("re-ship a retrained model with the same graph: a new weights.bin against the artifact's compiled kernels, without recompiling")
    .argument('<artifact>', 'artifact directory (from dlc compile)')
    .argument('<model>', 'the retrained ONNX model')
    .option('-o, --output <dir>', 'write the updated artifact to DIR instead of replacing ARTIFACT')
    .action(async (artifact: string, model: string, opts: UpdateWeightsFlags) => setExitCode(await updateWeightsCommand(artifact, model, opts, io)));

  const quantize = program
    .command('quantize')
    .description('post-training quantization: calibrate on a data-set folder and write a standard ONNX QDQ model')
    .argument('<model>', 'ONNX model file')
    .requiredOption('-o, --output <file>', 'the quantized ONNX model to write');
  addModelOptions(quantize);
  addQuantizeOptions(quantize, { modeFlag: '--mode' });
  quantize
    .option('--json', 'print one JSON object: {output, bytes, quantization}')
    .action((model: string, opts: QuantizeOptions) => setExitCode(quantizeCommand(model, opts, io)));

  const evalCmd = program
    .command('eval')
    .description('measure a model (compiled as dlc compiles it) or an artifact on a data-set folder')
    .argument('<model|dir>', 'ONNX model file or artifact directory')
    .requiredOption('--data <dir>', 'data-set folder: one <input>.npy per model input, labels.npy or labels.txt')
    .option('--limit <n>', 'the first N samples only')
    .option('--reference <model>', 'for --metric agreement|sqnr: the ONNX model compared with (f32, wasm)')
    .option('--json', 'print one JSON object: {model, metric, value, unit, higherIsBetter, samples}');
  addTargetOptions(evalCmd, { compiles: true });
  addModelOptions(evalCmd);
  addQuantizeOptions(evalCmd, { modeFlag: '--quantize' });
  addCompressOptions(evalCmd);
  evalCmd.action(async (model: string, opts: EvalOptions) => setExitCode(await evalCommand(model, opts, io)));

  program
    .command('run')
    .description('run a compiled artifact on inputs from .npy files or seeded random ones')
    .argument('<dir>', 'artifact directory (from dlc compile)')
    .option('--input <name=file.npy>', 'an input from a NumPy file (repeatable)', collect, [])
    .option('--random', 'fill the inputs not given with --input with seeded random values')
    .option('--seed <seed>', 'seed of --random (default 1)')
    .option('--output <dir>', 'write each output to DIR/<name>.npy')
    .option('--dims <name=value,...>', "a shape-generic artifact (compile --dim): the dims' values to run it at, e.g. H=640,W=480")
    .option('--json', 'print one JSON object')
    .action(async (dir: string, opts: RunOptions) => setExitCode(await runCommand(dir, opts, io)));

  const verify = program
    .command('verify')
    .description('compile a model, run it on seeded random inputs and compare every output with onnxruntime-node')
    .argument('<model>', 'ONNX model file');
  addTargetOptions(verify, { compiles: true });
  addModelOptions(verify);
  addQuantizeOptions(verify, { modeFlag: '--quantize' });
  addCompressOptions(verify);
  verify
    .option('--input <name=file.npy>', 'an input from a NumPy file instead of random values (repeatable)', collect, [])
    .option('--atol <a>', 'absolute tolerance (default 1e-4)')
    .option('--rtol <r>', 'relative tolerance (default 1e-3)')
    .option('--seed <seed>', 'seed of the random inputs (default 1)')
    .option('--json', 'print one JSON object: {target, ok, outputs: [{name, maxAbsError, maxRelError}]}')
    .action(async (model: string, opts: VerifyOptions) => setExitCode(await verifyCommand(model, opts, io)));

  const bench = program
    .command('bench')
    .description('time a model (or compiled artifact) on seeded random inputs; on wasm beside onnxruntime-web WASM on one thread')
    .argument('<model|dir>', 'ONNX model file (compiled to a temporary artifact) or artifact directory');
  addTargetOptions(bench, { compiles: true });
  addModelOptions(bench);
  addThreadsOption(bench, 'wasm: compile the model for N threads and run it on N; with a threaded artifact directory, run it on N (at most its own count)');
  bench
    .option('--runs <n>', `timed runs per side (default ${DEFAULT_RUNS})`)
    .option('--warmup <n>', `untimed runs before them (default ${DEFAULT_WARMUP})`)
    .option('--seed <seed>', 'seed of the random inputs (default 1)')
    .option('--peer-model <file>', 'with an artifact directory: the ONNX model onnxruntime-web runs')
    .option('--peer-threads <n>', 'on wasm: threads onnxruntime-web runs on (ort.env.wasm.numThreads; default 1)')
    .option('--dims <name=value,...>', "a shape-generic artifact directory (compile --dim): the dims' values to run it at, e.g. H=640,W=640")
    .option('--json', 'print one JSON object: {target, medianMs, p90Ms, firstRunMs, peer: {name, medianMs, p90Ms, firstRunMs}, speedup}')
    .action(async (model: string, opts: BenchOptions) => setExitCode(await benchCommand(model, opts, io)));

  const tune = program
    .command('tune')
    .description("search the schedules of a model's kernels on this machine and append the fastest to a records file, which compile --tuning-records replays")
    .argument('<model>', 'ONNX model file')
    .addOption(new Option('--target <target>', 'the target whose kernels are tuned, on this machine').choices(TARGET_NAMES).default('wasm'))
    .requiredOption('-o, --output <records.json>', 'the records file to append to (JSON lines; records of other devices and workloads are kept)');
  addModelOptions(tune);
  addThreadsOption(tune, 'wasm: time the candidates on N threads, in a module built as compile --threads N builds it; the records are for the device of N threads');
  tune
    .option('--trials <n>', `candidates measured per workload at most, the default schedule included (default ${DEFAULT_TRIALS})`)
    .option('--patience <n>', `stop a workload after this many candidates without a faster one (default ${DEFAULT_PATIENCE})`)
    .option('--time-budget <seconds>', 'seconds for the whole tuning, about: the search takes 3/4, the final comparison of the fastest with the defaults the rest (workloads it does not reach keep the default and get no record)')
    .option('--runs <n>', 'timed runs per candidate (the median counts; default 5)')
    .option('--seed <seed>', 'seed of the search and of the random inputs (default 1)')
    .option('--json', 'print one JSON object: {target, device, records, workloads: [{workload, summary, nodes, defaultMs, bestMs, speedup, trials, invalid, rejected, schedule, unconfirmed}], failed, unconfirmed, total}')
    .action(async (model: string, opts: TuneFlags) => setExitCode(await tuneCommand(model, opts, io)));

  const profileCmd = program
    .command('profile')
    .description('time each kernel of a model or compiled artifact on seeded random inputs, slowest first, with the ONNX nodes it came from')
    .argument('<model>', 'ONNX model file, or a compiled artifact (directory or .dlc bundle) to profile as it is');
  addTargetOptions(profileCmd, { compiles: true });
  addModelOptions(profileCmd);
  addQuantizeOptions(profileCmd, { modeFlag: '--quantize' });
  addCompressOptions(profileCmd);
  profileCmd
    .option('--runs <n>', `timed runs; each kernel's time is its mean (default ${DEFAULT_PROFILE_RUNS})`)
    .option('--warmup <n>', `untimed runs before them (default ${DEFAULT_PROFILE_WARMUP})`)
    .option('--seed <seed>', 'seed of the random inputs (default 1)')
    .option('--top <n>', 'print only the N slowest kernels')
    .option('--json', 'print one JSON object: {target, method, kernels: [{name, ms, calls, share, ops, sources}], totalMs, runMs}, which inspect --format html --profile reads')
    .action(async (model: string, opts: ProfileFlags, cmd: Command) => {
      // Which flags were given, defaults apart: an artifact refuses the ones that only compiling uses.
      const given = cmd.options.filter((o) => cmd.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long ?? o.short!);
      setExitCode(await profileCommand(model, { ...opts, given }, io));
    });

  return program;
}

function reportError(e: unknown, io: CliIo, debug: boolean): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
    io.stderr.write(`dlc: ${oneLine(e.message.replace(/^error: /, ''))}\n`);
    return 2;
  }
  if (e instanceof DlcError) {
    io.stderr.write(`dlc: ${oneLine(e.message)}\n`);
    if (debug && e.stack) io.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`dlc: internal error: ${oneLine(message)}\n`);
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return EXIT_INTERNAL;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

// Run as a script (`npx tsx cli/main.ts inspect ...`); bin/dlc.js imports this module and calls runCli itself.
if (/[\\/]cli[\\/]main\.[jt]s$/.test(process.argv[1] ?? '')) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
