// Seeded mutations of ONNX model bytes: byte-level damage (truncation, random bytes, flipped bytes) and
// structural damage made by decoding, editing and re-encoding (missing initializers, dangling inputs,
// reordered nodes that form cycles, unknown ops, negative or enormous dims, bad attributes).
import { onnx, type ModelProto } from '../../compiler/onnx/proto.js';

export type Rand = () => number; // uniform in [-1, 1)

export interface Mutant {
  kind: string;
  bytes: Uint8Array;
}

function pick(rand: Rand, n: number): number {
  return Math.min(n - 1, Math.floor(((rand() + 1) / 2) * n));
}

type ByteMutator = (bytes: Uint8Array, rand: Rand) => Uint8Array;
// The decoded messages' arrays are always present; these types say so (the generated ones allow null).
interface MutableAttr { i: number; ints: number[]; f: number }
interface MutableNode { opType: string; input: string[]; output: string[]; attribute: MutableAttr[] }
interface MutableTensor { dims: number[]; dataType: number }
interface MutableGraph {
  node: MutableNode[];
  initializer: MutableTensor[];
  input: { type?: { tensorType?: { shape?: { dim: unknown[] } } } }[];
}
type ModelMutator = (g: MutableGraph, rand: Rand) => void;

const byteMutators: Record<string, ByteMutator> = {
  truncate: (b, r) => b.slice(0, pick(r, b.length)),
  'random-bytes': (b, r) => Uint8Array.from({ length: 1 + pick(r, 4096) }, () => pick(r, 256)),
  'flip-bytes': (b, r) => {
    const out = b.slice();
    const k = 1 + pick(r, 16);
    for (let i = 0; i < k; i++) out[pick(r, out.length)] ^= 1 << pick(r, 8);
    return out;
  },
  'set-bytes': (b, r) => {
    const out = b.slice();
    const k = 1 + pick(r, 8);
    for (let i = 0; i < k; i++) out[pick(r, out.length)] = [0, 0xff, 0x80, 0x7f][pick(r, 4)];
    return out;
  },
};

const ENORMOUS = 2 ** 40;

const modelMutators: Record<string, ModelMutator> = {
  'drop-initializer': (g, r) => {
    const inits = g.initializer;
    if (inits.length) inits.splice(pick(r, inits.length), 1);
  },
  'dangling-input': (g, r) => {
    const nodes = g.node.filter((n) => n.input.length > 0);
    if (nodes.length) {
      const n = nodes[pick(r, nodes.length)];
      n.input[pick(r, n.input.length)] = 'no_such_value';
    }
  },
  'reorder-nodes': (g, r) => {
    const nodes = g.node;
    if (nodes.length > 1) {
      const i = pick(r, nodes.length);
      const j = pick(r, nodes.length);
      [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
    }
  },
  cycle: (g, r) => {
    // Feed a node's own output (or a later node's) back into its input.
    const nodes = g.node;
    const i = pick(r, nodes.length);
    const j = i + pick(r, nodes.length - i);
    if (nodes[i].input.length && nodes[j].output.length) nodes[i].input[0] = nodes[j].output[0];
  },
  'unknown-op': (g, r) => {
    const nodes = g.node;
    nodes[pick(r, nodes.length)].opType = 'NoSuchOp';
  },
  'bad-input-dim': (g, r) => {
    const dims = g.input[0]?.type?.tensorType?.shape?.dim;
    if (dims?.length) dims[pick(r, dims.length)] = onnx.TensorShapeProto.Dimension.create({ dimValue: [-1, -7, ENORMOUS, 0][pick(r, 4)] });
  },
  'bad-initializer-dim': (g, r) => {
    const inits = g.initializer.filter((t) => t.dims.length);
    if (inits.length) {
      const t = inits[pick(r, inits.length)];
      t.dims[pick(r, t.dims.length)] = [-1, ENORMOUS, 0, 3][pick(r, 4)];
    }
  },
  'bad-attribute': (g, r) => {
    const nodes = g.node.filter((n) => n.attribute.length);
    if (!nodes.length) return;
    const a = nodes[pick(r, nodes.length)].attribute;
    const k = pick(r, a.length);
    if (r() < 0) a.splice(k, 1);
    else {
      a[k].i = [-5, ENORMOUS, 0][pick(r, 3)];
      a[k].ints = a[k].ints.map(() => [-5, ENORMOUS, 0][pick(r, 3)]);
      a[k].f = [NaN, -1, 1e30][pick(r, 3)];
    }
  },
  'wrong-dtype': (g, r) => {
    const inits = g.initializer;
    if (inits.length) inits[pick(r, inits.length)].dataType = [0, 8, 7, 16, 99][pick(r, 5)];
  },
};

export const MUTATION_KINDS = [...Object.keys(byteMutators), ...Object.keys(modelMutators)];

export function mutate(original: Uint8Array, decoded: () => ModelProto, rand: Rand): Mutant {
  const kinds = MUTATION_KINDS;
  const kind = kinds[pick(rand, kinds.length)];
  if (kind in byteMutators) return { kind, bytes: byteMutators[kind](original, rand) };
  const m = decoded();
  if (!m.graph) return { kind, bytes: original };
  modelMutators[kind](m.graph as unknown as MutableGraph, rand);
  return { kind, bytes: onnx.ModelProto.encode(m).finish() };
}
