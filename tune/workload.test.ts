import { optimize } from '../api/optimize.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { encodeOnnxModel, type OnnxModelSpec } from '../compiler/onnx/writer.js';
import { seededRandom } from '../compiler/random.js';
import { squeezenet } from '../models/zoo.js';
import { extractWorkloads } from './workload.js';

/** x → conv a → relu → conv b → relu → conv c: a and b differ only in their weights' values; c has no relu. */
function threeConvs(): OnnxModelSpec {
  const random = seededRandom(7);
  const weight = (name: string, shape: number[]) => ({ name, tensor: Tensor.fromArray('f32', shape, Array.from({ length: shape.reduce((p, d) => p * d, 1) }, random)) });
  const conv = (name: string, x: string, w: string, y: string) => ({ op: 'Conv', name, inputs: [x, w], outputs: [y], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
  return {
    opset: 17,
    inputs: [{ name: 'x', dtype: 'f32', shape: [1, 4, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'f32', shape: [1, 4, 8, 8] }],
    nodes: [
      conv('a', 'x', 'wa', 'ya'), { op: 'Relu', inputs: ['ya'], outputs: ['ra'] },
      conv('b', 'ra', 'wb', 'yb'), { op: 'Relu', inputs: ['yb'], outputs: ['rb'] },
      conv('c', 'rb', 'wc', 'y'),
    ],
    initializers: [weight('wa', [4, 4, 3, 3]), weight('wb', [4, 4, 3, 3]), weight('wc', [4, 4, 3, 3])],
  };
}

describe('extractWorkloads', () => {
  test('identical convs are one workload listing both nodes; a different epilogue is another', () => {
    const { graph } = optimize(encodeOnnxModel(threeConvs()), { target: 'wasm' });
    const workloads = extractWorkloads(graph, 'wasm');
    expect(workloads.map((w) => w.nodes)).toEqual([['a', 'b'], ['c']]);
    expect(workloads[0].summary).toBe('conv f32[1,4,8,8] f32[4,4,3,3]c → f32[1,4,8,8] strides=1,1 group=1 +relu');
    expect(workloads[1].summary).not.toContain('+relu');
    expect(workloads[0].key).toMatch(/^[0-9a-f]{16}$/);
    // The graph measured is the first node alone, its weights constants and its activation the one input.
    expect(workloads[0].graph.nodes).toHaveLength(1);
    expect(workloads[0].graph.inputs.map((v) => v.type.shape)).toEqual([[1, 4, 8, 8]]);
  });

  test("squeezenet's repeated fire modules share workloads; keys depend on the target, not on node names", () => {
    const { graph } = optimize(encodeOnnxModel(squeezenet()), { target: 'wasm' });
    const wasm = extractWorkloads(graph, 'wasm');
    const nodes = wasm.flatMap((w) => w.nodes);
    expect(new Set(nodes).size).toBe(nodes.length);
    expect(nodes).toHaveLength(11);
    expect(wasm.filter((w) => w.nodes.length === 2)).toHaveLength(3);
    const webgpu = extractWorkloads(optimize(encodeOnnxModel(squeezenet()), { target: 'webgpu' }).graph, 'webgpu');
    expect(webgpu.map((w) => w.nodes)).toEqual(wasm.map((w) => w.nodes));
    expect(webgpu.some((w, i) => w.key === wasm[i].key)).toBe(false);
    // Extraction is deterministic: the same graph gives the same keys.
    expect(extractWorkloads(graph, 'wasm').map((w) => w.key)).toEqual(wasm.map((w) => w.key));
  });
});
