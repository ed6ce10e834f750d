import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../errors.js';
import { interpret } from '../interpreter.js';
import { Tensor } from '../ir/tensor.js';
import { importOnnx, loadOnnxFile } from './frontend.js';
import { onnx } from './proto.js';
import { errorOf } from '../../tests/util/errors.js';
import { encodeOnnxModel, tensorProto, type OnnxModelSpec } from './writer.js';

const addRelu = (over: Partial<OnnxModelSpec> = {}): OnnxModelSpec => ({
  inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 3] }],
  outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 3] }],
  initializers: [{ name: 'b', tensor: Tensor.fromArray('f32', [3], [1, -2, 3]) }],
  nodes: [
    { op: 'Add', inputs: ['x', 'b'], outputs: ['s'] },
    { op: 'Relu', inputs: ['s'], outputs: ['y'] },
  ],
  ...over,
});

describe('ONNX frontend', () => {
  test('imports initializers and nodes, specializes symbolic dims, and runs', () => {
    const { graph, opsets } = importOnnx(encodeOnnxModel(addRelu()), { inputShapes: { x: [2, 3] } });
    expect(opsets['']).toBe(17);
    expect(graph.inputs.map((v) => [v.name, v.type.shape])).toEqual([['x', [2, 3]]]);
    expect(graph.nodes.map((n) => n.op)).toEqual(['add', 'relu']);
    expect(graph.outputs[0].name).toBe('y');
    expect(graph.outputs[0].type).toEqual({ dtype: 'f32', shape: [2, 3] });
    const { y } = interpret(graph, { x: Tensor.fromArray('f32', [2, 3], [0, 0, 0, -5, 5, -5]) });
    expect(Array.from(y.data)).toEqual([1, 0, 3, 0, 3, 0]);
  });

  test('an unresolved dim without --input-shape names the input and the dim', () => {
    expect(errorOf(() => importOnnx(encodeOnnxModel(addRelu()), { file: 'm.onnx' })).message).toBe(
      "m.onnx: input 'x' has unresolved dim 0 ('N'); give its shape with --input-shape x=d0,d1,...",
    );
  });

  test('an --input-shape of the wrong rank or contradicting a fixed dim is a usage error', () => {
    const bytes = encodeOnnxModel(addRelu());
    expect(errorOf(() => importOnnx(bytes, { inputShapes: { x: [2] } })).exitCode).toBe(2);
    expect(errorOf(() => importOnnx(bytes, { inputShapes: { x: [2, 4] } })).message).toContain('fixes it to 3');
  });

  test('Constant nodes become constant values and Identity of a graph input keeps the output name', () => {
    const spec: OnnxModelSpec = {
      inputs: [{ name: 'x', dtype: 'f32', shape: [2] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [2] }, { name: 'z', dtype: 'f32', shape: [2] }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: Tensor.fromArray('f32', [2], [10, 20]) } },
        { op: 'Add', inputs: ['x', 'c'], outputs: ['y'] },
        { op: 'Identity', inputs: ['x'], outputs: ['z'] },
      ],
    };
    const { graph } = importOnnx(encodeOnnxModel(spec));
    expect(graph.constants.map((c) => c.name)).toEqual(['c']);
    const out = interpret(graph, { x: Tensor.fromArray('f32', [2], [1, 2]) });
    expect(Array.from(out.y.data)).toEqual([11, 22]);
    expect(Array.from(out.z.data)).toEqual([1, 2]);
  });

  test('an output listed twice is one output (outputs are keyed by name; onnxruntime accepts the model)', () => {
    const spec = addRelu({ outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 3] }, { name: 'y', dtype: 'f32', shape: ['N', 3] }] });
    const { graph } = importOnnx(encodeOnnxModel(spec), { inputShapes: { x: [1, 3] } });
    expect(graph.outputs.map((o) => o.name)).toEqual(['y']);
  });

  describe('bad input ends in one clear DlcError', () => {
    const good = encodeOnnxModel(addRelu());
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['truncated file', () => good.slice(0, good.length - 7), /not a valid ONNX model|./],
      ['random bytes', () => Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) % 251), /./],
      ['missing initializer', () => encodeOnnxModel(addRelu({ initializers: [] })), /input 'b' is not defined/],
      ['dangling node input', () => encodeOnnxModel(addRelu({ nodes: [{ op: 'Relu', inputs: ['nowhere'], outputs: ['y'] }] })), /input 'nowhere' is not defined/],
      [
        'cycle',
        () =>
          encodeOnnxModel(
            addRelu({
              nodes: [
                { op: 'Add', inputs: ['x', 'y'], outputs: ['s'] },
                { op: 'Relu', inputs: ['s'], outputs: ['y'] },
              ],
            }),
          ),
        /input 'y' is not defined/,
      ],
      ['unknown op', () => encodeOnnxModel(addRelu({ nodes: [{ op: 'Frobnicate', inputs: ['x'], outputs: ['y'], name: 'f0' }] })), /node 'f0', op Frobnicate: unsupported ONNX op 'Frobnicate'/],
      ['negative dim', () => encodeOnnxModel(addRelu({ inputs: [{ name: 'x', dtype: 'f32', shape: [-3, 3] }] })), /negative dim -3/],
      [
        'enormous initializer',
        () => {
          const m = onnx.ModelProto.decode(good);
          m.graph!.initializer![0].dims = [2 ** 40];
          return onnx.ModelProto.encode(m).finish();
        },
        /over the limit/,
      ],
      ['graph output never produced', () => encodeOnnxModel(addRelu({ outputs: [{ name: 'ghost', dtype: 'f32', shape: [2, 3] }] })), /graph output 'ghost' is not produced/],
    ];
    for (const [name, make, pattern] of cases) {
      test(name, () => {
        const err = errorOf(() => importOnnx(make(), { file: 'bad.onnx', inputShapes: { x: [2, 3] } }));
        expect(err.message).toMatch(pattern);
        expect(err.message.startsWith('bad.onnx')).toBe(true);
        expect(err.message).not.toContain('\n');
        expect(err.exitCode).toBe(1);
      });
    }

    test('an enormous input dim is refused when the interpreter would allocate it', () => {
      const { graph } = importOnnx(encodeOnnxModel(addRelu()), { inputShapes: { x: [2 ** 40, 3] } });
      expect(graph.inputs[0].type.shape).toEqual([2 ** 40, 3]);
      expect(() => new Tensor('f32', [2 ** 40, 3])).toThrow(DlcError);
    });
  });

  describe('input values (specialization on shape inputs)', () => {
    /** y = reshape(x, shape) + b: the value of `shape` decides y's shape. */
    const reshapeSpec: OnnxModelSpec = {
      inputs: [
        { name: 'x', dtype: 'f32', shape: [2, 3] },
        { name: 'shape', dtype: 'i64', shape: [2] },
        { name: 'k', dtype: 'i64', shape: [] },
      ],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['a', 'b'] }, { name: 'kk', dtype: 'i64', shape: [] }],
      nodes: [
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
        { op: 'Add', inputs: ['k', 'k'], outputs: ['kk'] },
      ],
    };
    const bytes = encodeOnnxModel(reshapeSpec);

    test('an input given a value becomes a constant, leaves the inputs, and is recorded on the graph', () => {
      const shape = Tensor.fromArray('i64', [2], [3, -1]);
      const { graph } = importOnnx(bytes, { inputValues: { shape } });
      expect(graph.inputs.map((v) => v.name)).toEqual(['x', 'k']);
      expect(graph.specialized).toEqual([{ name: 'shape', value: shape }]);
      expect(graph.constants.map((c) => c.name)).toEqual(['shape']);
      expect(graph.outputs[0].type).toEqual({ dtype: 'f32', shape: [3, 2] });
      const out = interpret(graph, { x: Tensor.fromArray('f32', [2, 3], [1, 2, 3, 4, 5, 6]), k: Tensor.scalar('i64', 2) });
      expect(out.y.shape).toEqual([3, 2]);
      expect(Array.from(out.y.data)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    test('a list of numbers takes the declared dtype and shape (a scalar at rank 0)', () => {
      const { graph } = importOnnx(bytes, { inputValues: { shape: [1, 6], k: [7] } });
      expect(graph.inputs.map((v) => v.name)).toEqual(['x']);
      expect(graph.specialized.map((s) => [s.name, s.value.dtype, s.value.shape, Array.from(s.value.data)])).toEqual([
        ['shape', 'i64', [2], [1, 6]],
        ['k', 'i64', [], [7]],
      ]);
      expect(Array.from(interpret(graph, { x: new Tensor('f32', [2, 3]) }).kk.data)).toEqual([14]);
    });

    test('without values nothing is specialized', () => {
      expect(importOnnx(bytes).graph.specialized).toEqual([]);
    });

    const refusals: [string, Record<string, Tensor | number[]>, string][] = [
      ['a dtype other than the declared one', { shape: Tensor.fromArray('f32', [2], [3, 2]) }, "m.onnx: input 'shape' is declared i64[2], the value given is f32[2]"],
      ['a shape other than the declared one', { shape: Tensor.fromArray('i64', [3], [1, 2, 3]) }, "m.onnx: input 'shape' is declared i64[2], the value given is i64[3]"],
      ['a list of the wrong length', { k: [1, 2] }, "m.onnx: input 'k' is declared i64[], the value given is i64[2]"],
      ['a fraction for an integer input', { shape: [3, 2.5] }, "m.onnx: input 'shape' is i64: 2.5 is not one of its values"],
      ['a name that is not an input', { s: [1] }, "m.onnx: a value is given for 's', which is not an input of the model (inputs: x, shape, k)"],
    ];
    for (const [name, inputValues, message] of refusals) {
      test(`refuses ${name} in one line naming the file and input`, () => {
        const err = errorOf(() => importOnnx(bytes, { file: 'm.onnx', inputValues }));
        expect(err.message).toBe(message);
        expect(err.exitCode).toBe(2);
      });
    }

    test('a value must also fit the shape given for its input', () => {
      const dynamic = encodeOnnxModel({ ...reshapeSpec, inputs: [reshapeSpec.inputs[0], { name: 'shape', dtype: 'i64', shape: ['n'] }, reshapeSpec.inputs[2]] });
      expect(importOnnx(dynamic, { inputValues: { shape: [6, 1] } }).graph.outputs[0].type.shape).toEqual([6, 1]);
      expect(errorOf(() => importOnnx(dynamic, { file: 'm.onnx', inputShapes: { shape: [3] }, inputValues: { shape: [6, 1] } })).message).toBe(
        "m.onnx: input 'shape' is declared i64[3], the value given is i64[2]",
      );
    });
  });

  describe('external data', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-ext-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    function writeModel(location: string, offset = 0): string {
      const m = onnx.ModelProto.decode(encodeOnnxModel(addRelu()));
      const init = m.graph!.initializer![0];
      init.rawData = new Uint8Array();
      init.dataLocation = 1;
      init.externalData = [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: '12' },
      ];
      const file = path.join(dir, 'model.onnx');
      fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
      return file;
    }

    test('reads tensors stored beside the model', () => {
      const raw = tensorProto('b', Tensor.fromArray('f32', [3], [1, -2, 3])).rawData!;
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(4), Buffer.from(raw)]));
      const { graph } = loadOnnxFile(writeModel('weights.bin', 4), { inputShapes: { x: [1, 3] } });
      expect(Array.from(graph.constants[0].data!.data)).toEqual([1, -2, 3]);
    });

    test('refuses a location outside the model folder', () => {
      const file = writeModel('../../etc/passwd');
      expect(errorOf(() => loadOnnxFile(file, { inputShapes: { x: [1, 3] } })).message).toMatch(/resolves outside the model's folder/);
    });

    test('refuses a symlink that leaves the model folder', () => {
      const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-out-'));
      fs.writeFileSync(path.join(outside, 'w.bin'), Buffer.alloc(16));
      fs.symlinkSync(path.join(outside, 'w.bin'), path.join(dir, 'w.bin'));
      const file = writeModel('w.bin');
      expect(errorOf(() => loadOnnxFile(file, { inputShapes: { x: [1, 3] } })).message).toMatch(/resolves outside the model's folder/);
      fs.rmSync(outside, { recursive: true, force: true });
    });

    test('refuses a range past the end of the file', () => {
      fs.writeFileSync(path.join(dir, 'short.bin'), Buffer.alloc(8));
      expect(errorOf(() => loadOnnxFile(writeModel('short.bin'), { inputShapes: { x: [1, 3] } })).message).toMatch(/outside 'short.bin'/);
    });
  });
});

test('a Scan body that declares no input types gets them from the scan: states as they are, inputs sliced along their axis', () => {
  const body = {
    inputs: [{ name: 'acc', dtype: 'f32' as const, shape: [2] }, { name: 'col', dtype: 'f32' as const, shape: [2] }],
    outputs: [{ name: 'acc_out', dtype: 'f32' as const, shape: [2] }, { name: 'seen', dtype: 'f32' as const, shape: [2] }],
    nodes: [
      { op: 'Add', inputs: ['acc', 'col'], outputs: ['acc_out'] },
      { op: 'Identity', inputs: ['acc_out'], outputs: ['seen'] },
    ],
  };
  const spec: OnnxModelSpec = {
    inputs: [{ name: 'init', dtype: 'f32', shape: [2] }, { name: 'x', dtype: 'f32', shape: [2, 3] }],
    outputs: [{ name: 'total', dtype: 'f32', shape: [2] }, { name: 'running', dtype: 'f32', shape: [3, 2] }],
    nodes: [{ op: 'Scan', inputs: ['init', 'x'], outputs: ['total', 'running'], attrs: { body: { graph: body }, num_scan_inputs: 1, scan_input_axes: [1] } }],
  };
  // The exporter's freedom: body inputs with a name only.
  const model = onnx.ModelProto.decode(encodeOnnxModel(spec));
  for (const input of model.graph!.node![0].attribute![0].g!.input!) input.type = null;
  const { graph } = importOnnx(onnx.ModelProto.encode(model).finish());
  const out = interpret(graph, { init: Tensor.fromArray('f32', [2], [0, 100]), x: Tensor.fromArray('f32', [2, 3], [1, 2, 3, 4, 5, 6]) });
  expect(Array.from(out.total.data)).toEqual([6, 115]);
  expect(out.running.shape).toEqual([3, 2]);
  expect(Array.from(out.running.data)).toEqual([1, 104, 3, 109, 6, 115]);
});
