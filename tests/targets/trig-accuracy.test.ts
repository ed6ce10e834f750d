// sin and cos to a few f32 ulps on every target. WGSL promises its builtins only to 2⁻¹¹ absolute on [−π, π]
// and SwiftShader's were off by 1.9e-4 over [−20, 20]: inside the f32 bound where |sin| is near 1, but a conv
// after a cos sums such errors beyond it (the whole-path fuzzer found it on a ResNet and a transformer).
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { buildGraph, randomFeeds } from '../util/graphs.js';
import { forEachTarget } from '../util/targets.js';

const graph = () =>
  buildGraph({
    inputs: { x: { dtype: 'f32', shape: [64, 64] } },
    build: (b, { x }) => {
      const wide = b.emit('mul', [x, b.constant(Tensor.scalar('f32', 20))])[0];
      return [b.emit('sin', [wide])[0], b.emit('cos', [wide])[0]];
    },
  });

forEachTarget('sin and cos over [−20, 20] to 1e-6 absolute', graph, {
  check(run) {
    const g = graph();
    const want = interpret(g, randomFeeds(g, 1));
    for (const v of g.outputs) expect(compareTensors(run.outputs[v.name], want[v.name], { atol: 1e-6, rtol: 0 }).mismatch).toBeUndefined();
  },
});
