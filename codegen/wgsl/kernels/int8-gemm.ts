// The fast int8 kernels of WebGPU: conv_integer and matmul_integer over packed weights (int8-packing.ts) as
// an implicit GEMM, out[g·C_g + m, p] = Σ_q ⟨W[m, word q], X_g[word q, p]⟩ + corr[m], where each word holds
// four i8 operands and ⟨a, b⟩ is the i8×i8 dot product of two words — exact in i32.
//
// Two inner products, one module each, with identical bindings and workgroups:
//   - dot4I8Packed(a, b), WGSL's language feature `packed_4x8_integer_dot_product` (one instruction on GPUs
//     with integer dot products; the module opens with `requires`, so it fails loudly where it is absent);
//   - core WGSL: each word sign-extended to a vec4<i32> by shifts, then dot(vec4<i32>, vec4<i32>).
// The kernel's dispatch carries the core module as `code` and the dot4 one as `preferred`; the artifact ships
// both and the runtime picks per device (runtime/webgpu-executor.ts), never a CPU fallback.
//
// Large GEMMs are tiled as the f32 ones are (gemm-tiled.ts, the gpu conv/matmul schedule): a workgroup computes
// tileM channels × tileN positions, each thread threadM × threadN of them strided across the tile (so that
// neighbouring threads store neighbouring positions); per step tileK/4 words of weights and of packed
// activations are staged in workgroup memory. Small ones (fewer multiply-adds than the schedule's
// directBelow) and groups of few channels (depthwise) run one invocation per output element over the words.
import type { Value } from '../../../compiler/ir/graph.js';
import type { GpuMatmulSchedule } from '../../schedule.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { storageType, withHelpers } from '../wgsl-target.js';
import { packedInt8Gemm, type PackedInt8Gemm } from './int8-packing.js';
import { WGSL_LIMITS, type WgslDispatch, type WgslKernelContext } from './kernel.js';
import { finish, foldedGrid } from './module-bindings.js';
import { Bindings, perInvocation } from './shader.js';

/** The WGSL language feature the dot4 module needs. */
export const DOT4_FEATURE = 'packed_4x8_integer_dot_product';

/** How one variant turns a packed word into a register operand, and multiplies two operands. */
interface Product {
  type: string;
  operand(word: string): string;
  product(a: string, b: string): string;
  /** Module-scope text: a directive (first) or helpers. */
  header: string;
  globals: string;
}

const DOT4: Product = {
  type: 'u32',
  operand: (w) => w,
  product: (a, b) => `dot4I8Packed(${a}, ${b})`,
  header: `requires ${DOT4_FEATURE};`,
  globals: '',
};

/** Byte j of the word to lane j, sign-extended: shift it to the top, then arithmetic-shift it back down. */
const UNPACK: Product = {
  type: 'vec4<i32>',
  operand: (w) => `dlc_unpack4xi8(${w})`,
  product: (a, b) => `dot(${a}, ${b})`,
  header: '',
  globals: 'fn dlc_unpack4xi8(p: u32) -> vec4<i32> {\n  return (vec4<i32>(bitcast<i32>(p)) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u);\n}',
};

/** The bindings and module-scope functions both variants share. */
interface Frame {
  bs: Bindings;
  y: Value;
  weights: string;
  corrections: string;
  /** x_word(g, p, q): word q of position p's packed operands x − o in group g; out_index(g, m, p). */
  functions: string;
}

/** x_operand(g, p, k) = x − o at depth k of position p (zx − o in the padding), and out_index(g, m, p). */
function operandFunctions(gm: PackedInt8Gemm, x: string, y: Value): string {
  const xi = (e: string) => (storageType(gm.x.type.dtype) === 'i32' ? e : `i32(${e})`);
  const pad = gm.zeroPoint - gm.offset;
  if (!gm.conv) {
    const n = shapeOf(y)[shapeOf(y).length - 1];
    return [
      // Row p of A (batch · rows, contiguous: B is 2-D, so A alone carries the batch).
      `fn x_operand(g: u32, p: u32, k: u32) -> i32 { return ${xi(`${x}[p * ${gm.depth}u + k]`)} - ${gm.offset}; }`,
      `fn out_index(g: u32, m: u32, p: u32) -> u32 { return p * ${n}u + m; }`,
    ].join('\n');
  }
  const s = gm.conv;
  const { g } = s;
  const [od, oh, ow] = g.outDims;
  const [id, ih, iw] = g.inDims;
  const [kd, kh, kw] = g.kernel;
  const cPer = s.c / s.group;
  const axis = (name: string, j: number) => `  let ${name} = i32(o${name}) * ${g.strides[j]} - ${g.padBegin[j]} + i32(k${name}) * ${g.dilations[j]};`;
  return [
    'fn x_operand(g: u32, p: u32, k: u32) -> i32 {',
    `  let ow = p % ${ow}u;`,
    `  let oh = (p / ${ow}u) % ${oh}u;`,
    `  let od = (p / ${ow * oh}u) % ${od}u;`,
    `  let n = p / ${s.outPlane}u;`,
    `  let kw = k % ${kw}u;`,
    `  let kh = (k / ${kw}u) % ${kh}u;`,
    `  let kd = (k / ${kw * kh}u) % ${kd}u;`,
    `  let c = g * ${cPer}u + k / ${s.kVol}u;`,
    axis('d', 0), axis('h', 1), axis('w', 2),
    `  if (d < 0 || d >= ${id} || h < 0 || h >= ${ih} || w < 0 || w >= ${iw}) { return ${pad}; }`,
    `  return ${xi(`${x}[(n * ${s.c}u + c) * ${s.inPlane}u + (u32(d) * ${ih}u + u32(h)) * ${iw}u + u32(w)]`)} - ${gm.offset};`,
    '}',
    `fn out_index(g: u32, m: u32, p: u32) -> u32 { return ((p / ${s.outPlane}u) * ${s.m}u + g * ${gm.channelsPerGroup}u + m) * ${s.outPlane}u + p % ${s.outPlane}u; }`,
  ].join('\n');
}

/** x_word: four operands as i8 bytes (lane j in byte j); depths past K are 0. */
function xWordFunction(gm: PackedInt8Gemm): string {
  const lanes = [0, 1, 2, 3].map((j) => {
    const set = `word |= (bitcast<u32>(x_operand(g, p, k + ${j}u)) & 0xffu) << ${8 * j}u;`;
    return gm.depth % 4 === 0 ? `  ${set}` : `  if (k + ${j}u < ${gm.depth}u) { ${set} }`;
  });
  return ['fn x_word(g: u32, p: u32, q: u32) -> u32 {', '  let k = q * 4u;', '  var word = 0u;', ...lanes, '  return word;', '}'].join('\n');
}

function frame(k: WgslKernelContext, gm: PackedInt8Gemm): Frame {
  const y = k.output(0);
  const bs = new Bindings([y]);
  const x = bs.of(gm.x);
  const weights = bs.of(k.constant(gm.weights, 'i8x4'));
  const corrections = bs.of(k.constant(gm.corrections));
  return { bs, y, weights, corrections, functions: `${operandFunctions(gm, x, y)}\n${xWordFunction(gm)}` };
}

/** The store of `acc` (the exact Σ without corr) for channel m of group g at position p, through the epilogue. */
function storeLines(k: WgslKernelContext, f: Frame, gm: PackedInt8Gemm, acc: string, indent: string): string[] {
  const at = 'at';
  const sum = `${acc} + ${f.corrections}[g * ${gm.channelsPerGroup}u + m]`;
  return [`${indent}let ${at} = out_index(g, m, p);`, `${indent}${f.bs.of(f.y)}[${at}] = ${finish(k.epilogue, sum, at, f.bs)};`];
}

/** Both variants of one module, built by `module(product)` over the same bindings. */
function variants(module: (p: Product) => WgslDispatch): WgslDispatch {
  const core = module(UNPACK);
  const dot4 = module(DOT4);
  return { ...core, preferred: { code: dot4.code, requires: [DOT4_FEATURE] } };
}

/** One invocation per output element, looping over the packed words. */
function directKernel(k: WgslKernelContext, gm: PackedInt8Gemm): WgslDispatch {
  const f = frame(k, gm);
  return variants((pr) => {
    const count = sizeOfValue(f.y);
    const c = gm.channelsPerGroup;
    // Output element i → (g, m, p): conv outputs are [n, g·C_g + m, spatial], matmul outputs [p, m].
    const coords = gm.conv
      ? [`  let plane = ${gm.conv.outPlane}u;`, `  let gm = (i / plane) % ${gm.conv.m}u;`, `  let g = gm / ${c}u;`, `  let m = gm % ${c}u;`, `  let p = (i / (plane * ${gm.conv.m}u)) * plane + i % plane;`]
      : [`  let g = 0u;`, `  let m = i % ${c}u;`, `  let p = i / ${c}u;`];
    const body = [
      ...coords,
      '  var acc = 0;',
      `  for (var q = 0u; q < ${gm.words}u; q++) {`,
      `    acc += ${pr.product(pr.operand(`${f.weights}[(g * ${c}u + m) * ${gm.words}u + q]`), pr.operand('x_word(g, p, q)'))};`,
      '  }',
      ...storeLines(k, f, gm, 'acc', '  '),
    ].join('\n');
    const globals = [f.functions, pr.globals, f.bs.globals()].filter((t) => t).join('\n');
    const d = perInvocation({ bindings: f.bs.list, count, body, globals });
    return { ...d, code: pr.header ? `${pr.header}\n${d.code}` : d.code };
  });
}

/** The tiled GEMM (see the file's comment). */
function tiledKernel(k: WgslKernelContext, gm: PackedInt8Gemm, s: GpuMatmulSchedule): WgslDispatch {
  const [tm, tn, tkw] = [s.tileM, s.tileN, s.tileK / 4];
  const [tx, ty] = [tn / s.threadN, tm / s.threadM];
  const threads = tx * ty;
  const c = gm.channelsPerGroup;
  const channelTiles = Math.ceil(c / tm);
  const positionTiles = Math.ceil(gm.positions / tn);
  const [fx, fy] = foldedGrid(positionTiles);
  const is = [...Array(s.threadM).keys()];
  const js = [...Array(s.threadN).keys()];
  const f = frame(k, gm);
  return variants((pr) => {
    const acc = (i: number, j: number) => `acc_${i}_${j}`;
    const stores = is.flatMap((i) => js.flatMap((j) => [
      `  { let m = m0 + ty + ${i * ty}u; let p = p0 + tx + ${j * tx}u;`,
      `    if (m < ${c}u && p < ${gm.positions}u) {`,
      ...storeLines(k, f, gm, acc(i, j), '      '),
      '    } }',
    ]));
    const body = [
      `  let tile = wid.y * ${fx}u + wid.x;`,
      `  if (tile >= ${positionTiles}u) { return; }`,
      `  let g = wid.z / ${channelTiles}u;`,
      `  let m0 = (wid.z % ${channelTiles}u) * ${tm}u;`,
      `  let p0 = tile * ${tn}u;`,
      `  let tx = lid % ${tx}u;`,
      `  let ty = lid / ${tx}u;`,
      ...is.flatMap((i) => js.map((j) => `  var ${acc(i, j)} = 0;`)),
      `  for (var q0 = 0u; q0 < ${gm.words}u; q0 += ${tkw}u) {`,
      // Stage tileM × tileK/4 weight words ([channel][word]) and tileK/4 × tileN activation words ([word][position]).
      `    for (var e = lid; e < ${tm * tkw}u; e += ${threads}u) {`,
      `      let m = m0 + e / ${tkw}u;`,
      `      let q = q0 + e % ${tkw}u;`,
      '      var word = 0u;',
      `      if (m < ${c}u && q < ${gm.words}u) { word = ${f.weights}[(g * ${c}u + m) * ${gm.words}u + q]; }`,
      '      ws[e] = word;',
      '    }',
      `    for (var e = lid; e < ${tkw * tn}u; e += ${threads}u) {`,
      `      let q = q0 + e / ${tn}u;`,
      `      let p = p0 + e % ${tn}u;`,
      '      var word = 0u;',
      `      if (q < ${gm.words}u && p < ${gm.positions}u) { word = x_word(g, p, q); }`,
      '      xs[e] = word;',
      '    }',
      '    workgroupBarrier();',
      `    for (var w = 0u; w < ${tkw}u; w++) {`,
      ...is.map((i) => `      let a${i} = ${pr.operand(`ws[(ty + ${i * ty}u) * ${tkw}u + w]`)};`),
      ...js.map((j) => `      let b${j} = ${pr.operand(`xs[w * ${tn}u + tx + ${j * tx}u]`)};`),
      ...is.flatMap((i) => js.map((j) => `      ${acc(i, j)} += ${pr.product(`a${i}`, `b${j}`)};`)),
      '    }',
      '    workgroupBarrier();',
      '  }',
      ...stores,
    ].join('\n');
    const code = [
      pr.header,
      f.bs.list.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> b${i}: array<${storageType(b.value.type.dtype)}>;`).join('\n'),
      `var<workgroup> ws: array<u32, ${tm * tkw}>;`,
      `var<workgroup> xs: array<u32, ${tkw * tn}>;`,
      f.functions,
      pr.globals,
      f.bs.globals(),
      `@compute @workgroup_size(${threads})`,
      'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
      body,
      '}',
    ].filter((t) => t).join('\n');
    // Helpers go after the `requires` directive, which must open the module.
    const text = pr.header ? `${pr.header}\n${withHelpers(code.slice(pr.header.length + 1))}` : withHelpers(code);
    return { code: text, bindings: f.bs.list, workgroups: [fx, fy, gm.groups * channelTiles] };
  });
}

/**
 * The packed kernel of a conv_integer or matmul_integer, or undefined when its operands are not of the packed
 * form (int8-packing.ts): the direct kernels (integer.ts) compute those.
 */
export function packedInt8Kernel(k: WgslKernelContext): WgslDispatch[] | undefined {
  const gm = packedInt8Gemm(k);
  if (!gm) return undefined;
  if (sizeOfValue(k.output(0)) === 0) return [];
  const s = k.node.op === 'conv_integer' ? k.schedules.gpu.conv : k.schedules.gpu.matmul;
  const macs = gm.groups * gm.channelsPerGroup * gm.positions * gm.depth;
  const channelTiles = gm.groups * Math.ceil(gm.channelsPerGroup / s.tileM);
  // Depthwise-like groups would leave most of a tile's channel rows idle: one invocation per element instead.
  const tiled = macs >= s.directBelow && gm.channelsPerGroup >= s.threadM && channelTiles <= WGSL_LIMITS.workgroupsPerDimension;
  return [tiled ? tiledKernel(k, gm, s) : directKernel(k, gm)];
}
