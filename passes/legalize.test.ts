import { TARGET_INFO } from '../codegen/targets.js';
import { compareTensors } from '../compiler/compare.js';
import { interpret } from '../compiler/interpreter.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { isFloat, type DType } from '../compiler/ir/dtype.js';
import { Graph, Value, type Attrs, type Dim } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import '../compiler/ops/index.js';
import { seededRandom } from '../compiler/random.js';
import type { TargetInfo } from '../compiler/target-info.js';
import { legalize, legalizeGraph, LEGALIZABLE_OPS } from './legalize.js';
import { optPipelineText } from './pipelines.js';

type Inputs = Record<string, { dtype: DType; shape: Dim[] }>;

/** A graph of the given inputs whose outputs `build` emits. */
function graphOf(inputs: Inputs, build: (b: GraphBuilder, x: Record<string, Value>) => Value[]): Graph {
  const x = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new Value(name, { dtype: t.dtype, shape: [...t.shape] })]));
  const g = new Graph('main', Object.values(x));
  g.outputs = build(new GraphBuilder(g), x);
  return g;
}

/** One node of `op` over inputs of the given shapes (f32 unless a dtype is given). */
function single(op: string, shapes: (number[] | { dtype: DType; shape: number[] })[], attrs: Attrs = {}, outputs = 1): Graph {
  const inputs: Inputs = Object.fromEntries(shapes.map((s, i) => [`x${i}`, Array.isArray(s) ? { dtype: 'f32' as DType, shape: s } : s]));
  return graphOf(inputs, (b, x) => b.emit(op, Object.values(x), attrs, outputs));
}

/** Seeded values: floats in [−2, 2), u8 in [0, 256), i8 in [−128, 128), other integers in [−5, 5). */
function feedsFor(g: Graph, seed = 7): Record<string, Tensor> {
  const rand = seededRandom(seed);
  const value = (d: DType) => {
    const r = (rand() + 1) / 2;
    if (isFloat(d)) return 4 * r - 2;
    if (d === 'u8') return Math.floor(256 * r);
    if (d === 'i8') return Math.floor(256 * r) - 128;
    return Math.floor(10 * r) - 5;
  };
  return Object.fromEntries(
    g.inputs.map((v) => {
      const shape = v.type.shape as number[];
      return [v.name, Tensor.fromArray(v.type.dtype, shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => value(v.type.dtype)))];
    }),
  );
}

const ops = (g: Graph) => g.nodes.map((n) => n.op);

/**
 * Legalizes `g` without a target and checks the result: it verifies, every op in it runs natively on both
 * targets, and it computes what `g` computes (reference interpreter, the same feeds).
 */
function legalized(g: Graph, feeds: Record<string, Tensor> = feedsFor(g), tolerance = { atol: 1e-5, rtol: 1e-4 }): Graph {
  const out = legalize(g);
  verifyGraph(out);
  const foreign = ops(out).filter((op) => !TARGET_INFO.wasm.nativeOps.has(op) || !TARGET_INFO.webgpu.nativeOps.has(op));
  expect(foreign).toEqual([]);
  const want = interpret(g, feeds);
  const got = interpret(out, feeds, { checkTypes: true });
  for (const v of g.outputs) {
    expect(got[v.name].dtype).toBe(want[v.name].dtype);
    expect({ output: v.name, mismatch: compareTensors(got[v.name], want[v.name], tolerance).mismatch }).toEqual({ output: v.name, mismatch: undefined });
  }
  return out;
}

describe('legalize: einsum', () => {
  const cases: [string, number[][]][] = [
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['bhqd,bhkd->bhqk', [[2, 3, 4, 5], [2, 3, 6, 5]]],
    ['...ii->...i', [[2, 3, 3]]],
    ['bii', [[2, 3, 3]]],
    ['iii->i', [[3, 3, 3]]],
    ['ii->', [[4, 4]]],
    ['i,i', [[5], [5]]],
    ['ij->i', [[3, 4]]],
    ['ij->', [[3, 4]]],
    ['ij->ji', [[3, 4]]],
    ['ij,jk', [[3, 4], [4, 5]]],
    ['ij,ij->ij', [[3, 4], [3, 4]]],
    ['ij,ij->ij', [[3, 1], [3, 4]]],
    ['i,j->ij', [[3], [4]]],
    ['...ij,kjl->...ikl', [[2, 1, 3, 4], [5, 4, 2]]],
    ['...ij,jk->...ik', [[2, 1, 3, 4], [4, 5]]],
    ['ij,jk,kjl->il', [[3, 4], [4, 5], [5, 4, 2]]],
    ['bij,bkj->bik', [[1, 3, 4], [2, 5, 4]]],
  ];
  test.each(cases)('%s over %j matches the reference', (equation, shapes) => {
    const out = legalized(single('einsum', shapes, { equation }));
    expect(ops(out)).not.toContain('einsum');
  });

  test('the attention products are one matmul (after a transpose of the keys)', () => {
    expect(ops(legalized(single('einsum', [[2, 3, 4, 5], [2, 3, 6, 5]], { equation: 'bhqd,bhkd->bhqk' })))).toEqual(['transpose', 'matmul']);
    expect(ops(legalized(single('einsum', [[2, 3, 4], [2, 4, 5]], { equation: 'bij,bjk->bik' })))).toEqual(['matmul']);
  });

  test('f64 operands are computed in f32 and cast back; integer ones as products and sums of their type', () => {
    const f64 = legalized(single('einsum', [{ dtype: 'f64', shape: [3, 4] }, { dtype: 'f64', shape: [4, 5] }], { equation: 'ij,jk->ik' }), undefined, { atol: 1e-5, rtol: 1e-5 });
    expect(ops(f64)).toEqual(['cast', 'cast', 'matmul', 'cast']);
    const ints = legalized(single('einsum', [{ dtype: 'i32', shape: [3, 4] }, { dtype: 'i32', shape: [3, 4] }], { equation: 'ij,ij->i' }));
    expect(ops(ints)).toEqual(['mul', 'reduce_sum']);
  });

  test('an identity equation still gives a node for a graph output', () => {
    expect(ops(legalized(single('einsum', [[3, 4]], { equation: 'ij->ij' })))).toEqual(['identity']);
  });

  test('symbolic shapes are left alone (code generation reports the op)', () => {
    const g = graphOf({ a: { dtype: 'f32', shape: ['N', 4] }, b: { dtype: 'f32', shape: [4, 5] } }, (b, x) => b.emit('einsum', [x.a, x.b], { equation: 'ij,jk->ik' }));
    expect(ops(legalize(g))).toEqual(['einsum']);
  });
});

describe('legalize: normalizations and Lp pools', () => {
  test.each([
    [{ size: 3 }, [2, 5, 3, 4]],
    [{ size: 4, alpha: 0.02, beta: 0.5, bias: 2 }, [2, 5, 3, 4]],
    [{ size: 5 }, [3, 7]],
  ])('lrn %j over %j', (attrs, shape) => {
    expect(ops(legalized(single('lrn', [shape], attrs)))).toEqual(['mul', 'reshape', 'average_pool', 'reshape', 'mul', 'add', 'pow', 'div']);
  });

  test.each([[{}], [{ axes: [-1] }], [{ axes: [0, 1, 2, 3] }], [{ axes: [1, 3] }]])('mean_variance_normalization %j', (attrs) => {
    expect(ops(legalized(single('mean_variance_normalization', [[2, 5, 3, 4]], attrs)))).not.toContain('mean_variance_normalization');
  });

  test('group_normalization with a scale per channel and per group (opset 18), rank 4 and rank 3', () => {
    const perChannel = graphOf({ x: { dtype: 'f32', shape: [2, 6, 3, 4] }, s: { dtype: 'f32', shape: [6] }, b: { dtype: 'f32', shape: [6] } }, (b, x) =>
      b.emit('group_normalization', [x.x, x.s, x.b], { num_groups: 3, epsilon: 1e-3 }));
    expect(ops(legalized(perChannel))).toEqual(['reshape', 'instance_normalization', 'reshape', 'reshape', 'mul', 'reshape', 'add']);
    const perGroup = graphOf({ x: { dtype: 'f32', shape: [2, 6, 5] }, s: { dtype: 'f32', shape: [2] }, b: { dtype: 'f32', shape: [2] } }, (b, x) =>
      b.emit('group_normalization', [x.x, x.s, x.b], { num_groups: 2 }));
    expect(ops(legalized(perGroup))).toEqual(['reshape', 'instance_normalization', 'reshape']);
  });

  test.each([[{ p: 1, axis: 1 }], [{ p: 2, axis: -1 }]])('lp_normalization %j', (attrs) => {
    expect(ops(legalized(single('lp_normalization', [[2, 5, 3]], attrs)))).toEqual(['reduce_' + (attrs.p === 1 ? 'l1' : 'l2'), 'div']);
  });

  test.each([[1], [2], [3]])('global_lp_pool p=%d', (p) => {
    expect(ops(legalized(single('global_lp_pool', [[2, 3, 4, 5]], { p })))).not.toContain('global_lp_pool');
  });

  test.each([
    [{ p: 2, kernel_shape: [2, 2], strides: [2, 2] }],
    [{ p: 3, kernel_shape: [3, 2], pads: [1, 0, 1, 1], strides: [1, 2] }],
    [{ p: 1, kernel_shape: [3], pads: [1, 1], ceil_mode: 1 }],
  ])('lp_pool %j', (attrs) => {
    const rank = attrs.kernel_shape.length;
    expect(ops(legalized(single('lp_pool', [rank === 1 ? [2, 3, 7] : [2, 3, 6, 7]], attrs)))).toContain('average_pool');
  });

  test('lp_pool whose ceil_mode windows overhang the padded input is left alone', () => {
    expect(ops(legalize(single('lp_pool', [[1, 2, 6]], { p: 2, kernel_shape: [3], strides: [2], ceil_mode: 1 })))).toEqual(['lp_pool']);
  });
});

describe('legalize: quantization', () => {
  const scales = (...v: number[]) => Tensor.fromArray('f32', [v.length], v);

  test('quantize_linear per tensor to u8, per axis to i8, along the last axis, without a zero point', () => {
    const g = graphOf({ x: { dtype: 'f32', shape: [2, 3, 5] } }, (b, { x }) => [
      b.emit('quantize_linear', [x, b.constant(Tensor.scalar('f32', 0.003)), b.constant(Tensor.scalar('u8', 100))])[0],
      b.emit('quantize_linear', [x, b.constant(scales(0.01, 0.02, 0.05)), b.constant(Tensor.fromArray('i8', [3], [-3, 0, 7]))])[0],
      b.emit('quantize_linear', [x, b.constant(scales(0.01, 0.02, 0.03, 0.04, 0.05)), b.constant(Tensor.fromArray('u8', [5], [0, 10, 128, 200, 255]))], { axis: -1 })[0],
      b.emit('quantize_linear', [x, b.constant(Tensor.scalar('f32', 0.01))])[0],
    ]);
    legalized(g, feedsFor(g), { atol: 0, rtol: 0 });
  });

  test('quantize_linear rounds halves to even', () => {
    const g = graphOf({ x: { dtype: 'f32', shape: [6] } }, (b, { x }) => b.emit('quantize_linear', [x, b.constant(Tensor.scalar('f32', 1)), b.constant(Tensor.scalar('i8', 0))]));
    const out = legalize(g);
    const feeds = { x: Tensor.fromArray('f32', [6], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5]) };
    expect(Array.from(interpret(out, feeds)[out.outputs[0].name].data)).toEqual([0, 2, 2, 0, -2, -2]);
  });

  test('dequantize_linear of u8 and i32, per tensor and along an axis', () => {
    const g = graphOf({ q: { dtype: 'u8', shape: [3, 4] }, a: { dtype: 'i32', shape: [3, 4] } }, (b, { q, a }) => [
      b.emit('dequantize_linear', [q, b.constant(Tensor.scalar('f32', 0.5)), b.constant(Tensor.scalar('u8', 5))])[0],
      b.emit('dequantize_linear', [q, b.constant(scales(0.1, 0.2, 0.3)), b.constant(Tensor.fromArray('u8', [3], [1, 2, 3]))], { axis: 0 })[0],
      b.emit('dequantize_linear', [a, b.constant(scales(0.25, 0.5, 1, 2))], { axis: 1 })[0],
    ]);
    legalized(g);
  });

  test('dynamic_quantize_linear: values, scale and zero point, also for all-zero and all-positive inputs', () => {
    const g = single('dynamic_quantize_linear', [[4, 6]], {}, 3);
    legalized(g, feedsFor(g), { atol: 0, rtol: 0 });
    legalized(g, { x0: new Tensor('f32', [4, 6]) }, { atol: 0, rtol: 0 });
    legalized(g, { x0: Tensor.fromArray('f32', [4, 6], Array.from({ length: 24 }, (_, i) => 0.1 + i / 7)) }, { atol: 0, rtol: 0 });
  });
});

describe('legalize: generators', () => {
  test('constant_of_shape with a constant shape is an expand of its value', () => {
    const g = graphOf({}, (b) => b.emit('constant_of_shape', [b.constant(Tensor.fromArray('i64', [2], [3, 4]))], { value: Tensor.fromArray('i32', [1], [7]) }));
    expect(ops(legalized(g))).toEqual(['expand']);
  });

  test('range and the windows of constant operands are their values (an identity keeps the output computed)', () => {
    const g = graphOf({}, (b) => [
      b.emit('range', [b.constant(Tensor.scalar('f32', 1)), b.constant(Tensor.scalar('f32', 4)), b.constant(Tensor.scalar('f32', 0.5))])[0],
      b.emit('hann_window', [b.constant(Tensor.scalar('i64', 8))])[0],
      b.emit('hamming_window', [b.constant(Tensor.scalar('i64', 6))], { periodic: 0 })[0],
      b.emit('blackman_window', [b.constant(Tensor.scalar('i64', 5))])[0],
    ]);
    expect(ops(legalized(g))).toEqual(['identity', 'identity', 'identity', 'identity']);
  });

  test.each([
    ['i64', -1, [3]],
    ['i64', 0, [2, 3]],
    ['i32', 1, [2, 3]],
    ['f32', -2, [2, 3]],
  ] as [DType, number, number[]][])('one_hot of %s indices along axis %d', (dtype, axis, shape) => {
    const g = graphOf({ i: { dtype, shape } }, (b, { i }) => [
      b.emit('one_hot', [i, b.constant(Tensor.scalar('i64', 4)), b.constant(Tensor.fromArray('f32', [2], [-1, 3]))], { axis })[0],
    ]);
    const indices = Tensor.fromArray(dtype, shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, (_, k) => (k % 10) - 5));
    expect(ops(legalized(g, { i: indices }))).not.toContain('one_hot');
  });

  test('one_hot with values computed at run time', () => {
    const g = graphOf({ i: { dtype: 'i64', shape: [5] }, v: { dtype: 'f32', shape: [2] } }, (b, { i, v }) => [
      b.emit('one_hot', [i, b.constant(Tensor.scalar('f32', 3)), v])[0],
    ]);
    legalized(g);
  });

  test('center_crop_pad slices the axes that shrink and pads those that grow (an identity where neither)', () => {
    const g = graphOf({ x: { dtype: 'f32', shape: [5, 4, 3] } }, (b, { x }) => [
      b.emit('center_crop_pad', [x, b.constant(Tensor.fromArray('i64', [3], [2, 7, 3]))])[0],
      b.emit('center_crop_pad', [x, b.constant(Tensor.fromArray('i64', [2], [6, 1]))], { axes: [0, -1] })[0],
      b.emit('center_crop_pad', [x, b.constant(Tensor.fromArray('i64', [1], [4]))], { axes: [1] })[0],
    ]);
    expect(ops(legalized(g))).toEqual(['slice', 'pad', 'slice', 'pad', 'identity']);
  });
});

describe('legalize: training preview optimizers', () => {
  const optimizer = (op: string, perTensor: number, attrs: Attrs, shapes: number[][]) => {
    const inputs: Inputs = { r: { dtype: 'f32', shape: [] }, t: { dtype: 'i64', shape: [] } };
    for (let k = 0; k < perTensor; k++) shapes.forEach((s, i) => (inputs[`in${k}_${i}`] = { dtype: 'f32', shape: s }));
    return graphOf(inputs, (b, x) => b.emit(op, Object.values(x), attrs, (perTensor - 1) * shapes.length));
  };
  const withStep = (g: Graph, t: number) => {
    const feeds = feedsFor(g);
    feeds.t = Tensor.scalar('i64', t);
    // The state tensors H (accumulated squares) are non-negative.
    for (const [name, tensor] of Object.entries(feeds)) if (/^in[23]_/.test(name)) feeds[name] = Tensor.fromArray('f32', tensor.shape, Array.from(tensor.data, Math.abs));
    return feeds;
  };

  test.each([0, 3])('adagrad and adam, one and two tensors, at T = %d', (t) => {
    const adagrad = optimizer('adagrad', 3, { decay_factor: 0.1, epsilon: 1e-5, norm_coefficient: 0.001 }, [[2], [3, 2]]);
    legalized(adagrad, withStep(adagrad, t));
    const adam = optimizer('adam', 4, { alpha: 0.95, beta: 0.1, epsilon: 1e-7, norm_coefficient: 0.001, norm_coefficient_post: 0.02 }, [[4]]);
    legalized(adam, withStep(adam, t));
    const adamTwo = optimizer('adam', 4, {}, [[1], [2]]);
    legalized(adamTwo, withStep(adamTwo, t));
  });

  test.each([0, 2])('momentum, standard and nesterov, at T = %d', (t) => {
    for (const mode of ['standard', 'nesterov']) {
      const g = optimizer('momentum', 3, { alpha: 0.95, beta: 0.1, mode, norm_coefficient: 0.001 }, [[3], [2, 2]]);
      legalized(g, withStep(g, t));
    }
  });
});

describe('legalize: targets', () => {
  const target = (nativeOps: string[]): TargetInfo => ({ name: 'test', nativeOps: new Set(nativeOps), limits: { bindingsPerKernel: 8, epilogueOperands: 4 } });
  const g = single('einsum', [[2, 3], [3, 4]], { equation: 'ij,jk->ik' });

  test('an op the target runs natively is left alone; one it does not is rewritten', () => {
    expect(ops(legalize(g, target(['einsum', 'matmul'])))).toEqual(['einsum']);
    expect(ops(legalize(g, target(['matmul'])))).toEqual(['matmul']);
    expect(ops(legalize(g))).toEqual(['matmul']);
  });

  test('legalizeGraph returns the graph itself when nothing is to be rewritten', () => {
    const native = single('matmul', [[2, 3], [3, 4]]);
    expect(legalizeGraph(native, TARGET_INFO.wasm)).toBe(native);
    expect(legalizeGraph(g, target(['einsum']))).toBe(g);
    expect(ops(legalizeGraph(g, TARGET_INFO.wasm))).toEqual(['matmul']);
  });

  test('no target runs a legalizable op natively, so both take the same path', () => {
    expect([...LEGALIZABLE_OPS].filter((op) => TARGET_INFO.wasm.nativeOps.has(op) || TARGET_INFO.webgpu.nativeOps.has(op))).toEqual([]);
  });

  test('-O1 to -O3 legalize before fusion', () => {
    for (const level of [1, 2, 3]) {
      const passes = optPipelineText(level).split(/,(?![^(]*\))/);
      expect(passes.indexOf('legalize')).toBeGreaterThan(0);
      expect(passes.indexOf('legalize')).toBeLessThan(passes.indexOf('fuse-ops'));
    }
  });
});
