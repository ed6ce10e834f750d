import { Graph, Value } from './graph.js';
import { formatDim, formatFloatAttr, formatName, formatNumber, isElided, printGraph, readFloatAttr } from './printer.js';
import { Tensor } from './tensor.js';
import { registerTestOps, sampleGraph, singleOpGraph } from '../../tests/ir/fixtures.js';

registerTestOps();

/** A graph holding one constant `c` that it returns. */
function constantGraph(t: Tensor): Graph {
  const c = new Value('c', { dtype: t.dtype, shape: [...t.shape] }, t);
  return new Graph('k', [], [c], [], [c]);
}

function constantLine(t: Tensor, options = {}): string {
  return printGraph(constantGraph(t), options).split('\n')[1].trim();
}

describe('printGraph', () => {
  it('prints the sample graph in the documented form', () => {
    expect(printGraph(sampleGraph())).toBe(
      [
        'graph @main(%x: f32[N,3], %cond: bool[]) {',
        '  %"onnx::Add_7" = const f32[3] dense<[0.1, -0, 2.5]>',
        '  %big = const f16[40] dense<0x000055355539003c553dab3e0040ab4055410042ab42554300445544ab4400455545ab4500465546ab4600475547ab4700482b4855488048ab48d54800492b4955498049ab49d549004a2b4a554a804a>',
        '  %idx = const i64[2] dense<[9223372036854775807, -3]>',
        '  %y: f32[N,3] = add(%x, %"onnx::Add_7")',
        '  %y_1: f32[N,3] = test_attrs(%y, _, %idx) {count=3, labels=["a b","quote\\"d"], scales=[0.25,nan,-inf], table=dense<bool[2]: [true, false]>}',
        '  %out: f32[N,3] = test_branch(%cond) {else_branch=graph @else() {',
        '    %r: f32[N,3] = identity(%y)',
        '    return %r',
        '  }, then_branch=graph @then() {',
        '    %r_1: f32[N,3] = relu(%y_1)',
        '    return %r_1',
        '  }}',
        '  return %out, %y_1',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('is deterministic', () => {
    expect(printGraph(sampleGraph())).toBe(printGraph(sampleGraph()));
  });

  it('renames duplicates to the first free name_K that no value already has', () => {
    const x = new Value('x', { dtype: 'f32', shape: [1] });
    const g = new Graph('m', [x]);
    const names = ['x', 'x_1', 'x'];
    let prev = x;
    for (const n of names) {
      const node = { op: 'relu', inputs: [prev], outputs: [new Value(n, { dtype: 'f32', shape: [1] })], attrs: {}, name: n };
      g.nodes.push(node);
      prev = node.outputs[0];
    }
    g.outputs.push(prev);
    const text = printGraph(g);
    expect(text).toContain('%x_2: f32[1] = relu(%x)\n');
    expect(text).toContain('%x_1: f32[1] = relu(%x_2)\n');
    expect(text).toContain('%x_3: f32[1] = relu(%x_1)\n');
    expect(text).toContain('return %x_3\n');
  });

  it('prints omitted optional inputs as _ and zero-output nodes without a left-hand side', () => {
    const x = new Value('x', { dtype: 'f32', shape: [2] });
    const g = new Graph('m', [x], [x], [{ op: 'test_attrs', inputs: [x, null, null], outputs: [], attrs: {}, name: 'n' }]);
    expect(printGraph(g)).toBe('graph @m(%x: f32[2]) {\n  test_attrs(%x, _, _)\n  return %x\n}\n');
  });

  it('quotes names, graph names and dims that are not plain identifiers', () => {
    expect(formatName('%', '3')).toBe('%3');
    expect(formatName('%', 'conv1.weight')).toBe('%conv1.weight');
    expect(formatName('%', 'onnx::Conv_3')).toBe('%"onnx::Conv_3"');
    expect(formatName('%', '/conv1/Conv_output_0')).toBe('%"/conv1/Conv_output_0"');
    expect(formatName('%', '')).toBe('%""');
    expect(formatName('@', 'torch-jit export')).toBe('@"torch-jit export"');
    expect(formatDim(7)).toBe('7');
    expect(formatDim('batch')).toBe('batch');
    expect(formatDim('?nonzero_3')).toBe('?nonzero_3');
    expect(formatDim('p2o.DynamicDimension.0')).toBe('p2o.DynamicDimension.0');
    expect(formatDim('3')).toBe('"3"');
    expect(formatDim('batch size')).toBe('"batch size"');
  });

  it('prints numbers as the shortest decimal that reads back exactly', () => {
    expect(formatNumber(0.1)).toBe('0.1');
    expect(formatNumber(Math.fround(0.2))).toBe('0.20000000298023224');
    expect(formatNumber(-0)).toBe('-0');
    expect(formatNumber(NaN)).toBe('nan');
    expect(formatNumber(-Infinity)).toBe('-inf');
    expect(formatNumber(1e-7)).toBe('1e-7');
    expect(formatNumber(2 ** 63)).toBe('9223372036854775807');
    expect(formatNumber(-(2 ** 63))).toBe('-9223372036854775808');
    expect(formatNumber(1e300)).toBe('1e+300');
  });

  it('prints float attributes as the shortest decimal of their f32, and reads it back to that f32', () => {
    const eps = Math.fround(1e-5);
    expect(formatFloatAttr(eps)).toBe('0.00001');
    expect(formatFloatAttr(Math.fround(0.2))).toBe('0.2');
    expect(formatFloatAttr(1 / 6)).toBe('0.16666666666666666');
    for (const x of [eps, Math.fround(0.2), Math.fround(1 / 3), 3, -0, NaN, Infinity, Math.fround(3.4e38), Math.fround(1e-45)]) {
      expect(Object.is(readFloatAttr(Number(formatFloatAttr(x).replace('nan', 'NaN').replace('inf', 'Infinity'))), x)).toBe(true);
    }
    // A double that is no f32 reads back as itself unless its shortest form is an f32's.
    expect(readFloatAttr(1 / 6)).toBe(1 / 6);
    expect(readFloatAttr(0.1)).toBe(Math.fround(0.1));
    const g = singleOpGraph('test_attrs', { dtype: 'f32', shape: [2] }, { alpha: eps, scales: [Math.fround(0.1), 1 / 6] });
    expect(printGraph(g)).toContain('{alpha=0.00001, scales=[0.1,0.16666666666666666]}');
  });

  it('prints tensor elements as the shortest decimal of their own precision', () => {
    expect(constantLine(Tensor.fromArray('f32', [3], [0.2, 1 / 3, 16777216]))).toBe('%c = const f32[3] dense<[0.2, 0.33333334, 16777216]>');
    expect(constantLine(Tensor.fromArray('f16', [2], [0.1, 65504]))).toBe('%c = const f16[2] dense<[0.1, 65500]>');
    expect(constantLine(Tensor.fromArray('f64', [1], [0.1]))).toBe('%c = const f64[1] dense<[0.1]>');
    expect(constantLine(Tensor.scalar('i32', -7))).toBe('%c = const i32[] dense<-7>');
    expect(constantLine(Tensor.fromArray('u64', [1], [2 ** 64]))).toBe('%c = const u64[1] dense<[18446744073709551615]>');
    expect(constantLine(Tensor.fromArray('bool', [2, 1], [0, 1]))).toBe('%c = const bool[2,1] dense<[false, true]>');
    expect(constantLine(new Tensor('f32', [0]))).toBe('%c = const f32[0] dense<[]>');
  });

  it('prints tensors over 32 elements as hex of their little-endian encoding', () => {
    const f32 = constantLine(Tensor.fromArray('f32', [33], Array.from({ length: 33 }, (_, i) => i)));
    // 0 = 00000000, 1 = 0x3f800000, 2 = 0x40000000 (little-endian bytes)
    expect(f32.startsWith('%c = const f32[33] dense<0x000000000000803f00000040')).toBe(true);
    expect(f32.length).toBe('%c = const f32[33] dense<0x>'.length + 33 * 8);
    const i64 = constantLine(Tensor.fromArray('i64', [33], [2 ** 63, -1, ...new Array(31).fill(0)]));
    expect(i64.startsWith('%c = const i64[33] dense<0xffffffffffffff7fffffffffffffffff0000')).toBe(true);
    const f16 = constantLine(Tensor.fromArray('f16', [33], new Array(33).fill(1)));
    expect(f16).toBe(`%c = const f16[33] dense<0x${'003c'.repeat(33)}>`);
  });

  it('puts the data of elided tensors in the resources it is given, as dense_resource keys', () => {
    const g = singleOpGraph('test_attrs', { dtype: 'f32', shape: [2] }, { table: Tensor.fromArray('i8', [3], [1, 2, 3]) });
    g.constants.push(new Value('w', { dtype: 'f32', shape: [5] }, Tensor.fromArray('f32', [5], [1, 2, 3, 4, 5])));
    g.constants.push(new Value('v', { dtype: 'f32', shape: [5] }, Tensor.fromArray('f32', [5], [1, 2, 3, 4, 5])));
    const blobs: Uint8Array[] = [];
    const text = printGraph(g, { elideConstantsOver: 2, resources: { add: (b) => `blob_${blobs.push(b)}` } });
    expect(text).toContain('%w = const f32[5] dense_resource<blob_1>\n');
    expect(text).toContain('%v = const f32[5] dense_resource<blob_2>\n');
    expect(text).toContain('{table=dense_resource<i8[3]: blob_3>}');
    expect(Array.from(new Float32Array(blobs[0].buffer))).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(blobs[2])).toEqual([1, 2, 3]);
  });

  it('elides tensors over the given size, in constants and in attributes', () => {
    const g = singleOpGraph('test_attrs', { dtype: 'f32', shape: [2] }, { table: new Tensor('i8', [3, 4]) });
    g.constants.push(new Value('w', { dtype: 'f32', shape: [5] }, new Tensor('f32', [5])));
    g.constants.push(new Value('s', { dtype: 'f32', shape: [4] }, new Tensor('f32', [4])));
    const text = printGraph(g, { elideConstantsOver: 4 });
    expect(text).toContain('%w = const f32[5] dense<elided>\n');
    expect(text).toContain('%s = const f32[4] dense<[0, 0, 0, 0]>\n');
    expect(text).toContain('{table=dense<i8[3,4]: elided>}');
    expect(printGraph(g)).toContain('{table=dense<i8[3,4]: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]>}');
    expect(isElided(g.constants[0])).toBe(false);
  });

  it('leaves out attributes that hold their schema default and sorts the rest', () => {
    const dflt = singleOpGraph('test_attrs', { dtype: 'f32', shape: [2] });
    expect(dflt.nodes[0].attrs).toMatchObject({ count: 1, alpha: 0.5, axes: [0, 1], mode: 'NOTSET' });
    expect(printGraph(dflt)).toContain('= test_attrs(%x)\n');
    const set = singleOpGraph('test_attrs', { dtype: 'f32', shape: [2] }, { mode: 'SAME', axes: [0, 2], alpha: 1, count: 1 });
    expect(printGraph(set)).toContain('= test_attrs(%x) {alpha=1, axes=[0,2], mode="SAME"}\n');
  });

  it('ends node lines with their names when asked for locations', () => {
    const g = singleOpGraph('relu', { dtype: 'f32', shape: [2] });
    g.nodes[0].name = 'Relu "1"';
    expect(printGraph(g, { locations: true })).toContain('= relu(%x) loc("Relu \\"1\\"")\n');
  });
});
