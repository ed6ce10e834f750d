// Run-time loops on both targets against the reference: one graph holds four loops that lowering keeps whole
// (past unroll-loops' 64 iterations, or with a trip count or condition known only at run time), so that each
// target compiles it once: an RNN-like Scan of 200 steps over scan-input slices (one read in reverse) with a
// scan output, a Loop of 200 iterations reading an outer input at its iteration number and stacking its states,
// a Loop whose trip count is a model input, and a Loop with no trip count that its run-time condition stops
// (each of the last two also fed so that it runs no iteration).
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value, type TensorType } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { buildGraph, randomFeeds } from '../tests/util/graphs.js';
import { forEachTarget, type TargetRun } from '../tests/util/targets.js';
import { DlcError } from '../compiler/errors.js';
import { stepsAcrossLoops } from './loop-bodies.js';
import { MAX_LOOP_ITERATIONS } from '../compiler/ops/control-flow.js';
import { MAX_UNBOUNDED_ITERATIONS } from '../runtime/webgpu-loops.js';
import { generateWasmProgram } from './wasm/program.js';
import { compileToWebgpu } from './wgsl/program.js';

const STEPS = 200;
const H = 8;
const ITERATION: TensorType = { dtype: 'i64', shape: [] };
const COND: TensorType = { dtype: 'bool', shape: [] };
const f32 = (shape: number[], values: number[]) => Tensor.fromArray('f32', shape, values);

function bodyGraph(name: string, inputs: Record<string, TensorType>, build: (b: GraphBuilder, x: Value[]) => Value[]): Graph {
  const g = new Graph(name, Object.entries(inputs).map(([n, t]) => new Value(`${name}/${n}`, { dtype: t.dtype, shape: [...t.shape] })));
  g.outputs = build(new GraphBuilder(g), g.inputs);
  return g;
}

/** A fixed H×H weight, small enough that tanh stays away from saturation over 200 steps. */
function weight(b: GraphBuilder): Value {
  return b.constant(f32([H, H], Array.from({ length: H * H }, (_, k) => 0.35 * Math.sin(k * 1.7 + 0.3))));
}

function loops(): Graph {
  return buildGraph({
    inputs: {
      h0: { dtype: 'f32', shape: [1, H] },
      xs: { dtype: 'f32', shape: [STEPS, 1, H] },
      bias: { dtype: 'f32', shape: [STEPS, H] },
      trips: { dtype: 'i64', shape: [] },
      limit: { dtype: 'i64', shape: [] },
      go: { dtype: 'bool', shape: [] },
      acc0: { dtype: 'f32', shape: [4] },
      none: { dtype: 'i64', shape: [] },
      stopped: { dtype: 'bool', shape: [] },
    },
    build: (b, { h0, xs, bias, trips, limit, go, acc0, none, stopped }) => {
      const w = weight(b);
      // Scan: h = tanh(h·W + x_t + bias_(199−t)), every h stacked.
      const rnn = bodyGraph('rnn', { h: { dtype: 'f32', shape: [1, H] }, x: { dtype: 'f32', shape: [1, H] }, c: { dtype: 'f32', shape: [H] } }, (bb, [h, x, c]) => {
        const next = bb.emit('tanh', [bb.emit('add', [bb.emit('add', [bb.emit('matmul', [h, w])[0], x])[0], c])[0]])[0];
        return [next, next];
      });
      const [scanFinal, scanAll] = b.emit('scan', [h0, xs, bias], { body: rnn, num_scan_inputs: 2, scan_input_directions: [0, 1] });
      // Loop of 200: h = tanh(h·W + xs[i]·0.5 + i/100), each h stacked (its iteration number read twice).
      const cell = bodyGraph('cell', { i: ITERATION, cond: COND, h: { dtype: 'f32', shape: [1, H] } }, (bb, [i, cond, h]) => {
        const x = bb.emit('gather', [xs, i], { axis: 0 })[0];
        const t = bb.emit('mul', [bb.emit('cast', [i], { to: 'f32' })[0], bb.constant(f32([], [0.01]))])[0];
        const pre = bb.emit('add', [bb.emit('add', [bb.emit('matmul', [h, w])[0], bb.emit('mul', [x, bb.constant(f32([], [0.5]))])[0]])[0], t])[0];
        const next = bb.emit('tanh', [pre])[0];
        return [cond, next, bb.emit('relu', [next])[0]];
      });
      const [loopFinal, loopAll] = b.emit('loop', [b.constant(Tensor.scalar('i64', STEPS)), null, h0], { body: cell }, 2);
      // Loop whose trip count is an input: acc = acc·0.9 + i, and a second state passed through unchanged.
      const counting = (m: Value) => {
        const count = bodyGraph('count', { i: ITERATION, cond: COND, acc: { dtype: 'f32', shape: [4] }, same: { dtype: 'f32', shape: [1, H] } }, (bb, [i, cond, acc, same]) => {
          const next = bb.emit('add', [bb.emit('mul', [acc, bb.constant(f32([], [0.9]))])[0], bb.emit('cast', [i], { to: 'f32' })[0]])[0];
          return [cond, next, same];
        });
        return b.emit('loop', [m, null, acc0, h0], { body: count }, 2);
      };
      // Loop with no trip count, run while `go` and then while i + 1 < limit: the two states swap each iteration.
      const until = (goes: Value) => {
        const body = bodyGraph('until', { i: ITERATION, cond: COND, a: { dtype: 'f32', shape: [4] }, c: { dtype: 'f32', shape: [4] } }, (bb, [i, , a, c]) => {
          const more = bb.emit('less', [bb.emit('add', [i, bb.constant(Tensor.scalar('i64', 1))])[0], limit])[0];
          return [more, bb.emit('add', [c, bb.constant(f32([], [1]))])[0], a];
        });
        return b.emit('loop', [null, goes, acc0, b.emit('neg', [acc0])[0]], { body }, 2);
      };
      // The same two loops running no iteration: a trip count of 0, a false `go`.
      return [scanFinal, scanAll, loopFinal, loopAll, ...counting(trips), ...until(go), ...counting(none), ...until(stopped)];
    },
  });
}

/** Feeds that make the run-time controls meaningful: 37 trips, a stop after 23 iterations, a true `go`, and none. */
function feeds(graph: Graph): Record<string, Tensor> {
  return {
    ...randomFeeds(graph),
    trips: Tensor.scalar('i64', 37),
    limit: Tensor.scalar('i64', 23),
    go: Tensor.scalar('bool', 1),
    none: Tensor.scalar('i64', 0),
    stopped: Tensor.scalar('bool', 0),
  };
}

describe('run-time Loop and Scan', () => {
  forEachTarget('a Scan and five Loops that lowering keeps whole (two of them running no iteration)', loops, {
    feeds: feeds(loops()),
    check: (run: TargetRun) => {
      expect(run.outputs[loops().outputs[1].name].shape).toEqual([STEPS, 1, H]);
      // Each body's kernels once, not 200 copies of them: the loops ran as loops.
      expect(run.kernels).toBeLessThan(80);
    },
  });

  test('a value the loop reads from outside, or that outlives it, is live across the whole loop', () => {
    const [x, y, t, z] = ['x', 'y', 't', 'z'].map((n) => new Value(n, { dtype: 'f32', shape: [1] }));
    const frame = { index: 0, node: 'loop', trips: 5 };
    // Steps: 0 writes x; 1–2 are the loop (1 reads x, writes t; 2 reads t, writes y); 3 reads y.
    const steps = [{ reads: [], writes: [x] }, { reads: [x], writes: [t] }, { reads: [t], writes: [y] }, { reads: [y], writes: [z] }];
    const out = stepsAcrossLoops(steps, [{ first: 1, last: 2, frame }], []);
    expect(out[1].reads).toEqual([x, x, y]);
    expect(out[2].reads).toEqual([t, x, y]);
    expect(steps[2].reads).toEqual([t]);
  });

  test('a loop neither unrolled nor run as a loop is refused with why, naming the node and op, on both targets', () => {
    // A Scan of 100 steps along axis 1: its slices are not contiguous.
    const g = buildGraph({
      inputs: { s: { dtype: 'f32', shape: [2] }, x: { dtype: 'f32', shape: [2, 100] } },
      build: (b, { s, x }) => {
        const body = bodyGraph('step', { s: { dtype: 'f32', shape: [2] }, x: { dtype: 'f32', shape: [2] } }, (bb, [st, xt]) => [bb.emit('add', [st, xt])[0]]);
        return b.emit('scan', [s, x], { body, num_scan_inputs: 1, scan_input_axes: [1] });
      },
    });
    for (const lower of [() => generateWasmProgram(g), () => compileToWebgpu(g)]) {
      expect(lower).toThrow(DlcError);
      try {
        lower();
      } catch (e) {
        expect((e as DlcError).context).toMatchObject({ op: 'scan' });
        expect((e as DlcError).detail).toBe('a Scan along an axis other than 0 runs only unrolled');
      }
    }
  });
});

test("the webgpu runtime stops a Loop with no trip count at the compiler's iteration limit (the wasm module traps there)", () => {
  expect(MAX_UNBOUNDED_ITERATIONS).toBe(MAX_LOOP_ITERATIONS);
  const source = generateWasmProgram(loops()).source;
  expect(source).toMatch(new RegExp(`loop\\d+_trips: i64 = ${MAX_LOOP_ITERATIONS};`));
  expect(source).toMatch(/if \(loop\d+_going\) unreachable\(\);/);
});
