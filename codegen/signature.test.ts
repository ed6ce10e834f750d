import { Tensor } from '../compiler/ir/tensor.js';
import type { TensorInfo, WeightPlacement } from '../runtime/manifest.js';
import { buildGraph } from '../tests/util/graphs.js';
import { firstDifference, programSignature, type SignatureParts, type SignedProgram } from './signature.js';
import { generateWasmProgram } from './wasm/program.js';
import { compileToWebgpu } from './wgsl/program.js';

const WHERE = ['in the artifact', 'in new.onnx'] as const;

/** x·W (W: k×3) scaled by `scale`, a scalar the element-wise kernel inlines. */
function scaledMatmul(k: number, scale: number, fill = 1) {
  return buildGraph({
    inputs: { x: { dtype: 'f32', shape: [2, k] } },
    build: (b, { x }) => {
      const [m] = b.emit('matmul', [x, b.constant(Tensor.fromArray('f32', [k, 3], Array.from({ length: k * 3 }, (_, i) => i * fill)))]);
      return b.emit('mul', [m, b.constant(Tensor.fromArray('f32', [], [scale]))]);
    },
  });
}

const signed = (p: ReturnType<typeof generateWasmProgram>): SignedProgram => ({ inputs: p.layout.inputs, outputs: p.layout.outputs, signature: p.signature });

describe('program signatures of generated programs', () => {
  test.each([
    ['wasm', (g: ReturnType<typeof scaledMatmul>) => signed(generateWasmProgram(g))],
    ['webgpu', (g: ReturnType<typeof scaledMatmul>) => compileToWebgpu(g)],
  ])('%s: other weight values keep the signature; an inlined scalar or another shape changes it, and the difference is named', (_target, generate) => {
    const base = generate(scaledMatmul(5, 3));
    expect(base.signature.kernels.map((k) => k.node)).toEqual(['matmul_1', 'mul_4']);
    expect(base.signature.kernels.every((k) => /^[0-9a-f]{16}$/.test(k.sha256))).toBe(true);
    expect(base.signature.weights).toEqual([expect.objectContaining({ name: 'matmul_1/const0', dtype: 'f32', offset: 0 })]);

    expect(generate(scaledMatmul(5, 3, 2)).signature).toEqual(base.signature);
    expect(firstDifference(base, generate(scaledMatmul(5, 3, 2)), WHERE)).toBeUndefined();

    const rescaled = generate(scaledMatmul(5, 4));
    expect(rescaled.signature.sha256).not.toBe(base.signature.sha256);
    expect(firstDifference(base, rescaled, WHERE)).toBe(
      "the code generated for node 'mul_4' (kernel 2 of 2) differs in the artifact and in new.onnx (kernels inline small constants of the model)",
    );
    expect(firstDifference(base, generate(scaledMatmul(6, 3)), WHERE)).toBe("input 'x' is f32[2,5] in the artifact, f32[2,6] in new.onnx");
  });
});

describe('firstDifference', () => {
  const t = (name: string, shape: number[]): TensorInfo => ({ name, dtype: 'f32', shape });
  const w = (name: string, shape: number[], offset: number): WeightPlacement => ({ ...t(name, shape), offset, bytes: 4 * shape.reduce((a, b) => a * b, 1) });
  const parts: SignatureParts = {
    target: 'wasm',
    code: 'k0 k1',
    layout: { planEnd: 512 },
    weights: [w('fc1.weight', [300, 784], 0), w('fc1.bias', [300], 940800)],
    kernels: [{ node: '/fc1/Gemm', code: 'k0' }, { node: '/relu', code: 'k1' }],
  };
  // The inputs and outputs are part of the layout the sha-256 covers, as they are in generated programs.
  const program = (edit: Partial<SignatureParts> = {}, io: Partial<Pick<SignedProgram, 'inputs' | 'outputs'>> = {}): SignedProgram => {
    const slots = { inputs: [t('x', [1, 784])], outputs: [t('y', [1, 300])], ...io };
    return { ...slots, signature: programSignature({ ...parts, layout: { ...(parts.layout as object), ...slots }, ...edit }) };
  };

  test('names the first difference, in the order inputs, outputs, weights, kernels, then the rest', () => {
    const base = program();
    expect(firstDifference(base, program(), WHERE)).toBeUndefined();
    expect(firstDifference(base, program({}, { outputs: [t('y', [1, 200])] }), WHERE)).toBe("output 'y' is f32[1,300] in the artifact, f32[1,200] in new.onnx");
    expect(firstDifference(base, program({}, { inputs: [t('x', [1, 784]), t('mask', [1])] }), WHERE)).toBe("input 'mask' (f32[1]) is in new.onnx, not in the artifact");
    const smaller = [w('fc1.weight', [200, 784], 0), w('fc1.bias', [200], 627200)];
    expect(firstDifference(base, program({ weights: smaller }), WHERE)).toBe("weight 'fc1.weight' is f32[300,784] in the artifact, f32[200,784] in new.onnx");
    // Same name and type, another place: the bytes tell them apart.
    const moved = [parts.weights[0], w('fc1.bias', [300], 940816)];
    expect(firstDifference(base, program({ weights: moved }), WHERE)).toBe("weight 'fc1.bias' is f32[300] at bytes 940800..942000 in the artifact, f32[300] at bytes 940816..942016 in new.onnx");
    expect(firstDifference(base, program({ weights: [parts.weights[0], w('fc1.b', [300], 940800)] }), WHERE)).toBe("weight 2 is 'fc1.bias' f32[300] in the artifact, 'fc1.b' f32[300] in new.onnx");
    expect(firstDifference(base, program({ weights: [parts.weights[0]] }), WHERE)).toBe("weight 'fc1.bias' (f32[300]) is in the artifact, not in new.onnx");
    expect(firstDifference(base, program({ kernels: [parts.kernels[0], { node: '/relu', code: 'k1 with 0.5 inlined' }] }), WHERE)).toBe(
      "the code generated for node '/relu' (kernel 2 of 2) differs in the artifact and in new.onnx (kernels inline small constants of the model)",
    );
    expect(firstDifference(base, program({ kernels: [parts.kernels[0]] }), WHERE)).toBe("kernel 2 computes node '/relu' in the artifact, nothing in new.onnx");
    expect(firstDifference(base, program({ layout: { planEnd: 528 } }), WHERE)).toBe('the memory or buffer layout, or code the kernels share, differs');
  });
});
