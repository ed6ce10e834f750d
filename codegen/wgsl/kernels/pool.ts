// Pools on WebGPU: max and average over 1-D to 3-D windows (lifted to 3-D), one invocation per output element;
// the global pools, one workgroup per (batch, channel) plane reducing in workgroup memory.
import { attrInt } from '../../../compiler/ops/util.js';
import { poolGeometry } from '../../window-geometry.js';
import { shapeOf } from '../../shapes.js';
import { wgslLiteral, withHelpers } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { foldedGrid, ModuleBindings, requireF32 } from './module-bindings.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

export function poolKernel(k: WgslKernelContext): WgslDispatch[] {
  requireF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const g = poolGeometry(k.node, xs, (detail) => unsupported(k.node, detail));
  const isMax = k.node.op === 'max_pool';
  const countPad = !isMax && attrInt(k.node.attrs, 'count_include_pad') !== 0;
  const inPlane = g.inDims.reduce((p, d) => p * d, 1);
  const outPlane = g.outDims.reduce((p, d) => p * d, 1);
  const count = xs[0] * xs[1] * outPlane;
  if (count === 0) return [];
  const b = new Bindings([y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const [oH, oW] = [g.outDims[1], g.outDims[2]];
  const loops: string[] = [];
  const close: string[] = [];
  // Average divides by the taps inside the input, or with count_include_pad by those inside the padded input
  // (a ceil_mode window may reach past the end padding).
  ['d', 'h', 'w'].forEach((a, d) => {
    loops.push(
      `for (var k${a} = 0; k${a} < ${g.kernel[d]}; k${a}++) {`,
      `  let i${a} = o${a} * ${g.strides[d]} - ${g.padBegin[d]} + k${a} * ${g.dilations[d]};`,
      `  if (i${a} >= ${g.inDims[d] + g.padEnd[d]}) { break; }`,
    );
    close.push('}');
  });
  const inside = `id >= 0 && id < ${g.inDims[0]} && ih >= 0 && ih < ${g.inDims[1]} && iw >= 0 && iw < ${g.inDims[2]}`;
  const body = [
    `let plane = i / ${outPlane}u;`,
    `let o = i32(i % ${outPlane}u);`,
    `let od = o / ${oH * oW}; let oh = (o / ${oW}) % ${oH}; let ow = o % ${oW};`,
    `var acc = ${isMax ? wgslLiteral(-Infinity, 'f32') : '0.0f'};`,
    'var inCount = 0;',
    'var padCount = 0;',
    ...loops,
    '  padCount++;',
    `  if (${inside}) {`,
    `    let v = ${xb}[plane * ${inPlane}u + u32((id * ${g.inDims[1]} + ih) * ${g.inDims[2]} + iw)];`,
    `    ${isMax ? 'acc = dlc_max(acc, v);' : 'acc += v;'}`,
    '    inCount++;',
    '  }',
    ...close,
    `${yb}[i] = ${isMax ? 'acc' : `acc / f32(${countPad ? 'padCount' : 'inCount'})`};`,
  ];
  return [perInvocation({ bindings: b.list, count, body: body.map((l) => `  ${l}`).join('\n') })];
}

const POOL_THREADS = 64;

/** One workgroup per plane: each thread folds a strided share of the plane, then a tree over the threads. */
export function globalPoolKernel(k: WgslKernelContext): WgslDispatch[] {
  requireF32(k);
  const [x, y] = [k.input(0), k.output(0)];
  const xs = shapeOf(x);
  const planes = xs[0] * xs[1];
  const plane = xs.slice(2).reduce((p, d) => p * d, 1);
  if (planes === 0) return [];
  const isMax = k.node.op === 'global_max_pool';
  const mb = new ModuleBindings();
  const [xb, yb] = [mb.bind(x), mb.bind(y, 'read_write')];
  const combine = (a: string, v: string) => (isMax ? `${a} = dlc_max(${a}, ${v});` : `${a} += ${v};`);
  const [gx, gy] = foldedGrid(planes);
  const code = [
    mb.declarations(),
    `var<workgroup> part: array<f32, ${POOL_THREADS}>;`,
    `@compute @workgroup_size(${POOL_THREADS})`,
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
    `  let p = wid.y * ${gx}u + wid.x;`,
    `  if (p >= ${planes}u) { return; }`,
    `  var acc = ${isMax ? wgslLiteral(-Infinity, 'f32') : '0.0f'};`,
    `  for (var e = lid; e < ${plane}u; e += ${POOL_THREADS}u) { ${combine('acc', `${xb}[p * ${plane}u + e]`)} }`,
    '  part[lid] = acc;',
    '  workgroupBarrier();',
    `  for (var half = ${POOL_THREADS / 2}u; half > 0u; half /= 2u) {`,
    `    if (lid < half) { ${combine('part[lid]', 'part[lid + half]')} }`,
    '    workgroupBarrier();',
    '  }',
    `  if (lid == 0u) { ${yb}[p] = ${isMax ? 'part[0]' : `part[0] / ${plane}.0f`}; }`,
    '}',
  ].join('\n');
  return [{ code: withHelpers(code), bindings: mb.list, workgroups: [gx, gy, 1] }];
}
