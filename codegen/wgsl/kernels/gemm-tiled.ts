// The tiled GEMM. A workgroup computes a tileM × tileN tile of C: per step it stages a tileM × tileK slab of A
// and a tileK × tileN slab of B in workgroup memory (vec4 global loads where the operand's layout allows),
// then each thread multiplies its threadM × threadN register tile (threadN/4 vec4 accumulators per row) over
// the slab. When too few workgroups would run (a small C over a long K), K is split across workgroups and a
// second dispatch adds the partial sums.
import { DlcError } from '../../../compiler/errors.js';
import type { Value } from '../../../compiler/ir/graph.js';
import type { GpuMatmulSchedule } from '../../schedule.js';
import { withHelpers } from '../wgsl-target.js';
import type { GemmSpec } from './gemm.js';
import { WGSL_LIMITS, type WgslDispatch } from './kernel.js';
import { foldedGrid, ModuleBindings } from './module-bindings.js';

/** Fewer workgroups than this leave a GPU idle: split K to reach it. */
const MIN_WORKGROUPS = 32;

/**
 * A tile no larger than the matrix needs: halves tileM (tileN) while half still covers M (N), and a slab no
 * deeper than K rounded up to 4 (a 1×1 conv over 8 channels would otherwise multiply 8 rows of zeros per slab).
 */
function fitted(s: GpuMatmulSchedule, m: number, n: number, k: number): GpuMatmulSchedule {
  let { tileM, tileN } = s;
  while (tileM / 2 >= m && (tileM / 2) % s.threadM === 0) tileM /= 2;
  while (tileN / 2 >= n && (tileN / 2) % s.threadN === 0) tileN /= 2;
  return { ...s, tileM, tileN, tileK: Math.max(4, Math.min(s.tileK, Math.ceil(k / 4) * 4)) };
}

const repeat = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Splits of K: workgroups enough to keep the GPU busy, each split at least two slabs deep. */
function splitsOf(s: GpuMatmulSchedule, g: GemmSpec, groups: number): number {
  const slabs = Math.ceil(g.k / s.tileK);
  if (s.splitK > 0) return Math.min(s.splitK, slabs);
  if (groups >= MIN_WORKGROUPS) return 1;
  return Math.max(1, Math.min(Math.ceil(MIN_WORKGROUPS / groups), Math.floor(slabs / 2)));
}

function loadFunctions(mb: ModuleBindings, g: GemmSpec, a4: boolean, b4: boolean): string {
  const sig = (name: string, type: string, body: string) => `fn ${name}(b: u32, row: u32, col: u32) -> ${type} {\n${body}\n}`;
  return [
    a4 ? sig('loadA4', 'vec4<f32>', g.a.vec4!(mb)) : sig('loadA', 'f32', g.a.scalar(mb)),
    b4 ? sig('loadB4', 'vec4<f32>', g.b.vec4!(mb)) : sig('loadB', 'f32', g.b.scalar(mb)),
  ].join('\n');
}

/**
 * Which bounds checks the GEMM needs: none along a dimension its tiles divide (every tile is then whole).
 * Eliding them matters beyond the branches saved: SwiftShader compiles each guarded store of the unrolled
 * register tile as divergent control flow, and guards took a quarter of a GEMM module's compile time.
 */
interface Guards {
  rows: boolean;
  cols: boolean;
  depth: boolean;
}

/** `if (cond) { body }`, or the body alone when no condition is left. */
function guarded(conds: (string | false)[], body: string): string {
  const c = conds.filter((x): x is string => x !== false);
  return c.length ? `if (${c.join(' && ')}) { ${body} }` : body;
}

/** Statements staging one slab of A (tileM × tileK, stored k-major) and of B (tileK × tileN) in workgroup memory. */
function stageSlabs(s: GpuMatmulSchedule, g: GemmSpec, threads: number, a4: boolean, b4: boolean, guards: Guards): string[] {
  const { tileM: tm, tileN: tn, tileK: tk } = s;
  const rowIn = guards.rows && `row0 + m < ${g.m}u`;
  const colIn = guards.cols && `col0 + n < ${g.n}u`;
  const depthIn = guards.depth && 'k0 + k < kEnd';
  const loop = (count: number, body: string[]) => [
    `for (var l = 0u; l < ${Math.ceil(count / threads)}u; l++) {`,
    '  let e = lid + l * THREADS;',
    ...(count % threads === 0 ? [] : [`  if (e >= ${count}u) { break; }`]),
    ...body.map((x) => `  ${x}`),
    '}',
  ];
  const a = a4
    ? loop((tm * tk) / 4, [
        `let m = e / ${tk / 4}u; let k = (e % ${tk / 4}u) * 4u;`,
        'var v = vec4<f32>(0.0f);',
        guarded([rowIn, depthIn], 'v = loadA4(b, row0 + m, k0 + k);'),
        ...repeat(4, (j) => `As[(k + ${j}u) * ${tm}u + m] = v[${j}];`),
      ])
    : loop(tm * tk, [
        `let m = e / ${tk}u; let k = e % ${tk}u;`,
        'var v = 0.0f;',
        guarded([rowIn, depthIn], 'v = loadA(b, row0 + m, k0 + k);'),
        `As[k * ${tm}u + m] = v;`,
      ]);
  const b = b4
    ? loop((tk * tn) / 4, [
        `let k = e / ${tn / 4}u; let n = (e % ${tn / 4}u) * 4u;`,
        'var v = vec4<f32>(0.0f);',
        guarded([depthIn, colIn], 'v = loadB4(b, k0 + k, col0 + n);'),
        `Bs[k * ${tn / 4}u + n / 4u] = v;`,
      ])
    : loop(tk * tn, [
        `let k = e / ${tn}u; let n = e % ${tn}u;`,
        'var v = 0.0f;',
        guarded([depthIn, colIn], 'v = loadB(b, k0 + k, col0 + n);'),
        `Bs[k * ${tn / 4}u + n / 4u][n % 4u] = v;`,
      ]);
  return [...a, ...b];
}

/** The tiled dispatches of C = A·B under schedule `schedule`; `scratch` gives the split-K partial sums their buffer. */
export function tiledGemm(g: GemmSpec, schedule: GpuMatmulSchedule, scratch: (shape: number[]) => Value): WgslDispatch[] {
  const s = fitted(schedule, g.m, g.n, g.k);
  const [tm, tn, tk, rm, rv] = [s.tileM, s.tileN, s.tileK, s.threadM, s.threadN / 4];
  const tx = tn / s.threadN;
  const threads = tx * (tm / rm);
  const grid: [number, number] = [Math.ceil(g.n / tn), Math.ceil(g.m / tm)];
  const splits = g.k === 0 ? 1 : splitsOf(s, g, grid[0] * grid[1] * g.batch);
  // Each split covers a whole number of slabs.
  const chunk = Math.ceil(Math.ceil(g.k / splits) / tk) * tk;
  const parts = Math.max(1, Math.ceil(g.k / chunk));
  const z = g.batch * parts;
  if ([...grid, z].some((d) => d > WGSL_LIMITS.workgroupsPerDimension)) throw new DlcError(`a ${g.m}×${g.n} GEMM over ${g.batch} batches exceeds WebGPU's grid`);
  const a4 = s.vector === 4 && g.a.vec4 !== undefined;
  const b4 = s.vector === 4 && g.b.vec4 !== undefined;
  const c4 = s.vector === 4 && g.n % 4 === 0;
  const mb = new ModuleBindings();
  const partial = parts > 1 ? scratch([parts * g.batch, g.m, g.n]) : undefined;
  const loads = loadFunctions(mb, g, a4, b4);
  const acc = (r: number, v: number) => `acc${r}_${v}`;
  let store: (v: string) => string;
  let storeFns = '';
  if (partial) {
    // Partial sums of split p of batch b at P[(b·parts + p)·M·N + row·N + col].
    const p = mb.bind(partial, 'read_write', c4);
    const at = `(wid.z * ${g.m * g.n}u + row * ${g.n}u + col)`;
    store = (v) => (c4 ? `${p}[${at} / 4u] = ${v};` : `${p}[${at}] = ${v};`);
  } else if (c4 && g.store4) {
    storeFns = `fn storeC4(b: u32, row: u32, col: u32, v: vec4<f32>) {\n${g.store4(mb)}\n}`;
    store = (v) => `storeC4(b, row, col, ${v});`;
  } else {
    storeFns = `fn storeC(b: u32, row: u32, col: u32, v: f32) {\n${g.store(mb)}\n}`;
    store = (v) => `storeC(b, row, col, ${v});`;
  }
  const vecStore = c4 && (partial !== undefined || g.store4 !== undefined);
  // Every split but the last covers whole slabs; the last ends at K, whole when tileK divides K.
  const guards: Guards = { rows: g.m % tm !== 0, cols: g.n % tn !== 0, depth: g.k % tk !== 0 };
  const body = [
    `let b = wid.z / ${parts}u;`,
    `let kBegin = (wid.z % ${parts}u) * ${chunk}u;`,
    `let kEnd = min(${g.k}u, kBegin + ${chunk}u);`,
    `let row0 = wid.y * ${tm}u;`,
    `let col0 = wid.x * ${tn}u;`,
    `let tx = lid % ${tx}u;`,
    `let ty = lid / ${tx}u;`,
    ...repeat(rm, (r) => repeat(rv, (v) => `var ${acc(r, v)} = vec4<f32>(0.0f);`).join(' ')),
    `for (var k0 = kBegin; k0 < kEnd; k0 += ${tk}u) {`,
    ...stageSlabs(s, g, threads, a4, b4, guards).map((l) => `  ${l}`),
    '  workgroupBarrier();',
    `  for (var k = 0u; k < ${tk}u; k++) {`,
    ...repeat(rv, (v) => `    let b${v} = Bs[k * ${tn / 4}u + tx * ${rv}u + ${v}u];`),
    ...repeat(rm, (r) => `    let a${r} = As[k * ${tm}u + ty * ${rm}u + ${r}u];`),
    ...repeat(rm, (r) => `    ${repeat(rv, (v) => `${acc(r, v)} = fma(vec4<f32>(a${r}), b${v}, ${acc(r, v)});`).join(' ')}`),
    '  }',
    '  workgroupBarrier();',
    '}',
    ...repeat(rm, (r) => [
      `{ let row = row0 + ty * ${rm}u + ${r}u;`,
      guards.rows ? `  if (row < ${g.m}u) {` : '  {',
      ...repeat(rv, (v) => {
        const col = `col0 + tx * ${s.threadN}u + ${4 * v}u`;
        const colIn = guards.cols && `col < ${g.n}u`;
        if (vecStore) return `    { let col = ${col}; ${guarded([colIn], store(acc(r, v)))} }`;
        return `    ${repeat(4, (j) => `{ let col = ${col} + ${j}u; ${guarded([colIn], store(`${acc(r, v)}[${j}]`))} }`).join(' ')}`;
      }),
      '  }',
      '}',
    ]).flat(),
  ];
  const code = [
    mb.declarations(),
    `const THREADS = ${threads}u;`,
    `var<workgroup> As: array<f32, ${tm * tk}>;`,
    `var<workgroup> Bs: array<vec4<f32>, ${(tk * tn) / 4}>;`,
    loads,
    storeFns,
    `@compute @workgroup_size(${threads})`,
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
    ...body.map((l) => `  ${l}`),
    '}',
  ].filter((l) => l !== '').join('\n');
  const main: WgslDispatch = { code: withHelpers(code), bindings: mb.list, workgroups: [grid[0], grid[1], z] };
  return partial ? [main, sumPartials(g, partial, parts, c4)] : [main];
}

/** One invocation per element (or vec4) of C: the sum of the splits' partials, stored through the spec's store. */
function sumPartials(g: GemmSpec, partial: Value, parts: number, c4: boolean): WgslDispatch {
  const mb = new ModuleBindings();
  const vec = c4 && g.store4 !== undefined;
  const p = mb.bind(partial, 'read', vec);
  const width = vec ? 4 : 1;
  const perBatch = (g.m * g.n) / width;
  const count = g.batch * perBatch;
  const storeFn = vec
    ? `fn storeC4(b: u32, row: u32, col: u32, v: vec4<f32>) {\n${g.store4!(mb)}\n}`
    : `fn storeC(b: u32, row: u32, col: u32, v: f32) {\n${g.store(mb)}\n}`;
  const [groups, rows] = foldedGrid(Math.ceil(count / 64));
  const code = [
    mb.declarations(),
    storeFn,
    '@compute @workgroup_size(64)',
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
    `  let i = (wid.y * ${groups}u + wid.x) * 64u + lid;`,
    `  if (i >= ${count}u) { return; }`,
    `  let b = i / ${perBatch}u;`,
    `  let e = (i % ${perBatch}u) * ${width}u;`,
    `  var sum = ${vec ? 'vec4<f32>(0.0f)' : '0.0f'};`,
    `  for (var q = 0u; q < ${parts}u; q++) { sum += ${p}[((b * ${parts}u + q) * ${g.m * g.n}u + e) / ${width}u]; }`,
    `  ${vec ? 'storeC4' : 'storeC'}(b, e / ${g.n}u, e % ${g.n}u, sum);`,
    '}',
  ].join('\n');
  return { code: withHelpers(code), bindings: mb.list, workgroups: [groups, rows, 1] };
}
