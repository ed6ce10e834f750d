import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { verify } from './index.js';
import { importOnnxruntime } from './onnxruntime.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { exportOnnxModel } from '../compiler/onnx/export.js';
import { buildGraph } from '../tests/util/graphs.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

describe('verify', () => {
  test('tiny-cnn on wasm matches onnxruntime on seeded random inputs', async () => {
    const result = await verify(TINY_CNN, { target: 'wasm' });
    expect(result).toEqual({
      target: 'wasm',
      ok: true,
      tolerance: { atol: 1e-4, rtol: 1e-3 },
      outputs: [{ name: 'probs', dtype: 'f32', shape: [1, 10], maxAbsError: expect.any(Number), maxRelError: expect.any(Number), rule: expect.any(String) }],
    });
    // Softmax probabilities are below 1: the default atol is taken relative to the largest of them.
    expect(result.outputs[0].rule).toMatch(/^\|a − b\| ≤ atol·max\|b\| \+ rtol·\|b\| = 0\.0001·0\.\d+ \+ 0\.001·\|b\| \(outputs below 1: atol relative to their largest magnitude\)$/);
    expect(result.outputs[0].maxAbsError).toBeLessThan(1e-4);
  });

  test('given inputs, a model as bytes, and a tolerance it cannot meet', async () => {
    const image = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i) * 2);
    const result = await verify(fs.readFileSync(TINY_CNN), { target: 'wasm', optLevel: 1, inputs: { image }, tolerance: { atol: 0, rtol: 1e-12 } });
    expect(result.ok).toBe(false);
    expect(result.tolerance).toEqual({ atol: 0, rtol: 1e-12 });
    expect(result.outputs[0].mismatch).toMatch(/^element \d+ is .*, expected /);
  });

  test('inputs from a function of the compiled inputs', async () => {
    const seen: string[] = [];
    const result = await verify(TINY_CNN, {
      target: 'wasm',
      optLevel: 1,
      inputs: (infos) => {
        seen.push(...infos.map((i) => `${i.name}: ${i.dtype}[${i.shape}]`));
        return { image: new Float32Array(3 * 32 * 32).fill(0.25) };
      },
    });
    expect(seen).toEqual(['image: f32[1,3,32,32]']);
    expect(result.ok).toBe(true);
  });

  test('outputs of 1e-9: the default atol scales with them, a given atol applies as given with a warning', async () => {
    const model = exportOnnxModel(buildGraph({
      inputs: { x: { dtype: 'f32', shape: [1, 8] } },
      build: (b, { x }) => b.emit('mul', [x, b.constant(Tensor.scalar('f32', 3e-9))]),
    }));
    const scaled = await verify(model, { target: 'wasm' });
    expect(scaled.ok).toBe(true);
    expect(scaled.outputs[0].rule).toMatch(/^\|a − b\| ≤ atol·max\|b\| \+ rtol·\|b\| = 0\.0001·[\d.e-]+ \+ 0\.001·\|b\|/);
    expect(scaled.outputs[0].warning).toBeUndefined();
    const given = await verify(model, { target: 'wasm', tolerance: { atol: 1e-4 } });
    expect(given.outputs[0].rule).toBe('|a − b| ≤ atol + rtol·|b| = 0.0001 + 0.001·|b|');
    expect(given.outputs[0].warning).toMatch(/^every reference value is within atol of 0 \(max \|b\| [\d.e-]+ ≤ atol 0\.0001\): any output that small passes, all-zero included$/);
  });

  test.each([
    [{ image: new Float64Array(3 * 32 * 32) }, "input 'image' is f32[1,3,32,32], the value given is a Float64Array"],
    [{ image: new Float32Array(3 * 32 * 31) }, "input 'image' is f32[1,3,32,32] (3072 elements), the value given has 2976"],
  ])('a value of the wrong dtype or size is refused before compiling (%#)', async (inputs, message) => {
    const e = await verify(TINY_CNN, { target: 'wasm', inputs }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DlcError);
    expect((e as DlcError).message).toBe(`${TINY_CNN}: ${message}`);
  });

  test('an input the model lacks is a usage error', async () => {
    const e = await verify(TINY_CNN, { target: 'wasm', optLevel: 1, inputs: { noise: new Float32Array(1) } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DlcError);
    expect((e as DlcError).message).toBe("options.inputs names 'noise', which is not an input of the model (inputs: image)");
    expect((e as DlcError).exitCode).toBe(2);
  });

  test('an input fixed with inputValues is fed to onnxruntime at its compiled value', async () => {
    // y = x · sr: the model still takes sr, the artifact does not.
    const model = encodeOnnxModel({
      inputs: [{ name: 'x', dtype: 'f32', shape: [4] }, { name: 'sr', dtype: 'i64', shape: [] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [4] }],
      nodes: [
        { op: 'Cast', inputs: ['sr'], outputs: ['scale'], attrs: { to: 1 } },
        { op: 'Mul', inputs: ['x', 'scale'], outputs: ['y'] },
      ],
    });
    const result = await verify(model, { target: 'wasm', optLevel: 1, inputValues: { sr: [8000] } });
    expect(result.ok).toBe(true);
    expect(result.outputs[0].maxAbsError).toBe(0);
  });

  test('a missing onnxruntime-node says how to install it', async () => {
    await expect(importOnnxruntime('onnxruntime-node-not-installed')).rejects.toThrow(
      'dlc verify compares with onnxruntime-node, which is not installed: run npm install onnxruntime-node-not-installed',
    );
  });
});
