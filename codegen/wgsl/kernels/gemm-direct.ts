// The untiled GEMM for small products (below the schedule's directBelow).
import { withHelpers } from '../wgsl-target.js';
import type { GemmSpec } from './gemm.js';
import type { WgslDispatch } from './kernel.js';
import { foldedGrid, ModuleBindings } from './module-bindings.js';

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
export function directGemm(g: GemmSpec): WgslDispatch {
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
