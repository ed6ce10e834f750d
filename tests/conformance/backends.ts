// Backends the conformance runner can drive.
import { runGraph } from '../../compiler/interpreter.js';
import type { Backend } from './run-cases.js';

/** The reference interpreter, with every computed tensor checked against its inferred type. */
export const referenceBackend: Backend = (graph, inputs) => runGraph(graph, inputs, undefined, { checkTypes: true });

export const BACKENDS: Record<string, Backend> = { reference: referenceBackend };
