// Convs whose weights compression shares (k-means codebooks) and which would run Winograd by default run
// implicit-gemm instead. Winograd's kernels ship the 3×3 weights transformed (4×4 values each, mixed), which turns a
// layer's 16–32 shared values into thousands and loses the codebook: PP-OCRv4 det's five such convs took 447 KB of
// its 979 KB of shared weights, 4.9× against 8.0× smaller than the .onnx with them on implicit-gemm. The choice
// follows what compression did to the layer, never the weights' values; a conv algorithm the user's schedules
// name (per node or for every conv) is kept.
import type { CompressionReport } from '../../compress/compress-graph.js';
import { DlcError } from '../../compiler/errors.js';
import type { Graph, Node } from '../../compiler/ir/graph.js';
import type { ScheduleOverrides } from '../schedule.js';
import { shapeOf } from '../shapes.js';
import { convShapeOf } from '../window-geometry.js';
import { winogradByDefault } from './kernels/conv-algorithm.js';

export function sharedConvSchedules(graph: Graph, compression: CompressionReport | undefined, schedules: ScheduleOverrides | undefined): ScheduleOverrides | undefined {
  if (!compression || schedules?.conv?.kind !== undefined) return schedules;
  const shared = new Set(compression.layers.filter((l) => l.op === 'conv' && l.share !== undefined).map((l) => l.node));
  if (shared.size === 0) return schedules;
  const nodes: Record<string, NonNullable<ScheduleOverrides['nodes']>[string]> = { ...schedules?.nodes };
  let changed = false;
  for (const node of graph.allNodes()) {
    if (node.op !== 'conv' || !shared.has(node.name) || nodes[node.name]?.conv?.kind !== undefined) continue;
    if (!winogradByDefault(geometry(node))) continue;
    nodes[node.name] = { ...nodes[node.name], conv: { ...nodes[node.name]?.conv, kind: 'implicit-gemm' } };
    changed = true;
  }
  return changed ? { ...schedules, nodes } : schedules;
}

function geometry(node: Node) {
  const refuse = (detail: string): never => {
    throw new DlcError(detail, { node: node.name, op: node.op });
  };
  return convShapeOf(node, shapeOf(node.inputs[0]!), shapeOf(node.inputs[1]!), shapeOf(node.outputs[0]), false, refuse);
}
