// Kernels with two variants in a webgpu artifact (the int8 ones: dot4I8Packed, and core WGSL): the manifest
// names what the preferred module requires and its fallback, lists the i8x4-packed weight ranges, and the
// runtime runs the preferred modules only where the given WGSL language features include the requirement.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildWebgpuArtifact, writeArtifactDir } from '../codegen/artifact.js';
import { compileToWebgpu } from '../codegen/wgsl/program.js';
import { nodeGpuDevice, nodeWgslLanguageFeatures } from '../cli/webgpu-node.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { buildGraph } from '../tests/util/graphs.js';
import { loadModel } from './index.js';
import { parseManifest, type WebgpuManifest } from './manifest.js';
import { modulesToRun } from './webgpu-executor.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-webgpu-variants-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FEATURE = 'packed_4x8_integer_dot_product';

/** y = conv_integer(x, w, 2): i8 weights [3, 2, 2, 2], u8 x [1, 2, 3, 3]. */
function artifact(name: string): string {
  const graph = buildGraph({
    inputs: { x: { dtype: 'u8', shape: [1, 2, 3, 3] } },
    build: (b, { x }) => [b.emit('conv_integer', [x, b.constant(Tensor.fromArray('i8', [3, 2, 2, 2], Array.from({ length: 24 }, (_, i) => ((i * 37) % 256) - 128))), b.constant(Tensor.scalar('u8', 2))])[0]],
  });
  const dir = path.join(tmp, name);
  writeArtifactDir(dir, buildWebgpuArtifact(compileToWebgpu(graph), {}));
  return dir;
}

const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const m = manifestOf(dir);
  edit(m);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
}

/** The reference sums: Σ (x − 2)·w over each 2×2 window of both channels. */
function reference(x: Uint8Array): number[] {
  const w = Array.from({ length: 24 }, (_, i) => ((i * 37) % 256) - 128);
  const out: number[] = [];
  for (let m = 0; m < 3; m++) {
    for (let oh = 0; oh < 2; oh++) {
      for (let ow = 0; ow < 2; ow++) {
        let s = 0;
        for (let c = 0; c < 2; c++) for (let kh = 0; kh < 2; kh++) for (let kw = 0; kw < 2; kw++) s += (x[c * 9 + (oh + kh) * 3 + ow + kw] - 2) * w[((m * 2 + c) * 2 + kh) * 2 + kw];
        out.push(s);
      }
    }
  }
  return out;
}

describe('webgpu artifacts with kernel variants', () => {
  const dir = artifact('int8');

  test('the manifest names the preferred module’s requirement and fallback, and the packed weight range', () => {
    const m = manifestOf(dir);
    const preferred = m.modules.filter((x: any) => x.requires);
    expect(preferred).toEqual([{ access: ['read', 'read', 'read', 'read_write'], requires: [FEATURE], fallback: 0 }]);
    expect(m.modules[0].requires).toBeUndefined();
    expect(m.steps.map((s: any) => s.module)).toEqual([1]);
    // Three channels of 8 weights: two words each.
    expect(m.weights.encodings).toEqual([{ offset: 0, bytes: 24, encoding: 'i8x4' }]);
  });

  test('the runtime runs dot4 where the features list it and the fallback elsewhere, with equal exact sums', async () => {
    const x = Uint8Array.from({ length: 18 }, (_, i) => (i * 53) % 256);
    const device = await nodeGpuDevice();
    const dawn = await nodeWgslLanguageFeatures();
    for (const features of [dawn, new Set<string>()]) {
      const session = await loadModel(dir, { device, wgslLanguageFeatures: features });
      expect(Array.from((await session.run({ x }))[session.outputs[0].name] as Int32Array)).toEqual(reference(x));
      await session.release();
    }
    const manifest = parseManifest(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'), dir) as WebgpuManifest;
    expect(modulesToRun(manifest, new Set([FEATURE]))).toEqual([1]);
    expect(modulesToRun(manifest, new Set(['some_other_feature']))).toEqual([0]);
  });

  test.each([
    ['a fallback that is not a module', (m: any) => (m.modules[1].fallback = 7)],
    ['a fallback with other bindings', (m: any) => (m.modules[0].access = ['read'])],
    ['a fallback that itself requires a feature', (m: any) => (m.modules[0].requires = [FEATURE])],
    ['requires that is not a list of names', (m: any) => (m.modules[1].requires = FEATURE)],
  ])('a manifest with %s is refused', (what, edit) => {
    const bad = artifact(`bad-${what.replace(/\W/g, '')}`);
    editManifest(bad, edit);
    expect(() => parseManifest(fs.readFileSync(path.join(bad, 'manifest.json'), 'utf8'), bad)).toThrow(/module \d: requires must list WGSL language features and fallback name a module/);
  });

  test('packed weight ranges outside the weights are refused', () => {
    const bad = artifact('bad-encodings');
    editManifest(bad, (m) => (m.weights.encodings[0].bytes = 1 << 20));
    expect(() => parseManifest(fs.readFileSync(path.join(bad, 'manifest.json'), 'utf8'), bad)).toThrow("weights.encodings must list {offset, bytes, encoding: 'i8x4'} ranges within the weights");
  });
});
