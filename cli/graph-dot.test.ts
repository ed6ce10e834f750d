import * as path from 'node:path';
import { dlc } from '../tests/util/run-cli.js';
import { REPO_ROOT } from '../tests/util/repo.js';

const TINY_CNN = path.join(REPO_ROOT, 'models', 'tiny-cnn.onnx');

test('--format dot: nodes by op and name, fused groups as clusters labelled with their kernel', async () => {
  const r = await dlc('inspect', TINY_CNN, '--format', 'dot');
  expect(r.code).toBe(0);
  const dot = r.stdout;
  expect(dot).toMatch(/^digraph "main" \{\n/);
  expect(dot).toContain('  in0 [shape=ellipse, label="image\\nf32[1,3,32,32]"];');
  expect(dot).toContain('  n1 [label="max_pool\\nMaxPool_3"];');
  expect(dot).toContain('  n5 [label="gemm\\nGemm_11\\n(2 const)"];');
  // The flatten launches no kernel: dashed.
  expect(dot).toContain('  n4 [label="flatten\\nFlatten_10", style=dashed];');
  // The conv and the relu fused into one kernel, named after the conv (as inspect --json names it).
  const kernels = JSON.parse((await dlc('inspect', TINY_CNN, '--json')).stdout).kernelList as { name: string; ops: string[] }[];
  const clusters = [...dot.matchAll(/ {2}subgraph (cluster_\w+) \{\n {4}label="kernel ([^"]+)";\n {4}style=rounded;\n((?: {4}\w+ \[.*\];\n)+) {2}\}\n/g)];
  expect(clusters.map((c) => c[2])).toEqual(kernels.filter((k) => k.ops.length > 1).map((k) => k.name));
  expect(clusters[0][3]).toBe('    n0_0 [label="conv\\nBatchNormalization_1/conv\\n(2 const)"];\n    n0_1 [label="relu\\nRelu_2"];\n');
  // Edges run between the members, in and out of the cluster, labelled with the value's type.
  expect(dot).toContain('  in0 -> n0_0 [label="f32[1,3,32,32]"];');
  expect(dot).toContain('  n0_0 -> n0_1 [label="f32[1,8,32,32]"];');
  expect(dot).toContain('  n0_1 -> n1 [label="f32[1,8,32,32]"];');
  expect(dot.trimEnd().endsWith('}')).toBe(true);
  // Every node is declared once.
  const declared = [...dot.matchAll(/^ +((?:in|out|n)\d\w*) \[/gm)].map((m) => m[1]);
  expect(new Set(declared).size).toBe(declared.length);
  expect(declared.filter((id) => id.startsWith('n'))).toHaveLength(11 - 2);
});
