// The program signature (runtime/manifest.ts, ProgramSignature): made by each target's code generator from
// what decides its kernels file and its layout, recorded in the manifest, and compared by `dlc update-weights`,
// which refuses a model whose program differs and names the first difference.
import { createHash } from 'node:crypto';
import { formatShape } from '../compiler/ir/graph.js';
import type { ProgramSignature, TensorInfo, WeightPlacement } from '../runtime/manifest.js';
import { canonicalJson } from './canonical-json.js';

/** Hex digits of a kernel's digest: enough to tell kernels apart, short enough to read in a manifest. */
const KERNEL_DIGITS = 16;

export interface SignatureParts {
  target: 'wasm' | 'webgpu';
  /** All generated code as one text (the AssemblyScript module; the WGSL modules). */
  code: string;
  /** The rest of what decides the kernels file and the layout: memory or buffer plan, steps, input and output places. */
  layout: unknown;
  weights: WeightPlacement[];
  /** Each kernel's node and generated code, in run order. */
  kernels: { node: string; code: string }[];
}

export function programSignature(parts: SignatureParts): ProgramSignature {
  const kernels = parts.kernels.map((k) => ({ node: k.node, sha256: sha256Hex(k.code).slice(0, KERNEL_DIGITS) }));
  const weights = parts.weights.map((w) => ({ ...w, shape: [...w.shape] }));
  const sha256 = sha256Hex(canonicalJson({ target: parts.target, code: sha256Hex(parts.code), layout: parts.layout, weights, kernels }));
  return { sha256, weights, kernels };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A program's interface and signature, as a manifest records them. */
export interface SignedProgram {
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
  signature: ProgramSignature;
}

/**
 * The first difference between two programs in words, each side named by where it comes from (`'in the
 * artifact'`, `'in new.onnx'`), or undefined when their signatures are equal. Looked for in an order a reader can
 * act on: inputs and outputs, weights (name, dtype, shape, place), then kernels by node — generated code
 * inlines small constants, so a kernel can differ where every weight has its place — and last what only the
 * sha-256 covers (the layout and the code that kernels share).
 */
export function firstDifference(a: SignedProgram, b: SignedProgram, where: readonly [string, string]): string | undefined {
  if (a.signature.sha256 === b.signature.sha256) return undefined;
  const type = (t: TensorInfo) => `${t.dtype}${formatShape(t.shape)}`;
  const place = (w: WeightPlacement) => `${type(w)} at bytes ${w.offset}..${w.offset + w.bytes}`;
  return (
    listDifference('input', a.inputs, b.inputs, (t) => t.name, type, type, where) ??
    listDifference('output', a.outputs, b.outputs, (t) => t.name, type, type, where) ??
    listDifference('weight', a.signature.weights, b.signature.weights, (w) => w.name, type, place, where) ??
    kernelDifference(a.signature, b.signature, where) ??
    'the memory or buffer layout, or code the kernels share, differs'
  );
}

/**
 * The first entry of two lists that differs in name or in `detail`: described by `brief`, or by `detail` where
 * the names and the brief descriptions agree.
 */
function listDifference<T>(what: string, a: readonly T[], b: readonly T[], name: (x: T) => string, brief: (x: T) => string, detail: (x: T) => string, [inA, inB]: readonly [string, string]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x === undefined) return `${what} '${name(y)}' (${brief(y)}) is ${inB}, not ${inA}`;
    if (y === undefined) return `${what} '${name(x)}' (${brief(x)}) is ${inA}, not ${inB}`;
    if (name(x) === name(y) && detail(x) === detail(y)) continue;
    if (name(x) !== name(y)) return `${what} ${i + 1} is '${name(x)}' ${brief(x)} ${inA}, '${name(y)}' ${brief(y)} ${inB}`;
    const describe = brief(x) === brief(y) ? detail : brief;
    return `${what} '${name(x)}' is ${describe(x)} ${inA}, ${describe(y)} ${inB}`;
  }
  return undefined;
}

function kernelDifference(a: ProgramSignature, b: ProgramSignature, [inA, inB]: readonly [string, string]): string | undefined {
  const n = Math.max(a.kernels.length, b.kernels.length);
  for (let i = 0; i < n; i++) {
    const [x, y] = [a.kernels[i], b.kernels[i]];
    if (x?.node === y?.node && x.sha256 === y.sha256) continue;
    const node = (k: typeof x) => (k ? `node '${k.node}'` : 'nothing');
    if (x?.node !== y?.node) return `kernel ${i + 1} computes ${node(x)} ${inA}, ${node(y)} ${inB}`;
    return `the code generated for node '${x.node}' (kernel ${i + 1} of ${a.kernels.length}) differs ${inA} and ${inB} (kernels inline small constants of the model)`;
  }
  return undefined;
}
