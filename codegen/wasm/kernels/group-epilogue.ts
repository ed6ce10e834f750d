// The epilogue of a fused group (codegen/fused-group.ts): the group's element-wise nodes after its anchor,
// applied to each element the anchor's kernel stores. They may read other tensors at the stored element —
// a per-channel bias or scale, a residual of the output's shape, anything that broadcasts to the output —
// and one-element constants, which become literals. Two helper functions compute it, one per element and one
// per vector of four consecutive output elements; a kernel's setup binds the output's and the operands'
// addresses to module globals that the helpers read, so kernels with the same epilogue share its helpers.
// The epilogue computes in f32 (compiler/kernel-groups.ts). Its input is the anchor's f32 output, or the i32
// sum of an integer anchor (conv_integer, matmul_integer), which its first nodes cast to f32; its last node
// may cast to an integer type (the requantizing store). Each node is rendered with its operands' real dtypes.
import { createHash } from 'node:crypto';
import { byteSize, type DType } from '../../../compiler/ir/dtype.js';
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { stridesOf } from '../../../compiler/ir/tensor.js';
import { renderElementwise, type ScalarOperand } from '../../../compiler/ops/scalar-forms.js';
import { epilogueTensors, type FusedGroup } from '../../../compiler/kernel-groups.js';
import { operandBlocks } from '../../fused-group.js';
import { AS_TARGET, asLiteral, asType } from '../as-target.js';
import { affineEpilogueOf } from './affine-epilogue.js';
import { epilogueOf, type Epilogue } from './epilogue.js';
import { shapeOf, type KernelContext } from './kernel.js';
import { broadcastStridesOf } from '../../loops.js';

/** Tensors one epilogue may read besides the output (module globals ep_in0…). */
export const MAX_OPERANDS = 8;

const GLOBALS = `let ep_out: usize = 0;\n${Array.from({ length: MAX_OPERANDS }, (_, i) => `let ep_in${i}: usize = 0;`).join('\n')}\n`;

const NATIVE_BINARY: Record<string, string> = { add: 'f32x4.add', sub: 'f32x4.sub', mul: 'f32x4.mul', div: 'f32x4.div', max: 'f32x4.max', min: 'f32x4.min' };

/** A local of the helpers: its dtype, its scalar form, its vector form and lane l of the vector form. */
interface Operand {
  dtype: DType;
  scalar: string;
  vector: string;
  lane(l: number): string;
}

/** Names a helper after its source, so that identical epilogues share one. */
function sourceHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** The element index of an operand with `strides` (broadcast into `dims`) at output element `e` (an i32 expression). */
function indexExpr(e: string, dims: number[], strides: number[]): string {
  const out = stridesOf(dims);
  const terms = dims.flatMap((d, k) => {
    if (d === 1 || strides[k] === 0) return [];
    const q = out[k] === 1 ? e : `(${e} / ${out[k]})`;
    const coord = k === 0 ? q : `(${q} % ${d})`;
    return [strides[k] === 1 ? coord : `${coord} * ${strides[k]}`];
  });
  return terms.length ? terms.join(' + ') : '0';
}

/** Loads of operand `ptr` (strides over the output's dims) at output element `e`, scalar and four lanes. */
function operandLoads(ptr: string, dims: number[], strides: number[]): { scalar: string; vector: string } {
  const load = (e: string) => `load<f32>(${ptr} + (<usize>(${indexExpr(e, dims, strides)}) << 2))`;
  const lanes = [1, 2, 3].reduce((v, l) => `f32x4.replace_lane(${v}, ${l}, ${load(`(e + ${l})`)})`, `f32x4.splat(${load('e')})`);
  const address = `${ptr} + (<usize>(${indexExpr('e', dims, strides)}) << 2)`;
  const size = dims.reduce((n, d) => n * d, 1);
  const { broadcastBlock, contiguousBlock } = operandBlocks(dims, strides);
  let vector: string;
  if (broadcastBlock === size) vector = `v128.load32_splat(${ptr})`;
  else if (contiguousBlock === size) vector = `v128.load(${ptr} + (<usize>e << 2))`;
  // Four lanes within one broadcast block read one element; within one contiguous block, four in a row.
  else if (broadcastBlock >= 4) vector = `(e % ${broadcastBlock} <= ${broadcastBlock - 4} ? v128.load32_splat(${address}) : ${lanes})`;
  else if (contiguousBlock >= 4) vector = `(e % ${contiguousBlock} <= ${contiguousBlock - 4} ? v128.load(${address}) : ${lanes})`;
  else vector = lanes;
  return { scalar: load('e'), vector };
}

/**
 * The vector form of one node over its operands: a native instruction where there is one, else lane by lane.
 * f32 values are f32x4; an integer value (the i32 sum going in, the requantized value coming out) is an
 * i32x4, whose conversions to and from f32 are single instructions (trunc_sat: the lanes were clipped into
 * the output's range by then, where truncation equals the scalar cast's).
 */
function vectorForm(node: Node, xs: (Operand | undefined)[]): string {
  const out = node.outputs[0].type.dtype;
  if (node.op === 'cast' && xs[0]!.dtype === 'i32' && out === 'f32') return `f32x4.convert_i32x4_s(${xs[0]!.vector})`;
  if (node.op === 'cast' && xs[0]!.dtype === 'f32' && out !== 'f32') return `i32x4.trunc_sat_f32x4_s(${xs[0]!.vector})`;
  if (node.op === 'round') return `f32x4.nearest(${xs[0]!.vector})`;
  const native = NATIVE_BINARY[node.op];
  if (native && xs.length === 2) return `${native}(${xs[0]!.vector}, ${xs[1]!.vector})`;
  const activation = epilogueOf(node);
  const extrasConstant = node.inputs.slice(1).every((v) => !v || (v.data && v.data.size === 1));
  if (activation && extrasConstant) return activation.vector(xs[0]!.vector, '');
  const lane = (l: number) => renderElementwise(node, sparse(node, xs, (o) => ({ expr: o.lane(l), dtype: o.dtype })), 'f32', AS_TARGET);
  return [1, 2, 3].reduce((v, l) => `f32x4.replace_lane(${v}, ${l}, ${lane(l)})`, `f32x4.splat(${lane(0)})`);
}

/** Operands by position; clip's absent bounds stay holes (its renderer looks operands up by position). */
function sparse(node: Node, xs: (Operand | undefined)[], f: (o: Operand) => ScalarOperand): ScalarOperand[] {
  const out: ScalarOperand[] = [];
  xs.forEach((o, i) => {
    if (o) out[node.op === 'clip' ? i : out.length] = f(o);
  });
  return out;
}

/** The vector type's name of a vector local of `dtype` (f32x4 for f32, i32x4 for integers). */
const lanesOf = (dtype: DType) => (dtype === 'f32' ? 'f32x4' : 'i32x4');

/**
 * Builds the epilogue computing `group.epilogue` on the anchor's stored elements, or undefined when
 * epilogueTensors (compiler/kernel-groups.ts) refuses the group.
 */
export function groupEpilogue(k: KernelContext, group: FusedGroup): Epilogue | undefined {
  const tensors = epilogueTensors(group, MAX_OPERANDS);
  if (!tensors) return undefined;
  const anchorOut = group.anchor!.outputs[0];
  const [input, output] = [anchorOut.type.dtype, group.output.type.dtype];
  const dims = shapeOf(group.output);
  const locals = new Map<Value, Operand>();
  const local = (name: string, dtype: DType): Operand => ({ dtype, scalar: name, vector: name, lane: (l) => `${lanesOf(dtype)}.extract_lane(${name}, ${l})` });
  locals.set(anchorOut, local('v', input));
  const operand = (v: Value): Operand => {
    const known = locals.get(v);
    if (known) return known;
    const lit = asLiteral(v.data!.data[0], v.type.dtype);
    return { dtype: v.type.dtype, scalar: lit, vector: `${lanesOf(v.type.dtype)}.splat(${lit})`, lane: () => lit };
  };
  const scalarLines: string[] = [];
  const vectorLines: string[] = [];
  tensors.forEach((v, i) => {
    const loads = operandLoads(`ep_in${i}`, dims, broadcastStridesOf(shapeOf(v), dims));
    scalarLines.push(`const x${i}: f32 = ${loads.scalar};`);
    vectorLines.push(`const x${i}: v128 = ${loads.vector};`);
    locals.set(v, local(`x${i}`, 'f32'));
  });
  group.epilogue.forEach((n, j) => {
    const xs = n.inputs.map((v) => (v ? operand(v) : undefined));
    const out = n.outputs[0].type.dtype;
    scalarLines.push(`const t${j}: ${asType(out)} = ${renderElementwise(n, sparse(n, xs, (o) => ({ expr: o.scalar, dtype: o.dtype })), out, AS_TARGET)};`);
    vectorLines.push(`const t${j}: v128 = ${vectorForm(n, xs)};`);
    locals.set(n.outputs[0], local(`t${j}`, out));
  });
  const result = locals.get(group.output)!.scalar;
  // `at` is the stored element's byte address: its index is the offset from the output over the element's size.
  const shift = Math.log2(byteSize(output));
  const position = tensors.length ? `  const e: i32 = <i32>((at - ep_out)${shift ? ` >> ${shift}` : ''});\n` : '';
  const helper = (suffix: string, from: string, to: string, lines: string[]) =>
    `function NAME_${suffix}(v: ${from}, at: usize): ${to} {\n${position}${lines.map((l) => `  ${l}`).join('\n')}\n  return ${result};\n}\n`;
  const sources = [helper('s', asType(input), asType(output), scalarLines), helper('v', 'v128', 'v128', vectorLines)];
  const name = `ep${sourceHash(sources.join(''))}`;
  const [scalarName, vectorName] = ['s', 'v'].map((suffix, i) => k.helper(`${name}_${suffix}`, () => sources[i].replace('NAME', name)));
  k.helper('ep_globals', () => GLOBALS);
  const setup = [`ep_out = ${k.ptr(group.output)};`, ...tensors.map((v, i) => `ep_in${i} = ${k.ptr(v)};`)].join('\n');
  return {
    name,
    scalar: (v, at) => `${scalarName}(${v}, ${at})`,
    vector: (v, at) => `${vectorName}(${v}, ${at})`,
    setup,
    input,
    output,
    affine: affineEpilogueOf(group),
  };
}

/**
 * Stores four consecutive elements of `dtype` at `at` from a vector: an f32x4 or i32x4 as it is, narrower
 * integers from i32x4 lanes already in their range (the saturating narrows are then exact).
 */
export function storeVector(k: KernelContext, dtype: DType, at: string, v: string): string {
  if (byteSize(dtype) === 4) return `v128.store(${at}, ${v});`;
  const narrow: Partial<Record<DType, string>> = {
    u8: 'v128.store32_lane(at, i8x16.narrow_i16x8_u(h, h), 0);',
    i8: 'v128.store32_lane(at, i8x16.narrow_i16x8_s(h, h), 0);',
    u16: 'v128.store64_lane(at, i16x8.narrow_i32x4_u(v, v), 0);',
    i16: 'v128.store64_lane(at, i16x8.narrow_i32x4_s(v, v), 0);',
  };
  const body = narrow[dtype];
  if (!body) throw new Error(`code generator bug: no vector store of ${dtype}`);
  const name = k.helper(`store4_${dtype}`, () => `function store4_${dtype}(at: usize, v: v128): void {
  const h = i16x8.narrow_i32x4_s(v, v);
  ${body}
}`);
  return `${name}(${at}, ${v});`;
}
