// Element-wise ops: unary math, broadcasting binary arithmetic, comparisons, logic, casts, activations.
// The family is split by topic into elementwise-*.ts; entries are built with elementwise-factory.ts.
import type { OpDef } from './registry.js';
import { activationOps } from './elementwise-activation.js';
import { broadcastingOps } from './elementwise-binary.js';
import { cast } from './elementwise-cast.js';
import { unaryMathOps } from './elementwise-unary.js';

export const elementwiseOps: OpDef[] = [...unaryMathOps, ...activationOps, ...broadcastingOps, cast];
