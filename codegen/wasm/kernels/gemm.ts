// The f32 GEMM micro-kernel that matmul, gemm and the GEMM-based convolutions share: C += A·B for row-major
// A [M×K] (row stride lda), B [K×N] (ldb), C [M×N] (ldc), register-tiled by the schedule: a tile of
// tileM rows × tileN f32x4 vectors of C stays in registers while K runs innermost, so each step loads
// tileN vectors of B and tileM scalars of A for tileM·tileN vector multiply-adds. Ragged edges fall back to
// one-vector and one-row tiles, then to scalar columns.
//
// A may come packed (packRowTiles, done at compile time for constant weights): each full tile of tileM rows
// is stored K-major, so one K step reads the tile's tileM scalars of A from one pointer at fixed offsets
// instead of from tileM rows a row stride apart.
// B's rows may sit at arbitrary byte offsets from b, read from a table of K u32s (ldb then carries the
// table's address): an implicit-GEMM convolution reads its B straight from the (padded) input that way.
// B may also come packed into column panels (packColumnPanels, at compile time for constant weights), so that
// a panel's K rows are contiguous instead of a row stride apart.
// Rows run in blocks of mb (the schedule's rowBlockBytes of A), column panels inside each block, so that the
// block of A stays in L2 while every panel of B passes it.
// A threaded module's split kernels call the helper's threaded form on every thread: each takes a share of
// the row tiles or of the column panels, whichever has more, in whole tiles and panels, so that every
// element of C is computed by the same code (the same tile, the same order of K) as with one thread, and the
// results are bit for bit those of one thread.

import type { MatmulSchedule } from '../../schedule.js';
import type { Epilogue } from './epilogue.js';
import type { KernelContext } from './kernel.js';
import { isThreaded } from './threads.js';

/** How C starts: C = A·B, C = bias[row] + A·B, or C += A·B. */
export const GemmInit = { Zero: 0, Bias: 1, Accumulate: 2 } as const;
export type GemmInit = (typeof GemmInit)[keyof typeof GemmInit];

function repeat(n: number, f: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/**
 * Row-major [m × k] → the packed layout: full tiles of `tileM` rows K-major (element (i0 + r, kk) at
 * i0·k + kk·tileM + r), the last m mod tileM rows left row-major.
 */
export function packRowTiles(a: ArrayLike<number>, m: number, k: number, tileM: number): Float32Array {
  const out = Float32Array.from(a);
  const full = m - (m % tileM);
  for (let i0 = 0; i0 < full; i0 += tileM) {
    for (let kk = 0; kk < k; kk++) for (let r = 0; r < tileM; r++) out[i0 * k + kk * tileM + r] = a[(i0 + r) * k + kk];
  }
  return out;
}

/**
 * How B is laid out: `strided` row-major with row stride ldb; `table` row k at a byte offset read from the
 * u32 table at ldb; `panels` as packColumnPanels lays it out.
 */
export type BLayout = 'strided' | 'table' | 'panels';

/** How a helper reads its operands: A packed by packRowTiles or row-major; B in one of the BLayouts. */
export interface GemmForm {
  packedA: boolean;
  b: BLayout;
}

/** The widths of a helper's column panels: tileN vectors, then one vector, then single columns. */
export function panelWidths(s: MatmulSchedule): number[] {
  return s.tileN > 1 ? [4 * s.tileN, 4, 1] : [4, 1];
}

/**
 * Row-major [k × n] (row stride ldb) → column panels: as many panels of widths[0] columns as fit, then of
 * widths[1], ...; a panel is its k rows of `width` columns, contiguous. The panel at column j starts at j·k.
 */
export function packColumnPanels(b: ArrayLike<number>, k: number, n: number, widths: number[], ldb = n): Float32Array {
  const out = new Float32Array(k * n);
  let j = 0;
  for (const width of widths) {
    for (; j + width <= n; j += width) {
      for (let kk = 0; kk < k; kk++) for (let c = 0; c < width; c++) out[j * k + kk * width + c] = b[kk * ldb + j + c];
    }
  }
  return out;
}

/** One block of `rows` × `vecs` vectors at (i, j): start from 0, the row's bias or C; run K; store C. */
function vectorBlock(rows: number, vecs: number, unrollK: number, epi: Epilogue | undefined, form: GemmForm): string {
  const acc = (r: number, v: number) => `c${r}_${v}`;
  const packed = form.packedA;
  const step = [
    ...(form.b === 'table' ? ['const o: usize = <usize>load<u32>(tp);', 'tp += 4;'] : []),
    ...repeat(vecs, (v) => `const b${v} = v128.load(${form.b === 'table' ? 'bp + o' : 'bp'}, ${16 * v});`),
    ...repeat(rows, (r) => (packed ? `const a${r} = v128.load32_splat(ap, ${4 * r});` : `const a${r} = v128.load32_splat(ap${r});`)),
    ...repeat(rows, (r) => repeat(vecs, (v) => `${acc(r, v)} = f32x4.add(${acc(r, v)}, f32x4.mul(a${r}, b${v}));`).join(' ')),
    ...(form.b === 'strided' ? ['bp += ldb4;'] : form.b === 'panels' ? [`bp += ${16 * vecs};`] : []),
    ...(packed ? [`ap += ${4 * rows};`] : repeat(rows, (r) => `ap${r} += 4;`)),
  ];
  const lines = [
    '{',
    ...repeat(rows, (r) => `const cp${r}: usize = c + <usize>(((i + ${r}) * ldc + j) << 2);`),
    ...repeat(rows, (r) => `const z${r} = init == ${GemmInit.Bias} ? v128.load32_splat(bias + <usize>((i + ${r}) << 2)) : f32x4.splat(0);`),
    ...repeat(rows, (r) => repeat(vecs, (v) => `let ${acc(r, v)} = z${r};`).join(' ')),
    `if (init == ${GemmInit.Accumulate}) {`,
    ...repeat(rows, (r) => repeat(vecs, (v) => `  ${acc(r, v)} = v128.load(cp${r}, ${16 * v});`).join(' ')),
    '}',
    ...(packed ? ['let ap: usize = a + <usize>(i * lda << 2);'] : repeat(rows, (r) => `let ap${r}: usize = a + <usize>((i + ${r}) * lda << 2);`)),
    form.b === 'panels' ? 'let bp: usize = b + <usize>(j * K << 2);' : 'let bp: usize = b + <usize>(j << 2);',
    ...(form.b === 'table' ? ['let tp: usize = <usize>ldb;'] : []),
    'let k: i32 = 0;',
  ];
  if (unrollK > 1) {
    lines.push(`for (; k + ${unrollK} <= K; k += ${unrollK}) {`, ...repeat(unrollK, () => `  {\n${step.map((s) => `    ${s}`).join('\n')}\n  }`), '}');
  }
  lines.push('for (; k < K; k++) {', ...step.map((s) => `  ${s}`), '}');
  lines.push(...repeat(rows, (r) => repeat(vecs, (v) => `v128.store(cp${r}, ${epi ? epi.vector(acc(r, v), `cp${r} + ${16 * v}`) : acc(r, v)}, ${16 * v});`).join(' ')), '}');
  return lines.join('\n');
}

/** Scalar columns for `rows` rows at (i, j). */
function scalarBlock(rows: number, epi: Epilogue | undefined, form: GemmForm): string {
  const aAt = (r: number) => (form.packedA ? `(i * lda + k * ${rows} + ${r})` : `((i + ${r}) * lda + k)`);
  const bAt = {
    strided: 'b + <usize>((k * ldb + j) << 2)',
    table: 'b + <usize>load<u32>(<usize>ldb + <usize>(k << 2)) + <usize>(j << 2)',
    panels: 'b + <usize>((j * K + k) << 2)',
  }[form.b];
  return [
    '{',
    ...repeat(rows, (r) => `let s${r}: f32 = init == ${GemmInit.Accumulate} ? load<f32>(c + <usize>(((i + ${r}) * ldc + j) << 2)) : init == ${GemmInit.Bias} ? load<f32>(bias + <usize>((i + ${r}) << 2)) : 0;`),
    'for (let k: i32 = 0; k < K; k++) {',
    `  const bv = load<f32>(${bAt});`,
    ...repeat(rows, (r) => `  s${r} += load<f32>(a + <usize>(${aAt(r)} << 2)) * bv;`),
    '}',
    ...repeat(rows, (r) => `store<f32>(c + <usize>(((i + ${r}) * ldc + j) << 2), ${epi ? epi.scalar(`s${r}`, `c + <usize>(((i + ${r}) * ldc + j) << 2)`) : `s${r}`});`),
    '}',
  ].join('\n');
}

/** Every row of the block [i0, i1) for the column panel at j: full-height tiles (packed A: K-major), then single rows (row-major). */
function rows(s: MatmulSchedule, form: GemmForm, block: (rows: number, form: GemmForm) => string): string {
  return [
    '{',
    'let i: i32 = i0;',
    `for (; i + ${s.tileM} <= i1; i += ${s.tileM}) ${block(s.tileM, { ...form, packedA: form.packedA && s.tileM > 1 })}`,
    s.tileM > 1 ? `for (; i < i1; i++) ${block(1, { ...form, packedA: false })}` : '',
    '}',
  ].join('\n');
}

const ROW_MAJOR: GemmForm = { packedA: false, b: 'strided' };

export function gemmHelperName(s: MatmulSchedule, epi?: Epilogue, form: GemmForm = ROW_MAJOR, threaded = false): string {
  const b = { strided: '', table: 't', panels: 'b' }[form.b];
  return `gemm_m${s.tileM}n${s.tileN}k${s.unrollK}${form.packedA ? 'p' : ''}${b}${epi ? `_${epi.name}` : ''}${threaded ? '_mt' : ''}`;
}

/** The threaded helper's share of C: rows [m0, m1) × columns [n0, n1), in whole row tiles or column panels. */
function threadShareOfC(s: MatmulSchedule): string {
  const width = 4 * s.tileN;
  return [
    `  const rowTiles: i32 = (M + ${s.tileM - 1}) / ${s.tileM};`,
    `  const panels: i32 = (N + ${width - 1}) / ${width};`,
    '  let m0: i32 = 0, m1: i32 = M, n0: i32 = 0, n1: i32 = N;',
    '  if (panels > rowTiles) {',
    `    n0 = shareStart(panels, ${width}, N, tid, nthreads);`,
    `    n1 = shareStart(panels, ${width}, N, tid + 1, nthreads);`,
    '  } else {',
    `    m0 = shareStart(rowTiles, ${s.tileM}, M, tid, nthreads);`,
    `    m1 = shareStart(rowTiles, ${s.tileM}, M, tid + 1, nthreads);`,
    '  }',
  ].join('\n');
}

/**
 * Within a block of mb rows, column panels outermost: the panel of B (K × tile width) stays in cache while
 * every row tile of the block passes over it, so B streams from memory once per block.
 */
export function gemmHelperSource(s: MatmulSchedule, epi?: Epilogue, form: GemmForm = ROW_MAJOR, threaded = false): string {
  const width = 4 * s.tileN;
  // The threaded form covers its share [m0, m1) × [n0, n1); n1 < N only at a whole panel, where the narrower
  // panels and scalar columns that follow find nothing to do.
  const [m0, m1, n0, n1] = threaded ? ['m0', 'm1', 'n0', 'n1'] : ['0', 'M', '0', 'N'];
  const panels = [
    `for (; j + ${width} <= ${n1}; j += ${width}) ${rows(s, form, (r, f) => vectorBlock(r, s.tileN, s.unrollK, epi, f))}`,
    s.tileN > 1 ? `for (; j + 4 <= ${n1}; j += 4) ${rows(s, form, (r, f) => vectorBlock(r, 1, s.unrollK, epi, f))}` : '',
    `for (; j < ${n1}; j++) ${rows(s, form, (r, f) => scalarBlock(r, epi, f))}`,
  ];
  return `
function ${gemmHelperName(s, epi, form, threaded)}(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32, lda: i32, ldb: i32, ldc: i32, init: i32, bias: usize, mb: i32${threaded ? ', tid: i32, nthreads: i32' : ''}): void {
  const ldb4: usize = <usize>(ldb << 2);
${threaded ? `${threadShareOfC(s)}\n` : ''}  for (let i0: i32 = ${m0}; i0 < ${m1}; i0 += mb) {
  const i1: i32 = min(${m1}, i0 + mb);
  let j: i32 = ${n0};
${panels.filter(Boolean).join('\n')}
  }
}
`;
}

export interface GemmOperands {
  a: string;
  b: string;
  c: string;
  /** Sizes and row strides in elements: literals, or expressions known only at run time. */
  m: number | string;
  n: number | string;
  k: number | string;
  lda: number | string;
  ldb: number | string;
  ldc: number | string;
  init: GemmInit;
  /** Per-row bias (init = Bias). */
  bias?: string;
  /** Applied to each element of C as it is stored. */
  epilogue?: Epilogue;
  /** A is laid out by packRowTiles for this schedule's tileM, with lda = K. */
  packedA?: boolean;
  /** B's layout (strided when absent); with `table`, ldb is the table's address. */
  bLayout?: BLayout;
  /**
   * In a threaded module, split the product across threads (every thread makes this call, with the same
   * operands): the calling kernel then runs on every thread and must split or guard the rest of its work.
   */
  split?: boolean;
}

/** Rows per block: as many whole row tiles as keep rowBlockBytes of A (at least one tile). */
function rowBlock(s: MatmulSchedule, m: number | string, k: number | string): number | string {
  if (typeof k !== 'number') return m;
  return Math.max(s.tileM, Math.floor(s.rowBlockBytes / (4 * k) / s.tileM) * s.tileM);
}

/** A call of the shared GEMM helper for this kernel's schedule. */
export function gemmCall(k: KernelContext, s: MatmulSchedule, g: GemmOperands): string {
  const form: GemmForm = { packedA: g.packedA ?? false, b: g.bLayout ?? 'strided' };
  const threaded = (g.split ?? false) && isThreaded(k);
  if (threaded) k.splitAcrossThreads();
  const name = k.helper(gemmHelperName(s, g.epilogue, form, threaded), () => gemmHelperSource(s, g.epilogue, form, threaded));
  return `${name}(${g.a}, ${g.b}, ${g.c}, ${g.m}, ${g.n}, ${g.k}, ${g.lda}, ${g.ldb}, ${g.ldc}, ${g.init}, ${g.bias ?? 0}, ${k.decide('rowBlock', () => rowBlock(s, g.m, g.k))}${threaded ? ', tid, nthreads' : ''});`;
}

