// Single-layer graphs of int8 inference as the quantize pass and the ONNX QDQ import leave them, for the int8
// kernels' tests and benchmark: conv_integer / matmul_integer over u8 (or i8) activations and constant i8
// weights, then the requantizing epilogue in f32 (cast → scale → bias → activation → quantize to u8/i8), a
// dequantize (cast → sub → mul) or nothing (the i32 sum is the output). The f32 form of the same layer
// (conv / matmul + bias + relu) is what the int8 kernels are measured against.
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { DType } from '../../compiler/ir/dtype.js';
import { Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';
import '../../compiler/ops/index.js';

export interface ConvLayer {
  kind: 'conv';
  batch?: number;
  c: number;
  m: number;
  h: number;
  w: number;
  kernel: [number, number];
  strides?: [number, number];
  pads?: [number, number, number, number];
  dilations?: [number, number];
  group?: number;
}

export interface MatmulLayer {
  kind: 'matmul';
  /** Leading dims of the activations, then M and K; the weights are [K, N]. */
  batch?: number[];
  m: number;
  k: number;
  n: number;
}

export type Layer = ConvLayer | MatmulLayer;

/** What follows the integer anchor: the requantizing store, a dequantize to f32, or nothing (i32 output). */
export type EpilogueKind = 'quantize' | 'dequantize' | 'none';

export interface QuantizedOptions {
  /** The activations' dtype (u8 asymmetric or i8). */
  act?: 'u8' | 'i8';
  /** The activations' zero point (one element); absent: no zero point operand. */
  xZeroPoint?: number;
  epilogue?: EpilogueKind;
  /** The requantized output's dtype. */
  out?: 'u8' | 'i8';
  /** The activation between bias and quantize. */
  activation?: 'relu' | 'relu6' | 'hard_swish' | 'none';
  seed?: number;
}

const RANGES = { u8: [0, 255], i8: [-128, 127] } as const;

function randomInts(dtype: DType, shape: number[], lo: number, hi: number, seed: number): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromArray(dtype, shape, Array.from({ length: n }, () => lo + Math.floor(((rand() + 1) / 2) * (hi - lo + 1))));
}

function randomFloats(shape: number[], scale: number, seed: number): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromArray('f32', shape, Array.from({ length: n }, () => rand() * scale));
}

/** The input shape, weight shape and reduction depth of a layer. */
export function layerShapes(l: Layer): { x: number[]; w: number[]; depth: number; channels: number } {
  if (l.kind === 'matmul') return { x: [...(l.batch ?? []), l.m, l.k], w: [l.k, l.n], depth: l.k, channels: l.n };
  const group = l.group ?? 1;
  return { x: [l.batch ?? 1, l.c, l.h, l.w], w: [l.m, l.c / group, ...l.kernel], depth: (l.c / group) * l.kernel[0] * l.kernel[1], channels: l.m };
}

function convAttrs(l: ConvLayer) {
  return { strides: l.strides ?? [1, 1], pads: l.pads ?? [0, 0, 0, 0], dilations: l.dilations ?? [1, 1], group: l.group ?? 1 };
}

/** A per-channel tensor broadcasting along a conv's channel axis ([M, 1, 1]) or a matmul's last axis ([N]). */
function perChannel(l: Layer, t: Tensor): Tensor {
  return l.kind === 'conv' ? new Tensor('f32', [t.size, 1, 1], t.data) : t;
}

/** The layer in int8 form: input `x` (act dtype), the anchor, and the chosen epilogue. */
export function quantizedLayer(l: Layer, o: QuantizedOptions = {}): Graph {
  const act = o.act ?? 'u8';
  const seed = o.seed ?? 1;
  const { x: xShape, w: wShape, depth, channels } = layerShapes(l);
  const g = new Graph('int8-layer');
  const x = new Value('x', { dtype: act, shape: xShape });
  g.inputs = [x];
  const b = new GraphBuilder(g);
  const wq = b.constant(randomInts('i8', wShape, -127, 127, seed + 1));
  const zp = o.xZeroPoint === undefined ? null : b.constant(Tensor.fromArray(act, [], [o.xZeroPoint]));
  const acc = l.kind === 'conv' ? b.emit('conv_integer', [x, wq, zp, null], convAttrs(l))[0] : b.emit('matmul_integer', [x, wq, zp, null])[0];
  const epilogue = o.epilogue ?? 'quantize';
  if (epilogue === 'none') {
    g.outputs = [acc];
    return g;
  }
  const f = b.emit('cast', [acc], { to: 'f32' })[0];
  // Sums of depth products of ~±100 · ±70: this scale brings them to about ±2 before the output's step.
  const typical = 100 * 70 * Math.sqrt(depth);
  const scale = b.constant(perChannel(l, Tensor.fromArray('f32', [channels], Array.from(randomFloats([channels], 0.5, seed + 2).data, (v) => (1.5 + v) / typical))));
  if (epilogue === 'dequantize') {
    const shifted = b.emit('sub', [f, b.constant(Tensor.scalar('f32', 3))])[0];
    g.outputs = [b.emit('mul', [shifted, scale])[0]];
    return g;
  }
  const scaled = b.emit('mul', [f, scale])[0];
  const biased = b.emit('add', [scaled, b.constant(perChannel(l, randomFloats([channels], 0.5, seed + 3)))])[0];
  const activation = o.activation ?? 'relu';
  const relu6 = () => b.emit('clip', [biased, b.constant(Tensor.scalar('f32', 0)), b.constant(Tensor.scalar('f32', 6))])[0];
  const activated = activation === 'none' ? biased : activation === 'relu6' ? relu6() : b.emit(activation, [biased])[0];
  const out = o.out ?? 'u8';
  const [lo, hi] = RANGES[out];
  const q = b.emit('div', [activated, b.constant(Tensor.scalar('f32', 4 / 255))])[0];
  const rounded = b.emit('round', [q])[0];
  const shiftedQ = b.emit('add', [rounded, b.constant(Tensor.scalar('f32', out === 'u8' ? 20 : -3))])[0];
  const clipped = b.emit('clip', [shiftedQ, b.constant(Tensor.scalar('f32', lo)), b.constant(Tensor.scalar('f32', hi))])[0];
  g.outputs = [b.emit('cast', [clipped], { to: out })[0]];
  return g;
}

/** The same layer in f32: conv / matmul with f32 weights, bias and relu. */
export function f32Layer(l: Layer, seed = 1): Graph {
  const { x: xShape, w: wShape, channels } = layerShapes(l);
  const g = new Graph('f32-layer');
  const x = new Value('x', { dtype: 'f32', shape: xShape });
  g.inputs = [x];
  const b = new GraphBuilder(g);
  const w = b.constant(randomFloats(wShape, 0.1, seed + 1));
  const bias = randomFloats([channels], 0.5, seed + 3);
  const y = l.kind === 'conv'
    ? b.emit('conv', [x, w, b.constant(bias)], convAttrs(l))[0]
    : b.emit('add', [b.emit('matmul', [x, w])[0], b.constant(bias)])[0];
  g.outputs = [b.emit('relu', [y])[0]];
  return g;
}

/** Activations spanning the dtype's whole range. */
export function quantizedInput(g: Graph, seed = 7): Tensor {
  const x = g.inputs[0];
  const [lo, hi] = x.type.dtype === 'i8' ? RANGES.i8 : RANGES.u8;
  return randomInts(x.type.dtype, x.type.shape as number[], lo, hi, seed);
}
