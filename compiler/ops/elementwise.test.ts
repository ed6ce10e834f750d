import { DlcError } from '../errors.js';
import { runGraph } from '../interpreter.js';
import { GraphBuilder } from '../ir/builder.js';
import { roundF16, type DType } from '../ir/dtype.js';
import { Graph, Value, type Attrs, type Dim } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { BACKENDS } from '../../tests/conformance/backends.js';
import { listCases } from '../../tests/conformance/cases.js';
import { runCase } from '../../tests/conformance/run-cases.js';
import { erf } from './elementwise-unary.js';
import { findOnnxImport, getOp } from './registry.js';
import './index.js';

const t = (dtype: DType, shape: number[], values: number[]) => Tensor.fromArray(dtype, shape, values);
const vec = (dtype: DType, values: number[]) => t(dtype, [values.length], values);

/** Runs `op` on the given inputs through inference and the reference implementation (types checked). */
function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}): Tensor {
  const graph = new Graph('test');
  const values = inputs.map((x, i) => (x ? new Value(`x${i}`, { dtype: x.dtype, shape: [...x.shape] }) : null));
  graph.inputs = values.filter((v): v is Value => v !== null);
  graph.outputs = new GraphBuilder(graph).emit(op, values, attrs);
  return runGraph(graph, inputs.filter((x): x is Tensor => x !== null), undefined, { checkTypes: true })[0];
}

function values(x: Tensor): number[] {
  return Array.from(x.data);
}

function expectClose(x: Tensor, want: number[], digits = 12): void {
  const got = values(x);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
}

/** Imports one ONNX node at `opset` and runs it on `inputs`, then on `constants` (initializers). */
function runOnnx(opType: string, opset: number, inputs: Tensor[], attrs: Attrs = {}, constants: Tensor[] = []): Tensor {
  const graph = new Graph('test');
  const b = new GraphBuilder(graph);
  graph.inputs = inputs.map((x, i) => new Value(`x${i}`, { dtype: x.dtype, shape: [...x.shape] }));
  const found = findOnnxImport('', opType);
  if (!found?.imp.convert) throw new Error(`no import for ${opType}`);
  const node = { opType, domain: '', name: 'n', opset, inputs: [...graph.inputs, ...constants.map((c) => b.constant(c))], attrs, numOutputs: 1 };
  graph.outputs = found.imp.convert(node, b);
  return runGraph(graph, inputs, undefined, { checkTypes: true })[0];
}

function inferShape(op: string, shapes: Dim[][], dtype: DType = 'f32'): { dtype: DType; shape: Dim[] } {
  const graph = new Graph('test');
  const inputs = shapes.map((shape, i) => new Value(`x${i}`, { dtype, shape }));
  return new GraphBuilder(graph).emit(op, inputs)[0].type;
}

function expectDlcError(f: () => unknown, message: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DlcError);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a DlcError');
}

describe('unary math', () => {
  test('round ties to even, floor and ceil', () => {
    expect(values(run('round', [vec('f32', [0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])]))).toEqual([0, 2, 2, 0, -2, 2, -3]);
    expect(values(run('floor', [vec('f32', [-1.5, 1.5])]))).toEqual([-2, 1]);
    expect(values(run('ceil', [vec('f32', [-1.5, 1.5])]))).toEqual([-1, 2]);
  });

  test('erf is accurate to 1e-7 and odd', () => {
    // Reference values from Python's math.erf.
    const cases: [number, number][] = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [2.9999, 0.9999778955735178], [3, 0.9999779095030014], [3.5, 0.9999992569016276],
      [4, 0.9999999845827421], [5, 0.9999999999984626], [7, 1],
    ];
    for (const [x, want] of cases) {
      expect(Math.abs(erf(x) - want)).toBeLessThan(1e-12);
      expect(Math.abs(erf(-x) + want)).toBeLessThan(1e-12);
    }
    expect(erf(NaN)).toBeNaN();
    expect(values(run('erf', [vec('f64', [1, -2])]))).toEqual([erf(1), erf(-2)]);
  });

  test('abs and neg wrap at the integer range like C', () => {
    expect(values(run('abs', [vec('i8', [-128, -5, 7])]))).toEqual([-128, 5, 7]);
    expect(values(run('neg', [vec('i32', [-2147483648, 3])]))).toEqual([-2147483648, -3]);
  });

  test('sign, reciprocal, sqrt of negatives', () => {
    expect(values(run('sign', [vec('f32', [-3, 0, 2, NaN])]))).toEqual([-1, 0, 1, NaN]);
    expect(values(run('sign', [vec('i64', [-7, 0, 9])]))).toEqual([-1, 0, 1]);
    expect(values(run('reciprocal', [vec('f32', [4, 0])]))).toEqual([0.25, Infinity]);
    expect(values(run('sqrt', [vec('f32', [4, -1])]))).toEqual([2, NaN]);
  });

  test('is_nan, is_inf with its detection flags, not', () => {
    const x = vec('f32', [1, NaN, Infinity, -Infinity]);
    expect(run('is_nan', [x]).dtype).toBe('bool');
    expect(values(run('is_nan', [x]))).toEqual([0, 1, 0, 0]);
    expect(values(run('is_inf', [x]))).toEqual([0, 0, 1, 1]);
    expect(values(run('is_inf', [x], { detect_negative: 0 }))).toEqual([0, 0, 1, 0]);
    expect(values(run('is_inf', [x], { detect_positive: 0 }))).toEqual([0, 0, 0, 1]);
    expect(values(run('not', [vec('bool', [1, 0])]))).toEqual([0, 1]);
  });

  test('bitwise_not on narrow and 64-bit integers', () => {
    expect(values(run('bitwise_not', [vec('u8', [0, 5, 255])]))).toEqual([255, 250, 0]);
    expect(values(run('bitwise_not', [vec('u32', [0])]))).toEqual([4294967295]);
    expect(values(run('bitwise_not', [vec('i64', [0, -1, 5])]))).toEqual([-1, 0, -6]);
  });

  test('float-only ops reject integer inputs', () => {
    expectDlcError(() => run('sqrt', [vec('i32', [4])]), /input 0 has dtype i32; the op takes floating-point tensors/);
    expectDlcError(() => run('not', [vec('f32', [1])]), /takes bool tensors/);
  });
});

describe('activations', () => {
  const x = vec('f64', [-2, -0.5, 0, 0.5, 2]);

  test('sigmoid family', () => {
    expect(values(run('sigmoid', [vec('f64', [0, 1])]))).toEqual([0.5, 1 / (1 + Math.exp(-1))]);
    expectClose(run('hard_sigmoid', [x]), [0.1, 0.4, 0.5, 0.6, 0.9]);
    expectClose(run('hard_sigmoid', [x], { alpha: 0.5, beta: 0.25 }), [0, 0, 0.25, 0.5, 1]);
    expectClose(run('hard_swish', [vec('f64', [-4, -1.5, 0, 1.5, 4])]), [0, -0.375, 0, 1.125, 4]);
  });

  test('relu family', () => {
    expect(values(run('relu', [vec('i32', [-3, 4])]))).toEqual([0, 4]);
    expectClose(run('leaky_relu', [x]), [-0.02, -0.005, 0, 0.5, 2]);
    expect(values(run('thresholded_relu', [x], { alpha: 0.5 }))).toEqual([0, 0, 0, 0, 2]);
    expectClose(run('elu', [vec('f64', [-1, 3])], { alpha: 2 }), [2 * (Math.exp(-1) - 1), 3]);
    expectClose(run('selu', [vec('f64', [-1, 1])]), [-1.1113307378125625, 1.0507009873554805], 7);
    // celu(x) = max(0, x) + min(0, α(e^(x/α) − 1)), α = 2: celu(-2) = 2(e^-1 − 1)
    expectClose(run('celu', [vec('f64', [-2, 3])], { alpha: 2 }), [2 * (Math.exp(-1) - 1), 3]);
  });

  test('prelu broadcasts the slope over channels', () => {
    const input = t('f32', [2, 2], [-1, -2, 3, -4]);
    expect(values(run('prelu', [input, vec('f32', [0.5, 0.25])]))).toEqual([-0.5, -0.5, 3, -1]);
  });

  test('softplus does not overflow; softsign; mish', () => {
    expectClose(run('softplus', [vec('f64', [1000, -1000, 0])]), [1000, 0, Math.LN2]);
    expectClose(run('softsign', [vec('f64', [-3, 1])]), [-0.75, 0.5]);
    expectClose(run('mish', [vec('f64', [1])]), [0.8650983882673103]);
  });

  test('gelu, exact and tanh-approximated', () => {
    expectClose(run('gelu', [vec('f64', [1, -1])]), [0.8413447460685429, -0.15865525393145707]);
    expectClose(run('gelu', [vec('f64', [1])], { approximate: 'tanh' }), [0.8411919906082768]);
    expectDlcError(() => run('gelu', [vec('f64', [1])], { approximate: 'erf' }), /'approximate' must be one of 'none', 'tanh'/);
  });

  test('shrink, soft and hard', () => {
    const input = vec('f32', [-2, -1, 0, 1, 2]);
    expect(values(run('shrink', [input], { lambd: 1.5 }))).toEqual([-2, 0, 0, 0, 2]);
    expect(values(run('shrink', [input], { lambd: 1.5, bias: 1.5 }))).toEqual([-0.5, 0, 0, 0, 0.5]);
    expect(values(run('shrink', [vec('i32', [-3, 3])], { lambd: 1, bias: 1 }))).toEqual([-2, 2]);
  });
});

describe('broadcasting arithmetic', () => {
  test('add/sub/mul broadcast and keep the dtype', () => {
    const a = t('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    const b = vec('f32', [10, 20, 30]);
    expect(values(run('add', [a, b]))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(values(run('sub', [a, b]))).toEqual([-9, -18, -27, -6, -15, -24]);
    expect(run('mul', [a, t('f32', [2, 1], [2, 3])]).shape).toEqual([2, 3]);
    expect(values(run('mul', [a, t('f32', [2, 1], [2, 3])]))).toEqual([2, 4, 6, 12, 15, 18]);
  });

  test('integer arithmetic wraps like C, exactly', () => {
    expect(values(run('sub', [vec('u8', [3]), vec('u8', [5])]))).toEqual([254]);
    // (2^31 − 1)² = 2^62 − 2^32 + 1 ≡ 1 (mod 2^32): a double product would lose the low bits
    expect(values(run('mul', [vec('i32', [2147483647, 65536]), vec('i32', [2147483647, 65536])]))).toEqual([1, 0]);
    // (2^40 + 1) · 2^30 = 2^70 + 2^30 ≡ 2^30 (mod 2^64)
    expect(values(run('mul', [vec('i64', [2 ** 40 + 1]), vec('i64', [2 ** 30])]))).toEqual([2 ** 30]);
    expect(values(run('add', [vec('i64', [2 ** 62]), vec('i64', [2 ** 62])]))).toEqual([-(2 ** 63)]);
  });

  test('integer division truncates toward zero', () => {
    expect(values(run('div', [vec('i32', [7, -7, 7, -7]), vec('i32', [2, 2, -2, -2])]))).toEqual([3, -3, -3, 3]);
    expect(values(run('div', [vec('f32', [7]), vec('f32', [2])]))).toEqual([3.5]);
  });

  test('pow: mixed dtypes, output has the base dtype', () => {
    const r = run('pow', [vec('f32', [2, 3]), vec('i64', [3, -1])]);
    expect(r.dtype).toBe('f32');
    expect(values(r)).toEqual([8, Math.fround(1 / 3)]);
    const i = run('pow', [vec('i32', [2, 3, -2]), vec('f32', [0.5, 2, 3])]);
    expect(i.dtype).toBe('i32');
    expect(values(i)).toEqual([1, 9, -8]);
    // 3^21 = 10460353203 ≡ 1870418611 (mod 2^32)
    expect(values(run('pow', [vec('i32', [3]), vec('i32', [21])]))).toEqual([1870418611]);
    // 3^40 ≡ −6289078614652622815 (mod 2^64, as a signed 64-bit value)
    expect(values(run('pow', [vec('i64', [3]), vec('i64', [40])]))).toEqual([Number(-6289078614652622815n)]);
  });

  test('mod: fmod=0 takes the divisor sign, fmod=1 the dividend sign', () => {
    const x = vec('i32', [-4, 7, 5, 6]);
    const y = vec('i32', [3, -3, -3, 3]);
    expect(values(run('mod', [x, y]))).toEqual([2, -2, -1, 0]);
    expect(values(run('mod', [x, y], { fmod: 1 }))).toEqual([-1, 1, 2, 0]);
    expect(values(run('mod', [vec('f32', [-4.5]), vec('f32', [2])], { fmod: 1 }))).toEqual([-0.5]);
    expectDlcError(() => run('mod', [x, y], { fmod: 2 }), /'fmod' must be 0 or 1/);
  });

  test('variadic sum, mean, max, min broadcast all inputs', () => {
    const a = t('f32', [2, 1], [1, 2]);
    const b = vec('f32', [10, 20, 30]);
    const c = Tensor.scalar('f32', 100);
    expect(values(run('sum', [a, b, c]))).toEqual([111, 121, 131, 112, 122, 132]);
    expect(values(run('mean', [vec('f32', [1, 2]), vec('f32', [3, 6])]))).toEqual([2, 4]);
    expect(values(run('max', [vec('i32', [1, 5]), vec('i32', [3, 2]), Tensor.scalar('i32', 4)]))).toEqual([4, 5]);
    expect(values(run('min', [vec('f32', [1, NaN])]))).toEqual([1, NaN]);
    expect(values(run('min', [vec('u8', [1, 9]), vec('u8', [3, 2])]))).toEqual([1, 2]);
  });

  test('the cost of a variadic op counts one FLOP per input pair', () => {
    const graph = new Graph('test');
    const inputs = [0, 1, 2].map((i) => new Value(`x${i}`, { dtype: 'f32', shape: [4, 5] }));
    const [out] = new GraphBuilder(graph).emit('sum', inputs);
    const node = graph.nodes[0];
    const cost = getOp('sum').cost!({ node, attrs: node.attrs, inputs: inputs.map((v) => v.type), outputs: [out.type] });
    expect(cost.flops).toBe(40);
  });
});

describe('comparisons and logic', () => {
  test('comparisons give bool', () => {
    const a = vec('i64', [1, 2, 3]);
    const b = Tensor.scalar('i64', 2);
    const cmp = (op: string) => values(run(op, [a, b]));
    expect(run('equal', [a, b]).dtype).toBe('bool');
    expect(cmp('equal')).toEqual([0, 1, 0]);
    expect(cmp('greater')).toEqual([0, 0, 1]);
    expect(cmp('greater_or_equal')).toEqual([0, 1, 1]);
    expect(cmp('less')).toEqual([1, 0, 0]);
    expect(cmp('less_or_equal')).toEqual([1, 1, 0]);
    expect(values(run('equal', [vec('f32', [NaN]), vec('f32', [NaN])]))).toEqual([0]);
  });

  test('and, or, xor', () => {
    const a = vec('bool', [0, 0, 1, 1]);
    const b = vec('bool', [0, 1, 0, 1]);
    expect(values(run('and', [a, b]))).toEqual([0, 0, 0, 1]);
    expect(values(run('or', [a, b]))).toEqual([0, 1, 1, 1]);
    expect(values(run('xor', [a, b]))).toEqual([0, 1, 1, 0]);
    expectDlcError(() => run('and', [vec('i32', [1]), vec('i32', [1])]), /takes bool tensors/);
  });

  test('mismatched input dtypes are an error', () => {
    expectDlcError(() => run('add', [vec('f32', [1]), vec('i32', [1])]), /input 1 has dtype i32, input 0 has f32; they must match/);
  });
});

describe('bit operations', () => {
  test('bit_shift in both directions, bits past the width are lost', () => {
    const left = { direction: 'LEFT' };
    expect(values(run('bit_shift', [vec('u8', [1, 255, 16]), vec('u8', [3, 1, 8])], left))).toEqual([8, 254, 0]);
    expect(values(run('bit_shift', [vec('u32', [1, 3]), vec('u32', [31, 32])], left))).toEqual([2147483648, 0]);
    expect(values(run('bit_shift', [vec('u64', [1, 3]), vec('u64', [63, 64])], left))).toEqual([2 ** 63, 0]);
    expect(values(run('bit_shift', [vec('u16', [16, 65535]), vec('u16', [2, 15])], { direction: 'RIGHT' }))).toEqual([4, 1]);
    expectDlcError(() => run('bit_shift', [vec('u8', [1]), vec('u8', [1])], { direction: 'UP' }), /'direction' must be one of/);
  });

  test('bitwise and/or/xor on u32 above 2^31 and on i64', () => {
    const a = vec('u32', [0xf0f0f0f0, 0xffffffff]);
    const b = vec('u32', [0xff00ff00, 0x0000ffff]);
    expect(values(run('bitwise_and', [a, b]))).toEqual([0xf000f000, 0x0000ffff]);
    expect(values(run('bitwise_or', [a, b]))).toEqual([0xfff0fff0, 0xffffffff]);
    expect(values(run('bitwise_xor', [a, b]))).toEqual([0x0ff00ff0, 0xffff0000]);
    expect(values(run('bitwise_and', [vec('i64', [-1, 2 ** 40 + 5]), vec('i64', [2 ** 40, 4])]))).toEqual([2 ** 40, 4]);
  });
});

describe('where, clip, cast', () => {
  test('where broadcasts condition and both branches', () => {
    const cond = t('bool', [2, 1], [1, 0]);
    const r = run('where', [cond, vec('i64', [1, 2, 3]), Tensor.scalar('i64', -1)]);
    expect(r.dtype).toBe('i64');
    expect(r.shape).toEqual([2, 3]);
    expect(values(r)).toEqual([1, 2, 3, -1, -1, -1]);
    expectDlcError(() => run('where', [vec('i32', [1]), vec('f32', [1]), vec('f32', [2])]), /condition \(input 0\) has dtype i32/);
  });

  test('clip with optional bounds, on integers, and min > max', () => {
    const x = vec('i8', [-100, -3, 0, 3, 100]);
    expect(values(run('clip', [x, Tensor.scalar('i8', -5), Tensor.scalar('i8', 5)]))).toEqual([-5, -3, 0, 3, 5]);
    expect(values(run('clip', [x, null, Tensor.scalar('i8', 0)]))).toEqual([-100, -3, 0, 0, 0]);
    expect(values(run('clip', [x]))).toEqual([-100, -3, 0, 3, 100]);
    expect(values(run('clip', [vec('f32', [NaN, 1, 9]), Tensor.scalar('f32', 5), Tensor.scalar('f32', 2)]))).toEqual([NaN, 2, 2]);
    expectDlcError(() => run('clip', [x, vec('i8', [1, 2])]), /min \(input 1\) must be a scalar/);
  });

  test('clip of opset < 11 turns min/max attributes into inputs', () => {
    const x = vec('f32', [-1, 3, 8]);
    expect(values(runOnnx('Clip', 6, [x], { min: 0, max: 6 }))).toEqual([0, 3, 6]);
    expect(values(runOnnx('Clip', 6, [x], { max: 2 }))).toEqual([-1, 2, 2]);
    expect(values(runOnnx('Clip', 13, [x, Tensor.scalar('f32', 1)]))).toEqual([1, 3, 8]);
  });

  test('cast truncates floats toward zero, wraps integers, rounds f16, and NaN is true', () => {
    expect(values(run('cast', [vec('f32', [-1.7, 2.9, NaN])], { to: 'i32' }))).toEqual([-1, 2, 0]);
    expect(values(run('cast', [vec('i32', [300, -1])], { to: 'u8' }))).toEqual([44, 255]);
    expect(values(run('cast', [vec('i64', [-1])], { to: 'u64' }))).toEqual([2 ** 64]);
    expect(values(run('cast', [vec('f32', [0, -2, NaN])], { to: 'bool' }))).toEqual([0, 1, 1]);
    expect(values(run('cast', [vec('f64', [0.1, 70000])], { to: 'f16' }))).toEqual([roundF16(0.1), Infinity]);
    expect(run('cast', [vec('bool', [1])], { to: 'f32' }).dtype).toBe('f32');
  });

  test('Cast imports ONNX type codes and opset-1 type names; CastLike takes its second input dtype', () => {
    const x = vec('f32', [1.5]);
    expect(runOnnx('Cast', 13, [x], { to: 10 }).dtype).toBe('f16');
    expect(runOnnx('Cast', 1, [x], { to: 'INT32' }).dtype).toBe('i32');
    expect(runOnnx('CastLike', 15, [x, vec('i64', [0])]).dtype).toBe('i64');
    expect(runOnnx('Cast', 13, [x], { to: 16 }).dtype).toBe('bf16');
    expectDlcError(() => runOnnx('Cast', 13, [x], { to: 8 }), /unsupported tensor element type STRING/);
  });
});

describe('import and inference', () => {
  test('symbolic dims broadcast', () => {
    expect(inferShape('add', [['N', 1], [1, 3]])).toEqual({ dtype: 'f32', shape: ['N', 3] });
    expect(inferShape('greater', [['N', 'C'], ['C']])).toEqual({ dtype: 'bool', shape: ['N', 'C'] });
    expectDlcError(() => inferShape('mul', [[2, 3], [4]]), /do not broadcast/);
  });

  test('legacy broadcast (opset < 7) aligns a constant B at the axis', () => {
    const a = t('f32', [2, 3, 2], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    const r = runOnnx('Add', 6, [a], { broadcast: 1, axis: 1, consumed_inputs: [0] }, [vec('f32', [10, 20, 30])]);
    expect(r.shape).toEqual([2, 3, 2]);
    expect(values(r)).toEqual([10, 10, 20, 20, 30, 30, 11, 11, 21, 21, 31, 31]);
  });

  test('legacy broadcast reshapes a computed B (0 keeps its dims)', () => {
    const a = t('f32', [2, 2, 2], [0, 0, 0, 0, 1, 1, 1, 1]);
    const r = runOnnx('Sub', 6, [a, vec('f32', [1, 2])], { broadcast: 1, axis: 1 });
    expect(values(r)).toEqual([-1, -1, -2, -2, 0, 0, -1, -1]);
  });

  test('legacy broadcast without an axis is numpy broadcasting', () => {
    const r = runOnnx('Mul', 6, [t('f32', [2, 2], [1, 2, 3, 4]), vec('f32', [10, 100])], { broadcast: 1 });
    expect(values(r)).toEqual([10, 200, 30, 400]);
    expectDlcError(() => runOnnx('Add', 6, [vec('f32', [1, 2])], { broadcast: 1, axis: 1 }, [vec('f32', [1, 2])]), /does not fit/);
  });

  test('unary ops drop the obsolete consumed_inputs attribute', () => {
    expect(values(runOnnx('Relu', 1, [vec('f32', [-1, 2])], { consumed_inputs: [0] }))).toEqual([0, 2]);
  });

  test('inference rejects a wrong input count', () => {
    for (const name of ['abs', 'sigmoid', 'cast']) expectDlcError(() => run(name, [vec('f32', [1]), vec('f32', [1])], name === 'cast' ? { to: 'f32' } : {}), /takes 1 input, got 2/);
    expectDlcError(() => run('sub', [vec('f32', [1])]), /takes 2 inputs, got 1/);
  });
});

describe('ONNX conformance cases of the element-wise ops', () => {
  const OPS = /^(abs|neg|reciprocal|floor|ceil|round|sqrt|exp|log|sin|cos|tan|asin|acos|atan|sinh|cosh|asinh|acosh|atanh|sign|erf|isnan|isinf|not|sigmoid|hardsigmoid|hardswish|tanh|leakyrelu|prelu|elu|selu|celu|thresholdedrelu|softplus|softsign|sub|mul|div|pow|mod|max|min|sum|mean|and|or|xor|equal|greater|greater_equal|less|less_equal|bitshift|where|clip|cast|castlike|shrink|relu|add)(_|\d|$)/;
  // bfloat16 and strings are not dlc dtypes.
  const UNSUPPORTED = /BFLOAT16|STRING/;

  test('all pass through the reference interpreter', async () => {
    const cases = listCases('node').filter((c) => OPS.test(c.name) && !UNSUPPORTED.test(c.name));
    expect(cases.length).toBeGreaterThanOrEqual(230);
    const failed: string[] = [];
    for (const c of cases) {
      const r = await runCase(c, BACKENDS.reference, { atol: 1e-4, rtol: 1e-3 });
      if (!r.passed) failed.push(`${r.name}: ${r.detail}`);
    }
    expect(failed).toEqual([]);
  });
});
