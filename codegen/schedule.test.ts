import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value, type Node } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import '../compiler/ops/index.js';
import { DEFAULT_GPU_MATMUL, DEFAULT_MATMUL, parseScheduleOverrides, scheduleRecord, schedulesFor } from './schedule.js';
import { compileToWebgpu } from './wgsl/program.js';

const node = (name: string): Node => ({ op: 'matmul', inputs: [], outputs: [], attrs: {}, name });

describe('schedulesFor', () => {
  test('defaults, per-kind overrides, then per-node overrides', () => {
    expect(schedulesFor(node('a')).matmul).toEqual(DEFAULT_MATMUL);
    const o = { matmul: { tileM: 2 }, nodes: { b: { matmul: { unrollK: 4 } } }, conv: { kind: 'direct' as const } };
    expect(schedulesFor(node('a'), o).matmul).toEqual({ ...DEFAULT_MATMUL, tileM: 2 });
    expect(schedulesFor(node('b'), o).matmul).toEqual({ ...DEFAULT_MATMUL, tileM: 2, unrollK: 4 });
    expect(schedulesFor(node('b'), o).conv.kind).toBe('direct');
  });

  test('rejects schedules outside the generators range', () => {
    expect(() => schedulesFor(node('a'), { matmul: { tileM: 0 } })).toThrow(/invalid matmul schedule/);
    expect(() => schedulesFor(node('a'), { conv: { kind: 'fft' as never } })).toThrow(/unknown conv schedule kind/);
    expect(() => schedulesFor(node('a'), { conv: { depthwiseVectors: 5 } })).toThrow(/invalid conv schedule depthwiseVectors/);
    for (const winogradTiles of [0, 6, 4.5, 8192]) {
      expect(() => schedulesFor(node('a'), { nodes: { a: { conv: { winogradTiles } } } })).toThrow(`invalid conv schedule winogradTiles ${winogradTiles} (a multiple of 4, 4..4096)`);
    }
    expect(schedulesFor(node('a'), { conv: { kind: 'winograd', winogradTiles: 8 } }).conv).toMatchObject({ kind: 'winograd', winogradTiles: 8 });
  });
});

describe('GPU schedules', () => {
  test('the GPU GEMM tile is overridden per kind and per node, like the CPU ones', () => {
    expect(schedulesFor(node('a')).gpu.matmul).toEqual(DEFAULT_GPU_MATMUL);
    const o = { gpu: { matmul: { tileK: 8 } }, nodes: { b: { gpu: { matmul: { splitK: 2 }, conv: { directBelow: 0 } } } } };
    expect(schedulesFor(node('a'), o).gpu.matmul).toEqual({ ...DEFAULT_GPU_MATMUL, tileK: 8 });
    expect(schedulesFor(node('b'), o).gpu).toEqual({ matmul: { ...DEFAULT_GPU_MATMUL, tileK: 8, splitK: 2 }, conv: { ...DEFAULT_GPU_MATMUL, directBelow: 0 } });
    expect(() => schedulesFor(node('a'), { gpu: { matmul: { threadN: 3 } } })).toThrow(/invalid gpu matmul schedule/);
  });

  test('a schedule override changes the WGSL a matmul compiles to', () => {
    const x = new Value('x', { dtype: 'f32', shape: [64, 64] });
    const graph = new Graph('g', [x], [], []);
    const b = new GraphBuilder(graph);
    graph.outputs.push(b.emit('matmul', [x, b.constant(new Tensor('f32', [64, 64], new Float32Array(64 * 64)))])[0]);
    const untiled = compileToWebgpu(graph).modules.map((m) => m.code).join('\n');
    const tiled = compileToWebgpu(graph, { schedules: { gpu: { matmul: { directBelow: 0 } } } }).modules.map((m) => m.code).join('\n');
    expect(untiled).not.toContain('var<workgroup>');
    expect(tiled).toContain('var<workgroup>');
  });
});

describe('schedule files', () => {
  test('a valid file parses to its overrides', () => {
    const json = { matmul: { tileM: 2 }, conv: { kind: 'direct', gemm: { unrollK: 2 } }, gpu: { conv: { tileK: 8 } }, nodes: { conv_3: { gpu: { matmul: { splitK: 4 } } } } };
    expect(parseScheduleOverrides(json, 's.json')).toEqual(json);
  });

  test('a misspelt kind or field is an error naming the file and the path, never a silent default', () => {
    expect(() => parseScheduleOverrides({ matmull: {} }, 's.json')).toThrow("s.json: unknown schedule kind 'matmull' (known: matmul, conv, gpu, nodes)");
    expect(() => parseScheduleOverrides({ gpu: { matmul: { tileX: 8 } } }, 's.json')).toThrow(/s\.json: unknown schedule field 'gpu\.matmul\.tileX' \(known: tileM, tileN, tileK/);
    expect(() => parseScheduleOverrides({ nodes: { a: { conv: { gemm: { tile: 1 } } } } }, 's.json')).toThrow("s.json: unknown schedule field 'nodes.a.conv.gemm.tile'");
    expect(() => parseScheduleOverrides({ matmul: { tileM: '4' } }, 's.json')).toThrow("s.json: schedule field 'matmul.tileM' must be a number");
    expect(() => parseScheduleOverrides([], 's.json')).toThrow('s.json: a schedule file holds one JSON object');
  });

  test('the record names every kind after the overrides, and the per-node overrides', () => {
    const record = scheduleRecord({ gpu: { matmul: { tileK: 8 } }, nodes: { n: { matmul: { tileM: 2 } } } });
    expect(record.gpu.matmul.tileK).toBe(8);
    expect(record.matmul).toEqual(DEFAULT_MATMUL);
    expect(record.nodes).toEqual({ n: { matmul: { tileM: 2 } } });
  });
});
