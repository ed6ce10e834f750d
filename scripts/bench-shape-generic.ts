// What a shape-generic artifact (--dim) costs against artifacts specialized to one shape, in the same run: PP-OCRv4
// det (one artifact for 64..960 × 64..960) and rec (widths 160..960), each timed at fixed shapes beside the
// artifact specialized to that shape, in turn, block after block (so that a change in the machine's load falls on
// both alike). Also each artifact's compile time and module size. Writes the shape-generic section of
// BENCHMARKS.md (`npm run bench:shape-generic`; `-- --quick` times fewer runs and prints the table instead).
import { performance } from 'node:perf_hooks';
import { compile, type Artifact } from '../api/compile.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { loadModel, type Session } from '../runtime/index.js';
import { REAL_MODELS } from '../tests/models/real-models.js';
import { randomTensor } from '../tests/util/graphs.js';
import { publishSection, runIfMain } from './benchmarks-file.js';

export const SHAPE_GENERIC_BEGIN = '<!-- shape-generic:begin -->';
export const SHAPE_GENERIC_END = '<!-- shape-generic:end -->';
const OUTPUT = 'BENCHMARKS.md';

interface Case {
  model: string;
  shape: (number | string)[];
  dims: { name: string; min: number; max: number; step: number }[];
  /** The fixed shapes timed, as dims. */
  at: Record<string, number>[];
}

const CASES: Case[] = [
  { model: 'ppocrv4-det', shape: [1, 3, 'H', 'W'], dims: ['H', 'W'].map((name) => ({ name, min: 64, max: 960, step: 32 })), at: [{ H: 320, W: 320 }, { H: 640, W: 640 }, { H: 960, W: 960 }] },
  { model: 'ppocrv4-rec', shape: [1, 3, 48, 'W'], dims: [{ name: 'W', min: 160, max: 960, step: 32 }], at: [{ W: 320 }, { W: 960 }] },
];

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wasmBytes = (a: Artifact) => a.files.get('model.wasm')!.length;

/** Median ms of each session's runs on `feeds`, interleaved in blocks. */
async function interleaved(runs: { session: Session; options: object }[], x: Tensor, rounds: number, block: number): Promise<number[]> {
  const samples = runs.map((): number[] => []);
  const feeds = { x: x.data as Float32Array };
  for (let round = 0; round < rounds; round++) {
    for (const [i, r] of runs.entries()) {
      for (let k = 0; k < block + 1; k++) {
        const t0 = performance.now();
        await r.session.run(feeds, r.options);
        if (k > 0) samples[i].push(performance.now() - t0);
      }
    }
  }
  return samples.map(median);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const [rounds, block] = quick ? [2, 2] : [5, 4];
  const rows: string[] = [];
  for (const c of CASES) {
    const file = REAL_MODELS.find((m) => m.name === c.model)!.file;
    process.stderr.write(`shape-generic: ${c.model}: compiling the generic artifact\n`);
    const [generic, genericSeconds] = await timed(() => compile(file, { target: 'wasm', symbolicShapes: { x: c.shape }, dims: c.dims }));
    const genericSession = await loadModel(generic.files);
    for (const dims of c.at) {
      const shape = c.shape.map((d) => (typeof d === 'number' ? d : dims[d]));
      process.stderr.write(`shape-generic: ${c.model} ${shape.join('×')}\n`);
      const [specialized, specializedSeconds] = await timed(() => compile(file, { target: 'wasm', inputShapes: { x: shape } }));
      const session = await loadModel(specialized.files);
      const x = randomTensor('f32', shape, 5);
      const [s, g] = await interleaved([{ session, options: {} }, { session: genericSession, options: { dims } }], x, rounds, block);
      await session.release();
      const range = c.dims.map((r) => `${r.name} ${r.min}..${r.max}/${r.step}`).join(', ');
      rows.push(`| ${c.model} | ${shape.join('×')} | ${range} | ${s.toFixed(1)} | ${g.toFixed(1)} | **${(g / s).toFixed(2)}×** | ${specializedSeconds.toFixed(0)} s / ${genericSeconds.toFixed(0)} s | ${(wasmBytes(specialized) / 1024).toFixed(0)} / ${(wasmBytes(generic) / 1024).toFixed(0)} KiB |`);
    }
    await genericSession.release();
  }
  const section = [
    SHAPE_GENERIC_BEGIN,
    '## Shape-generic artifacts (wasm, one thread)',
    '',
    'One artifact compiled with `--input-shape x=… --dim NAME=MIN..MAX/STEP` against the artifact specialized to the shape it',
    'runs at, timed in the same process, in turn (median ms of the runs). The generic module reads its sizes from globals',
    "that `setDims` sets, and its 3×3 convs run as implicit GEMMs where the specialized one picks Winograd. `npm run",
    'bench:shape-generic` writes this section.',
    '',
    '| model | shape | generic over | specialized ms | generic ms | generic / specialized | compile (specialized / generic) | model.wasm |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    SHAPE_GENERIC_END,
  ].join('\n');
  publishSection(OUTPUT, SHAPE_GENERIC_BEGIN, SHAPE_GENERIC_END, section, quick, 'shape-generic');
}

runIfMain(import.meta.url, main);
