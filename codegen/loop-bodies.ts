// Run-time Loop and Scan on both targets: what passes/unroll-loops.ts leaves whole (too many iterations, a trip
// count or condition known only at run time) is lowered once, its body a run of kernels that the target repeats
// (wasm: a `for` in run(); webgpu: the body's dispatches recorded once per iteration). Lowering emits, in order:
//
//   before:  each loop-carried initial value copied into the body's state input (its buffer for the whole loop)
//   body:    the iteration's head (the iteration number written where the body reads it), each scan input's
//            slice copied into the body's slice input, the body's kernels, each scan output's slice copied
//            into the loop's output at the iteration's offset, then each carried output copied into its state
//   after:   the loop's final states are the state inputs' buffers (aliased, no copy)
//
// Carried outputs that share storage with a state (a body output that is a view of a state input) are staged
// through a copy of their own first, so that no copy reads a state another copy already overwrote. A value the
// loop reads from outside, and one that outlives the loop, is kept live across the whole loop
// (stepsAcrossLoops): the memory plans see the kernels in a line, but a loop's first kernel runs again after
// its last. Scan slices are contiguous only along axis 0: other scan axes stay unrolled-only. Loops nested in a
// body, and loops inside an If's arm, are refused (the unroll pass writes small ones out).
import { DlcError } from '../compiler/errors.js';
import { Graph, isConcreteShape, Value, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { loopControls, scanLength } from '../compiler/loop-trips.js';
import { loopShape, scanLayout } from '../compiler/ops/control-flow.js';
import type { Guards } from './branches.js';
import { aliasRoots, type Alias } from './memory-plan.js';

/** One loop as the target runs it. */
export interface LoopFrame {
  /** Index of the loop among those lowered, in order. */
  index: number;
  /** The Loop or Scan node's name. */
  node: string;
  /**
   * Most iterations: a compile-time count (Infinity: none, the condition alone stops the loop), or a
   * one-element i64 value read once before the first iteration (a Loop's trip count M given at run time).
   */
  trips: number | Value;
  /** A one-element bool read before the first iteration: the loop runs only while it is true (absent: true). */
  condIn?: Value;
  /** The body's one-element bool condition, read after each iteration: the loop stops once it is false. */
  condOut?: Value;
}

/** Where an iteration's slice sits in a scanned tensor: `elements` elements at index i (reversed: trips−1−i). */
export interface SliceAt {
  elements: number;
  /** The loop's compile-time trip count when the slices run backwards. */
  reverseOf?: number;
}

/** What a target does for run-time loops (both targets implement it; lower.ts refuses a loop without it). */
export interface LoopKernels {
  /** Kernels emitted from here on run in the loop's body, once per iteration. */
  begin(frame: LoopFrame): void;
  /** The body's head, its first kernel: writes the iteration number (i64) into `iteration` when the body reads it. */
  head(frame: LoopFrame, iteration: Value | undefined): void;
  /** A body kernel copying an iteration's slice of `scanned` into `slice` (`into` false) or `slice` into it (true). */
  slice(frame: LoopFrame, scanned: Value, slice: Value, at: SliceAt, into: boolean): void;
  /** The body's last kernel was emitted. */
  end(frame: LoopFrame): void;
}

/** What lowerLoop needs of the lowering driver. */
export interface LoopLowering {
  loops: LoopKernels;
  /** Lowers nodes in order, their kernels inside the current loop. */
  lowerNodes(nodes: readonly Node[], guards: Guards): void;
  /** A kernel copying `src` into `out`. */
  copy(src: Value, out: Value, guards: Guards): void;
  /** The driver's aliases (added to). */
  aliases: Alias[];
}

/** Lowers a Loop or Scan that stays whole as a body run `trips` times; a DlcError says what it cannot run. */
export function lowerLoop(node: Node, index: number, guards: Guards, l: LoopLowering): void {
  if (guards.length > 0) throw new DlcError(`a ${opName(node)} inside an If's branch runs only unrolled`);
  const body = node.attrs.body as Graph;
  for (const n of body.nodes) {
    if (n.op !== 'fused' && Graph.subgraphsOf(n).length > 0) throw new DlcError(`a ${opName(node)} whose body holds a ${n.op} ('${n.name}') runs only unrolled`);
  }
  for (const v of [...body.inputs, ...body.outputs, ...node.outputs]) {
    if (!isConcreteShape(v.type.shape)) throw new DlcError(`${opName(node)} value '${v.name}' has shape [${v.type.shape}]; a loop that is not unrolled needs static shapes in its body and outputs`);
  }
  if (node.op === 'scan') lowerScan(node, index, body, l);
  else lowerForLoop(node, index, body, l);
}

function lowerForLoop(node: Node, index: number, body: Graph, l: LoopLowering): void {
  const { carried, scans } = loopShape(body, node.inputs.length);
  const [m, cond] = node.inputs;
  const controls = loopControls(node);
  const trips = controls.maxTrips ?? m!;
  // Without a cond input the body's condition output is ignored (ONNX: a plain for loop).
  const frame: LoopFrame = {
    index,
    node: node.name,
    trips,
    ...(cond && controls.cond !== true ? { condIn: cond } : {}),
    ...(cond ? { condOut: body.outputs[0] } : {}),
  };
  if (trips === Infinity && !frame.condOut) throw new DlcError('a Loop with neither a trip count M nor a condition never stops');
  if (scans > 0 && (typeof trips !== 'number' || trips === Infinity || cond)) {
    throw new DlcError('a Loop with scan outputs runs only unrolled unless its trip count M is known at compile time and it has no condition (its outputs\' length must be static)');
  }
  const [iteration, condInBody] = body.inputs;
  // The body's condition input is true in every iteration that runs.
  if (isRead(body, condInBody)) l.copy(new Value(`${node.name}/true`, { ...condInBody.type }, new Tensor('bool', shapeDims(condInBody), [1])), condInBody, []);
  const states = body.inputs.slice(2);
  runBody(node, body, l, frame, {
    initial: node.inputs.slice(2).map((v) => v!),
    states,
    next: body.outputs.slice(1, 1 + carried),
    iteration: isRead(body, iteration) ? iteration : undefined,
    scanIn: [],
    scanOut: body.outputs.slice(1 + carried).map((slice, j) => ({ slice, scanned: node.outputs[carried + j], at: { elements: count(slice) } })),
    finals: node.outputs.slice(0, carried),
  });
}

function lowerScan(node: Node, index: number, body: Graph, l: LoopLowering): void {
  const inputs = node.inputs.map((v) => v!);
  const lay = scanLayout(node.attrs, body, inputs.map((v) => v.type.shape.length));
  const trips = scanLength(node);
  if (trips === undefined) throw new DlcError('a Scan whose sequence length is not known at compile time runs only unrolled');
  if ([...lay.inAxes, ...lay.outAxes].some((a) => a !== 0)) throw new DlcError('a Scan along an axis other than 0 runs only unrolled');
  const at = (slice: Value, reverse: boolean): SliceAt => ({ elements: count(slice), ...(reverse ? { reverseOf: trips } : {}) });
  runBody(node, body, l, { index, node: node.name, trips }, {
    initial: inputs.slice(0, lay.states),
    states: body.inputs.slice(0, lay.states),
    next: body.outputs.slice(0, lay.states),
    scanIn: body.inputs.slice(lay.states).map((slice, k) => ({ slice, scanned: inputs[lay.states + k], at: at(slice, lay.inReverse[k]) })),
    scanOut: body.outputs.slice(lay.states).map((slice, j) => ({ slice, scanned: node.outputs[lay.states + j], at: at(slice, lay.outReverse[j]) })),
    finals: node.outputs.slice(0, lay.states),
  });
}

interface BodyWiring {
  /** Loop-carried initial values, their state inputs in the body, and the body outputs that become the next states. */
  initial: Value[];
  states: Value[];
  next: Value[];
  iteration?: Value;
  scanIn: { slice: Value; scanned: Value; at: SliceAt }[];
  scanOut: { slice: Value; scanned: Value; at: SliceAt }[];
  /** The loop's outputs that take the final states. */
  finals: (Value | undefined)[];
}

function runBody(node: Node, body: Graph, l: LoopLowering, frame: LoopFrame, w: BodyWiring): void {
  w.initial.forEach((v, j) => l.copy(v, w.states[j], []));
  l.loops.begin(frame);
  l.loops.head(frame, w.iteration);
  for (const s of w.scanIn) l.loops.slice(frame, s.scanned, s.slice, s.at, false);
  l.lowerNodes(body.nodes, []);
  for (const s of w.scanOut) l.loops.slice(frame, s.scanned, s.slice, s.at, true);
  // A next state stored where some state lives (a view of one) is staged first, so no copy reads a state already overwritten.
  const root = aliasRoots(l.aliases);
  const stateRoots = new Set(w.states.map(root));
  const staged = w.next.map((v, j) => {
    if (v === w.states[j] || !stateRoots.has(root(v))) return v;
    const stage = new Value(`${node.name}/next_state_${j}`, { dtype: v.type.dtype, shape: [...v.type.shape] });
    l.copy(v, stage, []);
    return stage;
  });
  staged.forEach((v, j) => v !== w.states[j] && l.copy(v, w.states[j], []));
  l.loops.end(frame);
  // The final states are the state inputs' buffers.
  w.finals.forEach((out, j) => out && l.aliases.push([w.states[j], out]));
}

/** Whether the body reads `v` (a node input or a body output; bodies hold no nested graphs here). */
function isRead(body: Graph, v: Value): boolean {
  return body.outputs.includes(v) || body.nodes.some((n) => n.inputs.includes(v));
}

function shapeDims(v: Value): number[] {
  return v.type.shape as number[];
}

function count(v: Value): number {
  return shapeDims(v).reduce((n, d) => n * d, 1);
}

function opName(node: Node): string {
  return node.op === 'scan' ? 'Scan' : 'Loop';
}

/** A loop's kernels, by index: the first and the last of its body (inclusive), and what it reads outside them. */
export interface LoopSpan {
  first: number;
  last: number;
  frame: LoopFrame;
}

/**
 * The plan steps with the loops' lifetimes made explicit: a value (alias group) that a loop's kernels touch and
 * some kernel outside touches too is read by the loop's first and last kernels (live across every iteration);
 * the trip count and initial condition are read by the first, the body's condition by the last.
 */
export function stepsAcrossLoops<S extends { reads: readonly Value[]; writes: readonly Value[] }>(steps: readonly S[], spans: readonly LoopSpan[], aliases: readonly Alias[]): S[] {
  if (spans.length === 0) return [...steps];
  const root = aliasRoots(aliases);
  const out = steps.map((s) => ({ ...s, reads: [...s.reads] }));
  for (const { first, last, frame } of spans) {
    if (first > last) continue;
    const inside = new Map<Value, Value>();
    const outside = new Set<Value>();
    steps.forEach((s, t) => {
      for (const v of [...s.reads, ...s.writes]) {
        if (t >= first && t <= last) inside.set(root(v), v);
        else outside.add(root(v));
      }
    });
    for (const [r, v] of inside) {
      if (outside.has(r)) out[first].reads.push(v), out[last].reads.push(v);
    }
    for (const v of [frame.trips, frame.condIn]) if (v instanceof Value) out[first].reads.push(v);
    if (frame.condOut) out[last].reads.push(frame.condOut);
  }
  return out as S[];
}
