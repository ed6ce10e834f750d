// Run-time loops on WebGPU (codegen/loop-bodies.ts): the body's dispatches are the same in every iteration (the
// runtime records them once per iteration), so what differs between iterations lives on the GPU: a counter
// word per loop, which a dispatch before the loop sets to "before the first" (0xffffffff) and the body's head
// advances (writing the iteration number where the body reads it). Scan slices are copied by dispatches that
// read the counter for their offset. Nothing is read back for a compile-time trip count; a run-time trip count
// or condition is read back by the runtime (runtime/webgpu-loops.ts).
import { Value } from '../../compiler/ir/graph.js';
import type { LoopFrame, LoopKernels, LoopSpan, SliceAt } from '../loop-bodies.js';
import type { WgslDispatch } from './kernels/kernel.js';
import { Bindings, perInvocation } from './kernels/shader.js';

/**
 * The webgpu target's loop kernels, added to `kernels` (which counts the kernels so far); `spans` receives each
 * loop's span of kernels.
 */
export function loopDispatches(kernels: { push(node: string, dispatches: WgslDispatch[]): void; count(): number }, spans: LoopSpan[]): LoopKernels {
  const counters = new Map<LoopFrame, Value>();
  const counterOf = (frame: LoopFrame) => counters.get(frame)!;
  const add = (node: string, dispatch: WgslDispatch) => kernels.push(node, [dispatch]);
  return {
    begin(frame) {
      const counter = new Value(`${frame.node}/iteration_counter`, { dtype: 'u32', shape: [1] });
      counters.set(frame, counter);
      const b = new Bindings([counter]);
      const body = `  ${b.of(counter)}[0] = 0xffffffffu;`;
      add(frame.node, perInvocation({ bindings: b.list, count: 1, body }));
      spans.push({ first: kernels.count(), last: -1, frame });
    },
    head(frame, iteration) {
      const counter = counterOf(frame);
      const b = new Bindings(iteration ? [counter, iteration] : [counter]);
      const lines = [`  let n = ${b.of(counter)}[0] + 1u;`, `  ${b.of(counter)}[0] = n;`, ...(iteration ? [`  ${b.of(iteration)}[0] = i32(n);`] : [])];
      add(frame.node, perInvocation({ bindings: b.list, count: 1, body: lines.join('\n') }));
    },
    slice(frame, scanned, slice, at, into) {
      const counter = counterOf(frame);
      const b = new Bindings([into ? scanned : slice]);
      const base = `${sliceIndex(`${b.of(counter)}[0]`, at)} * ${at.elements}u + i`;
      const body = into ? `  ${b.of(scanned)}[${base}] = ${b.of(slice)}[i];` : `  ${b.of(slice)}[i] = ${b.of(scanned)}[${base}];`;
      // `body` names every binding before perInvocation reads the list.
      if (at.elements > 0) add(frame.node, perInvocation({ bindings: b.list, count: at.elements, body }));
    },
    end(frame) {
      spans.find((s) => s.frame === frame)!.last = kernels.count() - 1;
    },
  };
}

function sliceIndex(counter: string, at: SliceAt): string {
  return at.reverseOf === undefined ? `(${counter})` : `(${at.reverseOf - 1}u - ${counter})`;
}
