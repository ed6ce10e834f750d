// max_unpool: every input element stored at the position its index names, zeros elsewhere. Indices address
// the natural unpooled shape [N, C, (in − 1)·s − pads + k…]; a larger output_shape keeps their coordinates.
// Where indices repeat, the reference keeps the last input element's value; in parallel that is the largest
// input position: one dispatch claims each output position with atomicMax(owner, e + 1), one writes each
// output from its owner (0: none). Shaders have no channel for run-time errors: an index outside the
// natural shape is skipped.
import type { Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import { unpooledShape } from '../../window-geometry.js';
import { storageType, wgslLiteral, withHelpers } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, gridFor, perInvocation, WORKGROUP_SIZE } from './shader.js';

export function maxUnpoolKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, idx, y] = [k.input(0), k.input(1), k.output(0)];
  const natural = unpooledShape(k.node, shapeOf(x));
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const owner = k.scratch('u32', [count]);
  const clear = new Bindings([owner]);
  const dispatches = [perInvocation({ bindings: clear.list, count, body: `  ${clear.of(owner)}[i] = 0u;` })];
  const n = sizeOfValue(x);
  if (n > 0) dispatches.push(claim(idx, owner, n, natural, stridesOf(shapeOf(y))));
  const b = new Bindings([y]);
  const [yb, xb, ob] = [b.of(y), b.of(x), b.of(owner)];
  const body = `  let e = ${ob}[i];\n  ${yb}[i] = select(${wgslLiteral(0, y.type.dtype)}, ${xb}[max(e, 1u) - 1u], e != 0u);`;
  return [...dispatches, perInvocation({ bindings: b.list, count, body })];
}

/** Per input element e: atomicMax(owner[its output position], e + 1). */
function claim(idx: Value, owner: Value, n: number, natural: number[], outStrides: number[]): WgslDispatch {
  const ns = stridesOf(natural);
  const total = natural.reduce((p, d) => p * d, 1);
  const workgroups = gridFor(n);
  const code = [
    '@group(0) @binding(0) var<storage, read_write> b0: array<atomic<u32>>;',
    `@group(0) @binding(1) var<storage, read> b1: array<${storageType(idx.type.dtype)}>;`,
    `@compute @workgroup_size(${WORKGROUP_SIZE})`,
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
    `  let i = ((wid.z * ${workgroups[1]}u + wid.y) * ${workgroups[0]}u + wid.x) * ${WORKGROUP_SIZE}u + lid;`,
    `  if (i >= ${n}u) { return; }`,
    '  let v = i32(b1[i]);',
    `  if (v < 0 || v >= ${total}) { return; }`,
    '  var rest = u32(v);',
    '  var at = 0u;',
    ...natural.map((_, d) => `  at += (rest / ${ns[d]}u) * ${outStrides[d]}u; rest = rest % ${ns[d]}u;`),
    '  atomicMax(&b0[at], i + 1u);',
    '}',
  ].join('\n');
  return { code: withHelpers(code), bindings: [{ value: owner, access: 'read_write' }, { value: idx, access: 'read' }], workgroups };
}
