// Outputs whose size depends on data (NonZero's count, Compress's kept slices, Unique's distinct slices,
// NonMaxSuppression's selected boxes), with a bound known at compile time. Such a dim stays symbolic through
// the passes; before lowering, boundRunTimeDims gives it its bound, so that the memory plan sizes the buffer
// for the worst case, and marks it (TensorType.runTimeDim). The kernel writes the elements compactly (row-major
// of the actual shape) and the actual extent as one int32 word right after the bounded elements; the artifact
// records where that word is and the runtime trims the output to the actual shape.
import { DlcError } from './errors.js';
import { isConcreteShape, type Dim, type Graph, type Node, type Value } from './ir/graph.js';
import { consumerFormOf, runTimeDimIn, sliceAxes, sliceCount, type RunTimeDimOfValue } from './run-time-consumers.js';

export interface RunTimeDim {
  /** The dim whose extent is known only at run time. */
  dim: number;
  /** Its largest possible extent. */
  bound: number;
}

const numel = (v: Value | null | undefined): number | undefined =>
  v && isConcreteShape(v.type.shape) ? v.type.shape.reduce((p, d) => p * d, 1) : undefined;

function axisOf(node: Node, rank: number): number | undefined {
  const axis = node.attrs.axis;
  if (typeof axis !== 'number') return undefined;
  return axis < 0 ? axis + rank : axis;
}

/** The extent along `axis` of the flattened (axis undefined) or the shaped input. */
function axisExtent(x: Value | null, axis: number | undefined): number | undefined {
  if (!x || !isConcreteShape(x.type.shape)) return undefined;
  return axis === undefined ? numel(x) : x.type.shape[axis];
}

/** Per op with data-dependent output sizes: output i's run-time dim and its bound (undefined for a static output). */
const RUN_TIME_DIMS: Record<string, (node: Node) => (RunTimeDim | undefined)[]> = {
  non_zero: (node) => {
    const n = numel(node.inputs[0]);
    return [n === undefined ? undefined : { dim: 1, bound: n }];
  },
  compress: (node) => {
    const x = node.inputs[0];
    const axis = x ? axisOf(node, x.type.shape.length) : undefined;
    const extent = axisExtent(x, axis);
    const cond = numel(node.inputs[1]);
    if (extent === undefined || cond === undefined) return [];
    return [{ dim: axis ?? 0, bound: Math.min(extent, cond) }];
  },
  unique: (node) => {
    const x = node.inputs[0];
    const axis = x ? axisOf(node, x.type.shape.length) : undefined;
    const bound = axisExtent(x, axis);
    if (bound === undefined) return [];
    return [{ dim: axis ?? 0, bound }, { dim: 0, bound }, undefined, { dim: 0, bound }];
  },
  non_max_suppression: (node) => {
    const [boxes, scores, max] = node.inputs;
    if (!boxes || !scores || !isConcreteShape(boxes.type.shape) || !isConcreteShape(scores.type.shape)) return [];
    const [batches, n] = boxes.type.shape;
    const classes = scores.type.shape[1];
    // max_output_boxes_per_class bounds it further when it is a constant.
    const perClass = max?.data ? Math.max(0, Math.min(n, Math.trunc(max.data.data[0]))) : n;
    return [{ dim: 0, bound: batches * classes * perClass }];
  },
};

/** Output i of `node`'s run-time dim, when its shape is concrete but for that dim. */
export function runTimeDimOf(node: Node, i: number): RunTimeDim | undefined {
  const r = RUN_TIME_DIMS[node.op]?.(node)[i];
  const shape = node.outputs[i]?.type.shape;
  if (!r || !shape || !shape.every((d, j) => j === r.dim || typeof d === 'number')) return undefined;
  return r;
}

/**
 * The values whose size is known only at run time, each with its run-time dim, in graph order: the outputs of
 * the ops above, and of the nodes that read them and keep the run-time dim (compiler/run-time-consumers.ts).
 * `refuse` is told of each node that reads such a value and has no kernel for it.
 */
export function runTimeSizedValues(graph: Graph, refuse?: (node: Node, read: Value, why: string) => void): Map<Value, number> {
  const sized = new Map<Value, number>();
  const dimOf: RunTimeDimOfValue = (v) => (v ? sized.get(v) : undefined);
  for (const node of graph.nodes) {
    const read = node.inputs.find((v) => v && sized.has(v));
    if (read) {
      const form = consumerFormOf(node, dimOf);
      if (typeof form === 'string') {
        refuse?.(node, read, form);
        continue;
      }
      for (const o of node.outputs) {
        const d = runTimeDimIn(o);
        if (d !== undefined) sized.set(o, d);
      }
      continue;
    }
    node.outputs.forEach((o, i) => {
      if (o.type.runTimeDim !== undefined) sized.set(o, o.type.runTimeDim);
      else if (!isConcreteShape(o.type.shape)) {
        const r = runTimeDimOf(node, i);
        if (r) sized.set(o, r.dim);
      }
    });
  }
  return sized;
}

/**
 * Refuses a node that reads a tensor whose size is known only at run time and has no kernel for it (kernels
 * bake shapes in; compiler/run-time-consumers.ts lists the readers that take the extent at run time).
 */
export function checkRunTimeSizedConsumers(graph: Graph, file?: string): void {
  runTimeSizedValues(graph, (node, read, why) => {
    throw new DlcError(`input '${read.name}' has a size known only at run time (it depends on data); dlc cannot read it here: ${why}`, { file, node: node.name, op: node.op });
  });
}

/**
 * Gives each run-time dim its bound and marks it (TensorType.runTimeDim), in place; a graph already bounded
 * is left as it is. A consumer's output takes the bound of its operand's dim (slice: the most its starts,
 * ends and steps keep of it). Run before lowering, after checkRunTimeSizedConsumers.
 */
export function boundRunTimeDims(graph: Graph): void {
  const bounds = new Map<Dim, number>();
  const sized = runTimeSizedValues(graph);
  for (const node of graph.nodes) {
    node.outputs.forEach((o, i) => {
      const dim = sized.get(o);
      if (dim === undefined || isConcreteShape(o.type.shape)) return;
      const symbol = o.type.shape[dim];
      const bound = runTimeDimOf(node, i)?.bound ?? bounds.get(symbol) ?? consumerBound(node, sized);
      if (bound === undefined) return;
      bounds.set(symbol, bound);
      o.type = { dtype: o.type.dtype, shape: o.type.shape.map((d, j) => (j === dim ? bound : d)), runTimeDim: dim };
    });
  }
}

/**
 * The bound of a consumer's output dim whose symbol is new: a slice of the run-time dim keeps at most what its
 * starts, ends and steps keep of any extent up to its operand's bound; any other consumer (a reshape's fresh
 * symbol) has its operand's extent.
 */
function consumerBound(node: Node, sized: Map<Value, number>): number | undefined {
  const x = node.inputs.find((v) => v && sized.has(v));
  if (!x || x.type.runTimeDim === undefined) return undefined;
  const limit = x.type.shape[x.type.runTimeDim] as number;
  const along = node.op === 'slice' ? sliceAxes(node, x.type.shape.length)?.get(x.type.runTimeDim) : undefined;
  if (!along) return limit;
  let most = 0;
  for (let e = 0; e <= limit; e++) most = Math.max(most, sliceCount(e, along.start, along.end, along.step));
  return most;
}
