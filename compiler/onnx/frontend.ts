// ONNX frontend: ModelProto → graph IR of canonical ops. Each (op, opset) is mapped once, by the op's
// registry entry; nothing after this file looks at opset numbers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError, withContext } from '../errors.js';
import { knownValue } from '../infer.js';
import { GraphBuilder } from '../ir/builder.js';
import { isFloat } from '../ir/dtype.js';
import { Graph, Value, isConcreteShape, type AttrValue, type Attrs, type Dim, type TensorType } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { findOnnxImport, type OnnxNode } from '../ops/registry.js';
import '../ops/index.js';
import { decodeModel, dtypeFromOnnx, toNumber, type AttributeProto, type GraphProto, type LongLike, type NodeProto, type TypeProto, type ValueInfoProto } from './proto.js';
import { tensorFromProto } from './tensor.js';

export interface ImportOptions {
  /** Concrete shapes for graph inputs, by name; they replace the model's declared (possibly symbolic) dims. */
  inputShapes?: Record<string, number[]>;
  /**
   * Values for graph inputs, by name: each input becomes a constant of its value and leaves the graph's
   * inputs (the graph's `specialized` lists them), so that shapes its value decides (a Reshape's shape, a
   * Slice's starts) become concrete. A Tensor must have the declared dtype and a shape that fits the
   * declaration; a plain list of numbers takes the declared dtype, and the declared shape when that is
   * concrete (else it is a 1-D list, or a scalar at rank 0).
   */
  inputValues?: Record<string, Tensor | readonly number[]>;
  /** Model file path, for error messages and for resolving external data. */
  file?: string;
}

export interface ImportedModel {
  graph: Graph;
  /** Opset version per domain ('' is ai.onnx). */
  opsets: Record<string, number>;
  producer: string;
}

export function loadOnnxFile(file: string, options: Omit<ImportOptions, 'file'> = {}): ImportedModel {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DlcError(`cannot read model: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  return importOnnx(bytes, { ...options, file });
}

export function importOnnx(bytes: Uint8Array, options: ImportOptions = {}): ImportedModel {
  const file = options.file ?? '<memory>';
  const model = decodeModel(bytes, file);
  if (!model.graph) throw new DlcError('model has no graph', { file });
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) opsets[o.domain === 'ai.onnx' ? '' : (o.domain ?? '')] = toNumber(o.version as LongLike);
  if (opsets[''] === undefined) opsets[''] = 1;
  const ctx: ImportContext = {
    file,
    opsets,
    baseDir: options.file ? path.dirname(options.file) : undefined,
    inputShapes: options.inputShapes ?? {},
    inputValues: options.inputValues ?? {},
  };
  checkInputShapeNames(model.graph, ctx);
  try {
    const graph = importGraph(model.graph, undefined, ctx, undefined);
    return { graph, opsets, producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim() };
  } catch (e) {
    withContext(e, { file });
  }
}

/** Every given shape must name an input of the main graph (initializers listed as inputs are not inputs). */
function checkInputShapeNames(gp: GraphProto, ctx: ImportContext): void {
  const initializers = new Set((gp.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (gp.input ?? []).map((vi) => vi.name ?? '').filter((name) => !initializers.has(name));
  for (const name of Object.keys(ctx.inputShapes)) {
    if (!inputs.includes(name)) {
      throw new DlcError(`--input-shape names '${name}', which is not an input of the model (inputs: ${inputs.join(', ')})`, { file: ctx.file }, 2);
    }
  }
}

interface ImportContext {
  file: string;
  opsets: Record<string, number>;
  baseDir?: string;
  inputShapes: Record<string, number[]>;
  inputValues: Record<string, Tensor | readonly number[]>;
}

/** Names visible while importing a graph; nested graphs see their enclosing graphs' names. */
class NameScope {
  private readonly names = new Map<string, Value>();
  constructor(readonly parent?: NameScope) {}

  lookup(name: string): Value | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  bind(name: string, v: Value): void {
    this.names.set(name, v);
  }
}

/**
 * Imports a graph. `inputHints` gives types for a subgraph's inputs where its proto declares none
 * (a Loop body's carried values, say).
 */
function importGraph(gp: GraphProto, parent: NameScope | undefined, ctx: ImportContext, inputHints: TensorType[] | undefined): Graph {
  const isMain = parent === undefined;
  const graph = new Graph(gp.name || 'main');
  const scope = new NameScope(parent);
  const b = new GraphBuilder(graph);

  const initNames = new Set<string>();
  for (const tp of gp.initializer ?? []) {
    const name = tp.name ?? '';
    let t: Tensor;
    try {
      t = tensorFromProto(tp, { baseDir: ctx.baseDir });
    } catch (e) {
      withContext(e, { node: `initializer ${name}` });
    }
    const v = new Value(name, { dtype: t.dtype, shape: [...t.shape] }, t);
    graph.constants.push(v);
    scope.bind(name, v);
    initNames.add(name);
  }

  if (isMain) checkValueNames(gp, initNames, ctx);
  let hintIndex = 0;
  for (const vi of gp.input ?? []) {
    const name = vi.name ?? '';
    if (initNames.has(name)) continue; // old-style models list initializers as inputs too
    if (isMain && Object.hasOwn(ctx.inputValues, name)) {
      const value = specializedValue(vi, ctx);
      const v = new Value(name, { dtype: value.dtype, shape: [...value.shape] }, value);
      graph.constants.push(v);
      graph.specialized.push({ name, value });
      scope.bind(name, v);
      continue;
    }
    const hint = inputHints?.[hintIndex++];
    const type = isMain ? mainInputType(vi, ctx) : subgraphInputType(vi, hint);
    const v = new Value(name, type);
    graph.inputs.push(v);
    scope.bind(name, v);
  }

  for (const np of gp.node ?? []) importNode(np, scope, b, ctx);

  for (const vi of gp.output ?? []) {
    const name = vi.name ?? '';
    // The model's outputs are keyed by name (onnxruntime returns them so too): an output listed twice is one
    // output. A subgraph's outputs are positional, so there a repeat stays.
    if (isMain && graph.outputs.some((o) => o.name === name)) continue;
    let v = scope.lookup(name);
    if (!v) throw new DlcError(`graph output '${name}' is not produced by any node`);
    // An output must be a value the graph computes under the output's own name.
    if (v.isConst || graph.inputs.includes(v) || graph.outputs.includes(v) || !graph.nodes.some((n) => n.outputs.includes(v!))) {
      v = b.emit('identity', [v])[0];
    }
    v.name = name;
    graph.outputs.push(v);
  }
  return graph;
}

function mainInputType(vi: ValueInfoProto, ctx: ImportContext): TensorType {
  const name = vi.name ?? '';
  const declared = tensorTypeOf(vi.type, name);
  const given = ctx.inputShapes[name];
  if (given) {
    if (declared.shape.length !== given.length) {
      throw new DlcError(`--input-shape ${name} has rank ${given.length}, the model declares rank ${declared.shape.length}`, {}, 2);
    }
    declared.shape.forEach((d, i) => {
      if (typeof d === 'number' && d !== given[i]) {
        throw new DlcError(`--input-shape ${name}: dim ${i} is ${given[i]}, the model fixes it to ${d}`, {}, 2);
      }
    });
    return { dtype: declared.dtype, shape: [...given] };
  }
  declared.shape.forEach((d, i) => {
    if (typeof d !== 'number') {
      throw new DlcError(`input '${name}' has unresolved dim ${i} ('${d}'); give its shape with --input-shape ${name}=d0,d1,...`);
    }
  });
  return declared;
}

/** Every name given a value must be an input of the model (an initializer is not one). */
function checkValueNames(gp: GraphProto, initNames: ReadonlySet<string>, ctx: ImportContext): void {
  const inputs = (gp.input ?? []).map((vi) => vi.name ?? '').filter((n) => !initNames.has(n));
  for (const name of Object.keys(ctx.inputValues)) {
    if (!inputs.includes(name)) throw new DlcError(`a value is given for '${name}', which is not an input of the model (inputs: ${inputs.join(', ')})`, {}, 2);
  }
}

/** The value given for a main-graph input, checked against the model's declaration (and any --input-shape). */
function specializedValue(vi: ValueInfoProto, ctx: ImportContext): Tensor {
  const name = vi.name ?? '';
  const declared = tensorTypeOf(vi.type, name);
  const given = ctx.inputValues[name];
  const value = given instanceof Tensor ? given : tensorOfList(given, declared, name);
  const expected = ctx.inputShapes[name] ?? declared.shape;
  const fits = value.shape.length === expected.length && expected.every((d, i) => typeof d !== 'number' || d === value.shape[i]);
  if (value.dtype !== declared.dtype || !fits) {
    throw new DlcError(`input '${name}' is declared ${formatType(declared.dtype, expected)}, the value given is ${formatType(value.dtype, value.shape)}`, {}, 2);
  }
  return value;
}

/**
 * A list of numbers as a tensor of the declared dtype, of the declared shape where that is concrete and holds
 * as many. Integers and bools must be held exactly (floats round to their dtype).
 */
function tensorOfList(values: readonly number[], declared: TensorType, name: string): Tensor {
  const { dtype, shape } = declared;
  const concrete = isConcreteShape(shape) && shape.reduce((n, d) => n * d, 1) === values.length;
  const t = Tensor.fromArray(dtype, concrete ? shape : shape.length === 0 && values.length === 1 ? [] : [values.length], values);
  const inexact = isFloat(dtype) ? -1 : values.findIndex((x, i) => t.data[i] !== x);
  if (inexact >= 0) throw new DlcError(`input '${name}' is ${dtype}: ${values[inexact]} is not one of its values`, {}, 2);
  return t;
}

function formatType(dtype: string, shape: readonly Dim[]): string {
  return `${dtype}[${shape.join(',')}]`;
}

function subgraphInputType(vi: ValueInfoProto, hint: TensorType | undefined): TensorType {
  const name = vi.name ?? '';
  if (!vi.type?.tensorType?.shape && hint) {
    return { dtype: vi.type?.tensorType?.elemType ? dtypeFromOnnx(vi.type.tensorType.elemType) : hint.dtype, shape: [...hint.shape] };
  }
  if (!vi.type?.tensorType && hint) return { dtype: hint.dtype, shape: [...hint.shape] };
  return tensorTypeOf(vi.type, name);
}

let symbolicCounter = 0;

function tensorTypeOf(tp: TypeProto | null | undefined, name: string): TensorType {
  if (!tp?.tensorType) {
    const kind = tp?.sequenceType ? 'a sequence' : tp?.optionalType ? 'an optional' : tp?.mapType ? 'a map' : 'not a tensor';
    throw new DlcError(`value '${name}' is ${kind}; only tensors are supported`);
  }
  const dtype = dtypeFromOnnx(tp.tensorType.elemType);
  if (!tp.tensorType.shape) throw new DlcError(`value '${name}' has no declared shape`);
  // dim_value and dim_param are a oneof: the one not set decodes as null.
  const shape: Dim[] = (tp.tensorType.shape.dim ?? []).map((d) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue === null || d.dimValue === undefined) return `?dim_${symbolicCounter++}`;
    const n = toNumber(d.dimValue as LongLike);
    if (n < 0) throw new DlcError(`value '${name}' has negative dim ${n}`);
    return n;
  });
  return { dtype, shape };
}

function importNode(np: NodeProto, scope: NameScope, b: GraphBuilder, ctx: ImportContext): void {
  const opType = np.opType ?? '';
  const domain = np.domain === 'ai.onnx' ? '' : (np.domain ?? '');
  const nodeName = np.name || `${opType}_${b.graph.nodes.length}`;
  try {
    const inputs = (np.input ?? []).map((name) => {
      if (name === '') return null;
      const v = scope.lookup(name);
      if (!v) throw new DlcError(`input '${name}' is not defined by any earlier node, initializer or graph input`);
      return v;
    });
    const outputNames = np.output ?? [];
    const attrs = importAttrs(np.attribute ?? [], opType, inputs, scope, ctx);

    const firstNode = b.graph.nodes.length;
    const firstConst = b.graph.constants.length;
    b.scope = `${nodeName}/`;
    let outputs: Value[];
    if (opType === 'Constant' && domain === '') {
      outputs = [b.constant(constantValue(attrs))];
    } else {
      const found = findOnnxImport(domain, opType);
      if (!found) throw new DlcError(`unsupported ONNX op '${domain ? domain + '::' : ''}${opType}'`);
      const opset = ctx.opsets[domain] ?? 1;
      const onnxNode: OnnxNode = { opType, domain, name: nodeName, opset, inputs, attrs, numOutputs: outputNames.length };
      outputs = found.imp.convert
        ? found.imp.convert(onnxNode, b)
        : b.emit(found.def.name, inputs, attrs, outputNames.length);
    }
    b.scope = '';
    const emitted = b.graph.nodes.slice(firstNode);
    if (emitted.length === 1) emitted[0].name = nodeName;
    const fresh = new Set<Value>([...emitted.flatMap((n) => n.outputs), ...b.graph.constants.slice(firstConst)]);
    outputNames.forEach((name, i) => {
      if (name === '') return;
      const v = outputs[i];
      if (!v) throw new DlcError(`produces no output ${i} ('${name}')`);
      // Fresh values take the ONNX name; a value passed through (Identity of an input, say) keeps its own.
      if (fresh.has(v)) v.name = name;
      scope.bind(name, v);
    });
  } catch (e) {
    b.scope = '';
    withContext(e, { node: nodeName, op: opType });
  }
}

function constantValue(attrs: Attrs): Tensor {
  const keys = Object.keys(attrs);
  if (keys.length !== 1) throw new DlcError('Constant needs exactly one value attribute');
  const v = attrs[keys[0]];
  switch (keys[0]) {
    case 'value': return v as Tensor;
    case 'value_float': return Tensor.scalar('f32', v as number);
    case 'value_floats': return Tensor.fromArray('f32', [(v as number[]).length], v as number[]);
    case 'value_int': return Tensor.scalar('i64', v as number);
    case 'value_ints': return Tensor.fromArray('i64', [(v as number[]).length], v as number[]);
    default: throw new DlcError(`Constant attribute '${keys[0]}' is not supported`);
  }
}

const utf8 = new TextDecoder();

function importAttrs(aps: AttributeProto[], opType: string, inputs: (Value | null)[], scope: NameScope, ctx: ImportContext): Attrs {
  const attrs: Attrs = {};
  const untaken = opType === 'If' ? untakenBranch(inputs[0]) : undefined;
  for (const ap of aps) {
    const name = ap.name ?? '';
    if (name === untaken) {
      const taken = aps.find((a) => a.name === (untaken === 'then_branch' ? 'else_branch' : 'then_branch'));
      attrs[name] = importUntakenBranch(ap, taken, opType, inputs, scope, ctx, aps);
    } else {
      attrs[name] = importAttr(ap, opType, inputs, scope, ctx, aps);
    }
  }
  return attrs;
}

/** The branch an If never takes, where its condition is known at import (from an input fixed by value). */
function untakenBranch(cond: Value | null): 'then_branch' | 'else_branch' | undefined {
  const known = knownValue(cond);
  if (!known || known.size !== 1) return undefined;
  return known.data[0] !== 0 ? 'else_branch' : 'then_branch';
}

/**
 * A branch the If never takes may not import for the shapes and values it was specialized to (a Reshape
 * written for another chunk size, say): it cannot run, so a copy of the taken branch stands in for it, and
 * fold-if later drops it whatever it is.
 */
function importUntakenBranch(ap: AttributeProto, taken: AttributeProto | undefined, opType: string, inputs: (Value | null)[], scope: NameScope, ctx: ImportContext, aps: AttributeProto[]): AttrValue {
  try {
    return importAttr(ap, opType, inputs, scope, ctx, aps);
  } catch (e) {
    if (!(e instanceof DlcError) || !taken) throw e;
    return importAttr(taken, opType, inputs, scope, ctx, aps);
  }
}

function importAttr(ap: AttributeProto, opType: string, inputs: (Value | null)[], scope: NameScope, ctx: ImportContext, attrProtos: AttributeProto[]): AttrValue {
  const type = ap.type || inferAttrType(ap);
  switch (type) {
    case 1: return ap.f ?? 0;
    case 2: return toNumber(ap.i as LongLike);
    case 3: return utf8.decode(ap.s ?? new Uint8Array());
    case 4: return tensorFromProto(ap.t ?? {}, { baseDir: ctx.baseDir });
    case 5: return importGraph(ap.g ?? {}, scope, ctx, subgraphInputHints(opType, inputs, attrProtos, ctx.opsets[''] ?? 1));
    case 6: return [...(ap.floats ?? [])];
    case 7: return (ap.ints ?? []).map((x) => toNumber(x as LongLike));
    case 8: return (ap.strings ?? []).map((s) => utf8.decode(s));
    default: throw new DlcError(`attribute '${ap.name}' has unsupported type ${type}`);
  }
}

/** Old models leave AttributeProto.type unset; the filled field tells. */
function inferAttrType(ap: AttributeProto): number {
  if (ap.g) return 5;
  if (ap.t) return 4;
  if (ap.floats?.length) return 6;
  if (ap.ints?.length) return 7;
  if (ap.strings?.length) return 8;
  if (ap.s?.length) return 3;
  if (ap.f) return 1;
  return 2;
}

/** Types for a body's inputs that the ONNX proto may leave undeclared (`aps`: the node's attributes). */
function subgraphInputHints(opType: string, inputs: (Value | null)[], aps: AttributeProto[], opset: number): TensorType[] | undefined {
  const typeOf = (v: Value | null): TensorType => (v ? { ...v.type, shape: [...v.type.shape] } : { dtype: 'f32', shape: [] });
  if (opType === 'Loop') return [{ dtype: 'i64', shape: [] }, { dtype: 'bool', shape: [] }, ...inputs.slice(2).map(typeOf)];
  if (opType === 'Scan' && opset >= 9) {
    // Body inputs: the N state variables as they are, then one slice of each scan input (its scan axis dropped).
    const ints = (name: string) => aps.find((a) => a.name === name);
    const numScan = ints('num_scan_inputs')?.i;
    if (numScan === undefined || numScan === null) return undefined;
    const m = toNumber(numScan as LongLike);
    const states = inputs.slice(0, inputs.length - m).map(typeOf);
    const axes = (ints('scan_input_axes')?.ints ?? []).map((x) => toNumber(x as LongLike));
    const slices = inputs.slice(inputs.length - m).map((v, j) => {
      const t = typeOf(v);
      const axis = axes[j] ?? 0;
      const a = axis < 0 ? axis + t.shape.length : axis;
      return { dtype: t.dtype, shape: t.shape.filter((_, i) => i !== a) };
    });
    return [...states, ...slices];
  }
  return undefined;
}
