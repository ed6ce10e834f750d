// The geometry of an rnn/gru/lstm node as every target's kernel reads it: its operands, its layout (0: X [T, B,
// I]; 1: X [B, T, I]), directions, steps, batch, input size, hidden size and the G·H rows of W and R.
import type { Value } from '../compiler/ir/graph.js';
import { layoutOf, numDirections } from '../compiler/ops/control-rnn.js';
import { attrInt } from '../compiler/ops/util.js';
import type { KernelSite } from './lower.js';
import { shapeOf } from './shapes.js';

/** Gates per op: the rows of W and R are this many times the hidden size. */
const GATES: Record<string, number> = { rnn: 1, gru: 3, lstm: 4 };

export interface RecurrentGeometry {
  op: string;
  x: Value;
  w: Value;
  r: Value;
  bias?: Value;
  seqLens?: Value;
  initH?: Value;
  initC?: Value;
  peep?: Value;
  /** The outputs the node has: Y, Y_h, Y_c. */
  y?: Value;
  yh?: Value;
  yc?: Value;
  layout: 0 | 1;
  dirs: number;
  steps: number;
  batch: number;
  inSize: number;
  hidden: number;
  /** G·H rows of W and R per direction. */
  rows: number;
  /** gru only: R·H is taken before the reset gate multiplies it. */
  linearBeforeReset: boolean;
}

export function recurrentGeometry(k: KernelSite): RecurrentGeometry {
  const { op, attrs } = k.node;
  const [x, w, r] = [k.input(0), k.input(1), k.input(2)];
  const [bias, seqLens, initH, initC, peep] = [3, 4, 5, 6, 7].map((i) => k.node.inputs[i] ?? undefined);
  const [y, yh, yc] = [0, 1, 2].map((i) => (k.node.outputs[i] ? k.output(i) : undefined));
  const layout = layoutOf(attrs);
  const xs = shapeOf(x);
  const [steps, batch, inSize] = layout === 0 ? [xs[0], xs[1], xs[2]] : [xs[1], xs[0], xs[2]];
  const rows = shapeOf(w)[1];
  return {
    op, x, w, r, bias, seqLens, initH, initC, peep, y, yh, yc,
    layout, dirs: numDirections(attrs), steps, batch, inSize, hidden: rows / GATES[op], rows,
    linearBeforeReset: op === 'gru' && attrInt(attrs, 'linear_before_reset') !== 0,
  };
}
