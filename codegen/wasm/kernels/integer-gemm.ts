// The int8 GEMM micro-kernel of the fast integer anchors: C = A·B exactly in i32, for A as k-pairs (i32 of two
// i16, packPairRows' layout: full row tiles K-major) and B as pair panels (packPairPanels' layout: 4·tileN
// columns per panel, each k-pair row of a panel contiguous), both from codegen/integer-packing.ts.
// A register tile of tileM rows × tileN i32x4 vectors stays in registers while the k-pairs run innermost; per
// k-pair step it loads tileN vectors of B (8 i16 each: 2 k × 4 columns), splats tileM pairs of A and adds
// tileM·tileN i32x4.dot_i16x8_s — 2 multiply-adds per lane per instruction, against 1 for the f32 kernel's
// f32x4 mul + add.
// dot_i16x8_s never saturates: each lane is a·b + c·d of i16s, |·| ≤ 2·2¹⁵·2¹⁵ = 2³¹ only for -2¹⁵·-2¹⁵ twice,
// which 8-bit operands (|x − zx| ≤ 255, |w| ≤ 255) never reach, so no 7-bit "reduce_range" is needed; the i32
// accumulators hold K ≤ 2³¹ / 255² ≈ 33 000 products exactly (checked where the kernel is chosen).
// B's panels hold i16 (activations widened at run time, x − zx) or the 8-bit weights themselves, widened by
// the load (v128.load8x8_s / _u), which halves the bytes a panel streams.
// The tile is then handed to the fused group's epilogue (group-epilogue.ts: i32x4 in, the output's dtype
// out) or stored as i32; a panel's columns past N (its zero padding) are not stored.
import type { DType } from '../../../compiler/ir/dtype.js';
import type { MatmulSchedule } from '../../schedule.js';
import { asType } from '../as-target.js';
import type { Epilogue } from './epilogue.js';
import { storeVector } from './group-epilogue.js';
import { elementBytes, type KernelContext } from './kernel.js';

/** How B's panels hold their values: i16, or 8-bit (i8 / u8) widened by the load. */
export type PanelElement = 'i16' | 'i8' | 'u8';

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** Bytes of one k-pair row of a panel of `width` columns. */
export function panelRowBytes(width: number, element: PanelElement): number {
  return width * 2 * (element === 'i16' ? 2 : 1);
}

function loadB(element: PanelElement, offset: number): string {
  if (element === 'i16') return `v128.load(bp, ${offset * 2})`;
  return `v128.load8x8_${element === 'i8' ? 's' : 'u'}(bp, ${offset})`;
}

/** The stores of a finished tile of `rows` rows at (i, j): whole vectors, or lane by lane past N. */
function tileStores(k: KernelContext, rows: number, vecs: number, out: DType, epi: Epilogue | undefined): string[] {
  const size = elementBytes(out);
  const addr = (r: number, col: string) => `cp${r} + <usize>(${col}) * ${size}`;
  const vector = (r: number, v: number) => {
    const at = addr(r, `${4 * v}`);
    return epi ? storeVector(k, out, at, epi.vector(`c${r}_${v}`, at)) : `v128.store(${at}, c${r}_${v});`;
  };
  const lane = (r: number, v: number, l: number) => {
    const at = addr(r, `${4 * v + l}`);
    const x = `i32x4.extract_lane(c${r}_${v}, ${l})`;
    return `if (j + ${4 * v + l} < N) store<${asType(out)}>(${at}, ${epi ? epi.scalar(x, at) : x});`;
  };
  return [
    ...repeat(rows, (r) => `const cp${r}: usize = c + <usize>((i + ${r}) * ldc + j) * ${size};`),
    `if (j + ${4 * vecs} <= N) {`,
    ...repeat(rows, (r) => `  ${repeat(vecs, (v) => vector(r, v)).join(' ')}`),
    '} else {',
    ...repeat(rows, (r) => repeat(vecs, (v) => repeat(4, (l) => `  ${lane(r, v, l)}`).join('\n')).join('\n')),
    '}',
  ];
}

/** A tile of `rows` rows × `vecs` vectors at (i, j) over every k-pair. */
function tile(k: KernelContext, rows: number, vecs: number, element: PanelElement, out: DType, epi: Epilogue | undefined): string {
  const rowBytes = panelRowBytes(4 * vecs, element);
  const step = [
    ...repeat(vecs, (v) => `const b${v} = ${loadB(element, 8 * v)};`),
    ...repeat(rows, (r) => `const a${r} = v128.load32_splat(ap, ${4 * r});`),
    ...repeat(rows, (r) => repeat(vecs, (v) => `c${r}_${v} = i32x4.add(c${r}_${v}, i32x4.dot_i16x8_s(a${r}, b${v}));`).join(' ')),
    `ap += ${4 * rows}; bp += ${rowBytes};`,
  ];
  return [
    '{',
    // Full tiles of A are K-major from the tile's first row (i·KP pairs in); single rows row-major (also i·KP).
    'let ap: usize = a + <usize>(i * KP) * 4;',
    `let bp: usize = b + <usize>(j * KP) * ${rowBytes / (4 * vecs)};`,
    ...repeat(rows, (r) => repeat(vecs, (v) => `let c${r}_${v} = i32x4.splat(0);`).join(' ')),
    'for (let kp: i32 = 0; kp < KP; kp++) {',
    ...step.map((s) => `  ${s}`),
    '}',
    ...tileStores(k, rows, vecs, out, epi),
    '}',
  ].join('\n');
}

/**
 * Calls the shared helper computing C[M × N] (row stride ldc elements, of the epilogue's output dtype, else
 * i32) = A·B over KP k-pairs, A at `a` (packPairRows for tileM), B at `b` (packPairPanels for 4·tileN columns).
 * Rows run in blocks of whole tiles whose pairs fit rowBlockBytes, panels inside, so that a block of A stays
 * in cache while every panel passes it.
 */
export function integerGemmCall(
  k: KernelContext, s: MatmulSchedule, element: PanelElement,
  g: { a: string; b: string; c: string; m: number; n: number | string; kp: number; ldc: number },
): string {
  const epi = k.epilogue;
  const out: DType = epi?.output ?? 'i32';
  const name = `igemm_m${s.tileM}n${s.tileN}_${element}_${epi ? epi.name : 'i32'}`;
  const helper = k.helper(name, () => `
function ${name}(a: usize, b: usize, c: usize, M: i32, N: i32, KP: i32, ldc: i32, mb: i32): void {
  for (let i0: i32 = 0; i0 < M; i0 += mb) {
    const i1: i32 = min(M, i0 + mb);
    for (let j: i32 = 0; j < N; j += ${4 * s.tileN}) {
      let i: i32 = i0;
      for (; i + ${s.tileM} <= i1; i += ${s.tileM}) ${tile(k, s.tileM, s.tileN, element, out, epi)}
      for (; i < i1; i++) ${tile(k, 1, s.tileN, element, out, epi)}
    }
  }
}
`);
  const mb = Math.max(s.tileM, Math.floor(s.rowBlockBytes / (4 * g.kp) / s.tileM) * s.tileM);
  return `${helper}(${g.a}, ${g.b}, ${g.c}, ${g.m}, ${g.n}, ${g.kp}, ${g.ldc}, ${mb});`;
}
