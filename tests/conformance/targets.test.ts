// The ONNX backend conformance cases through both code generation targets after the default pipeline — wasm
// (many cases to a module) and webgpu on Dawn (SwiftShader without a GPU, one artifact per case): prints
// `conformance(wasm): N/922 passed` and `conformance(webgpu): …` with failures by reason, holds the floor
// measured when it was last raised, and requires both targets to pass the same cases (one lowering driver,
// one kernel family list: a case one target passes and the other fails is a bug in one of them).
import { wasmBackend, webgpuBackend } from './backends.js';
import { listCases } from './cases.js';
import { formatSummary, runCases, summarize, type CaseResult } from './run-cases.js';

/** Measured 875/922 on each target when raised (the reference interpreter passes 875 too). */
const FLOOR = 873;

const passed = new Map<string, Set<string>>();

for (const [target, backend] of [['wasm', wasmBackend], ['webgpu', webgpuBackend]] as const) {
  test(`conformance(${target}) passes at least ${FLOOR} of the ONNX backend cases`, async () => {
    const results: CaseResult[] = await runCases(listCases('node'), backend, { atol: 1e-4, rtol: 1e-3 });
    const summary = summarize(results);
    process.stdout.write(`\n${formatSummary(target, summary)}\n`);
    passed.set(target, new Set(results.filter((r) => r.passed).map((r) => r.name)));
    expect(summary.total).toBe(922);
    expect(summary.passed).toBeGreaterThanOrEqual(FLOOR);
    // Every failure is a clean error (an op or dtype the target lacks) or a mismatch, never a crash (a module
    // or shader that does not compile, a validation error).
    expect([...summary.byReason.keys()].filter((r) => r.startsWith('crash'))).toEqual([]);
  });
}

test('both targets pass the same cases', () => {
  const [wasm, webgpu] = [passed.get('wasm'), passed.get('webgpu')];
  if (!wasm || !webgpu) throw new Error('a target run above failed before it counted its cases');
  expect({ wasmOnly: [...wasm].filter((c) => !webgpu.has(c)), webgpuOnly: [...webgpu].filter((c) => !wasm.has(c)) }).toEqual({ wasmOnly: [], webgpuOnly: [] });
});
