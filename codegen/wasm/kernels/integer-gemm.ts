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
import { createHash } from 'node:crypto';
import type { AffineEpilogue } from './affine-epilogue.js';
import type { Epilogue } from './epilogue.js';
import { storeVector } from './group-epilogue.js';
import { elementBytes, type KernelContext } from './kernel.js';

/** How B's panels hold their values: i16, or 8-bit (i8 / u8) widened by the load. */
export type PanelElement = 'i16' | 'i8' | 'u8';

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** Names a closed-form epilogue after its rendering (its constants live in memory, not in the code). */
function affineName(f: AffineEpilogue): string {
  const text = `${f.vector('A', 'S', 'B')}|${f.scalar('A', 'S', 'B')}`;
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Bytes of one k-pair row of a panel of `width` columns. */
export function panelRowBytes(width: number, element: PanelElement): number {
  return width * 2 * (element === 'i16' ? 2 : 1);
}

function loadB(element: PanelElement, offset: number): string {
  if (element === 'i16') return `v128.load(bp, ${offset * 2})`;
  return `v128.load8x8_${element === 'i8' ? 's' : 'u'}(bp, ${offset})`;
}

/**
 * The per-channel constants of a closed-form epilogue (affine-epilogue.ts) at `scale` and `bias` (f32 arrays),
 * indexed by the GEMM's row (conv: a row is an output channel) or column (matmul: padded to whole panels).
 */
export interface GemmChannels {
  along: 'rows' | 'columns';
  scale: string;
  bias: string;
}

/** How a finished tile reaches memory: through the closed form with per-channel constants, the group's epilogue, or as i32. */
interface TileStore {
  out: DType;
  epi?: Epilogue;
  channels?: GemmChannels['along'];
}

/** The stores of a finished tile of `rows` rows at (i, j): whole vectors, or lane by lane past N. */
function tileStores(k: KernelContext, rows: number, vecs: number, st: TileStore): string[] {
  const { out, epi } = st;
  const affine = st.channels ? epi!.affine! : undefined;
  const size = elementBytes(out);
  const addr = (r: number, col: string) => `cp${r} + <usize>(${col}) * ${size}`;
  // The closed form's scale and bias: one splat per row (a row is a channel), or one vector per column vector.
  const hoisted = !affine ? [] : st.channels === 'rows'
    ? repeat(rows, (r) => `const sa${r} = v128.load32_splat(sa + <usize>(i + ${r}) * 4); const sb${r} = v128.load32_splat(sb + <usize>(i + ${r}) * 4);`)
    : repeat(vecs, (v) => `const sa${v} = v128.load(sa + <usize>(j + ${4 * v}) * 4); const sb${v} = v128.load(sb + <usize>(j + ${4 * v}) * 4);`);
  const constant = (name: string, r: number, v: number, l?: number) => {
    if (l === undefined) return `${name}${st.channels === 'rows' ? r : v}`;
    const index = st.channels === 'rows' ? `i + ${r}` : `j + ${4 * v + l}`;
    return `load<f32>(${name} + <usize>(${index}) * 4)`;
  };
  const vector = (r: number, v: number) => {
    const at = addr(r, `${4 * v}`);
    if (affine) return `v128.store(${at}, ${affine.vector(`c${r}_${v}`, constant('sa', r, v), constant('sb', r, v))});`;
    return epi ? storeVector(k, out, at, epi.vector(`c${r}_${v}`, at)) : `v128.store(${at}, c${r}_${v});`;
  };
  // The closed form's 8-bit values (i32x4 lanes in range): two vectors narrowed together into 8 bytes, an odd last one into 4.
  const byteStores = (r: number) => repeat(Math.ceil(vecs / 2), (h) => {
    const [v0, v1] = [2 * h, 2 * h + 1];
    const value = (v: number) => (v < vecs ? affine!.vector(`c${r}_${v}`, constant('sa', r, v), constant('sb', r, v)) : 'i32x4.splat(0)');
    const narrow = `i8x16.narrow_i16x8_${out === 'u8' ? 'u' : 's'}(h, h)`;
    const store = v1 < vecs ? `v128.store64_lane(${addr(r, `${4 * v0}`)}, ${narrow}, 0);` : `v128.store32_lane(${addr(r, `${4 * v0}`)}, ${narrow}, 0);`;
    return `{ const h = i16x8.narrow_i32x4_s(${value(v0)}, ${value(v1)}); ${store} }`;
  }).join(' ');
  const rowStores = (r: number) => (affine && out !== 'f32' ? byteStores(r) : repeat(vecs, (v) => vector(r, v)).join(' '));
  const lane = (r: number, v: number, l: number) => {
    const at = addr(r, `${4 * v + l}`);
    const x = `i32x4.extract_lane(c${r}_${v}, ${l})`;
    const value = affine ? affine.scalar(x, constant('sa', r, v, l), constant('sb', r, v, l)) : epi ? epi.scalar(x, at) : x;
    return `if (j + ${4 * v + l} < N) store<${asType(out)}>(${at}, ${value});`;
  };
  return [
    ...repeat(rows, (r) => `const cp${r}: usize = c + <usize>((i + ${r}) * ldc + j) * ${size};`),
    `if (j + ${4 * vecs} <= N) {`,
    ...hoisted.map((h) => `  ${h}`),
    ...repeat(rows, (r) => `  ${rowStores(r)}`),
    '} else {',
    ...repeat(rows, (r) => repeat(vecs, (v) => repeat(4, (l) => `  ${lane(r, v, l)}`).join('\n')).join('\n')),
    '}',
  ];
}

/** A tile of `rows` rows × `vecs` vectors at (i, j) over every k-pair. */
function tile(k: KernelContext, rows: number, vecs: number, element: PanelElement, st: TileStore): string {
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
    ...tileStores(k, rows, vecs, st),
    '}',
  ].join('\n');
}

/**
 * Calls the shared helper computing C[M × N] (row stride ldc elements, of the epilogue's output dtype, else
 * i32) = A·B over KP k-pairs, A at `a` (packPairRows for tileM), B at `b` (packPairPanels for 4·tileN columns).
 * Rows run in blocks of whole tiles whose pairs fit rowBlockBytes, panels inside, so that a block of A stays
 * in cache while every panel passes it. With `channels`, the epilogue's closed form stores the tiles.
 */
export function integerGemmCall(
  k: KernelContext, s: MatmulSchedule, element: PanelElement,
  g: { a: string; b: string; c: string; m: number; n: number | string; kp: number; ldc: number; channels?: GemmChannels },
): string {
  const epi = k.epilogue;
  const st: TileStore = { out: epi?.output ?? 'i32', epi, channels: epi?.affine ? g.channels?.along : undefined };
  const form = st.channels ? `${st.channels}_${affineName(epi!.affine!)}` : epi ? epi.name : 'i32';
  const name = `igemm_m${s.tileM}n${s.tileN}_${element}_${form}`;
  const helper = k.helper(name, () => `
function ${name}(a: usize, b: usize, c: usize, M: i32, N: i32, KP: i32, ldc: i32, mb: i32, sa: usize, sb: usize): void {
  for (let i0: i32 = 0; i0 < M; i0 += mb) {
    const i1: i32 = min(M, i0 + mb);
    for (let j: i32 = 0; j < N; j += ${4 * s.tileN}) {
      let i: i32 = i0;
      for (; i + ${s.tileM} <= i1; i += ${s.tileM}) ${tile(k, s.tileM, s.tileN, element, st)}
      for (; i < i1; i++) ${tile(k, 1, s.tileN, element, st)}
    }
  }
}
`);
  const mb = Math.max(s.tileM, Math.floor(s.rowBlockBytes / (4 * g.kp) / s.tileM) * s.tileM);
  const [sa, sb] = st.channels ? [g.channels!.scale, g.channels!.bias] : ['0', '0'];
  return `${helper}(${g.a}, ${g.b}, ${g.c}, ${g.m}, ${g.n}, ${g.kp}, ${g.ldc}, ${mb}, ${sa}, ${sb});`;
}
