import { BACKENDS } from '../../tests/conformance/backends.js';
import { listCases } from '../../tests/conformance/cases.js';
import { runCase } from '../../tests/conformance/run-cases.js';
import { getOp } from './registry.js';
import { tensorOps } from './tensor.js';
import './index.js';

describe('the tensor op family', () => {
  test('fusion kinds follow the lattice: movement is injective, reductions reduce, data-dependent sizes are opaque', () => {
    for (const op of ['reshape', 'transpose', 'slice', 'gather', 'concat', 'pad', 'expand', 'shape', 'size']) expect(getOp(op).kind).toBe('injective');
    for (const op of ['reduce_sum', 'reduce_mean', 'reduce_log_sum_exp', 'arg_max', 'arg_min']) expect(getOp(op).kind).toBe('reduce');
    for (const op of ['non_zero', 'unique', 'top_k', 'compress']) expect(getOp(op).kind).toBe('opaque');
  });

  test('every reduction gives its cost', () => {
    for (const def of tensorOps.filter((d) => d.kind === 'reduce')) expect(def.cost).toBeDefined();
  });
});

describe('ONNX conformance cases of the tensor ops', () => {
  // Single-op cases of this family; the *_expanded ones exercise other families' ops and STFT is not one of ours.
  const OPS = /^(reshape|flatten|squeeze|unsqueeze|transpose|concat|split|slice|gather|scatter|(constant|edge|reflect|wrap)_pad|expand_dim|tile|shape|size|constantofshape|range|eyelike|onehot|nonzero|top_k|argmax|argmin|reduce|cumsum|tril|triu|reversesequence|compress|unique|center_crop_pad|(hann|hamming|blackman)window|det|dft)/;

  test('all pass through the reference interpreter', async () => {
    const cases = listCases('node').filter((c) => OPS.test(c.name) && !c.name.endsWith('_expanded'));
    expect(cases.length).toBeGreaterThanOrEqual(272);
    const failed: string[] = [];
    for (const c of cases) {
      const r = await runCase(c, BACKENDS.reference, { atol: 1e-4, rtol: 1e-3 });
      if (!r.passed) failed.push(`${r.name}: ${r.detail}`);
    }
    expect(failed).toEqual([]);
  });
});
