import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tensor } from '../compiler/ir/tensor.js';
import { printGraph } from '../compiler/ir/printer.js';
import { parseIrFile } from '../compiler/ir/resources.js';
import { importOnnx } from '../compiler/onnx/frontend.js';
import { encodeOnnxModel } from '../compiler/onnx/writer.js';
import { registerPass } from '../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipelineText } from '../passes/pipelines.js';
import { listCases } from '../tests/conformance/cases.js';
import { REAL_MODELS } from '../tests/models/real-models.js';
import { dlc } from '../tests/util/run-cli.js';
import { ZOO } from '../models/zoo.js';
import { REPO_ROOT } from '../tests/util/repo.js';
import { EXIT_INTERNAL, runCli } from './main.js';

// A pass with a bug in it: what an unexpected exception looks like from the command line.
registerPass({
  name: 'test-crash',
  description: 'throws a plain Error',
  options: {},
  create: () => () => {
    throw new TypeError('cannot read properties of undefined');
  },
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** x: f32[N,3] → y = relu(identity(x) + relu(a + b)) with a, b constants (a + b folds). */
function writeModel(): string {
  const file = path.join(tmp, 'model.onnx');
  fs.writeFileSync(
    file,
    encodeOnnxModel({
      inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 3] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 3] }],
      initializers: [
        { name: 'a', tensor: Tensor.fromArray('f32', [3], [1, -2, 3]) },
        { name: 'b', tensor: Tensor.fromArray('f32', [3], [1, 1, 1]) },
      ],
      nodes: [
        { op: 'Add', inputs: ['a', 'b'], outputs: ['ab'] },
        { op: 'Relu', inputs: ['ab'], outputs: ['rab'] },
        { op: 'Identity', inputs: ['x'], outputs: ['xi'] },
        { op: 'Add', inputs: ['xi', 'rab'], outputs: ['s'] },
        { op: 'Relu', inputs: ['s'], outputs: ['y'] },
      ],
    }),
  );
  return file;
}
const model = writeModel();

describe('dlc inspect', () => {
  test('--json reports the optimized model', async () => {
    const r = await dlc('inspect', model, '--input-shape', 'x=2,3', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      inputs: [{ name: 'x', dtype: 'f32', shape: [2, 3] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [2, 3] }],
      // The add and the relu are one fused node: one kernel whose body holds both, counted apart.
      ops: { fused: 1 },
      nodes: 1,
      fusedOps: { add: 1, relu: 1 },
      params: 3,
      paramBytes: 12,
      flops: 12,
      kernels: 1,
      // x and y (24 bytes each) at the fused node.
      peakActivationBytes: 48,
      pipeline: optPipelineText(DEFAULT_OPT_LEVEL),
    });
  });

  test('-O0 leaves the model as imported', async () => {
    const r = await dlc('inspect', model, '--input-shape', 'x=2,3', '--json', '-O0');
    const report = JSON.parse(r.stdout);
    expect(report.ops).toEqual({ add: 2, relu: 2, identity: 1 });
    expect(report.params).toBe(6);
    expect(report.kernels).toBe(4); // the model's own add + relu of constants stays at -O0 (nothing feeds a shape)
    expect(report.pipeline).toBe('');
  });

  test('--passes picks the passes', async () => {
    const r = await dlc('inspect', model, '--input-shape', 'x=2,3', '--json', '--passes', 'remove-identity');
    expect(JSON.parse(r.stdout).ops).toEqual({ add: 2, relu: 2 });
  });

  test('the text report', async () => {
    const r = await dlc('inspect', model, '--input-shape', 'x=2,3', '-O1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('inputs:\n  x: f32[2,3]\noutputs:\n  y: f32[2,3]\n');
    expect(r.stdout).toMatch(/ops: 1 nodes\n {2}fused +1\nin fused groups: 2 nodes\n {2}add +1\n {2}relu +1\n/);
    expect(r.stdout).toContain('params: 3 (12 B)');
    expect(r.stdout).toContain('kernels: 1');
    expect(r.stdout).toContain('peak activation memory: 48 B');
  });

  test('--format dot prints Graphviz', async () => {
    const r = await dlc('inspect', model, '--input-shape', 'x=2,3', '--format', 'dot');
    expect(r.stdout).toMatch(/^digraph "main" \{\n/);
    expect(r.stdout).toContain('in0 [shape=ellipse, label="x\\nf32[2,3]"];');
    // The add and the relu are one fused kernel: a cluster of the two nodes.
    expect(r.stdout).toMatch(/subgraph cluster_g0 \{\n {4}label="kernel [^"]+";\n {4}style=rounded;\n {4}n0_0 \[label="add\\n[^"]*"\];\n {4}n0_1 \[label="relu\\n[^"]*"\];\n {2}\}/);
    expect(r.stdout).toContain('in0 -> n0_0 [label="f32[2,3]"];');
    expect(r.stdout).toContain('n0_1 -> out0');
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
  });

  test('--print-ir-after-all and --timing go to stderr, --dump-ir to files', async () => {
    const dir = path.join(tmp, 'dump');
    const r = await dlc('inspect', model, '--input-shape', 'x=2,3', '-O', '1', '--json', '--print-ir-after-all', '--timing', '--dump-ir', dir, '--verify-each');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).kernels).toBe(1);
    expect(r.stderr).toContain('// -----// IR after fold-constants //----- //\ngraph @main(%x: f32[2,3]) {');
    expect(r.stderr).toMatch(/pass timing:\n.* ms +2× +fold-constants\n/);
    expect(fs.readdirSync(dir)).toContain('006_eliminate-dead-code.ir');
  });

  test('-O0: --print-ir-after-all and --dump-ir show the IR as imported, large constants elided; the dump parses back', async () => {
    const dir = path.join(tmp, 'dump-o0');
    const tinyCnn = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');
    const r = await dlc('inspect', tinyCnn, '-O', '0', '--print-ir-after-all', '--dump-ir', dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\/\/ -----\/\/ IR before any pass \/\/----- \/\/\ngraph @/);
    expect(r.stderr).toMatch(/ = const f32\[\d+,\d+,3,3\] dense<elided>\n/);
    expect(fs.readdirSync(dir)).toEqual(['000_input.ir', 'resources.bin']);
    const dump = path.join(dir, '000_input.ir');
    expect(fs.readFileSync(dump, 'utf8')).toMatch(/ = const f32\[\d+,\d+,3,3\] dense_resource<blob_[0-9a-f]{16}>\n/);
    const imported = importOnnx(fs.readFileSync(tinyCnn), { inputShapes: {}, inputValues: {} }).graph;
    expect(printGraph(parseIrFile(dump))).toBe(printGraph(imported));
    const full = await dlc('inspect', tinyCnn, '-O', '0', '--print-ir-after-all', '--print-constants');
    expect(full.stderr).toMatch(/ = const f32\[\d+,\d+,3,3\] dense<0x[0-9a-f]+>\n/);
  });

  test.each([
    ['squeezenet', []],
    ['transformer-encoder', ['--target', 'webgpu']],
  ])('inspect --json counts the kernels compile reports: zoo %s %j', async (name, target) => {
    const file = path.join(tmp, `${name}.onnx`);
    fs.writeFileSync(file, encodeOnnxModel(ZOO[name]()));
    const report = JSON.parse((await dlc('inspect', file, '--json', ...target)).stdout);
    const compiled = await dlc('compile', file, '-o', path.join(tmp, `${name}-artifact`), ...target);
    expect(compiled.code).toBe(0);
    expect(compiled.stdout).toContain(` ${report.kernels} kernels`);
    // The text report lists what fused groups hold apart from the graph's own ops.
    const text = (await dlc('inspect', file, ...target)).stdout;
    const fusedConvs = report.fusedOps.conv ?? report.fusedOps.matmul;
    expect(text).toMatch(new RegExp(`\\nin fused groups: \\d+ nodes\\n(  .*\\n)*  (conv|matmul) +${fusedConvs}\\n`));
  });

  test('runs a conformance case model', async () => {
    const c = listCases().find((x) => x.name === 'relu')!;
    const r = await dlc('inspect', c.model, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ops: { relu: 1 }, inputs: [{ name: 'x', shape: [3, 4, 5] }], kernels: 1, flops: 60 });
  });

  test.each(REAL_MODELS.filter((m) => m.name === 'ppocr-cls' || m.name === 'oww-hello-deepa'))('real model $name', async (m) => {
    const shapes = Object.entries(m.inputShapes).flatMap(([name, dims]) => ['--input-shape', `${name}=${dims.join(',')}`]);
    const r = await dlc('inspect', m.file, ...shapes, '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.kernels).toBeGreaterThan(5);
    expect(report.flops).toBeGreaterThan(100_000);
    expect(report.symbolic).toBe(false);
    // No shape arithmetic is left once the input shapes are known.
    expect(report.ops.shape).toBeUndefined();
  });
});

describe('dlc errors: one line on stderr, an exit code', () => {
  test.each([
    [['inspect', 'missing.onnx'], 1, /^dlc: missing\.onnx: cannot read model: ENOENT\n$/],
    [['inspect', '<model>'], 1, /^dlc: .*cannot read model/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,3', '--passes', 'nope'], 2, /^dlc: unknown pass 'nope'/],
    [['inspect', 'MODEL', '--input-shape', 'x'], 2, /^dlc: --input-shape 'x' must look like name=d0,d1,...\n$/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,-3'], 2, /^dlc: --input-shape 'x=2,-3': dims must be non-negative integers/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,3', '--input-shape', 'z=2,3'], 2, /^dlc: .*model\.onnx: --input-shape names 'z', which is not an input of the model \(inputs: x\)\n$/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,3,4'], 2, /^dlc: .*model\.onnx: --input-shape x has rank 3, the model declares rank 2\n$/],
    [['inspect', 'MODEL'], 1, /^dlc: .*input 'x' has unresolved dim 0 \('N'\); give its shape with --input-shape x=d0,d1,...\n$/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,3', '-O7'], 2, /^dlc: unknown optimization level -O7/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,3', '-O1', '--passes', 'remove-identity'], 2, /^dlc: give either -O or --passes, not both\n$/],
    [['inspect', 'MODEL', '--json', '--format', 'dot'], 2, /^dlc: --json and --format dot exclude each other\n$/],
    [['inspect', 'MODEL', '--format', 'svg'], 2, /^dlc: option '--format <format>' argument 'svg' is invalid/],
    [['inspect', 'MODEL', '--frobnicate'], 2, /^dlc: unknown option '--frobnicate'\n$/],
    [['inspect'], 2, /^dlc: missing required argument 'model'\n$/],
    [['compile-everything'], 2, /^dlc: unknown command 'compile-everything'\n$/],
    [['inspect', 'MODEL', '--input-shape', 'x=2,3', '--passes', 'test-crash'], EXIT_INTERNAL, /^dlc: internal error: cannot read properties of undefined\n$/],
  ])('%j exits %d', async (args, code, message) => {
    const r = await dlc(...(args as string[]).map((a) => (a === 'MODEL' ? model : a)));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });

  test('a bad model file names the file', async () => {
    const bad = path.join(tmp, 'bad.onnx');
    fs.writeFileSync(bad, 'this is not protobuf');
    const r = await dlc('inspect', bad);
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(`dlc: ${bad}: `)).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('DLC_DEBUG=1 adds the stack of an internal error', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } };
    const code = await runCli(['inspect', model, '--input-shape', 'x=2,3', '--passes', 'test-crash'], io, { DLC_DEBUG: '1' });
    expect(code).toBe(EXIT_INTERNAL);
    expect(stderr).toMatch(/^dlc: internal error: cannot read properties of undefined\nTypeError: cannot read properties of undefined\n {4}at /);
  });

  test('--help prints usage and exits 0', async () => {
    const r = await dlc('inspect', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: dlc inspect [options] <model>');
    expect(r.stdout).toContain('--input-shape <name=d0,d1,...>');
  });

  test('no command prints usage to stderr and exits 2', async () => {
    const r = await dlc();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: dlc [options] [command]');
  });
});
