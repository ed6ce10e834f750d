// Which concats are written in place by their pieces' producers, and that a wasm program doing so computes what
// the interpreter does (a piece read again after its concat, a piece two concats want, nested concats).
import { TARGET_INFO } from '../codegen/targets.js';
import { fuseOps } from '../passes/fuse-ops.js';
import { buildGraph, mismatches } from '../tests/util/wasm-testing.js';
import { concatsInPlace } from './concat-in-place.js';
import { listKernels } from './kernel-list.js';

const f32 = (...shape: number[]) => ({ dtype: 'f32' as const, shape });

const graph = () =>
  buildGraph({
    inputs: { x: f32(1, 4, 2, 2), z: f32(2, 4, 2), n: f32(1, 3) },
    build: (b, { x, z, n }) => {
      const use = (v: ReturnType<typeof b.emit>[0]) => b.emit('neg', [v])[0];
      const r = b.emit('relu', [x])[0];
      const placed = b.emit('concat', [r, b.emit('sigmoid', [x])[0]], { axis: 1 })[0];
      const withInput = b.emit('concat', [b.emit('exp', [x])[0], x], { axis: 1 })[0];
      const outer = b.emit('concat', [b.emit('neg', [z])[0], b.emit('abs', [z])[0]], { axis: 1 })[0];
      // Pieces of 3 floats (12 bytes) are not whole 16-byte units.
      const narrow = b.emit('concat', [b.emit('relu', [n])[0], b.emit('abs', [n])[0]], { axis: 1 })[0];
      // `r` is already a piece of `placed`, and is read again here, after that concat.
      const again = b.emit('concat', [r, b.emit('tanh', [x])[0]], { axis: 1 })[0];
      const nested = b.emit('concat', [placed, b.emit('cos', [x])[0]], { axis: 1 })[0];
      return [use(placed), use(withInput), use(outer), use(narrow), use(again), use(nested)];
    },
  });

test('contiguous, aligned pieces made by kernels are placed; graph inputs, outer dims, narrow, reused and concat pieces are not', () => {
  const g = graph();
  const placed = concatsInPlace(g);
  expect([...placed].map(([node, offsets]) => [node.inputs.map((v) => v!.name.split('_')[0]), offsets])).toEqual([[['relu', 'sigmoid'], [0, 64]]]);
  const concatKernels = listKernels(g, TARGET_INFO.wasm.limits).filter((k) => k.ops[0] === 'concat');
  expect(concatKernels).toHaveLength(5);
  expect(listKernels(g, TARGET_INFO.webgpu.limits).filter((k) => k.ops[0] === 'concat')).toHaveLength(6);
});

test("a fused group's output is a piece like any other", () => {
  const g = fuseOps(
    buildGraph({
      inputs: { x: f32(1, 4, 2, 2) },
      build: (b, { x }) => [b.emit('neg', [b.emit('concat', [b.emit('exp', [b.emit('relu', [x])[0]])[0], b.emit('abs', [x])[0]], { axis: 1 })[0]])[0]],
    }),
    TARGET_INFO.wasm.limits,
  );
  const concat = g.nodes.find((n) => n.op === 'concat')!;
  expect(g.nodes.filter((n) => n.op === 'fused').map((n) => n.outputs[0])).toContain(concat.inputs[0]);
  expect([...concatsInPlace(g).keys()]).toEqual([concat]);
});

test('the wasm program with a concat written in place matches the interpreter', async () => {
  expect(await mismatches(graph())).toEqual([]);
});
