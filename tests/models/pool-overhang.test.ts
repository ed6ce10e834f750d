// Pools whose window is larger than the padded input (odd input sizes meet a model's fixed window), which
// onnxruntime accepts: the output size from the ONNX formula with the quotient rounded toward zero (or up,
// with ceil_mode), so a stride larger than the overhang gives one window over what there is and otherwise
// the axis is empty; average with count_include_pad divides by the whole window without ceil_mode and by the
// taps inside the padded input with it. Both targets against onnxruntime-node, through `verify`.
import { verify } from '../../api/verify.js';
import { nodeGpuDevice } from '../../cli/webgpu-node.js';
import { encodeOnnxModel, type OnnxNodeSpec } from '../../compiler/onnx/writer.js';
import { TARGETS } from '../util/targets.js';

/** [input rows, kernel rows, stride rows, pad begin, pad end, ceil_mode]: each a window past the padded input. */
const GEOMETRIES: [number, number, number, number, number, number][] = [
  [2, 3, 2, 0, 0, 0],
  [2, 3, 2, 0, 0, 1],
  [3, 4, 2, 0, 0, 0],
  [3, 4, 2, 0, 0, 1],
  [2, 4, 2, 1, 0, 1],
  [1, 3, 2, 1, 0, 0],
  [3, 5, 3, 1, 0, 0],
  // No window fits and the stride cannot reach one: an empty axis.
  [2, 3, 1, 0, 0, 0],
];

function overhangModel(): Uint8Array {
  const nodes: OnnxNodeSpec[] = [];
  const outputs: { name: string; dtype: 'f32'; shape: string[] }[] = [];
  GEOMETRIES.forEach(([h, k, s, pb, pe, ceil], i) => {
    const x = `x${h}`;
    const attrs = { kernel_shape: [k, 2], strides: [s, 2], pads: [pb, 0, pe, 1], ceil_mode: ceil };
    const add = (op: string, extra: Record<string, number>) => {
      const name = `${op}_${i}_${Object.values(extra).join('')}`;
      nodes.push({ op, inputs: [x], outputs: [name], attrs: { ...attrs, ...extra } });
      outputs.push({ name, dtype: 'f32', shape: ['n', 'c', 'h', 'w'] });
    };
    add('MaxPool', {});
    add('AveragePool', { count_include_pad: 0 });
    add('AveragePool', { count_include_pad: 1 });
  });
  const heights = [...new Set(GEOMETRIES.map((g) => g[0]))];
  return encodeOnnxModel({ opset: 17, inputs: heights.map((h) => ({ name: `x${h}`, dtype: 'f32', shape: [1, 2, h, 5] })), outputs, nodes });
}

describe('pools whose window is larger than the padded input', () => {
  for (const target of TARGETS) {
    test(`${target}: every output matches onnxruntime`, async () => {
      const device = target === 'webgpu' ? await nodeGpuDevice() : undefined;
      const result = await verify(overhangModel(), { target, device });
      expect(result.outputs.filter((o) => o.mismatch).map((o) => `${o.name}: ${o.mismatch}`)).toEqual([]);
      expect(result.outputs).toHaveLength(GEOMETRIES.length * 3);
      // The last geometry's axis is empty, as onnxruntime's is; the others keep one row.
      expect(result.outputs.map((o) => o.shape[2])).toEqual(GEOMETRIES.flatMap((g, i) => new Array(3).fill(i === GEOMETRIES.length - 1 ? 0 : 1)));
    });
  }
});
