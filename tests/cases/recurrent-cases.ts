// Recurrent cases every target runs (tests/targets/recurrent-cases.test.ts): rnn, gru and lstm layers over
// every attribute the reference supports (directions, layouts, sequence_lens, clip, activations with
// alpha/beta, peepholes, input_forget, linear_before_reset), with weights as graph inputs or constants, that
// each target must compute as the reference interpreter does; and an f64 layer, which wasm refuses.
import type { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Attrs, Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph, randomTensor } from '../util/graphs.js';

export type Op = 'rnn' | 'gru' | 'lstm';
type Direction = 'forward' | 'reverse' | 'bidirectional';

const GATES: Record<Op, number> = { rnn: 1, gru: 3, lstm: 4 };

export interface Layer {
  op: Op;
  direction: Direction;
  layout?: 0 | 1;
  steps: number;
  batch: number;
  input: number;
  hidden: number;
  /** Which optional inputs the node gets. */
  bias?: boolean;
  initial?: boolean;
  peepholes?: boolean;
  sequenceLens?: number[];
  /** W, R, B, states and peepholes as constants (transposed at compile time) instead of graph inputs. */
  constantWeights?: boolean;
  attrs?: Attrs;
}

/** Graph inputs and the node of one layer, named with `id`; returns every output of the node. */
export function layerGraph(layers: Layer[]): Graph {
  const inputs: Record<string, { dtype: 'f32'; shape: number[] }> = {};
  const constants: Record<string, Tensor> = {};
  let seed = 10;
  const operand = (name: string, shape: number[], constant: boolean) => {
    if (constant) constants[name] = randomTensor('f32', shape, seed++);
    else inputs[name] = { dtype: 'f32', shape };
  };
  layers.forEach((l, id) => {
    const dirs = l.direction === 'bidirectional' ? 2 : 1;
    const rows = GATES[l.op] * l.hidden;
    const layout = l.layout ?? 0;
    const c = !!l.constantWeights;
    inputs[`x${id}`] = { dtype: 'f32', shape: layout === 0 ? [l.steps, l.batch, l.input] : [l.batch, l.steps, l.input] };
    operand(`w${id}`, [dirs, rows, l.input], c);
    operand(`r${id}`, [dirs, rows, l.hidden], c);
    if (l.bias) operand(`b${id}`, [dirs, 2 * rows], c);
    const state = layout === 0 ? [dirs, l.batch, l.hidden] : [l.batch, dirs, l.hidden];
    if (l.initial) operand(`h${id}`, state, c);
    if (l.initial && l.op === 'lstm') operand(`c${id}`, state, c);
    if (l.peepholes) operand(`p${id}`, [dirs, 3 * l.hidden], c);
  });
  return buildGraph({
    inputs,
    build: (b: GraphBuilder, x: Record<string, Value>) => {
      const get = (name: string): Value | null => x[name] ?? (constants[name] ? b.constant(constants[name]) : null);
      return layers.flatMap((l, id) => {
        const lens = l.sequenceLens ? b.constant(Tensor.fromArray('i32', [l.batch], l.sequenceLens)) : null;
        const ins = [get(`x${id}`), get(`w${id}`), get(`r${id}`), get(`b${id}`), lens, get(`h${id}`), get(`c${id}`), get(`p${id}`)];
        while (ins[ins.length - 1] === null) ins.pop();
        const attrs: Attrs = { direction: l.direction, hidden_size: l.hidden, layout: l.layout ?? 0, ...l.attrs };
        return b.emit(l.op, ins, attrs, l.op === 'lstm' ? 3 : 2);
      });
    },
  });
}

const DIRECTIONS: Direction[] = ['forward', 'reverse', 'bidirectional'];
export const OPS: Op[] = ['rnn', 'gru', 'lstm'];

const ACTIVATIONS: Record<Op, string[]> = { rnn: ['LeakyRelu'], gru: ['HardSigmoid', 'ScaledTanh'], lstm: ['HardSigmoid', 'Affine', 'Elu'] };
const BACKWARD_ACTIVATIONS: Record<Op, string[]> = { rnn: ['Softsign'], gru: ['Sigmoid', 'ThresholdedRelu'], lstm: ['Sigmoid', 'Softplus', 'Relu'] };

/** An lstm of f64 operands: webgpu stores and computes them as f32; wasm refuses f64 recurrent layers. */
export function f64LayerGraph(): Graph {
  return buildGraph({
    inputs: { x: { dtype: 'f64', shape: [3, 2, 3] }, w: { dtype: 'f64', shape: [1, 12, 3] }, r: { dtype: 'f64', shape: [1, 12, 3] } },
    build: (b, { x, w, r }) => b.emit('lstm', [x, w, r], { hidden_size: 3 }, 3),
  });
}

/** Named layer sets; each case is one graph of several layers. */
export function recurrentCases(): Record<string, Layer[]> {
  const cases: Record<string, Layer[]> = {};
  for (const op of OPS) {
    for (const layout of [0, 1] as const) {
      cases[`${op}, layout ${layout}, each direction, with biases and initial states`] =
        DIRECTIONS.map((direction) => ({ op, direction, layout, steps: 4, batch: 3, input: 6, hidden: 5, bias: true, initial: true }));
    }
    cases[`${op} without biases or initial states, constant weights, odd hidden size`] =
      DIRECTIONS.map((direction, i) => ({ op, direction, layout: (i % 2) as 0 | 1, steps: 5, batch: 2, input: 3, hidden: 7, constantWeights: true }));
    cases[`${op} with sequence_lens (0, partial and full), each direction and layout`] = DIRECTIONS.flatMap((direction) => [0, 1].map((layout) => ({
      op, direction, layout: layout as 0 | 1, steps: 5, batch: 4, input: 3, hidden: 7, bias: true, initial: true, sequenceLens: [5, 2, 0, 3],
    })));
    cases[`${op} with clip and non-default activations taking alpha and beta`] = [
      { op, direction: 'forward', steps: 4, batch: 2, input: 3, hidden: 5, bias: true, attrs: { clip: 0.6 } },
      {
        op, direction: 'bidirectional', steps: 4, batch: 2, input: 3, hidden: 5, bias: true, initial: true,
        attrs: { activations: [...ACTIVATIONS[op], ...BACKWARD_ACTIVATIONS[op]], activation_alpha: [0.3, 0.7, 0.2], activation_beta: [0.4, 1.5] },
      },
      { op, direction: 'reverse', steps: 3, batch: 1, input: 2, hidden: 4, attrs: { activations: ACTIVATIONS[op], clip: 2, activation_alpha: [0.5] } },
    ];
  }
  cases['lstm peepholes and input_forget'] = [
    { op: 'lstm', direction: 'bidirectional', steps: 4, batch: 3, input: 5, hidden: 5, bias: true, initial: true, peepholes: true },
    { op: 'lstm', direction: 'forward', layout: 1, steps: 4, batch: 2, input: 3, hidden: 7, peepholes: true, attrs: { input_forget: 1 } },
    { op: 'lstm', direction: 'reverse', steps: 3, batch: 2, input: 3, hidden: 6, bias: true, initial: true, peepholes: true, constantWeights: true, sequenceLens: [1, 3], attrs: { input_forget: 1 } },
  ];
  cases['gru linear_before_reset 0 and 1'] = [0, 1].flatMap((lbr): Layer[] => [
    { op: 'gru', direction: 'bidirectional', steps: 4, batch: 3, input: 4, hidden: 5, bias: true, initial: true, attrs: { linear_before_reset: lbr } },
    { op: 'gru', direction: 'forward', layout: 1, steps: 3, batch: 2, input: 3, hidden: 7, attrs: { linear_before_reset: lbr } },
    { op: 'gru', direction: 'reverse', steps: 5, batch: 4, input: 2, hidden: 9, bias: true, sequenceLens: [4, 0, 5, 1], constantWeights: true, attrs: { linear_before_reset: lbr } },
  ]);
  cases['a larger layer (bidirectional, batch 5, input 20, hidden 32)'] =
    OPS.map((op) => ({ op, direction: 'bidirectional', steps: 6, batch: 5, input: 20, hidden: 32, bias: true, initial: true }));
  return cases;
}
