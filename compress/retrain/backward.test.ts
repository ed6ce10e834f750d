// The backward rules: the graph network's parameter gradients against central finite differences of its
// loss, and unsupportedNode's verdicts.
import { softmaxCrossEntropy } from '../../accuracy/train/loss.js';
import { DlcError } from '../../compiler/errors.js';
import { GraphBuilder } from '../../compiler/ir/builder.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { seededRandom } from '../../compiler/random.js';
import { unsupportedNode } from './backward.js';
import { GraphNetwork } from './graph-network.js';
import { convNet, optimizedLenet, stridedNet } from './testing.js';

/**
 * Every parameter's gradient of the softmax cross-entropy of a batch of three samples, against the central
 * difference (L(w + ε) − L(w − ε)) / 2ε. ReLU and max pooling have kinks a step may cross, hence the
 * tolerance; ReLUs also zero partial derivatives, but at least a quarter of each Param's must be nonzero.
 */
function checkGradients(graph: Graph): void {
  const network = new GraphNetwork(graph);
  const { net, classes } = network;
  const random = seededRandom(7);
  const batch = 3;
  const x = Float32Array.from({ length: batch * network.inSize }, () => random());
  const labels = [0, classes - 1, 1];
  const loss = () => softmaxCrossEntropy(net.forward(x, batch), labels, batch, classes).loss;
  net.backward(softmaxCrossEntropy(net.forward(x, batch), labels, batch, classes).grad, batch);
  const eps = 1e-3;
  for (const p of net.params) {
    let nonzero = 0;
    for (let i = 0; i < p.value.length; i++) {
      const keep = p.value[i];
      p.value[i] = keep + eps;
      const up = loss();
      p.value[i] = keep - eps;
      const down = loss();
      p.value[i] = keep;
      const numeric = (up - down) / (2 * eps);
      expect(Math.abs(p.grad[i] - numeric)).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
      if (numeric !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThanOrEqual(p.value.length / 4);
  }
}

describe('parameter gradients match finite differences', () => {
  test('conv (pad 1, bias) → relu → max_pool → flatten → gemm (transB) → relu → gemm (α, β, C [1,4])', () => {
    const graph = convNet();
    expect(new GraphNetwork(graph).net.params.map((p) => p.shape)).toEqual([[3, 2, 3, 3], [3], [5, 27], [5], [5, 4], [1, 4]]);
    checkGradients(graph);
  });

  test('two images a sample: strided conv without bias → relu → reshape → gemm (transA, two rows) → matmul → add, softmax left to the loss', () => {
    const graph = stridedNet();
    expect(new GraphNetwork(graph).net.params.map((p) => p.shape)).toEqual([[2, 1, 3, 3], [32, 6], [12, 3], [3]]);
    checkGradients(graph);
  });
});

describe('unsupportedNode', () => {
  test('the LeNets as optimize gives them are trainable', () => {
    expect(unsupportedNode(optimizedLenet('lenet-300-100'))).toBeUndefined();
    expect(unsupportedNode(optimizedLenet('lenet-5'))).toBeUndefined();
  });

  /** convNet with its output passed through `op`. */
  const withFinal = (op: string, attrs = {}) => {
    const graph = convNet();
    graph.outputs = new GraphBuilder(graph).emit(op, graph.outputs, attrs);
    return graph;
  };

  test('names the first node whose op has no backward rule', () => {
    const graph = withFinal('sigmoid');
    const sigmoid = graph.nodes[graph.nodes.length - 1];
    expect(unsupportedNode(graph)).toEqual({ node: sigmoid.name, op: 'sigmoid', reason: 'no backward rule for this op' });
    expect(() => new GraphNetwork(graph)).toThrow(DlcError);
    expect(() => new GraphNetwork(graph)).toThrow(`node '${sigmoid.name}', op sigmoid: cannot be retrained: no backward rule for this op`);
  });

  test('a final softmax or log_softmax over the classes is left to the loss; one elsewhere is not', () => {
    expect(unsupportedNode(withFinal('log_softmax'))).toBeUndefined();
    expect(unsupportedNode(withFinal('softmax', { axis: 0 }))).toMatchObject({ op: 'softmax', reason: expect.stringContaining('only at the end of the graph, over the class axis') });
    const graph = withFinal('log_softmax');
    graph.outputs = new GraphBuilder(graph).emit('relu', graph.outputs);
    expect(unsupportedNode(graph)).toMatchObject({ op: 'log_softmax' });
  });

  test('an attribute the rule does not handle, and a branch off the chain', () => {
    const grouped = convNet();
    grouped.nodes[0].attrs.group = 2;
    expect(unsupportedNode(grouped)).toMatchObject({ op: 'conv', reason: 'it has 2 groups' });

    const branched = convNet();
    const relu = branched.nodes[1];
    new GraphBuilder(branched).emit('sigmoid', [relu.outputs[0]]);
    expect(unsupportedNode(branched)).toMatchObject({ node: branched.nodes[2].name, op: 'max_pool', reason: expect.stringContaining('read by other nodes as well') });
  });
});
