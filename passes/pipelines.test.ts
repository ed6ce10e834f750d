import { referenceBackend } from '../tests/conformance/backends.js';
import { listCases } from '../tests/conformance/cases.js';
import { regressionsUnder, type Backend } from '../tests/conformance/run-cases.js';
import { PassManager } from './manager.js';
import { optPipeline } from './pipelines.js';

// The ONNX cases where the simplification passes have something to do: shape arithmetic, constants,
// identities, dropout, casts, reshapes. -O1 must keep every one that the reference interpreter passes.
const CASES = /^(shape|size|constant|identity|dropout|cast_|reshape|expand|squeeze|unsqueeze|flatten|gather_[01]|concat|range|where|if)/;

const optimized: Backend = (graph, inputs) => referenceBackend(new PassManager({ verifyEach: true }).run(optPipeline(1), graph), inputs);

describe('-O1 on conformance cases', () => {
  const cases = listCases('node').filter((c) => CASES.test(c.name));

  test('covers a fair number of cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(89);
  });

  test('keeps every case that passes without it', async () => {
    const { regressions, checked } = await regressionsUnder(cases, optimized, referenceBackend, { atol: 1e-4, rtol: 1e-3 });
    expect(regressions).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(81);
  });
});
