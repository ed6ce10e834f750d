// Control flow: If, Loop and Scan. Their bodies are nested graphs held as attributes; the reference
// implementations run them through `ctx.runGraph`, so bodies read outer-scope values directly.
import { DlcError } from '../errors.js';
import { GraphBuilder } from '../ir/builder.js';
import { Graph, Value, type Attrs, type Dim, type Node, type TensorType } from '../ir/graph.js';
import { MAX_ELEMENTS, Tensor } from '../ir/tensor.js';
import {
  dropDim, mergeTypes, registerBodyBinding, scalarOf, settleBody, sliceAlong, stackAlong, type BodyBinding,
} from './control-body.js';
import type { ImportBuilder, InferContext, OnnxNode, OpDef } from './registry.js';
import { normalizeAxis } from './util.js';

function graphAttr(attrs: Attrs, name: string): Graph {
  const g = attrs[name];
  if (!(g instanceof Graph)) throw new DlcError(`attribute '${name}' must be a graph`);
  return g;
}

// ---------------------------------------------------------------- If

function inferIf(ctx: InferContext): TensorType[] {
  const cond = ctx.inputs[0];
  if (!cond) throw new DlcError('missing input 0 (cond)');
  if (cond.dtype !== 'bool') throw new DlcError(`cond must be bool, got ${cond.dtype}`);
  const thenG = graphAttr(ctx.attrs, 'then_branch');
  const elseG = graphAttr(ctx.attrs, 'else_branch');
  if (thenG.outputs.length !== elseG.outputs.length) {
    throw new DlcError(`then_branch has ${thenG.outputs.length} outputs, else_branch ${elseG.outputs.length}`);
  }
  const known = ctx.constInput(0);
  if (known && known.size === 1) {
    // A constant condition: the op is its taken branch, whatever the other one produces.
    const taken = known.data[0] !== 0 ? thenG : elseG;
    return taken.outputs.map((v) => ({ dtype: v.type.dtype, shape: [...v.type.shape] }));
  }
  return thenG.outputs.map((v, i) => mergeTypes(v.type, elseG.outputs[i].type, () => ctx.freshDim('if'), `If output ${i}`));
}

const ifOp: OpDef = {
  name: 'if',
  attrs: { then_branch: { type: 'graph' }, else_branch: { type: 'graph' } },
  kind: 'opaque',
  onnx: [{ op: 'If' }],
  infer: inferIf,
  ref: (inputs, attrs, ctx) => {
    const cond = inputs[0];
    if (!cond) throw new DlcError('missing input 0 (cond)');
    const branch = graphAttr(attrs, scalarOf(cond, 'If cond') !== 0 ? 'then_branch' : 'else_branch');
    return ctx.runGraph(branch, []);
  },
};

// ---------------------------------------------------------------- Loop
//
// inputs (M?, cond?, v_initial...), body (iteration_num, cond, v...) → (cond, v..., scan...);
// outputs (v_final..., scan outputs stacked along a new axis 0).

/** Refuse loops past this many iterations: a body whose condition never turns false must not hang. */
export const MAX_LOOP_ITERATIONS = MAX_ELEMENTS;

export function loopShape(body: Graph, numInputs: number): { carried: number; scans: number } {
  const carried = numInputs - 2;
  if (carried < 0) throw new DlcError('Loop needs inputs M and cond (either may be empty)');
  if (body.inputs.length !== carried + 2) {
    throw new DlcError(`Loop body takes ${body.inputs.length} inputs; with ${carried} loop-carried values it must take ${carried + 2}`);
  }
  const scans = body.outputs.length - 1 - carried;
  if (scans < 0) throw new DlcError(`Loop body has ${body.outputs.length} outputs; with ${carried} loop-carried values it needs at least ${carried + 1}`);
  return { carried, scans };
}

/**
 * The type a loop-carried value has after the loop: where the body's output differs from the initial
 * value, the dim varies (the body input is symbolic there once settled) and becomes fresh.
 */
function finalStateType(initial: TensorType, bodyIn: TensorType, bodyOut: TensorType, fresh: () => string, what: string): TensorType {
  const merged = mergeTypes(initial, bodyOut, fresh, what);
  // A dim the body passes through unchanged (its output dim is the input's symbolic dim) keeps its initial size.
  merged.shape = merged.shape.map((d, i) => (bodyOut.shape[i] === bodyIn.shape[i] ? initial.shape[i] : d));
  return merged;
}

function inferLoop(ctx: InferContext): TensorType[] {
  const body = graphAttr(ctx.attrs, 'body');
  const { carried } = loopShape(body, ctx.inputs.length);
  const [m, cond] = ctx.inputs;
  if (m && m.dtype !== 'i64') throw new DlcError(`trip count M must be i64, got ${m.dtype}`);
  if (cond && cond.dtype !== 'bool') throw new DlcError(`cond must be bool, got ${cond.dtype}`);
  const finals = ctx.inputs.slice(2).map((t, k) => {
    if (!t) throw new DlcError(`missing loop-carried input ${k + 2}`);
    return finalStateType(t, body.inputs[k + 2].type, body.outputs[k + 1].type, () => ctx.freshDim('loop'), `loop-carried value ${k}`);
  });
  // Without a condition a constant trip count is the number of iterations.
  const mConst = ctx.constInput(0);
  const trips: Dim = !cond && mConst && mConst.size === 1 && mConst.data[0] >= 0 && mConst.data[0] <= MAX_LOOP_ITERATIONS
    ? mConst.data[0]
    : ctx.freshDim('loop_iterations');
  const scanTypes = body.outputs.slice(1 + carried).map((v) => ({ dtype: v.type.dtype, shape: [trips, ...v.type.shape] }));
  return [...finals, ...scanTypes];
}

function loopBinding(node: Node): BodyBinding {
  const carried = node.inputs.slice(2).map((v) => v?.type ?? null);
  // The iteration number and condition are fed in the shape the body declares ([] or [1]).
  return {
    fed: [null, null, ...carried],
    carried: carried.map((_, k): [number, number] => [k + 2, k + 1]),
  };
}

const loopOp: OpDef = {
  name: 'loop',
  attrs: { body: { type: 'graph' } },
  kind: 'opaque',
  onnx: [{ op: 'Loop', convert: convertLoop }],
  shapeOperands: [0, 1],
  infer: inferLoop,
  ref: (inputs, attrs, ctx) => {
    const body = graphAttr(attrs, 'body');
    const { carried, scans } = loopShape(body, inputs.length);
    const [mT, condT] = inputs;
    const maxTrips = mT ? scalarOf(mT, 'Loop trip count M') : Infinity;
    let cond = condT ? scalarOf(condT, 'Loop cond') !== 0 : true;
    let state = inputs.slice(2).map((t, k) => {
      if (!t) throw new DlcError(`missing loop-carried input ${k + 2}`);
      return t;
    });
    const scanSlices: Tensor[][] = Array.from({ length: scans }, () => []);
    for (let i = 0; i < maxTrips && cond; i++) {
      if (i >= MAX_LOOP_ITERATIONS) throw new DlcError(`Loop ran past ${MAX_LOOP_ITERATIONS} iterations`);
      const outs = ctx.runGraph(body, [counter(body.inputs[0], 'i64', i), counter(body.inputs[1], 'bool', cond ? 1 : 0), ...state]);
      // Without a cond input the body's condition output is ignored (ONNX: a plain for loop).
      if (condT) cond = scalarOf(outs[0], 'Loop body cond') !== 0;
      state = outs.slice(1, 1 + carried);
      outs.slice(1 + carried).forEach((t, j) => scanSlices[j].push(t));
    }
    const stacked = scanSlices.map((slices, j) =>
      stackAlong(slices, 0, body.outputs[1 + carried + j].type, (t) => t, `Loop scan output ${j}`));
    return [...state, ...stacked];
  },
};

/** A one-element tensor in the shape a body input declares for it: [] or [1]. */
function counter(input: Value, dtype: 'i64' | 'bool', value: number): Tensor {
  const { shape } = input.type;
  if (input.type.dtype !== dtype) throw new DlcError(`Loop body input '${input.name}' must be ${dtype}, is ${input.type.dtype}`);
  return new Tensor(dtype, shape.length === 1 && shape[0] === 1 ? [1] : [], [value]);
}

function convertLoop(node: OnnxNode, b: ImportBuilder): Value[] {
  const body = graphAttr(node.attrs, 'body');
  loopShape(body, node.inputs.length);
  settleBody(body, loopBinding({ op: 'loop', inputs: node.inputs, outputs: [], attrs: node.attrs, name: node.name }));
  return b.emit('loop', node.inputs, { body }, node.numOutputs);
}

// ---------------------------------------------------------------- Scan
//
// inputs (state..., scan_input...), body (state..., scan slice...) → (state..., scan output slice...);
// outputs (final state..., scan outputs stacked along their axes). Opset 8's batched form is rewritten
// into this one at import (see convertScan8).

export interface ScanLayout {
  states: number;
  scanOutputs: number;
  inAxes: number[];
  inReverse: boolean[];
  outAxes: number[];
  outReverse: boolean[];
}

export function scanLayout(attrs: Attrs, body: Graph, inputRanks: number[]): ScanLayout {
  const m = attrs.num_scan_inputs as number;
  const states = inputRanks.length - m;
  if (!Number.isInteger(m) || m < 1 || states < 0) throw new DlcError(`num_scan_inputs ${m} does not fit ${inputRanks.length} inputs`);
  if (body.inputs.length !== states + m) throw new DlcError(`Scan body takes ${body.inputs.length} inputs, expected ${states + m}`);
  const k = body.outputs.length - states;
  if (k < 0) throw new DlcError(`Scan body has ${body.outputs.length} outputs, fewer than its ${states} state variables`);
  const list = (name: string, n: number): number[] => {
    const v = attrs[name] as number[] | undefined;
    if (v === undefined) return new Array<number>(n).fill(0);
    if (v.length !== n) throw new DlcError(`${name} has ${v.length} entries, expected ${n}`);
    return v;
  };
  const inAxes = list('scan_input_axes', m).map((a, i) => normalizeAxis(a, inputRanks[states + i]));
  const outAxes = list('scan_output_axes', k).map((a, j) => normalizeAxis(a, body.outputs[states + j].type.shape.length + 1));
  return {
    states, scanOutputs: k, inAxes, outAxes,
    inReverse: list('scan_input_directions', m).map((d) => d !== 0),
    outReverse: list('scan_output_directions', k).map((d) => d !== 0),
  };
}

function inferScan(ctx: InferContext): TensorType[] {
  const body = graphAttr(ctx.attrs, 'body');
  const inputs = ctx.inputs.map((t, i) => {
    if (!t) throw new DlcError(`missing input ${i}`);
    return t;
  });
  const lay = scanLayout(ctx.attrs, body, inputs.map((t) => t.shape.length));
  // The sequence length: every scan input's extent along its axis, which must agree.
  let length: Dim | undefined;
  inputs.slice(lay.states).forEach((t, i) => {
    const d = t.shape[lay.inAxes[i]];
    if (length === undefined || typeof length === 'string') length = d;
    else if (typeof d === 'number' && d !== length) throw new DlcError(`scan inputs have lengths ${length} and ${d} along their scan axes`);
  });
  const finals = inputs.slice(0, lay.states).map((t, k) =>
    finalStateType(t, body.inputs[k].type, body.outputs[k].type, () => ctx.freshDim('scan'), `scan state ${k}`));
  const scanTypes = body.outputs.slice(lay.states).map((v, j) => {
    const shape = [...v.type.shape];
    shape.splice(lay.outAxes[j], 0, length as Dim);
    return { dtype: v.type.dtype, shape };
  });
  return [...finals, ...scanTypes];
}

function scanBinding(node: Node): BodyBinding {
  const body = graphAttr(node.attrs, 'body');
  const types = node.inputs.map((v) => v?.type ?? null);
  const lay = scanLayout(node.attrs, body, types.map((t) => t?.shape.length ?? 0));
  const fed = types.map((t, i) => (t && i >= lay.states ? { dtype: t.dtype, shape: dropDim(t.shape, lay.inAxes[i - lay.states]) } : t));
  return { fed, carried: Array.from({ length: lay.states }, (_, k): [number, number] => [k, k]) };
}

const scanOp: OpDef = {
  name: 'scan',
  attrs: {
    body: { type: 'graph' },
    num_scan_inputs: { type: 'int' },
    scan_input_axes: { type: 'ints', optional: true },
    scan_input_directions: { type: 'ints', optional: true },
    scan_output_axes: { type: 'ints', optional: true },
    scan_output_directions: { type: 'ints', optional: true },
  },
  kind: 'opaque',
  onnx: [{ op: 'Scan', convert: convertScan }],
  infer: inferScan,
  ref: (inputs, attrs, ctx) => {
    const body = graphAttr(attrs, 'body');
    const xs = inputs.map((t, i) => {
      if (!t) throw new DlcError(`missing input ${i}`);
      return t;
    });
    const lay = scanLayout(attrs, body, xs.map((t) => t.rank));
    const scanned = xs.slice(lay.states);
    const length = scanned[0].shape[lay.inAxes[0]];
    scanned.forEach((x, i) => {
      if (x.shape[lay.inAxes[i]] !== length) throw new DlcError(`scan inputs have lengths ${length} and ${x.shape[lay.inAxes[i]]} along their scan axes`);
    });
    let state = xs.slice(0, lay.states);
    const outSlices: Tensor[][] = Array.from({ length: lay.scanOutputs }, () => []);
    for (let t = 0; t < length; t++) {
      const slices = scanned.map((x, i) => sliceAlong(x, lay.inAxes[i], lay.inReverse[i] ? length - 1 - t : t));
      const outs = ctx.runGraph(body, [...state, ...slices]);
      state = outs.slice(0, lay.states);
      outs.slice(lay.states).forEach((o, j) => outSlices[j].push(o));
    }
    const stacked = outSlices.map((slices, j) =>
      stackAlong(slices, lay.outAxes[j], body.outputs[lay.states + j].type, (t) => (lay.outReverse[j] ? length - 1 - t : t), `Scan output ${j}`));
    return [...state, ...stacked];
  },
};

function convertScan(node: OnnxNode, b: ImportBuilder): Value[] {
  if (node.opset < 9) return convertScan8(node, b);
  const body = graphAttr(node.attrs, 'body');
  const attrs: Attrs = { ...node.attrs };
  settleBody(body, scanBinding({ op: 'scan', inputs: node.inputs, outputs: [], attrs, name: node.name }));
  return b.emit('scan', node.inputs, attrs, node.numOutputs);
}

/**
 * Scan-8 takes (sequence_lens?, state..., scan_input...) with a leading batch axis on every input and
 * output. Each batch element is an independent scan, so Scan-8 = an outer scan over the batch axis (no
 * state; every input scanned along axis 0) whose body runs the inner scan over one batch element.
 */
function convertScan8(node: OnnxNode, b: ImportBuilder): Value[] {
  const body = graphAttr(node.attrs, 'body');
  const m = node.attrs.num_scan_inputs;
  if (typeof m !== 'number') throw new DlcError("attribute 'num_scan_inputs' must be an int");
  const [seqLens, ...rest] = node.inputs;
  const values = rest.map((v, i) => {
    if (!v) throw new DlcError(`missing input ${i + 1}`);
    if (v.type.shape.length < 1) throw new DlcError(`Scan-8 input ${i + 1} needs a batch axis`);
    return v;
  });
  const states = values.length - m;
  if (states < 0) throw new DlcError(`num_scan_inputs ${m} does not fit ${values.length} inputs`);
  if (seqLens) checkFullLengths(seqLens, values.slice(states));

  const outer = new Graph(`${body.name}_batch`);
  outer.inputs = values.map((v, i) => new Value(`${node.name}/batch_${i}`, { dtype: v.type.dtype, shape: dropDim(v.type.shape, 0) }));
  const innerAttrs: Attrs = { body, num_scan_inputs: m };
  if (node.attrs.directions !== undefined) innerAttrs.scan_input_directions = node.attrs.directions;
  settleBody(body, scanBinding({ op: 'scan', inputs: outer.inputs, outputs: [], attrs: innerAttrs, name: node.name }));
  const ib = new GraphBuilder(outer);
  ib.scope = `${node.name}/`;
  outer.outputs = ib.emit('scan', outer.inputs, innerAttrs);
  return b.emit('scan', values, { body: outer, num_scan_inputs: values.length }, node.numOutputs);
}

/** Scan-8's sequence_lens is accepted when it is constant and every sequence runs its full length. */
function checkFullLengths(seqLens: Value, scanned: Value[]): void {
  const length = scanned[0]?.type.shape[1];
  const lens = seqLens.data?.toNumbers();
  if (!lens || typeof length !== 'number' || lens.some((l) => l !== length)) {
    throw new DlcError('Scan-8 with sequence_lens shorter than the scanned length is not supported; pass sequence_lens as empty');
  }
}

registerBodyBinding('loop', loopBinding);
registerBodyBinding('scan', scanBinding);

export const controlFlowOps: OpDef[] = [ifOp, loopOp, scanOp];
