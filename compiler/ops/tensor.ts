// Data-movement and shape ops: reshape, transpose, slicing, gathering, concatenation, padding, reductions.
import type { OpDef } from './registry.js';
import { inferSameAsInput, required } from './util.js';

export const tensorOps: OpDef[] = [
  {
    name: 'identity',
    attrs: {},
    kind: 'injective',
    onnx: [{ op: 'Identity' }],
    infer: inferSameAsInput,
    ref: (inputs) => [required(inputs, 0)],
  },
];
