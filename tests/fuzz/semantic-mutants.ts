// Semantic mutants of real models for the whole-path fuzzer: each is a valid-looking ONNX model (a conv with
// other strides, pads, dilations, groups or kernel size and weights of the matching shape; a pool with another
// window; an activation or a binary op swapped; a transpose pair, a pad, a tile or an f16 round trip inserted;
// the graph cut at an intermediate value; odd input shapes), made by editing the decoded ModelProto and
// encoding it again. Whether a mutant is a legal model is onnxruntime's to say: the runner skips what it rejects.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importOnnx } from '../../compiler/onnx/frontend.js';
import { decodeModel, onnx, toNumber, type AttributeProto, type GraphProto, type ModelProto, type NodeProto } from '../../compiler/onnx/proto.js';
import { encodeOnnxModel } from '../../compiler/onnx/writer.js';
import { mobilenetV2, resnet, squeezenet, transformerEncoder } from '../../models/zoo.js';
import { pytorchTransformer } from '../../models/pytorch-style.js';
import { REPO_ROOT } from '../util/repo.js';

export interface SemanticSource {
  name: string;
  bytes: Uint8Array;
  /** Concrete sizes for the inputs' symbolic dims (the pytorch-style model's batch and sequence). */
  inputShapes: Record<string, number[]>;
}

export interface SemanticMutant {
  /** `<source>#<index>`. */
  name: string;
  source: string;
  /** What was changed, in order. */
  mutations: string[];
  bytes: Uint8Array;
}

/** The repo's models: the sample, the zoo, the pytorch-style encoder, the MNIST LeNets and the wake-word heads. */
export function semanticSources(): SemanticSource[] {
  const file = (name: string, rel: string): SemanticSource => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(REPO_ROOT, rel))), inputShapes: {} });
  const spec = (name: string, bytes: Uint8Array, inputShapes: Record<string, number[]> = {}): SemanticSource => ({ name, bytes, inputShapes });
  const oww = path.join('node_modules', 'openwakeword-js', 'models');
  return [
    file('tiny-cnn', path.join('models', 'tiny-cnn.onnx')),
    spec('resnet', encodeOnnxModel(resnet())),
    spec('mobilenet-v2', encodeOnnxModel(mobilenetV2())),
    spec('squeezenet', encodeOnnxModel(squeezenet())),
    spec('transformer-encoder', encodeOnnxModel(transformerEncoder())),
    spec('pytorch-transformer', encodeOnnxModel(pytorchTransformer()), { x: [1, 8, 32] }),
    file('lenet-5', path.join('models', 'mnist', 'lenet-5.onnx')),
    file('lenet-300-100', path.join('models', 'mnist', 'lenet-300-100.onnx')),
    file('oww-hello-deepa', path.join(oww, 'hello_deepa.onnx')),
    file('oww-namaste-deepa', path.join(oww, 'namaste_deepa.onnx')),
  ];
}

const UNARY = ['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'Softsign', 'Softplus', 'HardSigmoid', 'HardSwish', 'Abs', 'Neg', 'Sin', 'Cos', 'Erf'];
/** Div is a source but not a replacement: a random divisor near 0 makes values no tolerance can judge. */
const BINARY = ['Add', 'Sub', 'Mul', 'Max', 'Min'];
const BINARY_FROM = [...BINARY, 'Div'];

interface ValueFacts {
  dtype: string;
  rank: number;
}

/** What a mutation sees: the model being edited, the source's value types and the seeded stream. */
interface MutationContext {
  model: ModelProto;
  graph: GraphProto;
  values: Map<string, ValueFacts>;
  /** Uniform in [0, 1). */
  rand: () => number;
  fresh(hint: string): string;
}

type Mutation = (c: MutationContext) => string | undefined;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const ints = (name: string, values: number[]): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const intAttr = (name: string, i: number): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const strAttr = (name: string, s: string): AttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });

function setAttr(node: NodeProto, attr: AttributeProto): void {
  node.attribute = [...(node.attribute ?? []).filter((a) => a.name !== attr.name), attr];
}

function dropAttr(node: NodeProto, name: string): void {
  node.attribute = (node.attribute ?? []).filter((a) => a.name !== name);
}

function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.ints ? a.ints.map((v) => toNumber(v)) : undefined;
}

function attrInt(node: NodeProto, name: string): number | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  return a ? toNumber(a.i) : undefined;
}

function addInitializer(c: MutationContext, hint: string, dataType: number, dims: number[], values: number[]): string {
  const name = c.fresh(hint);
  const init = dataType === onnx.TensorProto.DataType.INT64
    ? { name, dataType, dims, int64Data: values }
    : { name, dataType, dims, floatData: values };
  c.graph.initializer = [...(c.graph.initializer ?? []), init];
  return name;
}

function initializerOf(c: MutationContext, name: string) {
  return c.graph.initializer?.find((t) => t.name === name);
}

/** Values computed by nodes (not initializers, not graph inputs) whose rank the source's import knew. */
function computedValues(c: MutationContext, minRank = 0): string[] {
  const out: string[] = [];
  for (const n of c.graph.node ?? []) {
    for (const o of n.output ?? []) {
      const f = c.values.get(o);
      if (o && f && f.dtype === 'f32' && f.rank >= minRank) out.push(o);
    }
  }
  return out;
}

/** Inserts `nodes` right after the node that makes `value` (so the node list stays in topological order). */
function insertAfterProducer(c: MutationContext, value: string, nodes: NodeProto[]): void {
  const list = c.graph.node ?? [];
  const at = list.findIndex((n) => n.output?.includes(value));
  list.splice(at + 1, 0, ...nodes);
  c.graph.node = list;
}

/** Makes the consumers of `value` (and the graph outputs naming it) read `replacement` instead, except `except`. */
function rewire(c: MutationContext, value: string, replacement: string, except: Set<NodeProto>): void {
  for (const n of c.graph.node ?? []) {
    if (except.has(n)) continue;
    n.input = (n.input ?? []).map((i) => (i === value ? replacement : i));
  }
  for (const o of c.graph.output ?? []) if (o.name === value) o.name = replacement;
}

function addOutput(c: MutationContext, name: string, elemType = onnx.TensorProto.DataType.FLOAT): void {
  if (c.graph.output?.some((o) => o.name === name)) return;
  c.graph.output = [...(c.graph.output ?? []), { name, type: { tensorType: { elemType } } }];
}

/** A conv's strides, pads, dilations, group or kernel size, with a fresh weight of the matching shape. */
const convGeometry: Mutation = (c) => {
  const convs = (c.graph.node ?? []).filter((n) => n.opType === 'Conv' && initializerOf(c, n.input![1]));
  if (!convs.length) return undefined;
  const node = pick(c.rand, convs);
  const w = initializerOf(c, node.input![1])!;
  const [cout, cinPerGroup, kh, kw] = (w.dims ?? []).map((d) => toNumber(d));
  if (kw === undefined) return undefined;
  const group = attrInt(node, 'group') ?? 1;
  const cin = cinPerGroup * group;
  const what = pick(c.rand, ['strides', 'pads', 'dilations', 'kernel', 'group']);
  let shape = [cout, cinPerGroup, kh, kw];
  if (what === 'strides') setAttr(node, ints('strides', [int(c.rand, 1, 3), int(c.rand, 1, 3)]));
  if (what === 'pads' || what === 'kernel') {
    dropAttr(node, 'auto_pad');
    setAttr(node, ints('pads', [int(c.rand, 0, 2), int(c.rand, 0, 2), int(c.rand, 0, 2), int(c.rand, 0, 2)]));
  }
  if (what === 'dilations') setAttr(node, ints('dilations', [int(c.rand, 1, 3), int(c.rand, 1, 2)]));
  if (what === 'kernel') {
    const k = [pick(c.rand, [1, 2, 3, 5]), pick(c.rand, [1, 2, 3, 5])];
    shape = [cout, cinPerGroup, k[0], k[1]];
    setAttr(node, ints('kernel_shape', k));
  }
  if (what === 'group') {
    const divisors = [1, 2, 3, 4, 8, cin].filter((g) => cin % g === 0 && cout % g === 0 && g !== group);
    if (!divisors.length) return undefined;
    const g = pick(c.rand, divisors);
    shape = [cout, cin / g, kh, kw];
    setAttr(node, intAttr('group', g));
  }
  const fanIn = shape[1] * shape[2] * shape[3];
  const n = shape.reduce((a, b) => a * b, 1);
  const scale = Math.sqrt(2 / fanIn);
  node.input![1] = addInitializer(c, 'mut_w', onnx.TensorProto.DataType.FLOAT, shape, Array.from({ length: n }, () => (c.rand() * 2 - 1) * scale));
  return `conv ${what} ${node.attribute!.filter((a) => ['strides', 'pads', 'dilations', 'kernel_shape', 'group'].includes(a.name!)).map((a) => `${a.name}=${a.ints?.length ? `[${a.ints.map(toNumber)}]` : toNumber(a.i)}`).join(' ')}`;
};

/** A pool's window, strides, pads, dilations and ceil_mode (pads may be as wide as the window less one). */
const poolGeometry: Mutation = (c) => {
  const pools = (c.graph.node ?? []).filter((n) => n.opType === 'MaxPool' || n.opType === 'AveragePool');
  if (!pools.length) return undefined;
  const node = pick(c.rand, pools);
  const k = [int(c.rand, 1, 4), int(c.rand, 1, 4)];
  setAttr(node, ints('kernel_shape', k));
  setAttr(node, ints('strides', [int(c.rand, 1, 3), int(c.rand, 1, 3)]));
  dropAttr(node, 'auto_pad');
  setAttr(node, ints('pads', [int(c.rand, 0, k[0] - 1), int(c.rand, 0, k[1] - 1), int(c.rand, 0, k[0] - 1), int(c.rand, 0, k[1] - 1)]));
  setAttr(node, intAttr('ceil_mode', int(c.rand, 0, 1)));
  if (node.opType === 'MaxPool' && c.rand() < 0.3) setAttr(node, ints('dilations', [int(c.rand, 1, 2), int(c.rand, 1, 2)]));
  if (node.opType === 'AveragePool') setAttr(node, intAttr('count_include_pad', int(c.rand, 0, 1)));
  return `${node.opType} ${node.attribute!.map((a) => `${a.name}=${a.ints?.length ? `[${a.ints.map(toNumber)}]` : toNumber(a.i)}`).join(' ')}`;
};

const swapActivation: Mutation = (c) => {
  const nodes = (c.graph.node ?? []).filter((n) => UNARY.includes(n.opType!));
  if (!nodes.length) return undefined;
  const node = pick(c.rand, nodes);
  const to = pick(c.rand, UNARY.filter((u) => u !== node.opType));
  const from = node.opType;
  node.opType = to;
  node.attribute = [];
  return `${from} → ${to}`;
};

const swapBinary: Mutation = (c) => {
  // Only between f32 operands: a shape computation's Add or Mul feeds Reshape and Slice with i64.
  const nodes = (c.graph.node ?? []).filter((n) => BINARY_FROM.includes(n.opType!) && c.values.get(n.output![0])?.dtype === 'f32');
  if (!nodes.length) return undefined;
  const node = pick(c.rand, nodes);
  const to = pick(c.rand, BINARY.filter((b) => b !== node.opType));
  const from = node.opType;
  node.opType = to;
  return `${from} → ${to}`;
};

function permutation(rand: () => number, rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Transpose(p) (an activation between, at times) Transpose(p⁻¹) on an intermediate value: the same function. */
const insertTranspose: Mutation = (c) => {
  const candidates = computedValues(c, 2);
  if (!candidates.length) return undefined;
  const value = pick(c.rand, candidates);
  const perm = permutation(c.rand, c.values.get(value)!.rank);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const t1 = c.fresh('mut_t');
  const nodes: NodeProto[] = [{ opType: 'Transpose', input: [value], output: [t1], attribute: [ints('perm', perm)], name: c.fresh('mut_transpose') }];
  let last = t1;
  if (c.rand() < 0.4) {
    const act = pick(c.rand, UNARY);
    const a = c.fresh('mut_a');
    nodes.push({ opType: act, input: [last], output: [a], name: c.fresh('mut_act') });
    last = a;
  }
  const t2 = c.fresh('mut_t');
  nodes.push({ opType: 'Transpose', input: [last], output: [t2], attribute: [ints('perm', inverse)], name: c.fresh('mut_transpose') });
  rewire(c, value, t2, new Set(nodes));
  insertAfterProducer(c, value, nodes);
  // A transpose left alone, made an output, so that one is not cancelled away.
  if (c.rand() < 0.5) addOutput(c, t1);
  return `transpose [${perm}] on ${value}${nodes.length === 3 ? ` with ${nodes[1].opType}` : ''}`;
};

/** An intermediate value made an output: the cut replaces the outputs or joins them. */
const cutGraph: Mutation = (c) => {
  const candidates = computedValues(c).filter((v) => !c.graph.output?.some((o) => o.name === v));
  if (!candidates.length) return undefined;
  const value = pick(c.rand, candidates);
  if (c.rand() < 0.5) c.graph.output = [];
  addOutput(c, value);
  return `output ${value}`;
};

/** A side branch made an output: Pad (constant, reflect or edge), Tile, or an f16 round trip inline. */
const insertMovement: Mutation = (c) => {
  const candidates = computedValues(c, 1);
  if (!candidates.length) return undefined;
  const value = pick(c.rand, candidates);
  const rank = c.values.get(value)!.rank;
  const out = c.fresh('mut_m');
  const kind = pick(c.rand, ['pad', 'tile', 'cast']);
  if (kind === 'pad') {
    const mode = pick(c.rand, ['constant', 'reflect', 'edge']);
    // Pads on the last two axes only (reflect needs pads below the axis size; small pads keep that likely).
    const pads = Array.from({ length: 2 * rank }, (_, i) => ((i % rank) >= rank - 2 ? int(c.rand, 0, 2) : 0));
    const padsName = addInitializer(c, 'mut_pads', onnx.TensorProto.DataType.INT64, [2 * rank], pads);
    insertAfterProducer(c, value, [{ opType: 'Pad', input: [value, padsName], output: [out], attribute: [strAttr('mode', mode)], name: c.fresh('mut_pad') }]);
    addOutput(c, out);
    return `pad ${mode} [${pads}] on ${value}`;
  }
  if (kind === 'tile') {
    const repeats = Array.from({ length: rank }, (_, i) => (i >= rank - 2 ? int(c.rand, 1, 3) : 1));
    const rep = addInitializer(c, 'mut_repeats', onnx.TensorProto.DataType.INT64, [rank], repeats);
    insertAfterProducer(c, value, [{ opType: 'Tile', input: [value, rep], output: [out], name: c.fresh('mut_tile') }]);
    addOutput(c, out);
    return `tile [${repeats}] on ${value}`;
  }
  const back = c.fresh('mut_m');
  const nodes: NodeProto[] = [
    { opType: 'Cast', input: [value], output: [out], attribute: [intAttr('to', onnx.TensorProto.DataType.FLOAT16)], name: c.fresh('mut_cast') },
    { opType: 'Cast', input: [out], output: [back], attribute: [intAttr('to', onnx.TensorProto.DataType.FLOAT)], name: c.fresh('mut_cast') },
  ];
  rewire(c, value, back, new Set(nodes));
  insertAfterProducer(c, value, nodes);
  return `f16 round trip on ${value}`;
};

/** Odd spatial sizes (1×3×37×53), a batch of 2 or 3. */
const inputShape: Mutation = (c) => {
  const input = realInputs(c.graph)[0];
  const dims = input?.type?.tensorType?.shape?.dim;
  if (!dims?.length) return undefined;
  const sizes = dims.map((d) => toNumber(d.dimValue));
  if (c.rand() < 0.4 || sizes.length < 4) sizes[0] = int(c.rand, 1, 3);
  else for (let i = 2; i < sizes.length; i++) sizes[i] = int(c.rand, 3, 70);
  input!.type!.tensorType!.shape!.dim = sizes.map((d) => ({ dimValue: d }));
  return `input ${input!.name} [${sizes}]`;
};

const MUTATIONS: [string, Mutation, number][] = [
  ['conv', convGeometry, 3],
  ['pool', poolGeometry, 2],
  ['activation', swapActivation, 2],
  ['binary', swapBinary, 2],
  ['transpose', insertTranspose, 2],
  ['cut', cutGraph, 2],
  ['movement', insertMovement, 2],
  ['shape', inputShape, 2],
];

function realInputs(graph: GraphProto) {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).filter((i) => !inits.has(i.name));
}

/** Each source's value dtypes and ranks (from dlc's import of the unmutated model), computed once. */
const factsCache = new WeakMap<SemanticSource, Map<string, ValueFacts>>();

function valueFacts(source: SemanticSource): Map<string, ValueFacts> {
  let facts = factsCache.get(source);
  if (facts) return facts;
  facts = new Map();
  const { graph: imported } = importOnnx(source.bytes, { file: source.name, inputShapes: source.inputShapes });
  for (const v of [...imported.inputs, ...imported.nodes.flatMap((n) => n.outputs)]) facts.set(v.name, { dtype: v.type.dtype, rank: v.type.shape.length });
  factsCache.set(source, facts);
  return facts;
}

/**
 * Mutant `index` of `source`: one to three mutations drawn from `unit` (uniform in [0, 1)), inputs made
 * concrete, stale shapes dropped.
 */
export function makeMutant(source: SemanticSource, index: number, unit: () => number): SemanticMutant {
  const rand = unit;
  const model = decodeModel(source.bytes, source.name);
  const graph = model.graph!;
  let counter = 0;
  const c: MutationContext = { model, graph, values: valueFacts(source), rand, fresh: (hint) => `${hint}_${index}_${counter++}` };
  for (const input of realInputs(graph)) {
    const given = source.inputShapes[input.name!];
    const shape = input.type?.tensorType?.shape;
    if (shape) shape.dim = given ? given.map((d) => ({ dimValue: d })) : (shape.dim ?? []).map((d) => ({ dimValue: d.dimParam ? 1 : toNumber(d.dimValue) }));
  }
  const mutations: string[] = [];
  const total = MUTATIONS.reduce((a, m) => a + m[2], 0);
  const wanted = int(rand, 1, 3);
  for (let tries = 0; mutations.length < wanted && tries < 20; tries++) {
    let r = rand() * total;
    const [, mutation] = MUTATIONS.find((m) => (r -= m[2]) < 0) ?? MUTATIONS[0];
    const done = mutation(c);
    if (done) mutations.push(done);
  }
  // Shapes recorded for the unmutated model no longer hold: onnxruntime and dlc infer them again.
  graph.valueInfo = [];
  for (const o of graph.output ?? []) if (o.type?.tensorType) o.type.tensorType.shape = null;
  return { name: `${source.name}#${index}`, source: source.name, mutations, bytes: onnx.ModelProto.encode(model).finish() };
}
