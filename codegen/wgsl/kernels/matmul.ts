// The tiled GEMM that matmul, gemm and the GEMM-based convolutions share, and the matmul and gemm kernels.
//
// C[b] = A[b]·B[b] (A: M×K, B: K×N) per batch b. A workgroup computes a tileM × tileN tile of C: per step it
// stages a tileM × tileK slab of A and a tileK × tileN slab of B in workgroup memory (vec4 global loads where
// the operand's layout allows), then each thread multiplies its threadM × threadN register tile (threadN/4
// vec4 accumulators per row) over the slab. Operands are WGSL functions, so that a convolution's B is an
// implicit im2col and gemm's transposed or broadcast operands are just other index maps. When too few
// workgroups would run (a small C over a long K), K is split across workgroups and a second dispatch adds
// the partial sums.
import { DlcError } from '../../../compiler/errors.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import { planMatmul } from '../../../compiler/ops/nn-matmul.js';
import { attrFloat, attrInt } from '../../../compiler/ops/util.js';
import { floatToHalf } from '../../../runtime/gpu-storage.js';
import { shapeOf } from '../../shapes.js';
import { wgslLiteral, withHelpers } from '../wgsl-target.js';
import { broadcastStridesOf } from '../../loops.js';
import { WGSL_LIMITS, type EpilogueSite, type WgslBinding, type WgslDispatch, type WgslEpilogue, type WgslKernelContext } from './kernel.js';

/** The schedule of the tiled GEMM (a tuner's search space; see DEFAULT_GPU_MATMUL for why the defaults). */
export interface GpuMatmulSchedule {
  /** Rows and columns of C per workgroup. */
  tileM: number;
  tileN: number;
  /** Depth of the A and B slabs staged in workgroup memory per step (a multiple of 4). */
  tileK: number;
  /** Rows and columns of C per thread; threadN is a multiple of 4 (vec4 accumulators). */
  threadM: number;
  threadN: number;
  /** 4: vec4 global loads and stores where the layout allows; 1: scalar only. */
  vector: 1 | 4;
  /** Workgroups that split K (a second dispatch adds their partial sums); 0: chosen from the grid's size. */
  splitK: number;
  /**
   * GEMMs of fewer multiply-adds than this (all batches) run untiled: one invocation per element (or vec4) of
   * C looping over K, no workgroup memory and no barrier (directGemm). 0: always tiled.
   */
  directBelow: number;
}

/**
 * Below this many multiply-adds (16.8 M) a GEMM runs untiled (directGemm). On SwiftShader, where pipeline
 * compilation dominates a model's first run, an untiled module compiles in tens of milliseconds against
 * hundreds for a tiled one, and runs as fast: a CPU's caches do what the workgroup slabs do on a GPU. Measured
 * with scripts/shader-compile-times.ts (modules compiled one at a time; median of 5 runs on Dawn/SwiftShader;
 * directGemm then computed one row per invocation, see DIRECT_ROWS):
 *   threshold      cls compile / run     det compile / run      rec compile / run
 *   0 (all tiled)  11.4 s / 0.29 s       23.2 s / 5.9 s          18.5 s / 4.9 s
 *   2²²            0.94 s / 0.24 s       10.7 s / 5.9 s          —
 *   2²⁴            0.95 s / 0.22 s        2.9 s / 5.5 s          6.3 s / 4.8 s
 *   2²⁶ / 2²⁷      —                      2.0 s / 5.8 s          1.0 s / 4.4 s
 * Larger GEMMs stay tiled: on a GPU, staging slabs in workgroup memory is what makes them fast, and a
 * SwiftShader-only measurement must not decide that. The schedule is the knob.
 */
const DIRECT_BELOW = 1 << 24;

/**
 * 32×32 tiles of 4×4 per thread: 64 invocations, 4 vec4 multiply-adds per 5 workgroup loads, 4 KiB of
 * workgroup memory with tileK 16. Chosen by measurement on Dawn over SwiftShader (a CPU; no GPU here), where a
 * model's first run is mostly pipeline compilation: with 8×8 per thread (64×64 tiles) sixteen vec4
 * accumulators live across the slab loop and each GEMM module took about twice as long to compile
 * (scripts/shader-compile-times.ts on PP-OCR det, one quiet run each: 23.2 s for all modules against 38.4 s),
 * for a run only 9% faster (5.93 s against 5.45 s). At 256³ alone 8×8 ran 1.2× faster than this tile; a real
 * GPU may prefer larger tiles, and the schedule is the knob.
 */
export const DEFAULT_GPU_MATMUL: GpuMatmulSchedule = { tileM: 32, tileN: 32, tileK: 16, threadM: 4, threadN: 4, vector: 4, splitK: 0, directBelow: DIRECT_BELOW };

/** Fewer workgroups than this leave a GPU idle: split K to reach it. */
const MIN_WORKGROUPS = 32;

export function checkGpuMatmulSchedule(s: GpuMatmulSchedule): GpuMatmulSchedule {
  const pos = (v: number) => Number.isInteger(v) && v >= 1;
  const threads = (s.tileM / s.threadM) * (s.tileN / s.threadN);
  const bytes = s.tileK * (s.tileM + s.tileN) * 4;
  const ok = [s.tileM, s.tileN, s.tileK, s.threadM, s.threadN].every(pos) && s.tileM % s.threadM === 0 && s.tileN % s.threadN === 0 &&
    s.threadN % 4 === 0 && s.tileK % 4 === 0 && (s.vector === 1 || s.vector === 4) && Number.isInteger(s.splitK) && s.splitK >= 0 &&
    Number.isInteger(s.directBelow) && s.directBelow >= 0 && threads <= WGSL_LIMITS.invocationsPerWorkgroup && bytes <= WGSL_LIMITS.workgroupStorageBytes;
  if (!ok) {
    throw new DlcError(`invalid gpu matmul schedule ${JSON.stringify(s)} (tiles multiples of the thread tile, threadN and tileK multiples of 4, ` +
      `at most ${WGSL_LIMITS.invocationsPerWorkgroup} threads and ${WGSL_LIMITS.workgroupStorageBytes} bytes of workgroup memory)`);
  }
  return s;
}

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

/** Element types of a GEMM module's arrays: f32 data, and f16 pairs packed in u32 words (halfWeights). */
type Element = 'f32' | 'vec4<f32>' | 'u32' | 'vec2<u32>';
const ELEMENT_PREFIX: Record<Element, string> = { f32: 's', 'vec4<f32>': 'v', u32: 'h', 'vec2<u32>': 'q' };

/**
 * The bindings of one WGSL module: one per distinct (value, element type), declared in order; and the
 * module-scope functions an epilogue declared.
 */
export class ModuleBindings implements EpilogueSite {
  readonly list: WgslBinding[] = [];
  /** Per binding: its array's element type. */
  private readonly elements: Element[] = [];
  private readonly globals: string[] = [];

  declare(text: string): void {
    if (!this.globals.includes(text)) this.globals.push(text);
  }

  /** The name of the array bound to `v`, as f32 elements or as vec4<f32> ones. */
  bind(v: Value, access: WgslBinding['access'] = 'read', vec4 = false): string {
    return this.bindAs(v, vec4 ? 'vec4<f32>' : 'f32', access);
  }

  /** The name of the array bound to `v` with elements of type `element`. */
  bindAs(v: Value, element: Element, access: WgslBinding['access'] = 'read'): string {
    let i = this.list.findIndex((b, j) => b.value === v && this.elements[j] === element);
    if (i < 0) {
      i = this.list.length;
      this.list.push({ value: v, access });
      this.elements.push(element);
    } else if (access === 'read_write') this.list[i].access = 'read_write';
    return this.nameOf(i);
  }

  private nameOf(i: number): string {
    return `${ELEMENT_PREFIX[this.elements[i]]}${i}`;
  }

  /** The module's binding declarations. */
  declarations(): string {
    if (this.list.length > WGSL_LIMITS.storageBuffersPerStage) {
      throw new DlcError(`a kernel needs ${this.list.length} storage bindings, more than ${WGSL_LIMITS.storageBuffersPerStage}`);
    }
    const bindings = this.list.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${this.nameOf(i)}: array<${this.elements[i]}>;`);
    return [...bindings, ...this.globals].join('\n');
  }
}

/**
 * The epilogue applied to a stored scalar (or vec4) expression `v`, output element `at` (the first of four for
 * vec4); parenthesized, since the forms splice their argument in.
 */
export function finish(epi: WgslEpilogue | undefined, v: string, at: string, site: EpilogueSite, vec4 = false): string {
  if (!epi) return v;
  return vec4 ? epi.vec4(`(${v})`, `(${at})`, site) : epi.scalar(`(${v})`, `(${at})`, site);
}

/** Σ_d ((i / inner_d) % dims_d) · strides_d as a u32 expression: the element offset of linear index i. */
export function offsetOf(dims: readonly number[], strides: readonly number[], i: string): string {
  const terms: string[] = [];
  let inner = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    if (strides[d] !== 0 && dims[d] > 1) {
      const q = inner === 1 ? i : `(${i} / ${inner}u)`;
      const c = d === 0 ? q : `(${q} % ${dims[d]}u)`;
      terms.push(strides[d] === 1 ? c : `${c} * ${strides[d]}u`);
    }
    inner *= dims[d];
  }
  return terms.length ? `(${terms.join(' + ')})` : '0u';
}

/** One operand of the GEMM as WGSL function bodies over (b: u32, row: u32, col: u32), row and col in range. */
export interface GemmOperand {
  /** Returns the f32 element. */
  scalar(mb: ModuleBindings): string;
  /** Returns elements col..col+3 of the row as a vec4 (col a multiple of 4); absent when the layout has no vec4 rows. */
  vec4?(mb: ModuleBindings): string;
}

export interface GemmSpec {
  m: number;
  n: number;
  k: number;
  batch: number;
  a: GemmOperand;
  b: GemmOperand;
  /** Body of fn(b, row, col, v: f32) storing the finished C element (bias, scaling and epilogue applied). */
  store(mb: ModuleBindings): string;
  /** The same for v: vec4<f32>, elements col..col+3 (col a multiple of 4 below N); absent unless N % 4 = 0. */
  store4?(mb: ModuleBindings): string;
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

/** The dispatches of C = A·B under schedule `s`; `scratch` gives the split-K partial sums their buffer. */
export function gemmDispatches(g: GemmSpec, schedule: GpuMatmulSchedule, scratch: (shape: number[]) => Value): WgslDispatch[] {
  if (g.m === 0 || g.n === 0 || g.batch === 0) return [];
  if (g.m * g.n * g.k * g.batch < checkGpuMatmulSchedule(schedule).directBelow) return [directGemm(g)];
  const s = fitted(checkGpuMatmulSchedule(schedule), g.m, g.n, g.k);
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

/** Rows of C per invocation of directGemm: each load of B (an im2col gather, for a convolution) serves them all. */
const DIRECT_ROWS = 4;

/**
 * C untiled: each invocation multiplies DIRECT_ROWS rows of A by a column (or four columns, as vec4) of B over
 * all of K, straight from global memory. Without workgroup memory, barriers or a register tile, SwiftShader
 * compiles it in tens of milliseconds where a tiled module takes hundreds; for a small GEMM the tiles' reuse of
 * loads buys little (figures at DIRECT_BELOW). Several rows per invocation matter for a 3×3 convolution,
 * whose B is an im2col gather with index arithmetic per element: with one row per invocation the zoo's
 * ResNet ran 2.1× slower than tiled (572 against 267 ms on SwiftShader).
 */
function directGemm(g: GemmSpec): WgslDispatch {
  const vec = g.n % 4 === 0 && g.b.vec4 !== undefined && g.store4 !== undefined;
  const width = vec ? 4 : 1;
  const rows = Math.min(DIRECT_ROWS, g.m);
  const blocks = Math.ceil(g.m / rows);
  const columns = g.n / width;
  const count = g.batch * blocks * columns;
  const mb = new ModuleBindings();
  const sig = (name: string, type: string, body: string) => `fn ${name}(b: u32, row: u32, col: u32) -> ${type} {\n${body}\n}`;
  const fns = [
    sig('loadA', 'f32', g.a.scalar(mb)),
    vec ? sig('loadB4', 'vec4<f32>', g.b.vec4!(mb)) : sig('loadB', 'f32', g.b.scalar(mb)),
    vec ? `fn storeC4(b: u32, row: u32, col: u32, v: vec4<f32>) {\n${g.store4!(mb)}\n}` : `fn storeC(b: u32, row: u32, col: u32, v: f32) {\n${g.store(mb)}\n}`,
  ];
  const zero = vec ? 'vec4<f32>(0.0f)' : '0.0f';
  const ragged = g.m % rows !== 0;
  // Rows past M (a ragged last block) read row M − 1 and store nothing.
  const rowOf = (r: number) => (r === 0 ? 'row0' : ragged ? `min(row0 + ${r}u, ${g.m - 1}u)` : `row0 + ${r}u`);
  const a = (r: number) => (vec ? `vec4<f32>(loadA(b, ${rowOf(r)}, k))` : `loadA(b, ${rowOf(r)}, k)`);
  const [groups, gridRows] = foldedGrid(Math.ceil(count / 64));
  const code = [
    mb.declarations(),
    ...fns,
    '@compute @workgroup_size(64)',
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
    `  let i = (wid.y * ${groups}u + wid.x) * 64u + lid;`,
    `  if (i >= ${count}u) { return; }`,
    `  let b = i / ${blocks * columns}u;`,
    `  let row0 = ((i / ${columns}u) % ${blocks}u) * ${rows}u;`,
    `  let col = (i % ${columns}u) * ${width}u;`,
    ...Array.from({ length: rows }, (_, r) => `  var sum${r} = ${zero};`),
    `  for (var k = 0u; k < ${g.k}u; k++) {`,
    `    let bk = ${vec ? 'loadB4' : 'loadB'}(b, k, col);`,
    ...Array.from({ length: rows }, (_, r) => `    sum${r} = fma(${a(r)}, bk, sum${r});`),
    '  }',
    ...Array.from({ length: rows }, (_, r) => {
      const store = `${vec ? 'storeC4' : 'storeC'}(b, row0 + ${r}u, col, sum${r});`;
      return r > 0 && ragged ? `  if (row0 + ${r}u < ${g.m}u) { ${store} }` : `  ${store}`;
    }),
    '}',
  ].join('\n');
  return { code: withHelpers(code), bindings: mb.list, workgroups: [groups, gridRows, 1] };
}

/** `groups` workgroups as an x × y grid within the per-dimension limit (x·y ≥ groups; the kernel checks its index). */
export function foldedGrid(groups: number): [number, number] {
  const max = WGSL_LIMITS.workgroupsPerDimension;
  if (groups <= max) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / max);
  if (y > max) throw new DlcError(`${groups} workgroups exceed WebGPU's grid`);
  return [max, y];
}

export function requireF32(k: WgslKernelContext): void {
  for (const v of k.node.inputs) {
    if (v && v.type.dtype !== 'f32') throw new DlcError(`op ${k.node.op} is not supported by the webgpu target: ${v.type.dtype} operands (f32 only)`, { node: k.node.name, op: k.node.op });
  }
}

/** A [rows × cols] matrix (rows counting every batch) as [rows × stride], zero-padded on the right. */
export function padColumns(data: ArrayLike<number>, rows: number, cols: number, stride: number): Tensor {
  const out = new Float32Array(rows * stride);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * stride + c] = data[r * cols + c];
  return new Tensor('f32', [rows, stride], out);
}

/** out[j, i] = x[i, j] for a [rows × cols] matrix, each output row padded to `stride`. */
function transposedPadded(data: ArrayLike<number>, rows: number, cols: number, stride: number): Tensor {
  const out = new Float32Array(cols * stride);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * stride + i] = data[i * cols + j];
  return new Tensor('f32', [cols, stride], out);
}

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

/** A row-major matrix operand at `base(b) + row·stride + col` of binding `v`; vec4 rows when the stride allows. */
function rowMajor(v: Value, stride: number, base: (b: string) => string): GemmOperand {
  const at = `${base('b')} + row * ${stride}u + col`;
  return {
    scalar: (mb) => `  return ${mb.bind(v)}[${at}];`,
    vec4: stride % 4 === 0 ? (mb) => `  return ${mb.bind(v, 'read', true)}[(${at}) / 4u];` : undefined,
  };
}

/**
 * f16 weights: the elements of a constant matrix rounded to f16 and packed two to a u32 word (element 2i in
 * the low half, as WGSL's pack2x16float does), so that they take half the bytes in weights.bin and in GPU
 * memory. unpack2x16float is core WGSL, so every device reads them (no shader-f16 needed); arithmetic is f32.
 */
export function halfWeights(t: Tensor): Tensor {
  const words = new Uint32Array(Math.ceil(t.size / 2));
  for (let i = 0; i < t.size; i++) words[i >> 1] |= floatToHalf(Number(t.data[i])) << ((i & 1) * 16);
  return new Tensor('u32', [words.length], words);
}

/** rowMajor over halfWeights' packing (stride a multiple of 4: four elements are one vec2<u32>). */
function halfRowMajor(v: Value, stride: number, base: (b: string) => string): GemmOperand {
  const at = `${base('b')} + row * ${stride}u + col`;
  return {
    scalar: (mb) => `  let e = ${at};\n  return unpack2x16float(${mb.bindAs(v, 'u32')}[e / 2u])[e % 2u];`,
    vec4: (mb) => `  let p = ${mb.bindAs(v, 'vec2<u32>')}[(${at}) / 4u];\n  return vec4<f32>(unpack2x16float(p.x), unpack2x16float(p.y));`,
  };
}

/**
 * A constant matrix operand (already laid out as rows of `stride`, a multiple of 4) as the kernel's weights
 * storage says: f32, or f16 pairs (halfWeights).
 */
export function constantMatrix(k: WgslKernelContext, t: Tensor, stride: number, base: (b: string) => string): GemmOperand {
  return k.weights === 'f16' ? halfRowMajor(k.constant(halfWeights(t)), stride, base) : rowMajor(k.constant(t), stride, base);
}

/**
 * A row-major operand with rows of `cols` elements: a constant is padded to rows of a multiple of 4 (so vec4
 * loads apply), a run-time one is read in place. `base(stride, b)` is the element offset of batch b's matrix.
 */
function matrixOperand(k: WgslKernelContext, v: Value, cols: number, base: (stride: number, b: string) => string): GemmOperand {
  const c = k.constantOf(v);
  if (c && (cols % 4 !== 0 || k.weights === 'f16')) {
    const stride = roundUp4(cols);
    return constantMatrix(k, padColumns(c.data, c.size / cols, cols, stride), stride, (b) => base(stride, b));
  }
  return rowMajor(v, cols, (b) => base(cols, b));
}

/** Y[b] = A[b]·B[b] with numpy batching and broadcasting; 1-D operands are a row and a column. */
export function matmulKernel(k: WgslKernelContext, schedule: GpuMatmulSchedule = DEFAULT_GPU_MATMUL): WgslDispatch[] {
  requireF32(k);
  const [a, b, y] = [k.input(0), k.input(1), k.output(0)];
  const [as, bs] = [shapeOf(a), shapeOf(b)];
  const plan = planMatmul(as, bs);
  let [m, kk, n] = [plan.m, plan.k, plan.n] as number[];
  let batch = plan.batch as number[];
  const a2 = as.length === 1 ? [1, as[0]] : as;
  const b2 = bs.length === 1 ? [bs[0], 1] : bs;
  let aStrides = broadcastStridesOf(a2.slice(0, -2), batch);
  let bStrides = broadcastStridesOf(b2.slice(0, -2), batch);
  const aBatches = a2.slice(0, -2).reduce((p, d) => p * d, 1);
  const batches = batch.reduce((p, d) => p * d, 1);
  // A shared B under an unbroadcast A: the batches of A are rows of one taller product.
  if (batches > 1 && bStrides.every((s) => s === 0) && aBatches === batches) {
    m *= batches;
    batch = [];
    aStrides = [];
    bStrides = [];
  }
  const count = batch.reduce((p, d) => p * d, 1);
  // Batch b's matrix starts at Σ coordinate · (batch stride in matrices) · (matrix size with padded rows).
  const base = (strides: number[], rows: number) => (stride: number, bb: string) => offsetOf(batch, strides.map((s) => s * rows * stride), bb);
  const epi = k.epilogue;
  const at = `b * ${m * n}u + row * ${n}u + col`;
  const spec: GemmSpec = {
    m, n, k: kk, batch: count,
    a: matrixOperand(k, a, kk, base(aStrides, m)),
    b: matrixOperand(k, b, n, base(bStrides, kk)),
    store: (mb) => `  ${mb.bind(y, 'read_write')}[${at}] = ${finish(epi, 'v', at, mb)};`,
    store4: n % 4 === 0 ? (mb) => `  ${mb.bind(y, 'read_write', true)}[(${at}) / 4u] = ${finish(epi, 'v', at, mb, true)};` : undefined,
  };
  return gemmDispatches(spec, schedule, (shape) => k.scratch('f32', shape));
}

/** Y = α·op(A)·op(B) + β·C, C broadcast to [M, N]; constant transposed operands ship transposed. */
export function gemmKernel(k: WgslKernelContext, schedule: GpuMatmulSchedule = DEFAULT_GPU_MATMUL): WgslDispatch[] {
  requireF32(k);
  const [a, b, c, y] = [k.input(0), k.input(1), k.node.inputs[2], k.output(0)];
  const transA = attrInt(k.node.attrs, 'transA') !== 0;
  const transB = attrInt(k.node.attrs, 'transB') !== 0;
  const alpha = attrFloat(k.node.attrs, 'alpha');
  const beta = attrFloat(k.node.attrs, 'beta');
  const [as, bs] = [shapeOf(a), shapeOf(b)];
  if (as.length !== 2 || bs.length !== 2) throw new DlcError('gemm operands must be 2-D', { node: k.node.name, op: 'gemm' });
  const [m, n] = shapeOf(y);
  const kk = transA ? as[0] : as[1];
  const operand = (v: Value, trans: boolean, rows: number, cols: number): GemmOperand => {
    const t = k.constantOf(v);
    if (!trans) return matrixOperand(k, v, cols, () => '0u');
    if (t) {
      const stride = roundUp4(cols);
      return constantMatrix(k, transposedPadded(t.data, cols, rows, stride), stride, () => '0u');
    }
    // Stored [cols × rows]: element (row, col) at col·rows + row.
    return { scalar: (mb) => `  return ${mb.bind(v)}[col * ${rows}u + row];` };
  };
  const bias = c && beta !== 0 ? c : null;
  const [sm, sn] = bias ? broadcastStridesOf(shapeOf(bias), [m, n]) : [0, 0];
  const scale = (v: string) => (alpha === 1 ? v : `${wgslLiteral(alpha, 'f32')} * ${v}`);
  const betaTerm = (e: string) => (beta === 1 ? e : `${wgslLiteral(beta, 'f32')} * ${e}`);
  const at = `row * ${n}u + col`;
  const biasAt = (mb: ModuleBindings, j: number) => `${mb.bind(bias!)}[row * ${sm}u + (col + ${j}u) * ${sn}u]`;
  const spec: GemmSpec = {
    m, n, k: kk, batch: 1,
    a: operand(a, transA, m, kk),
    b: operand(b, transB, kk, n),
    store: (mb) => `  ${mb.bind(y, 'read_write')}[${at}] = ${finish(k.epilogue, bias ? `${scale('v')} + ${betaTerm(biasAt(mb, 0))}` : scale('v'), at, mb)};`,
    store4: n % 4 === 0
      ? (mb) => {
          const cv = bias ? ` + ${betaTerm(`vec4<f32>(${repeat(4, (j) => biasAt(mb, j)).join(', ')})`)}` : '';
          return `  ${mb.bind(y, 'read_write', true)}[(${at}) / 4u] = ${finish(k.epilogue, `${scale('v')}${cv}`, at, mb, true)};`;
        }
      : undefined,
  };
  return gemmDispatches(spec, schedule, (shape) => k.scratch('f32', shape));
}
