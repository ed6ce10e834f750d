// Activations fused into the store of an anchor kernel (conv, matmul, gemm): y = f(acc) is applied before the
// value reaches memory, so the activation costs no pass of its own. The scalar form comes from the C-like
// base; the vec4 form is written per activation (WGSL's max/min/clamp take a vector and a splat).
import type { Node } from '../../compiler/ir/graph.js';
import { attrFloat } from '../../compiler/ops/util.js';
import { renderElementwise, type ScalarOperand } from '../../compiler/ops/scalar-forms.js';
import type { WgslEpilogue } from './kernels/kernel.js';
import { keepNan, WGSL_TARGET, wgslLiteral } from './wgsl-target.js';

const splat = (x: number) => `vec4<f32>(${wgslLiteral(x, 'f32')})`;
// WGSL's max, min and clamp may drop a NaN: NaN stays NaN, as onnxruntime's activations keep it.
const nanSafe = (v: string, result: string) => keepNan(v, result, true);
const clamp = (v: string, lo: number, hi: number) => nanSafe(v, `clamp(${v}, ${splat(lo)}, ${splat(hi)})`);

/** A single-element constant input's value, or the default when the input is absent. */
function bound(node: Node, i: number, dflt: number): number | undefined {
  const v = node.inputs[i];
  if (!v) return dflt;
  return v.data && v.data.size === 1 ? v.data.data[0] : undefined;
}

/** The epilogue form of a unary activation node, when it has one (f32 only). */
export function wgslEpilogueOf(node: Node): WgslEpilogue | undefined {
  const x = node.inputs[0];
  if (!x || x.type.dtype !== 'f32') return undefined;
  const scalar = (v: string) => renderElementwise(node, operands(node, v), 'f32', WGSL_TARGET);
  const make = (name: string, vec4: (v: string) => string): WgslEpilogue => ({ name: name.replace(/-/g, 'm').replace(/\./g, 'p').replace(/[^A-Za-z0-9_]/g, '_'), scalar, vec4 });
  switch (node.op) {
    case 'relu': return make('relu', (v) => nanSafe(v, `max(${v}, ${splat(0)})`));
    case 'leaky_relu': {
      const alpha = attrFloat(node.attrs, 'alpha');
      return make(`leaky${alpha}`, (v) => `select(${v}, ${v} * ${wgslLiteral(alpha, 'f32')}, ${v} < ${splat(0)})`);
    }
    case 'clip': {
      const [lo, hi] = [bound(node, 1, -Infinity), bound(node, 2, Infinity)];
      if (lo === undefined || hi === undefined) return undefined;
      return make(`clip${lo}_${hi}`, (v) => nanSafe(v, `min(max(${v}, ${splat(lo)}), ${splat(hi)})`));
    }
    case 'hard_sigmoid': {
      const [alpha, beta] = [attrFloat(node.attrs, 'alpha'), attrFloat(node.attrs, 'beta')];
      return make(`hsig${alpha}_${beta}`, (v) => clamp(`${v} * ${wgslLiteral(alpha, 'f32')} + ${splat(beta)}`, 0, 1));
    }
    // x · clamp(x/6 + 1/2, 0, 1)
    case 'hard_swish': return make('hswish', (v) => `${v} * ${clamp(`${v} * ${wgslLiteral(1 / 6, 'f32')} + ${splat(0.5)}`, 0, 1)}`);
    default: return undefined;
  }
}

/** The activation's operands with `v` as its input: clip's constant bounds as literals at their positions. */
function operands(node: Node, v: string): ScalarOperand[] {
  const xs: ScalarOperand[] = [{ expr: v, dtype: 'f32' }];
  if (node.op !== 'clip') return xs;
  [1, 2].forEach((i) => {
    const c = node.inputs[i]?.data;
    if (c) xs[i] = { expr: wgslLiteral(c.data[0], 'f32'), dtype: 'f32' };
  });
  return xs;
}
