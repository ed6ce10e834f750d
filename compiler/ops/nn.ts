// Neural-network anchors: convolution, pooling, matmul/gemm, normalization, softmax, resize.
import type { OpDef } from './registry.js';

export const nnOps: OpDef[] = [];
