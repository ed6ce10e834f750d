import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { loadModel } from '../runtime/index.js';
import { compile, writeArtifact } from '../api/compile.js';
import { parseInputValues } from './input-values.js';
import { errorOf } from '../tests/util/errors.js';
import { writeNpy } from '../api/npy.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-input-values-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('parseInputValues', () => {
  test('reads comma-separated numbers per input name', () => {
    expect(parseInputValues(['shape=2,-1, 4', 'scales=1,1,0.5,1e-1', 'k=3', 'axes=', 'x:0=0x10'])).toEqual({
      shape: [2, -1, 4],
      scales: [1, 1, 0.5, 0.1],
      k: [3],
      axes: [],
      'x:0': [16],
    });
    const special = parseInputValues(['v=nan,inf,-inf']).v as number[];
    expect(special).toEqual([NaN, Infinity, -Infinity]);
  });

  test('reads a .npy file as a tensor with its dtype and shape', () => {
    const file = path.join(tmp, 'sizes.npy');
    fs.writeFileSync(file, writeNpy({ dtype: 'i64', shape: [4], data: new BigInt64Array([1n, 3n, 8n, 8n]) }));
    const { sizes } = parseInputValues([`sizes=${file}`]);
    expect(sizes).toBeInstanceOf(Tensor);
    const t = sizes as Tensor;
    expect([t.dtype, t.shape, Array.from(t.data)]).toEqual(['i64', [4], [1, 3, 8, 8]]);
  });

  test('refuses malformed flags as usage errors, in one line', () => {
    const cases: [string[], string][] = [
      [['shape'], "--input-value 'shape' must look like name=v0,v1,... or name=file.npy"],
      [['=1,2'], "--input-value '=1,2' must look like name=v0,v1,... or name=file.npy"],
      [['shape=2,x'], "--input-value 'shape=2,x': 'x' is not a number"],
      [['shape=2,,3'], "--input-value 'shape=2,,3': '' is not a number"],
      [['k=1', 'k=2'], "--input-value given twice for 'k'"],
      [[`k=${path.join(tmp, 'missing.npy')}`], `${path.join(tmp, 'missing.npy')}: cannot read --input-value file: ENOENT`],
    ];
    for (const [specs, message] of cases) {
      const err = errorOf(() => parseInputValues(specs));
      expect(err.message).toBe(message);
      expect(err.exitCode).toBe(2);
    }
  });

  test('the parsed values specialize a model: a list takes the declared dtype', () => {
    const model = encodeOnnxModel({
      inputs: [
        { name: 'x', dtype: 'f32', shape: [2, 3] },
        { name: 'shape', dtype: 'i64', shape: [2] },
      ],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['a', 'b'] }],
      nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
    });
    const { graph } = importOnnx(model, { inputValues: parseInputValues(['shape=3,-1']) });
    expect(graph.outputs[0].type).toEqual({ dtype: 'f32', shape: [3, 2] });
    expect(graph.specialized.map((s) => [s.name, s.value.dtype])).toEqual([['shape', 'i64']]);
  });
});

describe('the compile path', () => {
  /** y = relu(reshape(x, shape)) */
  const modelFile = path.join(tmp, 'reshape.onnx');
  fs.writeFileSync(
    modelFile,
    encodeOnnxModel({
      inputs: [
        { name: 'x', dtype: 'f32', shape: [2, 3] },
        { name: 'shape', dtype: 'i64', shape: [2] },
      ],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['a', 'b'] }],
      nodes: [
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'], name: 'Reshape_0' },
        { op: 'Relu', inputs: ['r'], outputs: ['y'] },
      ],
    }),
  );

  test('without the value, names the input and the node whose shape it sets', async () => {
    await expect(compile(modelFile, { target: 'wasm' })).rejects.toThrow(
      new DlcError(`${modelFile}: input 'shape' sets the shape of node 'Reshape_0' (op reshape); give its value with --input-value shape=...`),
    );
  });

  test('with it, the artifact is static, records the value, and runs with or without that feed', async () => {
    const dest = path.join(tmp, 'specialized');
    const artifact = await compile(modelFile, { target: 'wasm', inputValues: parseInputValues(['shape=3,2']) });
    writeArtifact(artifact, dest);
    const again = await compile(modelFile, { target: 'wasm', inputValues: parseInputValues(['shape=3,2']) });
    expect(again.files).toEqual(artifact.files);
    const session = await loadModel(dest);
    expect(session.inputs).toEqual([{ name: 'x', dtype: 'f32', shape: [2, 3] }]);
    expect(session.outputs).toEqual([{ name: 'y', dtype: 'f32', shape: [3, 2] }]);
    expect(session.specialized).toEqual([{ name: 'shape', dtype: 'i64', shape: [2], values: [3, 2] }]);
    const x = new Float32Array([1, -2, 3, -4, 5, -6]);
    expect((await session.run({ x })).y).toEqual(new Float32Array([1, 0, 3, 0, 5, 0]));
    expect((await session.run({ x, shape: new BigInt64Array([3n, 2n]) })).y).toEqual(new Float32Array([1, 0, 3, 0, 5, 0]));
    await expect(session.run({ x, shape: new BigInt64Array([2n, 3n]) })).rejects.toThrow("input 'shape' was specialized");
  });
});
