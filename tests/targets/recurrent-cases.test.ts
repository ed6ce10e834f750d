// The recurrent cases (tests/cases/recurrent-cases.ts) on every target, against the reference interpreter.
import { f64LayerGraph, layerGraph, recurrentCases } from '../cases/recurrent-cases.js';
import { forEachTarget } from '../util/targets.js';

describe('recurrent kernels match the interpreter', () => {
  for (const [name, layers] of Object.entries(recurrentCases())) forEachTarget(name, () => layerGraph(layers));

  forEachTarget('f64 layers', f64LayerGraph, { skip: [{ target: 'wasm', reason: 'f64-unsupported' }] });
});
