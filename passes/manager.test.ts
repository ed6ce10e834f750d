import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DlcError } from '../compiler/errors.js';
import { GraphBuilder } from '../compiler/ir/builder.js';
import { Graph, Value } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { printGraph } from '../compiler/ir/printer.js';
import { parseIrFile, RESOURCE_FILE } from '../compiler/ir/resources.js';
import { createPass, PassManager, pipeline, plainContext, registerPass, type Pass } from './manager.js';
import { optPipeline, optPipelineText } from './pipelines.js';
import { parsePipeline, printPipeline } from './pipeline-text.js';

// A pass with options of every type, as `quantize{bits=8}` will have.
registerPass({
  name: 'test-options',
  description: 'returns the graph; records its options',
  options: {
    bits: { type: 'int', default: 8, description: 'an int' },
    scale: { type: 'float', default: 1, description: 'a float' },
    symmetric: { type: 'bool', default: false, description: 'a bool' },
    mode: { type: 'string', default: 'tensor', description: 'a string' },
  },
  create: (options) => (graph) => {
    seenOptions.push(options);
    return graph;
  },
});
const seenOptions: Record<string, unknown>[] = [];

// Appends relu(last output) each run, until the graph has `limit` nodes: converges after a few rounds.
registerPass({
  name: 'test-grow',
  description: 'adds a relu until the graph has `limit` nodes',
  options: { limit: { type: 'int', default: 3, description: 'node count to stop at' } },
  create: (options) => (graph) => {
    if (graph.nodes.length >= (options.limit as number)) return graph;
    const g = new Graph(graph.name, graph.inputs, [], [...graph.nodes], graph.constants);
    const y = new GraphBuilder(g).emit('relu', [graph.outputs[0]])[0];
    g.outputs = [y];
    return g;
  },
});

// Breaks the IR: a node reads a value nothing defines.
registerPass({
  name: 'test-break',
  description: 'makes the graph invalid',
  options: {},
  create: () => (graph) => {
    const g = new Graph(graph.name, graph.inputs, [], [...graph.nodes], graph.constants);
    const ghost = new Value('ghost', { dtype: 'f32', shape: [2] });
    g.outputs = [new GraphBuilder(g).emit('relu', [ghost])[0]];
    return g;
  },
});

function addRelu(withIdentity = false): Graph {
  const x = new Value('x', { dtype: 'f32', shape: [2] });
  const g = new Graph('main', [x]);
  const b = new GraphBuilder(g);
  const c = b.constant(Tensor.fromArray('f32', [2], [1, -5]));
  const [s] = b.emit('add', [x, c]);
  const [y] = b.emit('relu', [withIdentity ? b.emit('identity', [s])[0] : s]);
  g.outputs = [y];
  return g;
}

describe('pipeline text', () => {
  test.each([
    'fold-constants,eliminate-dead-code',
    'fixpoint(fold-constants,fold-shape-arithmetic,remove-identity,eliminate-dead-code)',
    'fixpoint{max-iterations=3}(fold-constants{size-limit=100},remove-identity)',
    'test-options{bits=4 scale=0.5 symmetric=true mode=channel}',
    'test-options{mode="a b"}',
    '',
  ])('%j round-trips', (text) => {
    expect(printPipeline(parsePipeline(text))).toBe(text);
  });

  test('accepts spaces and commas, prints the canonical form', () => {
    const p = parsePipeline(' test-options{ symmetric=true, bits=4 } , eliminate-dead-code ');
    expect(printPipeline(p)).toBe('test-options{bits=4 symmetric=true},eliminate-dead-code');
  });

  test('options reach the pass typed, with defaults for the rest', () => {
    seenOptions.length = 0;
    const p = parsePipeline('test-options{bits=4 symmetric=true}');
    p.run(addRelu(), plainContext());
    expect(seenOptions).toEqual([{ bits: 4, scale: 1, symmetric: true, mode: 'tensor' }]);
  });

  test.each([
    ['no-such-pass', /unknown pass 'no-such-pass'/],
    ['test-options{bits=x}', /option 'bits' of pass 'test-options' must be an int, got 'x'/],
    ['test-options{bits=1.5}', /must be an int/],
    ['test-options{symmetric=yes}', /must be a bool/],
    ['test-options{width=3}', /has no option 'width'/],
    ['test-options{bits=3', /expected '}'/],
    ['test-options{bits}', /expected '=' after option 'bits'/],
    ['test-options{bits=1 bits=2}', /given twice/],
    ['fold-constants(remove-identity)', /takes no nested passes/],
    ['fixpoint(remove-identity', /expected '\)'/],
    ['fold-constants,,remove-identity', /expected a pass name at column 16/],
    ['fold-constants remove-identity', /unexpected 'r'/],
  ])('%j is a usage error', (text, message) => {
    let error: unknown;
    try {
      parsePipeline(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DlcError);
    expect((error as DlcError).exitCode).toBe(2);
    expect((error as DlcError).message).toMatch(message);
  });
});

describe('pass manager', () => {
  test('a pipeline is a pass: children run in order, nested pipelines too', () => {
    const order: string[] = [];
    const mark = (name: string): Pass => ({ name, options: {}, run: (g) => (order.push(name), g) });
    const p = pipeline([mark('a'), pipeline([mark('b'), mark('c')]), mark('d')]);
    new PassManager().run(p, addRelu());
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  test('fixpoint repeats until the graph stops changing', () => {
    const timings = new PassManager({ timing: true });
    const out = timings.run(parsePipeline('fixpoint(test-grow{limit=5})'), addRelu());
    expect(out.nodes.map((n) => n.op)).toEqual(['add', 'relu', 'relu', 'relu', 'relu']);
    // 3 growing rounds and one that changes nothing.
    expect(timings.timingSummary()).toEqual([{ pass: 'test-grow', runs: 4, ms: expect.any(Number) }]);
  });

  test('fixpoint stops after max-iterations and warns', () => {
    const warnings: string[] = [];
    const out = new PassManager({ warn: (m) => warnings.push(m) }).run(parsePipeline('fixpoint{max-iterations=2}(test-grow{limit=9})'), addRelu());
    expect(out.nodes).toHaveLength(4);
    expect(warnings).toEqual(['fixpoint: the graph still changed after 2 rounds']);
  });

  test('print-ir-after-all prints the input, then each leaf pass with its name', () => {
    const printed: string[] = [];
    const manager = new PassManager({ printIrAfterAll: (t) => printed.push(t) });
    manager.run(parsePipeline('remove-identity,eliminate-dead-code'), addRelu());
    expect(printed).toHaveLength(3);
    expect(printed[0]).toMatch(/^\/\/ -----\/\/ IR before any pass \/\/----- \/\/\ngraph @main\(%x: f32\[2\]\) \{/);
    expect(printed[1]).toMatch(/^\/\/ -----\/\/ IR after remove-identity \/\/----- \/\/\ngraph @main\(%x: f32\[2\]\) \{/);
    expect(printed[2]).toContain('IR after eliminate-dead-code');
    expect(printed[2]).toContain('= relu(');
    // A second run of the same manager (quantization runs two pipelines) continues after the passes.
    manager.run(parsePipeline('remove-identity'), addRelu());
    expect(printed.slice(3).map((t) => t.split('\n')[0])).toEqual(['// -----// IR after remove-identity //----- //']);
    // An empty pipeline (-O0) still shows the input.
    const o0: string[] = [];
    new PassManager({ printIrAfterAll: (t) => o0.push(t) }).run(parsePipeline(''), addRelu());
    expect(o0).toEqual([`// -----// IR before any pass //----- //\n${printGraph(addRelu())}`]);
  });

  test('print-ir-after-all elides large constants unless printConstants', () => {
    const big = () => {
      const g = addRelu();
      const b = new GraphBuilder(g);
      const w = b.constant(Tensor.fromArray('f32', [64], Array.from({ length: 64 }, (_, i) => i)));
      g.outputs = [b.emit('add', [b.emit('tile', [g.outputs[0], b.constant(Tensor.fromArray('i64', [1], [32]))])[0], w])[0]];
      return g;
    };
    const printed: string[] = [];
    new PassManager({ printIrAfterAll: (t) => printed.push(t) }).run(parsePipeline(''), big());
    expect(printed[0]).toContain('const f32[64] dense<elided>');
    const full: string[] = [];
    new PassManager({ printIrAfterAll: (t) => full.push(t), printConstants: true }).run(parsePipeline(''), big());
    expect(full[0]).toContain('const f32[64] dense<0x0000000000');
  });

  test('dump-ir writes numbered files, one per pass run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-dump-'));
    const target = path.join(dir, 'nested', 'ir');
    new PassManager({ dumpIrDir: target }).run(optPipeline(1), addRelu(true));
    const files = fs.readdirSync(target).sort();
    // The simplification fixpoint runs its six passes twice: once changing the graph, once to confirm; QDQ folding,
    // legalization and fusion end -O1.
    expect(files).toEqual([
      '000_input.ir',
      '001_fold-constants.ir', '002_fold-if.ir', '003_unroll-loops.ir', '004_fold-shape-arithmetic.ir', '005_remove-identity.ir', '006_eliminate-dead-code.ir',
      '007_fold-constants.ir', '008_fold-if.ir', '009_unroll-loops.ir', '010_fold-shape-arithmetic.ir', '011_remove-identity.ir', '012_eliminate-dead-code.ir',
      '013_fold-qdq.ir', '014_legalize.ir', '015_fuse-ops.ir', RESOURCE_FILE,
    ]);
    expect(fs.readFileSync(path.join(target, files[0]), 'utf8')).toBe(printGraph(addRelu(true)));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('dump-ir keeps large constants in one resource file, each once, and the dumps parse back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-dump-'));
    const x = new Value('x', { dtype: 'f32', shape: [1, 4, 6, 6] });
    const g = new Graph('main', [x]);
    const b = new GraphBuilder(g);
    const w = b.constant(Tensor.fromArray('f32', [8, 4, 3, 3], Array.from({ length: 288 }, (_, i) => Math.sin(i))));
    const scale = b.constant(Tensor.fromArray('f32', [8, 1, 1, 1], Array.from({ length: 8 }, (_, i) => i / 3)));
    // fold-constants folds w·scale into a new weight: the dumps hold two blobs, the weight and the folded one.
    const [ws] = b.emit('mul', [w, scale]);
    g.outputs = b.emit('relu', [b.emit('conv', [x, ws], { pads: [1, 1, 1, 1] })[0]]);
    // Left over from an earlier run into the directory: the resource file starts afresh.
    fs.writeFileSync(path.join(dir, RESOURCE_FILE), 'stale');
    const manager = new PassManager({ dumpIrDir: dir });
    const result = manager.run(optPipeline(1), g);
    const dumps = fs.readdirSync(dir).filter((f) => f.endsWith('.ir')).sort();
    const input = fs.readFileSync(path.join(dir, dumps[0]), 'utf8');
    expect(input).toMatch(/^\/\/ dense_resource data: resources.bin\n/);
    expect(input).toMatch(/const f32\[8,4,3,3\] dense_resource<blob_[0-9a-f]{16}>/);
    expect(fs.statSync(path.join(dir, RESOURCE_FILE)).size).toBe(2 * (16 + 4 + 288 * 4));
    expect(printGraph(parseIrFile(path.join(dir, dumps[0])))).toBe(printGraph(g));
    expect(printGraph(parseIrFile(path.join(dir, dumps[dumps.length - 1])))).toBe(printGraph(result));
    for (const f of dumps) expect(parseIrFile(path.join(dir, f)).nodes.length).toBeGreaterThan(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('verify-each names the pass that broke the IR', () => {
    const run = () => new PassManager({ verifyEach: true }).run(parsePipeline('remove-identity,test-break'), addRelu());
    expect(run).toThrow(/IR verification failed after pass 'test-break'/);
    // Without verification the broken graph goes through unnoticed.
    expect(() => new PassManager().run(parsePipeline('test-break'), addRelu())).not.toThrow();
  });

  test('passes are pure: the input graph is left as it was', () => {
    const g = addRelu();
    const before = g.nodes.map((n) => n.op);
    new PassManager({ verifyEach: true }).run(parsePipeline('fold-constants,remove-identity,eliminate-dead-code'), g);
    expect(g.nodes.map((n) => n.op)).toEqual(before);
  });

  test('-O levels are named pipelines', () => {
    expect(optPipelineText(0)).toBe('');
    expect(optPipelineText(1)).toBe('fixpoint(fold-constants,fold-if,unroll-loops,fold-shape-arithmetic,remove-identity,eliminate-dead-code),fold-qdq,legalize,fuse-ops');
    expect(optPipelineText(2).startsWith('fixpoint(fold-constants,fold-if,unroll-loops,fold-shape-arithmetic,remove-identity,eliminate-dead-code),')).toBe(true);
    expect(optPipelineText(2).endsWith(',fuse-horizontal,fuse-ops')).toBe(true);
    expect(optPipelineText(3)).toBe(optPipelineText(2));
    expect(() => optPipelineText(4)).toThrow(/unknown optimization level -O4/);
  });

  test('createPass checks options against the schema', () => {
    expect(() => createPass('test-options', { bits: 'eight' })).toThrow(/must be an int/);
    expect(createPass('test-options', { bits: 2 }).options).toEqual({ bits: 2 });
  });
});
