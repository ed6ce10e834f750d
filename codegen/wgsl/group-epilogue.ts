// The epilogue of a fused group (codegen/fused-group.ts) on WebGPU: the group's element-wise nodes after its
// anchor, applied to each element the anchor's kernel stores, reading other tensors at the stored element —
// a per-channel bias or scale, a residual of the output's shape, anything that broadcasts to the output — and
// one-element constants as literals. It becomes two module-scope functions of the kernel's module, one per f32
// and one per vec4<f32> of four consecutive output elements, over the arrays the kernel binds for its
// operands; so the whole group is the anchor's one kernel.
// An integer anchor (conv_integer, matmul_integer) hands its epilogue the exact i32 sum, which the epilogue
// reads through its cast to f32 and may end in a cast to u8/i8 (requantization, compiler/kernel-groups.ts):
// each node is then rendered with its real dtypes, the function takes an i32 and returns the stored dtype's
// storage type (u32 for u8, i32 for i8), and its vec4 form applies the scalar one lane by lane (the integer
// kernels store scalars).
import type { Node, Value } from '../../compiler/ir/graph.js';
import { renderElementwise, type ScalarOperand } from '../../compiler/ops/scalar-forms.js';
import { epilogueTensors, type FusedGroup } from '../../compiler/kernel-groups.js';
import { operandBlocks } from '../fused-group.js';
import { broadcastStridesOf } from '../loops.js';
import { shapeOf } from '../shapes.js';
import { wgslEpilogueOf } from './epilogue.js';
import type { EpilogueSite, WgslEpilogue } from './kernels/kernel.js';
import { offsetOf } from './kernels/module-bindings.js';
import type { DType } from '../../compiler/ir/dtype.js';
import { isNanOf, storageType, WGSL_TARGET, wgslLiteral } from './wgsl-target.js';

/**
 * Tensors one epilogue may read. A kernel binds its anchor's inputs, its output and maybe a scratch besides;
 * compile.ts checks the sum against the 8 bindings a dispatch has.
 */
export const MAX_EPILOGUE_OPERANDS = 4;

const NATIVE_BINARY: Record<string, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  // WGSL's max and min may drop a NaN; a + b is NaN when either is.
  max: (a, b) => `select(max(${a}, ${b}), ${a} + ${b}, ${isNanOf(a, true)} | ${isNanOf(b, true)})`,
  min: (a, b) => `select(min(${a}, ${b}), ${a} + ${b}, ${isNanOf(a, true)} | ${isNanOf(b, true)})`,
};

/** A local of the helpers: its dtype, its scalar form, its vec4 form and lane l of the vec4 form. */
interface Operand {
  dtype: DType;
  scalar: string;
  vector: string;
  lane(l: number): string;
}

const local = (name: string, dtype: DType = 'f32'): Operand => ({ dtype, scalar: name, vector: name, lane: (l) => `${name}[${l}]` });

/**
 * Lines defining `name` as operand array `arr` (strides over the output's dims) at output element `at`: an
 * f32, and a vec4 of elements at..at+3.
 */
function operandLoads(name: string, arr: string, dims: number[], strides: number[]): { scalar: string[]; vector: string[] } {
  const size = dims.reduce((p, d) => p * d, 1);
  const { broadcastBlock, contiguousBlock } = operandBlocks(dims, strides);
  const index = (e: string) => (contiguousBlock === size ? e : offsetOf(dims, strides, e));
  const scalar = [`let ${name} = ${arr}[${index('at')}];`];
  // `at` is a multiple of 4: four lanes within a block of a multiple of 4 never straddle it.
  if (broadcastBlock % 4 === 0) return { scalar, vector: [`let ${name} = vec4<f32>(${arr}[${index('at')}]);`] };
  if (contiguousBlock % 4 === 0) {
    return { scalar, vector: [`let ${name}_at = ${index('at')};`, `let ${name} = vec4<f32>(${[0, 1, 2, 3].map((l) => `${arr}[${name}_at${l ? ` + ${l}u` : ''}]`).join(', ')});`] };
  }
  return { scalar, vector: [`let ${name} = vec4<f32>(${[0, 1, 2, 3].map((l) => `${arr}[${index(l ? `(at + ${l}u)` : 'at')}]`).join(', ')});`] };
}

/** Operands by position; clip's absent bounds stay holes (its renderer looks operands up by position). */
function sparse(node: Node, xs: (Operand | undefined)[], f: (o: Operand) => ScalarOperand): ScalarOperand[] {
  const out: ScalarOperand[] = [];
  xs.forEach((o, i) => {
    if (o) out[node.op === 'clip' ? i : out.length] = f(o);
  });
  return out;
}

/** The vec4 form of one node: a WGSL vector operator or activation where there is one, else lane by lane. */
function vectorForm(node: Node, xs: (Operand | undefined)[], site: EpilogueSite): string {
  const native = NATIVE_BINARY[node.op];
  if (native && xs.length === 2) return native(xs[0]!.vector, xs[1]!.vector);
  const activation = wgslEpilogueOf(node);
  const extrasConstant = node.inputs.slice(1).every((v) => !v || (v.data && v.data.size === 1));
  if (activation && extrasConstant) return activation.vec4(xs[0]!.vector, 'at', site);
  const lane = (l: number) => renderElementwise(node, sparse(node, xs, (o) => ({ expr: o.lane(l), dtype: 'f32' })), 'f32', WGSL_TARGET);
  return `vec4<f32>(${[0, 1, 2, 3].map(lane).join(', ')})`;
}

/** The epilogue computing `group.epilogue` on its anchor's stored elements, or undefined when the group has none. */
export function wgslGroupEpilogue(group: FusedGroup): WgslEpilogue | undefined {
  const tensors = epilogueTensors(group, MAX_EPILOGUE_OPERANDS);
  if (!tensors) return undefined;
  const anchorOut = group.anchor!.outputs[0];
  // f32 for a float anchor; i32 for an integer one, whose output may be stored as u8/i8 (u32/i32).
  const inType = storageType(anchorOut.type.dtype);
  const outType = storageType(group.output.type.dtype);
  const dims = shapeOf(group.output);
  const strides = tensors.map((v) => broadcastStridesOf(shapeOf(v), dims));
  const literal = (v: Value): Operand => {
    const lit = wgslLiteral(v.data!.data[0], v.type.dtype);
    return { dtype: v.type.dtype, scalar: lit, vector: `vec4<${storageType(v.type.dtype)}>(${lit})`, lane: () => lit };
  };
  const render = (n: Node, xs: (Operand | undefined)[]) =>
    renderElementwise(n, sparse(n, xs, (o) => ({ expr: o.scalar, dtype: o.dtype })), n.outputs[0].type.dtype, WGSL_TARGET);
  /** The two functions' source over the arrays the site binds for the operands. */
  const functions = (site: EpilogueSite) => {
    const locals = new Map<Value, Operand>([[anchorOut, local('v', anchorOut.type.dtype)]]);
    const scalarLines: string[] = [];
    const vectorLines: string[] = [];
    tensors.forEach((v, i) => {
      const loads = operandLoads(`x${i}`, site.bind(v), dims, strides[i]);
      scalarLines.push(...loads.scalar);
      vectorLines.push(...loads.vector);
      locals.set(v, local(`x${i}`));
    });
    group.epilogue.forEach((n, j) => {
      const xs = n.inputs.map((v) => (v ? (locals.get(v) ?? literal(v)) : undefined));
      scalarLines.push(`let t${j} = ${render(n, xs)};`);
      if (inType === 'f32') vectorLines.push(`let t${j} = ${vectorForm(n, xs, site)};`);
      locals.set(n.outputs[0], local(`t${j}`, n.outputs[0].type.dtype));
    });
    const result = locals.get(group.output)!.scalar;
    const fn = (name: string, type: string, lines: string[], ret: string, result: string) =>
      `fn ${name}(v: ${type}, at: u32) -> ${ret} {\n${lines.map((l) => `  ${l}`).join('\n')}\n  return ${result};\n}`;
    const scalar = fn('epilogue', inType, scalarLines, outType, result);
    // An integer anchor's vec4 form: the scalar function on each lane (elements at..at+3).
    const lanes = `vec4<${outType}>(${[0, 1, 2, 3].map((l) => `epilogue(v[${l}], at${l ? ` + ${l}u` : ''})`).join(', ')})`;
    const vector = inType === 'f32'
      ? [fn('epilogue4', 'vec4<f32>', vectorLines, 'vec4<f32>', result)]
      : [scalar, fn('epilogue4', `vec4<${inType}>`, [], `vec4<${outType}>`, lanes)];
    return { scalar, vector };
  };
  return {
    name: `group_${(group.node ?? group.nodes[group.nodes.length - 1]).name}`,
    scalar(v, at, site) {
      site.declare(functions(site).scalar);
      return `epilogue(${v}, ${at})`;
    },
    vec4(v, at, site) {
      for (const text of functions(site).vector) site.declare(text);
      return `epilogue4(${v}, ${at})`;
    },
  };
}
