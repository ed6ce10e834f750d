// The graph network computes what dlc's reference interpreter computes for the graph, a batch at a time,
// and writes trained values back into a copy of the graph with nothing else changed.
import { loadMnist, MNIST_PIXELS } from '../../accuracy/mnist.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph, Value } from '../../compiler/ir/graph.js';
import { Tensor } from '../../compiler/ir/tensor.js';
import { seededRandom } from '../../compiler/random.js';
import { trainedNodes } from './backward.js';
import { GraphNetwork } from './graph-network.js';
import { convNet, optimizedLenet, stridedNet } from './testing.js';

/** The interpreter's logits (the last trained node's output, before any final softmax) for one sample. */
function interpretedLogits(graph: Graph, sample: Float32Array): Float32Array {
  const nodes = trainedNodes(graph);
  const logits = nodes[nodes.length - 1].outputs[0];
  let seen: Tensor | undefined;
  const input = graph.inputs[0];
  interpret(graph, { [input.name]: new Tensor('f32', input.type.shape as number[], sample) }, { observe: (v: Value, t) => v === logits && (seen = t) });
  return Float32Array.from(seen!.data as Float32Array);
}

/** The largest difference between the network's logits for a batch and the interpreter's, sample by sample. */
function largestDifference(graph: Graph, samples: Float32Array, count: number): number {
  const network = new GraphNetwork(graph);
  const logits = network.net.forward(samples, count);
  let largest = 0;
  for (let s = 0; s < count; s++) {
    const expected = interpretedLogits(graph, samples.slice(s * network.inSize, (s + 1) * network.inSize));
    expected.forEach((e, k) => (largest = Math.max(largest, Math.abs(e - logits[s * network.classes + k]))));
  }
  return largest;
}

describe("the graph network's forward pass is the interpreter's", () => {
  const digits = loadMnist('test').images.subarray(0, 4 * MNIST_PIXELS);

  test.each(['lenet-300-100', 'lenet-5'] as const)('%s on four held-out digits, as one batch', (name) => {
    expect(largestDifference(optimizedLenet(name), digits, 4)).toBeLessThan(1e-4);
  });

  test.each([['convNet', convNet], ['stridedNet', stridedNet]] as const)('%s on three random samples', (_, build) => {
    const graph = build();
    const random = seededRandom(3);
    const size = new GraphNetwork(graph).inSize;
    expect(largestDifference(graph, Float32Array.from({ length: 3 * size }, () => random()), 3)).toBeLessThan(1e-5);
  });
});

describe('writeBack', () => {
  test('a copy with the Params’ values in the constants; names, nodes and the original graph unchanged', () => {
    const graph = optimizedLenet('lenet-300-100');
    const before = graph.constants.map((v) => Float32Array.from(v.data!.data as Float32Array));
    const network = new GraphNetwork(graph);
    expect([...network.params.keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    network.params.get('fc2.bias')!.value.fill(0.5);

    const written = network.writeBack();
    expect(written).not.toBe(graph);
    expect(written.nodes.map((n) => [n.op, n.name, n.inputs.map((v) => v?.name), n.outputs.map((v) => v.name)])).toEqual(
      graph.nodes.map((n) => [n.op, n.name, n.inputs.map((v) => v?.name), n.outputs.map((v) => v.name)]),
    );
    expect(written.constants.map((v) => [v.name, v.type])).toEqual(graph.constants.map((v) => [v.name, v.type]));
    const fc2Bias = written.constants.find((v) => v.name === 'fc2.bias')!;
    expect(Array.from(fc2Bias.data!.data)).toEqual(new Array(100).fill(0.5));
    expect(written.nodes[3].inputs[2]).toBe(fc2Bias);
    expect(graph.constants.every((v, i) => (v.data!.data as Float32Array).every((x, k) => x === before[i][k]))).toBe(true);
    // The written graph owns its data: training on does not change it.
    network.params.get('fc2.bias')!.value.fill(0);
    expect(fc2Bias.data!.data[0]).toBe(0.5);
  });
});
