// Control flow and recurrent ops: If, Loop, Scan (control-flow.ts); RNN, GRU, LSTM (control-rnn.ts).
import { controlFlowOps } from './control-flow.js';
import type { OpDef } from './registry.js';
import { rnnOps } from './control-rnn.js';

export const controlOps: OpDef[] = [...controlFlowOps, ...rnnOps];
