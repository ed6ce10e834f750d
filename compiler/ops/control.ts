// Control flow and recurrent ops: If, Loop, Scan, LSTM, GRU, RNN.
import type { OpDef } from './registry.js';

export const controlOps: OpDef[] = [];
