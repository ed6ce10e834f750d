// Activation functions: the ReLU family, sigmoids, smooth rectifiers, GELU, shrinkage.
import type { OpDef } from './registry.js';
import { broadcastOp, checkChoice, simpleUnary, unaryOp } from './elementwise-factory.js';
import { erf } from './elementwise-unary.js';
import { attrFloat, attrString } from './util.js';

/** log(1 + eˣ) without overflow: x + log1p(e⁻ˣ) for x > 0. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const float = (dflt: number) => ({ type: 'float' as const, default: dflt });

export const activationOps: OpDef[] = [
  simpleUnary('relu', 'Relu', 'signed', (x) => (x > 0 || Number.isNaN(x) ? x : 0)),
  unaryOp({
    name: 'leaky_relu',
    onnx: 'LeakyRelu',
    accepts: 'float',
    attrs: { alpha: float(0.01) },
    kernel: (attrs) => {
      const alpha = attrFloat(attrs, 'alpha');
      return (x) => (x < 0 ? alpha * x : x);
    },
  }),
  // PRelu: the slope broadcasts to x (unidirectionally, as ONNX specifies; the output keeps x's shape).
  broadcastOp({ name: 'prelu', onnx: 'PRelu', accepts: 'signed', kernel: () => (x, slope) => (x < 0 ? slope * x : x) }),
  unaryOp({
    name: 'elu',
    onnx: 'Elu',
    accepts: 'float',
    attrs: { alpha: float(1) },
    kernel: (attrs) => {
      const alpha = attrFloat(attrs, 'alpha');
      return (x) => (x < 0 ? alpha * Math.expm1(x) : x);
    },
  }),
  unaryOp({
    name: 'selu',
    onnx: 'Selu',
    accepts: 'float',
    attrs: { alpha: float(1.67326319217681884765625), gamma: float(1.05070102214813232421875) },
    kernel: (attrs) => {
      const alpha = attrFloat(attrs, 'alpha');
      const gamma = attrFloat(attrs, 'gamma');
      return (x) => (x > 0 ? gamma * x : gamma * alpha * Math.expm1(x));
    },
  }),
  unaryOp({
    name: 'celu',
    onnx: 'Celu',
    accepts: 'float',
    attrs: { alpha: float(1) },
    // max(0, x) + min(0, α·(e^(x/α) − 1))
    kernel: (attrs) => {
      const alpha = attrFloat(attrs, 'alpha');
      return (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha));
    },
  }),
  unaryOp({
    name: 'thresholded_relu',
    onnx: 'ThresholdedRelu',
    accepts: 'float',
    attrs: { alpha: float(1) },
    kernel: (attrs) => {
      const alpha = attrFloat(attrs, 'alpha');
      return (x) => (x > alpha ? x : 0);
    },
  }),
  simpleUnary('sigmoid', 'Sigmoid', 'float', sigmoid),
  unaryOp({
    name: 'hard_sigmoid',
    onnx: 'HardSigmoid',
    accepts: 'float',
    attrs: { alpha: float(0.2), beta: float(0.5) },
    kernel: (attrs) => {
      const alpha = attrFloat(attrs, 'alpha');
      const beta = attrFloat(attrs, 'beta');
      return (x) => Math.max(0, Math.min(1, alpha * x + beta));
    },
  }),
  // x · hard_sigmoid(x) with α = 1/6, β = 1/2
  simpleUnary('hard_swish', 'HardSwish', 'float', (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5))),
  simpleUnary('tanh', 'Tanh', 'float', Math.tanh),
  simpleUnary('softplus', 'Softplus', 'float', softplus),
  simpleUnary('softsign', 'Softsign', 'float', (x) => x / (1 + Math.abs(x))),
  simpleUnary('mish', 'Mish', 'float', (x) => x * Math.tanh(softplus(x))),
  unaryOp({
    name: 'gelu',
    onnx: 'Gelu',
    accepts: 'float',
    attrs: { approximate: { type: 'string', default: 'none' } },
    checkAttrs: (attrs) => checkChoice(attrs, 'approximate', ['none', 'tanh']),
    // none: x·Φ(x) = x/2 · (1 + erf(x/√2)); tanh: x/2 · (1 + tanh(√(2/π) · (x + 0.044715·x³)))
    kernel: (attrs) =>
      attrString(attrs, 'approximate') === 'tanh'
        ? (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
        : (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  }),
  unaryOp({
    name: 'shrink',
    onnx: 'Shrink',
    accepts: 'numeric',
    attrs: { bias: float(0), lambd: float(0.5) },
    kernel: (attrs) => {
      const bias = attrFloat(attrs, 'bias');
      const lambd = attrFloat(attrs, 'lambd');
      return (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0);
    },
  }),
];
