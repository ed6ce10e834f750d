import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { eliminateDeadCode } from './eliminate-dead-code.js';
import { applyRewrites, type RewriteRule } from './rewrite.js';

const ops = (g: Graph) => g.nodes.map((n) => n.op);

function twoInputs(body: (b: GraphBuilder, x: Value, y: Value) => Value): Graph {
  const x = new Value('x', { dtype: 'f32', shape: [2] });
  const y = new Value('y', { dtype: 'f32', shape: [2] });
  const g = new Graph('main', [x, y]);
  g.outputs = [body(new GraphBuilder(g), x, y)];
  return g;
}

const run = (g: Graph) =>
  Array.from(Object.values(interpret(g, { x: Tensor.fromArray('f32', [2], [1, 2]), y: Tensor.fromArray('f32', [2], [10, 20]) }))[0].data);

const RULES: readonly RewriteRule[] = [
  // x - y  →  x + neg(y)
  [{ op: 'sub', inputs: [{ value: 'x' }, { value: 'y' }] }, (m, rw) => rw.emit('add', [m.values.x, rw.emit('neg', [m.values.y])[0]])],
  // neg(neg(x))  →  x
  [{ op: 'neg', inputs: [{ op: 'neg', inputs: [{ value: 'x' }] }] }, (m) => [m.values.x]],
  // x + x  →  x * 2
  [{ op: 'add', inputs: [{ value: 'x' }, { value: 'x' }] }, (m, rw) => rw.emit('mul', [m.values.x, rw.constant(Tensor.scalar('f32', 2))])],
];

describe('rewrite driver', () => {
  test('nodes a rewrite adds are matched in turn', () => {
    // x - neg(y)  →  x + neg(neg(y))  →  x + y
    const g = twoInputs((b, x, y) => b.emit('relu', [b.emit('sub', [x, b.emit('neg', [y])[0]])[0]])[0]);
    const out = applyRewrites(g, RULES);
    verifyGraph(out);
    // The inner neg(y) is left without readers for dead-code elimination.
    expect(ops(out)).toEqual(['neg', 'add', 'relu']);
    expect(ops(eliminateDeadCode(out))).toEqual(['add', 'relu']);
    expect(out.nodes[1].inputs).toEqual(out.inputs);
    expect(run(out)).toEqual(run(g));
    expect(run(out)).toEqual([11, 22]);
  });

  test('a name captured twice must be the same value', () => {
    const same = twoInputs((b, x) => b.emit('add', [x, x])[0]);
    const out = applyRewrites(same, RULES);
    expect(ops(out)).toEqual(['mul']);
    expect(Array.from(out.nodes[0].inputs[1]!.data!.data)).toEqual([2]);
    expect(run(out)).toEqual([2, 4]);
    expect(out.outputs[0].name).toBe(same.outputs[0].name);
    const different = twoInputs((b, x, y) => b.emit('add', [x, y])[0]);
    expect(ops(applyRewrites(different, RULES))).toEqual(['add']);
  });

  test('a const capture only matches compile-time values', () => {
    const rules: RewriteRule[] = [
      // x * c  →  c * x (marks the rewrite by moving the constant first)
      [{ op: 'mul', inputs: [{ value: 'x' }, { value: 'c', const: true }] }, (m, rw) => rw.emit('mul', [m.values.c, m.values.x])],
    ];
    const withConst = twoInputs((b, x) => b.emit('mul', [x, b.constant(Tensor.scalar('f32', 3))])[0]);
    const out = applyRewrites(withConst, rules);
    expect(out.nodes[0].inputs[0]!.isConst).toBe(true);
    const withInput = twoInputs((b, x, y) => b.emit('mul', [x, y])[0]);
    expect(applyRewrites(withInput, rules).nodes[0].inputs).toEqual(withInput.inputs);
  });

  test('rules that undo each other stop at the rewrite budget', () => {
    const swap: RewriteRule[] = [
      // x + y  →  y + x
      [{ op: 'add', inputs: [{ value: 'x' }, { value: 'y' }] }, (m, rw) => rw.emit('add', [m.values.y, m.values.x])],
    ];
    const g = twoInputs((b, x, y) => b.emit('add', [x, y])[0]);
    const out = applyRewrites(g, swap, { maxRewrites: 3 });
    expect(ops(out)).toEqual(['add']);
    expect(out.nodes[0].inputs).toEqual([out.inputs[1], out.inputs[0]]);
  });

  test('a rewrite that changes the type is a bug, reported as such', () => {
    const bad: RewriteRule[] = [
      // (wrong on purpose) relu(x) → cast(x) to i32
      [{ op: 'relu', inputs: [{ value: 'x' }] }, (m, rw) => rw.emit('cast', [m.values.x], { to: 'i32' })],
    ];
    const g = twoInputs((b, x) => b.emit('neg', [b.emit('relu', [x])[0]])[0]);
    expect(() => applyRewrites(g, bad)).toThrow(/rewrite of relu '.*' changes f32\[2\] into i32\[2\]/);
  });
});
