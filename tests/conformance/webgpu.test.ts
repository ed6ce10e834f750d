// The ONNX backend conformance cases through the webgpu target on Dawn (SwiftShader without a GPU), default
// pipeline, one artifact per case: prints `conformance(webgpu): N/922 passed` with failures by reason, and
// holds the floor measured when it was added. Every shader a case generates must compile.
import { webgpuBackend } from './backends.js';
import { listCases } from './cases.js';
import { formatSummary, runCases, summarize } from './run-cases.js';

const FLOOR = 783;

test(`conformance(webgpu) passes at least ${FLOOR} of the ONNX backend cases`, async () => {
  const summary = summarize(await runCases(listCases('node'), webgpuBackend, { atol: 1e-4, rtol: 1e-3 }));
  process.stdout.write(`\n${formatSummary('webgpu', summary)}\n`);
  expect(summary.total).toBe(922);
  expect(summary.passed).toBeGreaterThanOrEqual(FLOOR);
  // Every failure is a clean error (an op or dtype the target lacks) or a mismatch, never a crash (a shader
  // that does not compile, a validation error).
  expect([...summary.byReason.keys()].filter((r) => r.startsWith('crash'))).toEqual([]);
});
