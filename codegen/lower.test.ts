// The lowering driver's contract, on both targets: a fused group lowers as the one kernel fuse-ops decided (a
// group formed for looser limits than the target's is an error, not a silent re-partition), and what a target
// cannot run ends in one DlcError naming the node, the op and the target.
import type { Graph } from '../compiler/ir/graph.js';
import { Tensor } from '../compiler/ir/tensor.js';
import { fuseOps } from '../passes/fuse-ops.js';
import { rejectionOf } from '../tests/util/errors.js';
import { buildGraph } from '../tests/util/graphs.js';
import { TARGET_INFO, type TargetName } from './targets.js';
import { compileToWasm } from './wasm/program.js';
import { compileToWebgpu } from './wgsl/program.js';

const COMPILE: Record<TargetName, (g: Graph) => Promise<unknown>> = {
  wasm: (g) => compileToWasm(g),
  webgpu: async (g) => compileToWebgpu(g),
};

/** x + a + b + … over nine distinct operands: one element-wise group binds ten tensors. */
function wideSum(): Graph {
  const names = ['x', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  return buildGraph({
    inputs: Object.fromEntries(names.map((n) => [n, { dtype: 'f32' as const, shape: [4, 4] }])),
    build: (b, v) => [names.slice(1).reduce((acc, n) => b.emit('add', [acc, v[n]])[0], v.x)],
  });
}

describe('lowering', () => {
  test('a group fused within the wasm limits is one kernel on wasm, and refused by webgpu, whose limit it exceeds', async () => {
    const fused = fuseOps(wideSum(), TARGET_INFO.wasm.limits);
    expect(fused.nodes.map((n) => n.op)).toEqual(['fused']);
    expect((await compileToWasm(fused)).kernels).toBe(1);
    const err = await rejectionOf(COMPILE.webgpu(fused));
    expect(err.message).toMatch(/fused group '.*' \(add, add, .*\) is not one kernel within the webgpu target's limits; run fuse-ops for this target/);
  });

  test('fuse-ops for webgpu splits the same chain into groups within its 8 bindings', async () => {
    const fused = fuseOps(wideSum(), TARGET_INFO.webgpu.limits);
    expect(fused.nodes.length).toBeGreaterThan(1);
    expect(compileToWebgpu(fused).kernels).toBe(fused.nodes.length);
  });

  for (const target of ['wasm', 'webgpu'] as const) {
    test(`${target}: an op whose form the target has no kernel for names the target and the form`, async () => {
      const g = buildGraph({
        inputs: { x: { dtype: 'f32', shape: [2, 5] } },
        build: (b, { x }) => [b.emit('pad', [x, b.constant(Tensor.fromArray('i64', [4], [0, 1, 0, 1]))], { mode: 'wrap' })[0]],
      });
      const err = await rejectionOf(COMPILE[target](g));
      expect(err.message).toMatch(new RegExp(`op pad: op pad is not supported by the ${target} target: pad mode 'wrap'`));
    });
  }
});
