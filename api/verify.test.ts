import * as fs from 'node:fs';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { verify } from './index.js';
import { importOnnxruntime } from './onnxruntime.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

describe('verify', () => {
  test('tiny-cnn on wasm matches onnxruntime on seeded random inputs', async () => {
    const result = await verify(TINY_CNN, { target: 'wasm' });
    expect(result).toEqual({
      target: 'wasm',
      ok: true,
      tolerance: { atol: 1e-4, rtol: 1e-3 },
      outputs: [{ name: 'probs', dtype: 'f32', shape: [1, 10], maxAbsError: expect.any(Number), maxRelError: expect.any(Number) }],
    });
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

  test('an input the model lacks is a usage error', async () => {
    const e = await verify(TINY_CNN, { target: 'wasm', optLevel: 1, inputs: { noise: new Float32Array(1) } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DlcError);
    expect((e as DlcError).message).toBe("options.inputs names 'noise', which is not an input of the model (inputs: image)");
    expect((e as DlcError).exitCode).toBe(2);
  });

  test('a missing onnxruntime-node says how to install it', async () => {
    await expect(importOnnxruntime('onnxruntime-node-not-installed')).rejects.toThrow(
      'dlc verify compares with onnxruntime-node, which is not installed: run npm install onnxruntime-node-not-installed',
    );
  });
});
