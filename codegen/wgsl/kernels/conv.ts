// Convolutions over 1-D to 3-D windows (lifted to 3-D, as the reference does) on WebGPU:
//  implicit GEMM  per batch and group, Y_g[m, p] = Σ_k W_g[m, k] · cols[k, p] on the tiled GEMM, where cols is
//                 the im2col matrix (k = (c, kd, kh, kw), p = output position) computed as B is loaded, never
//                 stored; a 1×1 unit-stride unpadded conv reads X itself as B (a matmul, vec4 rows);
//  depthwise      one input channel per group: one invocation per output element looping over the taps;
//  conv_transpose one invocation per output element gathering the input positions whose taps reach it.
// Bias and the fused activation are applied as the result is stored.
import type { Value } from '../../../compiler/ir/graph.js';
import { shapeOf } from '../../shapes.js';
import { convShapeOf, type ConvShape } from '../../window-geometry.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import type { GpuMatmulSchedule } from '../../schedule.js';
import { gemmDispatches, type GemmOperand, type GemmSpec } from './gemm.js';
import { finish, requireF32, type ModuleBindings } from './module-bindings.js';
import { constantMatrix, padColumns } from './weight-packing.js';
import { Bindings, perInvocation, unsupported } from './shader.js';

/** The conv's shape, resolved once for every target (codegen/window-geometry.ts). */
function convShape(k: WgslKernelContext, x: Value, w: Value, y: Value, transpose: boolean): ConvShape {
  return convShapeOf(k.node, shapeOf(x), shapeOf(w), shapeOf(y), transpose, (detail) => unsupported(k.node, detail));
}

/** `i` split into coordinates of `dims` (row-major) as WGSL lets named `${name}0..2`; unit dims are 0u. */
function coordinates(i: string, dims: readonly number[], name: string): string[] {
  const lines: string[] = [];
  let inner = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    const q = inner === 1 ? i : `(${i} / ${inner}u)`;
    const value = dims[d] === 1 ? '0u' : d === 0 || dims.slice(0, d).every((x) => x === 1) ? q : `${q} % ${dims[d]}u`;
    lines.push(`let ${name}${d} = ${value};`);
    inner *= dims[d];
  }
  return lines;
}

/** The batch and group of GEMM batch b (= batch · group + group index) as WGSL expressions. */
function batchAndGroup(group: number): [string, string] {
  return group === 1 ? ['b', '0u'] : [`(b / ${group}u)`, `(b % ${group}u)`];
}

/** B of the implicit GEMM: cols[k, p] = x[c, od·s − p + kd·d, …] or 0 in the padding, for k = (c, kd, kh, kw). */
function im2colOperand(x: Value, s: ConvShape): GemmOperand {
  const cg = s.c / s.group;
  const [bn, grp] = batchAndGroup(s.group);
  const base = `(${bn} * ${s.c}u + ${grp} * ${cg}u) * ${s.inPlane}u`;
  const { inDims, outDims, kernel, strides, dilations, padBegin } = s.g;
  const unit = kernel.every((d) => d === 1) && strides.every((d) => d === 1) && padBegin.every((p) => p === 0) && s.g.padEnd.every((p) => p === 0);
  if (unit) {
    const at = `${base} + row * ${s.inPlane}u + col`;
    return {
      scalar: (mb) => `  return ${mb.bind(x)}[${at}];`,
      vec4: s.inPlane % 4 === 0 ? (mb) => `  return ${mb.bind(x, 'read', true)}[(${at}) / 4u];` : undefined,
    };
  }
  return {
    scalar: (mb) => {
      const lines = [`let c = row / ${s.kVol}u;`, ...coordinates(`(row % ${s.kVol}u)`, kernel, 'k'), ...coordinates('col', outDims, 'o')];
      const inside: string[] = [];
      for (let d = 0; d < 3; d++) {
        lines.push(`let i${d} = i32(o${d} * ${strides[d]}u + k${d} * ${dilations[d]}u) - ${padBegin[d]};`);
        const [low, high] = mayLeave(s, d);
        if (low) inside.push(`i${d} < 0`);
        if (high) inside.push(`i${d} >= ${inDims[d]}`);
      }
      if (inside.length) lines.push(`if (${inside.join(' || ')}) { return 0.0f; }`);
      lines.push(`return ${mb.bind(x)}[${base} + c * ${s.inPlane}u + (u32(i0) * ${inDims[1]}u + u32(i1)) * ${inDims[2]}u + u32(i2)];`);
      return lines.map((l) => `  ${l}`).join('\n');
    },
  };
}

/** The GEMM of a convolution: M = output channels per group, N = output positions, K = cg · kernel volume. */
function implicitGemm(k: WgslKernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape, schedule: GpuMatmulSchedule): WgslDispatch[] {
  const mg = s.m / s.group;
  const kk = (s.c / s.group) * s.kVol;
  const [bn, grp] = batchAndGroup(s.group);
  const weights = k.constantOf(w);
  // Constant weights ship with rows padded to a multiple of 4 (so that A loads as vec4), in the kernel's
  // weights storage; run-time ones are read in place.
  const stride = weights ? Math.ceil(kk / 4) * 4 : kk;
  const aAt = `(${grp} * ${mg}u + row) * ${kk}u + col`;
  const a: GemmOperand = weights
    ? constantMatrix(k, padColumns(weights.data, s.m, kk, stride), stride, () => `${grp} * ${mg * stride}u`)
    : {
        scalar: (mb) => `  return ${mb.bind(w)}[${aAt}];`,
        vec4: kk % 4 === 0 ? (mb) => `  return ${mb.bind(w, 'read', true)}[(${aAt}) / 4u];` : undefined,
      };
  const out = `(${bn} * ${s.m}u + ${grp} * ${mg}u + row) * ${s.outPlane}u + col`;
  const biased = (mb: ModuleBindings, v: string, vec4: boolean) => {
    if (!bias) return v;
    const bv = `${mb.bind(bias)}[${grp} * ${mg}u + row]`;
    return `${v} + ${vec4 ? `vec4<f32>(${bv})` : bv}`;
  };
  const spec: GemmSpec = {
    m: mg, n: s.outPlane, k: kk, batch: s.n * s.group,
    a,
    b: im2colOperand(x, s),
    store: (mb) => `  ${mb.bind(y, 'read_write')}[${out}] = ${finish(k.epilogue, biased(mb, 'v', false), out, mb)};`,
    store4: s.outPlane % 4 === 0 ? (mb) => `  ${mb.bind(y, 'read_write', true)}[(${out}) / 4u] = ${finish(k.epilogue, biased(mb, 'v', true), out, mb, true)};` : undefined,
  };
  return gemmDispatches(spec, schedule, (shape) => k.scratch('f32', shape));
}

/**
 * Whether input position o·s − p + t·d along dim d can fall below 0 and past the input (so the kernel must
 * check): below only with begin padding; past only when the last window reaches beyond the input.
 */
function mayLeave(s: ConvShape, d: number): [boolean, boolean] {
  const { inDims, outDims, kernel, strides, dilations, padBegin } = s.g;
  return [padBegin[d] > 0, (outDims[d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] - padBegin[d] >= inDims[d]];
}

/**
 * One invocation per output element y[bn, oc, o]: bias + Σ over the group's input channels ic and the taps
 * (kd, kh, kw) of w[wi + tap] · x[xi + (id, ih, iw)], then the epilogue. `channel` gives the element offsets
 * xi and wi of input channel ic's plane and of its weight taps; `tap(a, d)` the lines that set the input
 * coordinate i<a> of tap k<a> along spatial dim d, or skip the tap. Taps are loops, not unrolled:
 * SwiftShader's compiler stalls on a few dozen unrolled guarded taps.
 */
function windowGather(k: WgslKernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape,
  channel: { xi: string; wi: string }, tap: (a: string, d: number) => string[]): WgslDispatch[] {
  const { inDims, outDims, kernel } = s.g;
  const b = new Bindings([y]);
  const [yb, xb, wb] = [b.of(y), b.of(x), b.of(w)];
  const body = [
    `let p = i % ${s.outPlane}u;`,
    `let oc = (i / ${s.outPlane}u) % ${s.m}u;`,
    `let bn = i / ${s.outPlane * s.m}u;`,
    `let grp = oc / ${s.m / s.group}u;`,
    ...coordinates('p', outDims, 'o'),
    `var acc = ${bias ? `${b.of(bias)}[oc]` : '0.0f'};`,
    `for (var ic = 0u; ic < ${s.c / s.group}u; ic++) {`,
    `  let xi = ${channel.xi};`,
    `  let wi = ${channel.wi};`,
    ...['d', 'h', 'w'].flatMap((a, d) => [`  for (var k${a} = 0; k${a} < ${kernel[d]}; k${a}++) {`, ...tap(a, d).map((l) => `    ${l}`)]),
    `    acc = fma(${wb}[wi + u32((kd * ${kernel[1]} + kh) * ${kernel[2]} + kw)], ${xb}[xi + u32((id * ${inDims[1]} + ih) * ${inDims[2]} + iw)], acc);`,
    '  }',
    '  }',
    '  }',
    '}',
    `${yb}[i] = ${finish(k.epilogue, 'acc', 'i', b)};`,
  ];
  return [perInvocation({ bindings: b.list, count: s.n * s.m * s.outPlane, body: body.map((l) => `  ${l}`).join('\n'), globals: b.globals() })];
}

/**
 * A grouped conv by direct taps (a depthwise conv has one input channel per group, so this is its whole sum).
 * Tap loops go outermost-dim first; a row of the input outside it skips all its taps at once.
 */
function direct(k: WgslKernelContext, x: Value, w: Value, bias: Value | null, y: Value, s: ConvShape): WgslDispatch[] {
  const cg = s.c / s.group;
  const { inDims, strides, dilations, padBegin } = s.g;
  return windowGather(k, x, w, bias, y, s, { xi: `(bn * ${s.c}u + grp * ${cg}u + ic) * ${s.inPlane}u`, wi: `(oc * ${cg}u + ic) * ${s.kVol}u` }, (a, d) => {
    const [low, high] = mayLeave(s, d);
    const checks = [low ? `i${a} < 0` : '', high ? `i${a} >= ${inDims[d]}` : ''].filter(Boolean);
    return [
      `let i${a} = i32(o${d} * ${strides[d]}u) - ${padBegin[d]} + k${a} * ${dilations[d]};`,
      ...(checks.length ? [`if (${checks.join(' || ')}) { continue; }`] : []),
    ];
  });
}

export function convKernel(k: WgslKernelContext): WgslDispatch[] {
  requireF32(k);
  const [x, w, bias, y] = [k.input(0), k.input(1), k.node.inputs[2] ?? null, k.output(0)];
  const s = convShape(k, x, w, y, false);
  if (s.n * s.m * s.outPlane === 0) return [];
  // Depthwise: a GEMM of K = kernel volume has too little work per slab; direct taps read each input once.
  if (s.c / s.group === 1 && s.group > 1) return direct(k, x, w, bias, y, s);
  return implicitGemm(k, x, w, bias, y, s, k.schedules.gpu.conv);
}

/**
 * One invocation per output element: y[oc, o] = bias[oc] + Σ_{ic, taps} x[ic, i] · w[ic, oc, t] over the input
 * positions i with i·s − p + t·d = o, i.e. t·d ≤ o + p, (o + p − t·d) divisible by s and the quotient below in.
 */
export function convTransposeKernel(k: WgslKernelContext): WgslDispatch[] {
  requireF32(k);
  const [x, w, bias, y] = [k.input(0), k.input(1), k.node.inputs[2] ?? null, k.output(0)];
  const s = convShape(k, x, w, y, true);
  if (s.n * s.m * s.outPlane === 0) return [];
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  const { inDims, strides, dilations, padBegin } = s.g;
  const channel = { xi: `(bn * ${s.c}u + grp * ${cg}u + ic) * ${s.inPlane}u`, wi: `((grp * ${cg}u + ic) * ${mg}u + oc % ${mg}u) * ${s.kVol}u` };
  return windowGather(k, x, w, bias, y, s, channel, (a, d) => {
    const e = `e${a}`;
    const skip = [`${e} < 0`, strides[d] > 1 ? `${e} % ${strides[d]} != 0` : '', `${e} >= ${inDims[d] * strides[d]}`].filter(Boolean);
    return [
      `let ${e} = i32(o${d}) + ${padBegin[d]} - k${a} * ${dilations[d]};`,
      `if (${skip.join(' || ')}) { continue; }`,
      `let i${a} = ${strides[d] > 1 ? `${e} / ${strides[d]}` : e};`,
    ];
  });
}
