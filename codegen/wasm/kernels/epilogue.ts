// Epilogues fused into the store of a GEMM-based kernel (conv, matmul, gemm): y = f(acc) is applied to the
// accumulator registers before they reach memory, so the epilogue costs no pass of its own. Each has an
// f32x4 form for the vector tiles and a scalar form (from the C-like base) for ragged edges. Unary
// activations are here; a fused group's whole element-wise epilogue, which also reads other tensors at the
// stored element, is built by group-epilogue.ts.
import type { DType } from '../../../compiler/ir/dtype.js';
import type { AffineEpilogue } from './affine-epilogue.js';
import type { Node } from '../../../compiler/ir/graph.js';
import { attrFloat } from '../../../compiler/ops/util.js';
import { renderElementwise } from '../../../compiler/ops/scalar-forms.js';
import { AS_TARGET, asLiteral } from '../as-target.js';

export interface Epilogue {
  /** A name unique to the function (helpers that apply it are named after it). */
  name: string;
  /**
   * The stored value(s) after the epilogue. `at` is the byte address the kernel stores to (an expression):
   * the epilogue finds the element's position in the output from it. `vector` covers four consecutive
   * elements of the output starting at `at`.
   */
  vector(v: string, at: string): string;
  scalar(v: string, at: string): string;
  /** Statements a kernel runs before its first store (they bind the tensors the epilogue reads). */
  setup?: string;
  /**
   * The dtype of the value the helpers take: the anchor's output, f32 when absent, or the i32 sum of an integer
   * anchor (its vector form then takes an i32x4).
   */
  input?: DType;
  /**
   * The dtype of the stored element, f32 when absent. The scalar form returns a value of it; the vector form
   * returns an f32x4 for f32 and, for an integer output, an i32x4 whose lanes are already in its range, which
   * storeVector (group-epilogue.ts) narrows.
   */
  output?: DType;
  /**
   * The same epilogue in closed form (affine-epilogue.ts), when it is the requantizing chain of an integer
   * anchor: kernels that know the channel of a tile row or column use it instead of the helpers.
   */
  affine?: AffineEpilogue;
}

const splat = (x: number) => `f32x4.splat(${asLiteral(x, 'f32')})`;
const clamp = (v: string, lo: number, hi: number) => `f32x4.min(f32x4.max(${v}, ${splat(lo)}), ${splat(hi)})`;

/** A single-element constant input's value, or the default when the input is absent. */
function bound(node: Node, i: number, dflt: number): number | undefined {
  const v = node.inputs[i];
  if (!v) return dflt;
  return v.data && v.data.size === 1 ? v.data.data[0] : undefined;
}

/** The epilogue form of a unary activation node, when it has one (f32 only). */
export function epilogueOf(node: Node): Epilogue | undefined {
  const x = node.inputs[0];
  if (!x || x.type.dtype !== 'f32') return undefined;
  const scalar = (v: string) => renderElementwise(node, node.op === 'clip' ? clipOperands(node, v) : [{ expr: v, dtype: 'f32' }], 'f32', AS_TARGET);
  const make = (name: string, vector: (v: string) => string): Epilogue => ({ name: name.replace(/-/g, 'm').replace(/\./g, 'p').replace(/[^A-Za-z0-9_]/g, '_'), vector, scalar });
  switch (node.op) {
    case 'relu': return make('relu', (v) => `f32x4.max(${v}, ${splat(0)})`);
    case 'leaky_relu': {
      const alpha = attrFloat(node.attrs, 'alpha');
      return make(`leaky${alpha}`, (v) => `v128.bitselect(f32x4.mul(${v}, ${splat(alpha)}), ${v}, f32x4.lt(${v}, ${splat(0)}))`);
    }
    case 'clip': {
      const [lo, hi] = [bound(node, 1, -Infinity), bound(node, 2, Infinity)];
      if (lo === undefined || hi === undefined) return undefined;
      return make(`clip${lo}_${hi}`, (v) => clamp(v, lo, hi));
    }
    case 'hard_sigmoid': {
      const [alpha, beta] = [attrFloat(node.attrs, 'alpha'), attrFloat(node.attrs, 'beta')];
      return make(`hsig${alpha}_${beta}`, (v) => clamp(`f32x4.add(f32x4.mul(${v}, ${splat(alpha)}), ${splat(beta)})`, 0, 1));
    }
    // x · clamp(x/6 + 1/2, 0, 1)
    case 'hard_swish': return make('hswish', (v) => `f32x4.mul(${v}, ${clamp(`f32x4.add(f32x4.mul(${v}, ${splat(1 / 6)}), ${splat(0.5)})`, 0, 1)})`);
    default: return undefined;
  }
}

function clipOperands(node: Node, v: string) {
  const xs = [{ expr: v, dtype: 'f32' as const }];
  [1, 2].forEach((i) => {
    const c = node.inputs[i]?.data;
    if (c) xs[i] = { expr: asLiteral(c.data[0], 'f32'), dtype: 'f32' };
  });
  return xs;
}

/** Applies the kernel's epilogue to its finished output in place (kernels whose last step is not a GEMM store). */
export function epiloguePass(epi: Epilogue | undefined, ptr: string, count: number): string {
  if (!epi) return '';
  return `for (let e: i32 = 0; e < ${count}; e++) { const v = load<f32>(${ptr} + e * 4); store<f32>(${ptr} + e * 4, ${epi.scalar('v', `${ptr} + e * 4`)}); }`;
}
