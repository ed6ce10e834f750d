// npx tsx scripts/shader-compile-times.ts MODEL [-O LEVEL] [--top N]: how long the device takes to compile
// each WGSL module of a model's webgpu artifact (one pipeline at a time, the best of two tries, so that the
// figures are per module and not shared with other work), summed per kind of kernel, and the median of a few
// runs of the loaded program. On SwiftShader pipeline compilation dominates a model's first run; this is
// the measurement to take before and after changing how a kernel is written. MODEL is a real model's name
// (tests/models/real-models.ts) or an .onnx path.
import { Command } from 'commander';
import { loadOnnxFile } from '../compiler/onnx/frontend.js';
import { nodeGpuDevice } from '../cli/webgpu-node.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { loadWebgpuProgram } from '../codegen/wgsl/run-program.js';
import { plainContext } from '../passes/manager.js';
import { optPipeline } from '../passes/pipelines.js';
import { REAL_MODELS } from '../tests/models/real-models.js';
import { randomInputs } from '../tests/util/random-inputs.js';

/** A module's kind, read from its source: the tiled GEMM (with or without a group epilogue) or another kernel. */
function kindOf(code: string): string {
  if (/var<workgroup> As/.test(code)) return /fn epilogue/.test(code) ? 'gemm+epilogue' : 'gemm';
  if (/for \(var kh/.test(code)) return 'direct conv/pool';
  return 'other';
}

async function main(): Promise<void> {
  const cmd = new Command()
    .argument('<model>')
    .option('-O <level>', 'optimization level', '2')
    .option('--top <n>', 'slowest modules to list', '10')
    .parse();
  const [name] = cmd.args;
  const opts = cmd.opts<{ O: string; top: string }>();
  const real = REAL_MODELS.find((m) => m.name === name);
  const { graph } = loadOnnxFile(real?.file ?? name, { inputShapes: real?.inputShapes ?? {} });
  const optimized = optPipeline(Number(opts.O)).run(graph, plainContext());
  const program = compileToWebgpu(optimized);
  const device = await nodeGpuDevice();
  const rows: { ms: number; kind: string; bytes: number }[] = [];
  for (const [i, m] of program.modules.entries()) {
    let best = Infinity;
    for (let attempt = 0; attempt < 2; attempt++) {
      // A comment that differs per attempt, so that no cache answers the second.
      const code = `${m.code}\n// module ${i} attempt ${attempt}`;
      const t0 = performance.now();
      const module = device.createShaderModule({ code });
      await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      best = Math.min(best, performance.now() - t0);
    }
    rows.push({ ms: best, kind: kindOf(m.code), bytes: m.code.length });
  }
  const total = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`${name} -O${opts.O}: ${program.kernels} kernels, ${program.steps.length} dispatches, ${rows.length} modules, compile ${Math.round(total)} ms in all`);
  const kinds = new Map<string, { n: number; ms: number }>();
  for (const r of rows) {
    const k = kinds.get(r.kind) ?? { n: 0, ms: 0 };
    kinds.set(r.kind, { n: k.n + 1, ms: k.ms + r.ms });
  }
  for (const [k, { n, ms }] of kinds) console.log(`  ${k}: ${n} modules, ${Math.round(ms)} ms`);
  console.log(`  slowest: ${[...rows].sort((a, b) => b.ms - a.ms).slice(0, Number(opts.top)).map((r) => `${Math.round(r.ms)} ms (${r.kind}, ${r.bytes} B)`).join(', ')}`);

  const loaded = await loadWebgpuProgram(device, program);
  const feeds = randomInputs(optimized, 7);
  await loaded.run(feeds);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await loaded.run(feeds);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`  run: median ${runs[2].toFixed(1)} ms of 5 (after a warm-up run)`);
  await loaded.release();
  process.exit(0);
}

main().catch((e) => {
  console.error(`shader-compile-times: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
