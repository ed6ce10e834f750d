// How often a Loop or Scan runs, as far as compile time knows, and the limits under which the unroll-loops
// pass writes its iterations out as plain nodes. What it leaves whole, the targets run as a loop of the body's
// kernels (codegen/loop-bodies.ts).
import { knownValue } from './infer.js';
import { Graph, type Node } from './ir/graph.js';
import { scanLayout } from './ops/control-flow.js';

export interface UnrollLimits {
  /** Most iterations a loop is unrolled to. */
  maxIterations: number;
  /** Most nodes the unrolled iterations may add (body nodes × iterations, nested bodies counted). */
  maxNodes: number;
}

export const DEFAULT_UNROLL_LIMITS: Readonly<UnrollLimits> = { maxIterations: 64, maxNodes: 4096 };

/** A Scan's sequence length: every scan input's extent along its scan axis, when one of them is concrete. */
export function scanLength(node: Node): number | undefined {
  const body = node.attrs.body as Graph;
  const types = node.inputs.map((v) => v?.type);
  const lay = scanLayout(node.attrs, body, types.map((t) => t?.shape.length ?? 0));
  const lengths = types.slice(lay.states).map((t, i) => t?.shape[lay.inAxes[i]]);
  return lengths.find((d): d is number => typeof d === 'number');
}

/** A Loop's trip count M and initial condition, each undefined when the input is given but not known at compile time. */
export function loopControls(node: Node): { maxTrips: number | undefined; cond: boolean | undefined } {
  const [m, c] = node.inputs;
  const mValue = m ? knownValue(m) : undefined;
  const cValue = c ? knownValue(c) : undefined;
  return {
    maxTrips: !m ? Infinity : mValue?.size === 1 ? Math.max(0, mValue.data[0]) : undefined,
    cond: !c ? true : cValue?.size === 1 ? cValue.data[0] !== 0 : undefined,
  };
}

/** Nodes one iteration of a body adds, nested bodies included. */
export function bodySize(body: Graph): number {
  let n = 0;
  for (const node of body.nodes) {
    n++;
    for (const sg of Graph.subgraphsOf(node)) n += bodySize(sg);
  }
  return n;
}
