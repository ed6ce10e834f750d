// Concats that copy nothing: where every piece of a concat is a contiguous range of its output (no dim before
// the axis is above 1, as with SqueezeNet's Fire modules on NCHW at batch 1), each piece's producer can write
// straight into its range and the concat is no kernel at all. The memory plan then places each piece inside
// the concat's buffer (an alias at a byte offset), so the pieces live as long as the concat's output does.
// Lowering (codegen/lower.ts) and the kernel list (kernel-list.ts) both ask this one function, on targets whose
// limits allow it, so the artifact and `dlc inspect` agree on the kernels.
import { Graph, isConcreteShape, type Node, type Value } from './ir/graph.js';
import { byteSize } from './ir/dtype.js';
import { attrInt, normalizeAxis } from './ops/util.js';

/**
 * A piece's bytes must be a multiple of this: the plan aligns buffers to 16 bytes and kernels may store whole
 * f32x4 vectors up to that boundary, which inside a concat would reach the next piece.
 */
const PIECE_ALIGN = 16;

/** Ops whose output is (or may be) another value's storage, so their output cannot be placed again. */
const ALIASING_OPS: ReadonlySet<string> = new Set(['reshape', 'flatten', 'squeeze', 'unsqueeze', 'identity', 'dropout', 'concat']);

/** If/Loop/Scan: their outputs are written by their bodies' kernels (a fused node's body is its one kernel). */
function isControlFlow(node: Node): boolean {
  return node.op !== 'fused' && Graph.subgraphsOf(node).length > 0;
}

/** For each concat of `graph` written in place, in order, the byte offset of each of its inputs in its output. */
export function concatsInPlace(graph: Graph): Map<Node, number[]> {
  const producers = graph.producers();
  const boundary = new Set([...graph.inputs, ...graph.outputs]);
  const placed = new Set<Value>();
  const result = new Map<Node, number[]>();
  for (const node of graph.nodes) {
    if (node.op !== 'concat' || boundary.has(node.outputs[0])) continue;
    const offsets = pieceOffsets(node, (v) => {
      const producer = producers.get(v);
      return (
        producer !== undefined && !ALIASING_OPS.has(producer.op) && !isControlFlow(producer) &&
        !boundary.has(v) && !v.isConst && !placed.has(v) && node.inputs.filter((i) => i === v).length === 1
      );
    });
    if (!offsets) continue;
    for (const v of node.inputs) placed.add(v!);
    result.set(node, offsets);
  }
  return result;
}

/** Byte offsets of the concat's inputs in its output when every input is a whole, aligned range of it and `placeable`. */
function pieceOffsets(node: Node, placeable: (v: Value) => boolean): number[] | undefined {
  const y = node.outputs[0];
  if (!isConcreteShape(y.type.shape) || node.inputs.some((x) => !x || !isConcreteShape(x.type.shape))) return undefined;
  const shape = y.type.shape as number[];
  const axis = normalizeAxis(attrInt(node.attrs, 'axis'), shape.length);
  if (shape.slice(0, axis).some((d) => d !== 1)) return undefined;
  const offsets: number[] = [];
  let at = 0;
  for (const x of node.inputs as Value[]) {
    const bytes = (x.type.shape as number[]).reduce((p, d) => p * d, 1) * byteSize(x.type.dtype);
    if (bytes === 0 || bytes % PIECE_ALIGN !== 0 || !placeable(x)) return undefined;
    offsets.push(at);
    at += bytes;
  }
  return offsets;
}
