// Neural-network anchors: convolution, pooling, matmul/gemm, normalization, softmax, resize, grid_sample, losses,
// quantization, the training preview's optimizers, region pooling (RoiAlign), detection post-processing. Each topic
// lives in its own nn-<topic>.ts file.
import { convOps } from './nn-conv.js';
import { detectionOps } from './nn-detection.js';
import { einsumOps } from './nn-einsum.js';
import { gridSampleOps } from './nn-grid-sample.js';
import { layoutOps } from './nn-layout.js';
import { lossOps } from './nn-loss.js';
import { matmulOps } from './nn-matmul.js';
import { normOps } from './nn-norm.js';
import { poolOps } from './nn-pool.js';
import { quantOps } from './nn-quant.js';
import { resizeOps } from './nn-resize.js';
import { roiAlignOps } from './nn-roi-align.js';
import { softmaxOps } from './nn-softmax.js';
import { trainingOps } from './nn-training.js';
import type { OpDef } from './registry.js';

export const nnOps: OpDef[] = [...convOps, ...poolOps, ...matmulOps, ...einsumOps, ...softmaxOps, ...normOps, ...resizeOps, ...gridSampleOps, ...quantOps, ...lossOps, ...layoutOps, ...trainingOps, ...roiAlignOps, ...detectionOps];
