import { DlcError } from '../../compiler/errors.js';
import { Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph, mismatches } from '../../tests/util/wasm-testing.js';
import { compileToWasm } from './program.js';
import { loadProgram } from './run-program.js';

describe('compileToWasm', () => {
  test('an unsupported op is a DlcError naming the node and op', async () => {
    const g = buildGraph({ inputs: { x: { dtype: 'f32', shape: [3, 3] } }, build: (b, { x }) => b.emit('pad', [x, b.constant(Tensor.fromArray('i64', [4], [0, 1, 0, 1]))], { mode: 'wrap' }) });
    await expect(compileToWasm(g)).rejects.toThrow(DlcError);
    await expect(compileToWasm(g)).rejects.toThrow(/node 'pad_\d+', op pad: op pad is not supported by the wasm target: pad mode 'wrap'/);
  });

  test('a symbolic input shape is a DlcError', async () => {
    const x = new Value('x', { dtype: 'f32', shape: ['N', 3] });
    await expect(compileToWasm(new Graph('g', [x], [x]))).rejects.toThrow(/symbolic shape/);
  });

  test('outputs that are views of inputs or constants are written to their own slots', async () => {
    const c = Tensor.fromArray('f32', [2], [7, 8]);
    const g = buildGraph({
      inputs: { x: { dtype: 'f32', shape: [2, 3] } },
      build: (b, { x }) => [b.emit('reshape', [x, b.constant(Tensor.fromArray('i64', [1], [6]))])[0], b.constant(c)],
    });
    expect(await mismatches(g)).toEqual([]);
    const program = await compileToWasm(g);
    const [view, constant] = program.layout.outputs;
    expect(view.offset).not.toBe(program.layout.inputs[0].offset);
    expect(Array.from((await loadProgram(program)).run({ x: Tensor.fromArray('f32', [2, 3], [1, 2, 3, 4, 5, 6]) })[constant.name].data)).toEqual([7, 8]);
  });

  test('the layout covers every slot, the weights and the memory the module starts with', async () => {
    const g = buildGraph({
      inputs: { a: { dtype: 'f32', shape: [3, 5] } },
      build: (b, { a }) => b.emit('matmul', [a, b.constant(Tensor.fromArray('f32', [5, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))]),
    });
    const p = await compileToWasm(g);
    const memory = (await WebAssembly.instantiate(p.wasm as Uint8Array<ArrayBuffer>, {})).instance.exports.memory as WebAssembly.Memory;
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(p.layout.memoryBytes);
    expect(p.weights.length).toBe(p.layout.weightsBytes);
    expect(p.layout.weightsBytes).toBe(40 + 8);
    for (const s of [...p.layout.inputs, ...p.layout.outputs]) expect(s.offset + s.shape.reduce((n, d) => n * d, 4)).toBeLessThanOrEqual(p.layout.memoryBytes);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(p.wasm as Uint8Array<ArrayBuffer>))).toEqual([]);
  });
});
