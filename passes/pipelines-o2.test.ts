import { referenceBackend } from '../tests/conformance/backends.js';
import { listCases } from '../tests/conformance/cases.js';
import { regressionsUnder, type Backend } from '../tests/conformance/run-cases.js';
import { PassManager } from './manager.js';
import { optPipeline } from './pipelines.js';

// The ONNX cases where -O2's rewrites have something to match: normalizations, activations that the
// recognizers emit, layout ops, conv/gemm/matmul. -O2 must keep every one that the reference passes.
const CASES = /^(batchnorm|softmax|layer_norm|gelu|hardswish|hardsigmoid|transpose|reshape|conv|gemm|matmul|clip|neg|abs|relu|not)/;

const optimized: Backend = (graph, inputs) => referenceBackend(new PassManager({ verifyEach: true }).run(optPipeline(2), graph), inputs);

describe('-O2 on conformance cases', () => {
  const cases = listCases('node').filter((c) => CASES.test(c.name));

  test('keeps every case that passes without it', async () => {
    const { regressions, checked } = await regressionsUnder(cases, optimized, referenceBackend, { atol: 1e-4, rtol: 1e-3 });
    expect(regressions).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(124);
  });
});
