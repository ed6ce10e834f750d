// Element-wise ops: unary math, broadcasting binary arithmetic, comparisons, logic, casts, activations.
import type { OpDef } from './registry.js';
import { inferBroadcast, inferSameAsInput, mapBroadcast, mapUnary, required } from './util.js';

export const elementwiseOps: OpDef[] = [
  {
    name: 'add',
    attrs: {},
    kind: 'broadcast',
    onnx: [{ op: 'Add' }],
    infer: (ctx) => inferBroadcast(ctx),
    ref: (inputs) => [mapBroadcast([required(inputs, 0), required(inputs, 1)], (x, y) => x + y, required(inputs, 0).dtype)],
  },
  {
    name: 'relu',
    attrs: {},
    kind: 'elemwise',
    onnx: [{ op: 'Relu' }],
    infer: inferSameAsInput,
    ref: (inputs) => [mapUnary(required(inputs, 0), (v) => (v > 0 || Number.isNaN(v) ? v : 0))],
  },
];
