// Winograd F(2×2, 3×3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015)
// for 3×3, stride 1, dilation 1, ungrouped 2-D convs. Each 2×2 output tile comes from a 4×4 input tile d:
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
// so that per tile and channel pair 16 multiplies replace 36 (2.25× fewer). Summing over input channels inside
// the brackets turns the 16 element-wise products into 16 independent GEMMs, M_ξ = U_ξ · V_ξ for ξ = (i, j) of
// the 4×4 transform domain: U_ξ [K × C] the transformed weights, V_ξ [C × tiles] the transformed input.
//
// The kernel, per image:
//   pad     copies the input into a zero-bordered scratch of (2·tilesH + 2) × (2·tilesW + 2) per channel, so
//           that every tile (ragged ones included) reads in bounds without checks;
// then per block of `winogradTiles` tiles (tiles numbered row-major over the output), which keeps V and M in
// cache and is the unit that threads can later split (each block needs only its own V and M):
//   input   V_ξ[c, t] = (Bᵀ d_{c,t} B)_ξ, four tiles at a time in the four f32x4 lanes (the tiles of one tile
//           row are two columns apart: their 4×4 windows come from four loads and even/odd shuffles);
//   gemm    M_ξ = U_ξ · V_ξ on the shared register-tiled GEMM (gemm.ts), U_ξ packed at compile time;
//   output  Y = Aᵀ M A + bias, four tiles at a time, interleaved back into output rows and stored through the
//           fused epilogue (activation, residual, ...) like the GEMM's own stores. Tiles past a ragged right or
//           bottom edge store only their valid elements.
// U = G g Gᵀ is computed at compile time for constant weights (16 numbers per 3×3 filter: 16/9 the weight
// bytes), and at run time into scratch otherwise.
import type { Value } from '../../../compiler/ir/graph.js';
import { Tensor } from '../../../compiler/ir/tensor.js';
import type { ConvShape } from '../../window-geometry.js';
import { GemmInit, gemmCall, packRowTiles } from './gemm.js';
import type { KernelContext } from './kernel.js';
import { isThreaded, onThreadZero, threadBarrier, threadShare } from './threads.js';

/** Whether the conv is one Winograd F(2×2, 3×3) computes: 2-D, 3×3, stride 1, dilation 1, one group. */
export function winogradApplies(s: ConvShape): boolean {
  const { kernel, strides, dilations, padBegin, padEnd, inDims } = s.g;
  return s.group === 1 && inDims[0] === 1 && padBegin[0] === 0 && padEnd[0] === 0 &&
    kernel[0] === 1 && kernel[1] === 3 && kernel[2] === 3 && strides.every((v) => v === 1) && dilations.every((v) => v === 1);
}

/** G, the 4×3 weight transform. */
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];

/**
 * U_ξ[k, c] = (G g_{k,c} Gᵀ)_ξ for weights [K, C, 3, 3]: the result is [16, K, C], ξ = 4·i + j. The transform is
 * done in f64 and rounded once, so U is as exact as f32 allows.
 */
export function winogradWeights(w: ArrayLike<number>, kOut: number, cIn: number): Float32Array {
  const u = new Float32Array(16 * kOut * cIn);
  const gg = [0, 0, 0, 0].map(() => [0, 0, 0]);
  for (let k = 0; k < kOut; k++) {
    for (let c = 0; c < cIn; c++) {
      const g = (r: number, q: number) => w[((k * cIn + c) * 3 + r) * 3 + q];
      for (let i = 0; i < 4; i++) for (let q = 0; q < 3; q++) gg[i][q] = G[i][0] * g(0, q) + G[i][1] * g(1, q) + G[i][2] * g(2, q);
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) u[((i * 4 + j) * kOut + k) * cIn + c] = gg[i][0] * G[j][0] + gg[i][1] * G[j][1] + gg[i][2] * G[j][2];
      }
    }
  }
  return u;
}

/** The 16 names d00…d33 (or another prefix) of a 4×4 block of vectors, row-major. */
const names = (prefix: string) => Array.from({ length: 16 }, (_, e) => `${prefix}${e >> 2}${e & 3}`);

/**
 * Bᵀ d B, with Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]: rows first (t = Bᵀ d), then columns (v = t B).
 * Reads d00…d33, defines v00…v33.
 */
function inputTransform(): string[] {
  const rows = (out: string, a: (i: number) => string) => [
    `const ${out}0 = f32x4.sub(${a(0)}, ${a(2)});`,
    `const ${out}1 = f32x4.add(${a(1)}, ${a(2)});`,
    `const ${out}2 = f32x4.sub(${a(2)}, ${a(1)});`,
    `const ${out}3 = f32x4.sub(${a(1)}, ${a(3)});`,
  ];
  const lines: string[] = [];
  // t_ij = (Bᵀ d)_ij over the rows i of column j.
  for (let j = 0; j < 4; j++) lines.push(...rows(`t${j}_`, (i) => `d${i}${j}`).map((l) => l.replace(/const t(\d)_(\d)/, 'const t$2$1')));
  // v_ij = (t B)_ij over the columns j of row i.
  for (let i = 0; i < 4; i++) lines.push(...rows(`v${i}`, (j) => `t${i}${j}`));
  return lines;
}

/**
 * Aᵀ m A + bias, with Aᵀ = [1 1 1 0; 0 1 −1 −1]: reads m00…m33 and bv, defines y00, y01, y10, y11.
 */
function outputTransform(): string[] {
  const lines: string[] = [];
  for (let j = 0; j < 4; j++) {
    lines.push(`const s0${j} = f32x4.add(f32x4.add(m0${j}, m1${j}), m2${j});`, `const s1${j} = f32x4.sub(f32x4.sub(m1${j}, m2${j}), m3${j});`);
  }
  for (let i = 0; i < 2; i++) {
    lines.push(
      `const y${i}0 = f32x4.add(f32x4.add(f32x4.add(s${i}0, s${i}1), s${i}2), bv);`,
      `const y${i}1 = f32x4.add(f32x4.sub(f32x4.sub(s${i}1, s${i}2), s${i}3), bv);`,
    );
  }
  return lines;
}

const indent = (lines: string[], by: string) => lines.map((l) => `${by}${l}`);

export function winogradConv(k: KernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape): string {
  const [, iH, iW] = s.g.inDims;
  const [, oH, oW] = s.g.outDims;
  const [, pT, pL] = s.g.padBegin;
  const [C, K] = [s.c, s.m];
  const [tilesH, tilesW] = [Math.ceil(oH / 2), Math.ceil(oW / 2)];
  const tiles = tilesH * tilesW;
  const [Hp, Wp] = [2 * tilesH + 2, 2 * tilesW + 2];
  // Tiles per block: the schedule's, a multiple of four (the lanes), no more than the image has (rounded up).
  const nb = Math.min(k.schedules.conv.winogradTiles, Math.ceil(tiles / 4) * 4);
  const sched = k.schedules.conv.gemm;
  const epi = k.epilogue;

  const code: string[] = [];
  const constant = k.constantOf(w);
  let u: string;
  if (constant) {
    const raw = winogradWeights(constant.data, K, C);
    const packed = new Float32Array(16 * K * C);
    for (let xi = 0; xi < 16; xi++) packed.set(packRowTiles(raw.subarray(xi * K * C, (xi + 1) * K * C), K, C, sched.tileM), xi * K * C);
    u = k.constant(new Tensor('f32', [16 * K, C], packed));
  } else {
    u = k.scratch(16 * K * C * 4);
    const transform = runTimeWeightTransform(k.ptr(w), u, K, C);
    code.push(isThreaded(k) ? onThreadZero(k, transform) : transform);
  }
  // In a threaded module the blocks of tiles are split across threads: the padded input is shared (each thread
  // copies its share of channels in), V, M and the staging area are per thread (`threads` copies, the compiled
  // maximum, indexed by tid).
  const threaded = isThreaded(k);
  const copies = threaded ? k.threads : 1;
  const pad = k.scratch(C * Hp * Wp * 4);
  const [vBytes, mBytes, stageBytes] = [16 * C * nb * 4, 16 * K * nb * 4, 16 * 4 * 4];
  const own = (base: string, bytes: number) => (threaded ? `(${base} + <usize>(tid * ${bytes}))` : base);
  const v = own(k.scratch(vBytes * copies), vBytes);
  const m = own(k.scratch(mBytes * copies), mBytes);
  const stage = own(k.scratch(stageBytes * copies), stageBytes);

  // Loads of the 4×4 windows of four tiles, one tile row: window row i of tile l starts 2l columns after tile 0's.
  const fastLoads: string[] = [];
  for (let i = 0; i < 4; i++) {
    const at = `r + ${i * Wp * 4}`;
    fastLoads.push(
      `const a${i} = v128.load(${at}); const b${i} = v128.load(${at}, 16); const c${i} = v128.load(${at}, 8); const e${i} = v128.load(${at}, 24);`,
      `d${i}0 = v128.shuffle<f32>(a${i}, b${i}, 0, 2, 4, 6); d${i}1 = v128.shuffle<f32>(a${i}, b${i}, 1, 3, 5, 7);`,
      `d${i}2 = v128.shuffle<f32>(c${i}, e${i}, 0, 2, 4, 6); d${i}3 = v128.shuffle<f32>(c${i}, e${i}, 1, 3, 5, 7);`,
    );
  }
  const inputBlock = [
    `for (let c: i32 = 0; c < ${C}; c++) {`,
    `  const plane: usize = ${pad} + <usize>(c * ${Hp * Wp * 4});`,
    `  const vc: usize = ${v} + <usize>(c * ${nb * 4});`,
    '  for (let g: i32 = 0; g < groups; g++) {',
    '    const p = p0 + g * 4;',
    `    const tw = p % ${tilesW};`,
    `    let ${names('d').map((d) => `${d}: v128`).join(', ')};`,
    `    if (tw + 4 <= ${tilesW}) {`,
    `      const r: usize = plane + <usize>(((p / ${tilesW}) * ${2 * Wp} + tw * 2) * 4);`,
    ...indent(fastLoads, '      '),
    '    } else {',
    // Tiles in different rows (or past the last tile, which then repeats): stage the windows lane by lane.
    '      for (let l: i32 = 0; l < 4; l++) {',
    `        const q = min(p + l, ${tiles - 1});`,
    `        const r: usize = plane + <usize>(((q / ${tilesW}) * ${2 * Wp} + (q % ${tilesW}) * 2) * 4);`,
    `        for (let e: i32 = 0; e < 16; e++) store<f32>(${stage} + <usize>((e * 4 + l) * 4), load<f32>(r + <usize>(((e >> 2) * ${Wp} + (e & 3)) * 4)));`,
    '      }',
    ...names('d').map((d, e) => `      ${d} = v128.load(${stage}, ${e * 16});`),
    '    }',
    ...indent(inputTransform(), '    '),
    ...names('v').map((vv, xi) => `    v128.store(vc + <usize>(g * 16), ${vv}, ${xi * C * nb * 4});`),
    '  }',
    '}',
  ];

  const store = (val: string, at: string) => `v128.store(${at}, ${epi ? epi.vector(val, at) : val});`;
  const outputRows = [0, 1].flatMap((i) => {
    const row = i === 0 ? 'o' : `o + ${oW * 4}`;
    const lines = [
      `{ const lo = v128.shuffle<f32>(y${i}0, y${i}1, 0, 4, 1, 5); const hi = v128.shuffle<f32>(y${i}0, y${i}1, 2, 6, 3, 7);`,
      `  ${store('lo', row)} ${store('hi', `${row} + 16`)} }`,
    ];
    return i === 0 ? lines : [`if (th * 2 + 1 < ${oH}) {`, ...indent(lines, '  '), '}'];
  });
  const scalarStore = (val: string, at: string) => `store<f32>(${at}, ${epi ? epi.scalar(val, at) : val});`;
  const outputBlock = [
    `for (let ko: i32 = 0; ko < ${K}; ko++) {`,
    `  const bv = ${bias ? `v128.load32_splat(${k.ptr(bias)} + <usize>(ko * 4))` : 'f32x4.splat(0)'};`,
    `  const yk: usize = yb + <usize>(ko * ${oH * oW * 4});`,
    `  const mk: usize = ${m} + <usize>(ko * ${nb * 4});`,
    '  for (let g: i32 = 0; g < groups; g++) {',
    ...names('m').map((mm, xi) => `    const ${mm} = v128.load(mk + <usize>(g * 16), ${xi * K * nb * 4});`),
    ...indent(outputTransform(), '    '),
    '    const p = p0 + g * 4;',
    `    const th = p / ${tilesW};`,
    `    const tw = p % ${tilesW};`,
    // Four whole tiles of one row: two rows of eight consecutive outputs (the second unless it is past the bottom).
    `    if (tw * 2 + 8 <= ${oW}) {`,
    `      const o: usize = yk + <usize>((th * ${2 * oW} + tw * 2) * 4);`,
    ...indent(outputRows, '      '),
    '    } else {',
    `      v128.store(${stage}, y00); v128.store(${stage}, y01, 16); v128.store(${stage}, y10, 32); v128.store(${stage}, y11, 48);`,
    `      for (let l: i32 = 0; l < min(4, ${tiles} - p); l++) {`,
    `        const oh = ((p + l) / ${tilesW}) * 2;`,
    `        const ow = ((p + l) % ${tilesW}) * 2;`,
    '        for (let e: i32 = 0; e < 4; e++) {',
    `          if (oh + (e >> 1) >= ${oH} || ow + (e & 1) >= ${oW}) continue;`,
    `          const at: usize = yk + <usize>(((oh + (e >> 1)) * ${oW} + ow + (e & 1)) * 4);`,
    `          const val = load<f32>(${stage} + <usize>((e * 4 + l) * 4));`,
    `          ${scalarStore('val', 'at')}`,
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
  ];

  const gemm = gemmCall(k, sched, {
    a: `${u} + <usize>(xi * ${K * C * 4})`, b: `${v} + <usize>(xi * ${C * nb * 4})`, c: `${m} + <usize>(xi * ${K * nb * 4})`,
    m: K, n: 'groups * 4', k: C, lda: C, ldb: nb, ldc: nb, init: GemmInit.Zero, packedA: constant !== undefined,
  });
  const blocks = Math.ceil(tiles / nb);
  // Per image: the interior of the padded input (by channel), then the blocks of tiles; threads split both and
  // meet at a barrier in between, and again before the next image overwrites the padded input.
  const copyRows = (c0: string, c1: string) => [
    `  for (let c: i32 = ${c0}; c < ${c1}; c++) for (let h: i32 = 0; h < ${iH}; h++) {`,
    `    memory.copy(${pad} + <usize>(((c * ${Hp} + h + ${pT}) * ${Wp} + ${pL}) * 4), xb + <usize>((c * ${iH} + h) * ${iW * 4}), ${iW * 4});`,
    '  }',
  ];
  const fill = `memory.fill(${pad}, 0, ${C * Hp * Wp * 4});`;
  code.push(
    threaded ? onThreadZero(k, fill) : fill,
    `for (let b: i32 = 0; b < ${s.n}; b++) {`,
    `  const xb: usize = ${k.ptr(x)} + <usize>(b * ${C * iH * iW * 4});`,
    `  const yb: usize = ${k.ptr(y)} + <usize>(b * ${K * oH * oW * 4});`,
    // The border stays zero from the fill; each image overwrites the interior.
    ...(threaded ? [...indent(threadShare(k, 'ch', C).split('\n'), '  '), ...copyRows('chLo', 'chHi'), `  ${threadBarrier(k)}`] : copyRows('0', `${C}`)),
    ...(threaded ? indent(threadShare(k, 'blk', blocks).split('\n'), '  ') : []),
    threaded ? `  for (let p0: i32 = blkLo * ${nb}; p0 < blkHi * ${nb}; p0 += ${nb}) {` : `  for (let p0: i32 = 0; p0 < ${tiles}; p0 += ${nb}) {`,
    `    const groups: i32 = (min(${nb}, ${tiles} - p0) + 3) >> 2;`,
    ...indent(inputBlock, '    '),
    `    for (let xi: i32 = 0; xi < 16; xi++) ${gemm}`,
    ...indent(outputBlock, '    '),
    '  }',
    ...(threaded ? [`  ${threadBarrier(k)}`] : []),
    '}',
  );
  return code.join('\n');
}

/** U = G g Gᵀ at run time, for weights that are not constants: [16, K, C] row-major into `u`. */
function runTimeWeightTransform(w: string, u: string, kOut: number, cIn: number): string {
  const g = (r: number, q: number) => `load<f32>(gp, ${(r * 3 + q) * 4})`;
  const lines = [
    `for (let kc: i32 = 0; kc < ${kOut * cIn}; kc++) {`,
    `  const gp: usize = ${w} + <usize>(kc * 36);`,
    // Gg: row i of G applied down each column q of g.
    ...[0, 1, 2].flatMap((q) => [
      `  const r0${q}: f32 = ${g(0, q)};`,
      `  const r1${q}: f32 = (${g(0, q)} + ${g(1, q)} + ${g(2, q)}) * 0.5;`,
      `  const r2${q}: f32 = (${g(0, q)} - ${g(1, q)} + ${g(2, q)}) * 0.5;`,
      `  const r3${q}: f32 = ${g(2, q)};`,
    ]),
  ];
  for (let i = 0; i < 4; i++) {
    const cols = [`r${i}0`, `(r${i}0 + r${i}1 + r${i}2) * 0.5`, `(r${i}0 - r${i}1 + r${i}2) * 0.5`, `r${i}2`];
    cols.forEach((val, j) => lines.push(`  store<f32>(${u} + <usize>(kc * 4), ${val}, ${(i * 4 + j) * kOut * cIn * 4});`));
  }
  lines.push('}');
  return lines.join('\n');
}
