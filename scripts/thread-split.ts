// Which kernels of a two-thread wasm module run on thread 0 alone (the others wait at a barrier meanwhile), per
// model: the count of split and thread-0-only kernels and the barriers a run passes, then the thread-0-only
// kernels by op (with --list each, its output shape and FLOPs). With --profile it also times each kernel of the
// one-thread module (api/profile.ts) and prints the share of that time spent in thread-0-only kernels: what
// two threads cannot shorten, and a figure that a busy machine disturbs less than a two-thread timing.
//
//   npx tsx scripts/thread-split.ts [--filter REGEX] [--threads N] [--list] [--profile]
import { generateProgram } from '../api/compile.js';
import { optimize } from '../api/optimize.js';
import { profile } from '../api/profile.js';
import { nodeFlops } from '../compiler/analysis.js';
import { Graph, type Node } from '../compiler/ir/graph.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtModels, FILE_MODELS } from './bench-models.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const filter = new RegExp(arg('--filter') ?? '^(ppocr-cls|ppocrv4-rec)$');
const threads = Number(arg('--threads') ?? 2);

// The zoo and torchvision models are built in memory and written to a temporary folder, as the benchmarks do.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-thread-split-'));
for (const model of [...FILE_MODELS, ...builtModels(tmp)].filter((m) => filter.test(m.name))) {
  const BIG = model.name.startsWith('ppocrv4');
  const options = { target: 'wasm' as const, inputShapes: model.inputShapes };
  const generated = generateProgram(model.file, { ...options, threads });
  if (generated.target !== 'wasm') throw new Error('wasm program expected');
  const { source, signature } = generated.program;
  // A fused group's kernel is named for its anchor, a node of the group's body.
  const nodes = new Map<string, Node>();
  const walk = (g: Graph) => g.nodes.forEach((n) => {
    nodes.set(n.name, n);
    Graph.subgraphsOf(n).forEach(walk);
  });
  walk(optimize(model.file, options).graph);
  const isSplit = (i: number) => source.includes(`function k${i}(tid: i32, nthreads: i32)`);
  const serial = signature.kernels.map((k, i) => ({ ...k, i })).filter((k) => !isSplit(k.i));
  const barriers = (source.match(/^ {2}barrier\(nthreads\);$/gm) ?? []).length;
  console.log(`${model.name}: ${signature.kernels.length} kernels, ${signature.kernels.length - serial.length} split, ${serial.length} on thread 0 alone; ${barriers} barriers in run()`);
  const byOp = new Map<string, number>();
  for (const k of serial) {
    const node = nodes.get(k.node);
    const op = node ? (node.op === 'fused' ? `fused` : node.op) : '?';
    byOp.set(op, (byOp.get(op) ?? 0) + 1);
    if (process.argv.includes('--list')) {
      console.log(`  k${k.i} ${op} ${k.node} [${node?.outputs[0]?.type.shape.join(',')}] ${node ? nodeFlops(node) : '?'} FLOPs`);
    }
  }
  console.log(`  thread 0 alone: ${[...byOp].map(([op, n]) => `${n} ${op}`).join(', ')}`);
  if (process.argv.includes('--profile')) {
    const timed = await profile(model.file, { ...options, runs: BIG ? 5 : 40 });
    const ms = new Map(timed.kernels.map((k) => [k.name, k.ms]));
    const total = timed.kernels.reduce((sum, k) => sum + k.ms, 0);
    const alone = serial.reduce((sum, k) => sum + (ms.get(k.node) ?? 0), 0);
    console.log(`  one-thread kernel time ${total.toFixed(3)} ms, ${(100 * alone / total).toFixed(1)}% of it in thread-0-only kernels (${alone.toFixed(3)} ms)`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
