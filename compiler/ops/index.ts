// Registers every canonical op. Each family file exports its op definitions.
import { controlOps } from './control.js';
import { elementwiseOps } from './elementwise.js';
import { fusedOps } from './fused.js';
import { nnOps } from './nn.js';
import { registerOps } from './registry.js';
import { tensorOps } from './tensor.js';

registerOps([...elementwiseOps, ...nnOps, ...tensorOps, ...controlOps, ...fusedOps]);
