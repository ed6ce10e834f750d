// The ONNX backend conformance cases through the wasm target (default pipeline, many cases to a module):
// prints `conformance(wasm): N/922 passed` with failures by reason, and holds the floor measured when it was added.
import { wasmBackend } from './backends.js';
import { listCases } from './cases.js';
import { formatSummary, runCases, summarize } from './run-cases.js';

const FLOOR = 707;

test(`conformance(wasm) passes at least ${FLOOR} of the ONNX backend cases`, async () => {
  const summary = summarize(await runCases(listCases('node'), wasmBackend, { atol: 1e-4, rtol: 1e-3 }));
  process.stdout.write(`\n${formatSummary('wasm', summary)}\n`);
  expect(summary.total).toBe(922);
  expect(summary.passed).toBeGreaterThanOrEqual(FLOOR);
  // Every failure is a clean error (an op or dtype the target lacks) or a mismatch, never a crash.
  expect([...summary.byReason.keys()].filter((r) => r.startsWith('crash'))).toEqual([]);
});
