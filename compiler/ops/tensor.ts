// Data-movement and shape ops: reshape, transpose, slicing, gathering, concatenation, padding, reductions.
// The family is split by topic into tensor-*.ts files; this one aggregates them.
import type { OpDef } from './registry.js';
import { tensorGenerateOps } from './tensor-generate.js';
import { tensorIndexOps } from './tensor-index.js';
import { tensorLinalgOps } from './tensor-linalg.js';
import { tensorReduceOps } from './tensor-reduce.js';
import { tensorShapeOps } from './tensor-shape.js';
import { tensorSliceOps } from './tensor-slice.js';
import { tfIdfOps } from './text-tfidf.js';
import { stftOps } from './tensor-stft.js';
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
  ...tensorShapeOps,
  ...tensorSliceOps,
  ...tensorIndexOps,
  ...tensorReduceOps,
  ...tensorGenerateOps,
  ...tensorLinalgOps,
  ...tfIdfOps,
  ...stftOps,
];
