// Loop and Scan unrolling: a Scan, and a Loop whose trip count M and condition are known at compile time
// (inputs fixed with --input-value, then folded by fold-constants), become their iterations written out in
// the enclosing graph when there are few enough of them (compiler/loop-trips.ts: 64 iterations, 4096 nodes).
// Values carried from one iteration to the next become plain SSA values; a Scan's inputs are read per
// iteration by a Gather at the iteration's index (its axis dropped, as the body sees a slice); scan outputs
// are each iteration's value unsqueezed along the scan axis and concatenated in order. A Loop's condition is
// taken from compile-time value propagation in each copy of the body (where the iteration number is a
// constant), so a loop that stops on `i < 5` unrolls as well as one whose condition stays true; a Loop whose
// condition is not known in some iteration stays whole. fuse-ops then sees the bodies' nodes like any others;
// what stays whole runs as a loop of its body's kernels (codegen/loop-bodies.ts). Loops nested in bodies unroll too (an
// unrolled body's inner loops next; an inner loop of a body that stays whole in place).
import { DlcError } from '../compiler/errors.js';
import { knownValue, makeNode } from '../compiler/infer.js';
import { Graph, Value, isConcreteShape, type AttrValue, type Attrs, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { DEFAULT_UNROLL_LIMITS, bodySize, loopControls, scanLength, type UnrollLimits } from '../compiler/loop-trips.js';
import { loopShape, scanLayout } from '../compiler/ops/control-flow.js';
import { cloneGraph, cloneGraphReading, copyType, NameAllocator, refineTypes, replaceUses } from './graph-edit.js';
import type { PassInfo } from './manager.js';

export const unrollLoopsPass: PassInfo = {
  name: 'unroll-loops',
  description: 'writes out the iterations of a Scan, and of a Loop whose trip count and condition are known, when they are few',
  options: {
    'max-iterations': { type: 'int', default: DEFAULT_UNROLL_LIMITS.maxIterations, description: 'most iterations a loop is unrolled to' },
    'max-nodes': { type: 'int', default: DEFAULT_UNROLL_LIMITS.maxNodes, description: 'most nodes the iterations of one loop may add' },
  },
  create: (options) => (graph) =>
    unrollLoops(graph, { maxIterations: options['max-iterations'] as number, maxNodes: options['max-nodes'] as number }),
};

export function unrollLoops(graph: Graph, limits: UnrollLimits = DEFAULT_UNROLL_LIMITS): Graph {
  if (!findLoop(graph, new Set())) return graph;
  const g = cloneGraph(graph);
  const left = new Set<Node>();
  let changed = false;
  for (let found = findLoop(g, left); found; found = findLoop(g, left)) {
    const { node, parent } = found;
    const unrolled = new Unrolling(node, new NameAllocator(g), limits).run();
    if (!unrolled) {
      left.add(node);
      continue;
    }
    parent.constants.push(...unrolled.constants);
    parent.nodes.splice(parent.nodes.indexOf(node), 1, ...unrolled.nodes);
    refineTypes(g);
    changed = true;
  }
  return changed ? g : graph;
}

/** A Loop or Scan not in `left`, and the graph that holds it: the outermost first. */
function findLoop(g: Graph, left: ReadonlySet<Node>): { node: Node; parent: Graph } | undefined {
  for (const node of g.nodes) {
    if ((node.op === 'loop' || node.op === 'scan') && !left.has(node)) return { node, parent: g };
    for (const sg of Graph.subgraphsOf(node)) {
      const found = findLoop(sg, left);
      if (found) return found;
    }
  }
  return undefined;
}

/** Unrolling gave up on this loop: it stays whole. */
class LeaveWhole extends Error {}

/** The nodes and constants that replace one Loop or Scan, built aside and used only when the whole loop unrolls. */
class Unrolling {
  readonly nodes: Node[] = [];
  readonly constants: Value[] = [];
  private readonly body: Graph;
  /** The body's constants, each hoisted once into the enclosing graph. */
  private readonly hoisted = new Map<Value, Value>();
  private readonly cached = new Map<string, Value>();

  constructor(private readonly loop: Node, private readonly names: NameAllocator, private readonly limits: UnrollLimits) {
    this.body = loop.attrs.body as Graph;
  }

  /** The replacement, or undefined when the loop stays whole. */
  run(): { nodes: Node[]; constants: Value[] } | undefined {
    try {
      for (const c of this.body.constants) this.hoisted.set(c, this.constant(c.data!, c.name));
      const results = this.loop.op === 'scan' ? this.unrollScan() : this.unrollLoop();
      this.bindOutputs(results);
      return { nodes: this.nodes, constants: this.constants };
    } catch (e) {
      // A body that does not infer with its iterations' types is left for the reference to report at run time.
      if (e instanceof LeaveWhole || e instanceof DlcError) return undefined;
      throw e;
    }
  }

  /** Scan: per iteration, a Gather of each scan input at the iteration's index; states thread through. */
  private unrollScan(): Value[] {
    const inputs = this.loop.inputs.map((v) => v!);
    const lay = scanLayout(this.loop.attrs, this.body, inputs.map((v) => v.type.shape.length));
    const length = scanLength(this.loop);
    if (length === undefined || length > this.limits.maxIterations) throw new LeaveWhole();
    if (bodySize(this.body) * length > this.limits.maxNodes) throw new LeaveWhole();
    let state = inputs.slice(0, lay.states);
    const pieces: Value[][] = Array.from({ length: lay.scanOutputs }, () => []);
    for (let t = 0; t < length; t++) {
      const slices = inputs.slice(lay.states).map((x, i) => {
        const index = this.scalar('i64', lay.inReverse[i] ? length - 1 - t : t, []);
        return this.emit('gather', [x, index], { axis: lay.inAxes[i] }, `${t}/scan_input_${i}`);
      });
      const outs = this.iteration([...state, ...slices], t);
      state = outs.slice(0, lay.states);
      outs.slice(lay.states).forEach((o, j) => pieces[j].push(o));
    }
    const stacked = pieces.map((p, j) => this.stack(p, lay.outAxes[j], lay.outReverse[j], lay.states + j));
    return [...state, ...stacked];
  }

  /** Loop: iterations while the trip count lasts and the condition, known in each, holds. */
  private unrollLoop(): Value[] {
    const { carried, scans } = loopShape(this.body, this.loop.inputs.length);
    const { maxTrips, cond } = loopControls(this.loop);
    if (maxTrips === undefined || cond === undefined) throw new LeaveWhole();
    const [iterationIn, condIn] = this.body.inputs;
    let state = this.loop.inputs.slice(2).map((v) => v!);
    const pieces: Value[][] = Array.from({ length: scans }, () => []);
    let going = cond;
    for (let t = 0; t < maxTrips && going; t++) {
      if (t >= this.limits.maxIterations || bodySize(this.body) * (t + 1) > this.limits.maxNodes) throw new LeaveWhole();
      // The body sees the iteration number and a true condition in the shape it declares them ([] or [1]).
      const iteration = this.scalar('i64', t, iterationIn.type.shape);
      const outs = this.iteration([iteration, this.scalar('bool', 1, condIn.type.shape), ...state], t);
      // Without a cond input the body's condition output is ignored (ONNX: a plain for loop).
      if (this.loop.inputs[1]) {
        const next = knownValue(outs[0]);
        if (!next || next.size !== 1) throw new LeaveWhole();
        going = next.data[0] !== 0;
      }
      state = outs.slice(1, 1 + carried);
      outs.slice(1 + carried).forEach((o, j) => pieces[j].push(o));
    }
    return [...state, ...pieces.map((p, j) => this.stack(p, 0, false, 1 + carried + j))];
  }

  /**
   * One copy of the body reading `inputs`: its nodes re-made (types inferred, small values propagated) under
   * names scoped by the loop and the iteration; nested graphs are copied to read this copy's values.
   */
  private iteration(inputs: Value[], t: number): Value[] {
    const map = new Map<Value, Value>(this.hoisted);
    this.body.inputs.forEach((v, i) => map.set(v, inputs[i]));
    // A name the body gives a node and its output alike stays shared in the copy.
    const chosen = new Map<string, string>();
    const scoped = (name: string) => chosen.get(name) ?? chosen.set(name, this.fresh(`${t}/${name}`)).get(name)!;
    for (const n of this.body.nodes) {
      const attrs: Attrs = {};
      for (const [k, a] of Object.entries(n.attrs)) attrs[k] = a instanceof Graph ? cloneGraphReading(a, map) : copyAttr(a);
      const inputsRead = n.inputs.map((v) => (v ? (map.get(v) ?? v) : null));
      const made = makeNode(n.op, inputsRead, attrs, scoped(n.name), n.outputs.length, (i, type) => new Value(scoped(n.outputs[i].name), type));
      n.outputs.forEach((o, i) => map.set(o, made.outputs[i]));
      this.nodes.push(made);
    }
    return this.body.outputs.map((v) => map.get(v) ?? v);
  }

  /** Per-iteration values stacked along a new axis `axis`, the last iteration first when `reverse`. */
  private stack(pieces: Value[], axis: number, reverse: boolean, bodyOutput: number): Value {
    if (pieces.length === 0) {
      // No iteration ran: an empty tensor, whose shape the body's declared output type must tell.
      const slice = this.body.outputs[bodyOutput].type;
      if (!isConcreteShape(slice.shape)) throw new LeaveWhole();
      const shape = [...slice.shape.slice(0, axis), 0, ...slice.shape.slice(axis)];
      return this.constant(new Tensor(slice.dtype, shape), `${this.loop.outputs[bodyOutput]?.name ?? 'scan'}_empty`);
    }
    const ordered = reverse ? [...pieces].reverse() : pieces;
    const axes = this.cachedConstant(Tensor.fromArray('i64', [1], [axis]), `axes_${axis}`);
    const unsqueezed = ordered.map((p, at) => this.emit('unsqueeze', [p, axes], {}, `scan_output_${bodyOutput}/${at}`));
    return unsqueezed.length === 1 ? unsqueezed[0] : this.emit('concat', unsqueezed, { axis }, `scan_output_${bodyOutput}`);
  }

  /**
   * Makes the loop's own output values the results: a value computed here becomes the output itself; anything
   * else (a loop input passed through, a constant, an outer value, one value given twice) is copied by an
   * identity, so that every output keeps one producer.
   */
  private bindOutputs(results: Value[]): void {
    const produced = new Set(this.nodes.flatMap((n) => n.outputs));
    const renamed = new Map<Value, Value>();
    results.forEach((result, i) => {
      const out = this.loop.outputs[i];
      if (!out) return;
      if (produced.has(result) && !renamed.has(result)) {
        out.type = copyType(result.type);
        renamed.set(result, out);
      } else {
        const copy = this.emit('identity', [renamed.get(result) ?? result], {}, `result_${i}`);
        out.type = copyType(copy.type);
        renamed.set(copy, out);
      }
    });
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((v) => (v ? (renamed.get(v) ?? v) : null));
      n.outputs = n.outputs.map((v) => renamed.get(v) ?? v);
      for (const sg of Graph.subgraphsOf(n)) replaceUses(sg, renamed);
    }
  }

  private emit(op: string, inputs: Value[], attrs: Attrs, hint: string): Value {
    const name = this.fresh(hint);
    const node = makeNode(op, inputs, attrs, name, 1, (_, type) => new Value(name, type));
    this.nodes.push(node);
    return node.outputs[0];
  }

  private scalar(dtype: 'i64' | 'bool', value: number, shape: readonly (number | string)[]): Value {
    const dims = shape.length === 1 ? [1] : [];
    return this.cachedConstant(new Tensor(dtype, dims, [value]), `${dtype === 'bool' ? 'true' : `index_${value}`}${dims.length ? '_1' : ''}`);
  }

  private cachedConstant(t: Tensor, key: string): Value {
    let v = this.cached.get(key);
    if (!v) {
      v = this.constant(t, key);
      this.cached.set(key, v);
    }
    return v;
  }

  private constant(t: Tensor, hint: string): Value {
    const v = new Value(this.fresh(hint), { dtype: t.dtype, shape: [...t.shape] }, t);
    this.constants.push(v);
    return v;
  }

  private fresh(hint: string): string {
    return this.names.fresh(`${this.loop.name}/${hint}`);
  }
}

function copyAttr(a: AttrValue): AttrValue {
  return Array.isArray(a) ? ([...a] as AttrValue) : a;
}
