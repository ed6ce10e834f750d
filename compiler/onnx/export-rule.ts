// What an export rule is, and the plain rule most canonical ops need: canonical ops are the latest ONNX form of
// each op (axes, bounds and sizes as inputs, explicit pads), so most write back as one ONNX node with the same
// inputs and attributes, typed by the op's attribute schema.
import { DlcError } from '../errors.js';
import type { AttrValue, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import type { OnnxAttrSpec, OnnxNodeSpec } from './writer.js';

/** The lowest opset whose forms the rules write: before 13, Squeeze, Split, Softmax… took other forms. */
export const MIN_EXPORT_OPSET = 13;
/** The highest opset the rules know the forms of. */
export const MAX_EXPORT_OPSET = 21;

export interface ExportContext {
  opset: number;
  /** Names of the node's inputs ('' for an omitted one) and outputs in the exported graph. */
  inputs: string[];
  outputs: string[];
  /** A fresh value name for an intermediate the rule introduces. */
  fresh(hint: string): string;
  /** Adds an initializer holding `t`; returns its name. */
  constant(hint: string, t: Tensor): string;
}

export interface ExportRule {
  /** The ONNX op the rule writes (a decomposition writes others where the opset lacks it). */
  onnxOp: string;
  /** The lowest opset in which this node can be written. */
  since(node: Node): number;
  emit(node: Node, ctx: ExportContext): OnnxNodeSpec[];
}

/** A canonical attribute that ONNX has only from an opset on; at its default it is left out before that. */
export interface GatedAttr {
  since: number;
  isDefault(v: AttrValue): boolean;
}

export interface PlainOptions {
  /** The opset from which the ONNX op has the canonical form (MIN_EXPORT_OPSET when older). */
  since?: number;
  /** A later opset that this node needs (an attribute value added later, a wider dtype). */
  sinceFor?(node: Node): number;
  gated?: Record<string, GatedAttr>;
}

/** One ONNX node with the canonical node's inputs and attributes. */
export function plainRule(onnxOp: string, options: PlainOptions = {}): ExportRule {
  const gated = options.gated ?? {};
  return {
    onnxOp,
    since: (node) => {
      let since = Math.max(MIN_EXPORT_OPSET, options.since ?? 0, options.sinceFor?.(node) ?? 0);
      for (const [name, g] of Object.entries(gated)) {
        const v = node.attrs[name];
        if (v !== undefined && !g.isDefault(v)) since = Math.max(since, g.since);
      }
      return since;
    },
    emit: (node, ctx) => {
      const attrs: Record<string, AttrValue> = {};
      for (const [name, v] of Object.entries(node.attrs)) if (!(gated[name] && ctx.opset < gated[name].since)) attrs[name] = v;
      return [onnxNode(node, onnxOp, ctx.inputs, ctx.outputs, onnxAttrs(node.op, attrs))];
    },
  };
}

export function onnxNode(node: Node, op: string, inputs: string[], outputs: string[], attrs: Record<string, OnnxAttrSpec> = {}, suffix = ''): OnnxNodeSpec {
  return { op, inputs: trimOmitted(inputs), outputs, attrs, name: node.name + suffix };
}

/** Omitted trailing inputs are left off; inner ones stay as ''. */
function trimOmitted(inputs: string[]): string[] {
  let n = inputs.length;
  while (n > 0 && inputs[n - 1] === '') n--;
  return inputs.slice(0, n);
}

/** Canonical attribute values as ONNX attributes, each typed by the op's schema (an int 1 is not a float 1). */
export function onnxAttrs(op: string, attrs: Record<string, AttrValue>): Record<string, OnnxAttrSpec> {
  const schema = getOp(op).attrs;
  const out: Record<string, OnnxAttrSpec> = {};
  for (const [name, v] of Object.entries(attrs)) {
    switch (schema[name]?.type) {
      case 'int': out[name] = v as number; break;
      case 'float': out[name] = { float: v as number }; break;
      case 'ints': out[name] = { ints: v as number[] }; break;
      case 'floats': out[name] = { floats: v as number[] }; break;
      case 'string': out[name] = v as string; break;
      case 'strings': out[name] = v as string[]; break;
      case 'tensor': out[name] = v as Tensor; break;
      default: throw new DlcError(`attribute '${name}' has no ONNX form`);
    }
  }
  return out;
}

export const isZero = (v: AttrValue): boolean => v === 0;
export const allOnes = (v: AttrValue): boolean => Array.isArray(v) && v.every((x) => x === 1);
export const equals = (value: string | number) => (v: AttrValue): boolean => v === value;
