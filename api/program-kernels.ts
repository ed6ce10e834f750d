// A generated program's kernels, as its signature names them (signature.kernels[].node), with the ops each
// computes (compiler/kernel-list.ts) and the ONNX nodes it came from (compiler/kernel-sources.ts): `compile`
// records the sources in the signature, `profile` reports both. Kernel sources are traced from the model as
// imported (before any pass rewrote it) to the graph lowering sees.
import { importOnnx } from '../compiler/onnx/frontend.js';
import type { Graph } from '../compiler/ir/graph.js';
import { listKernels, type KernelInfo } from '../compiler/kernel-list.js';
import { kernelSources } from '../compiler/kernel-sources.js';
import { loweringGraph } from '../codegen/lower.js';
import { TARGET_INFO, type TargetName } from '../codegen/targets.js';
import type { KernelDigest, ProgramSignature } from '../runtime/manifest.js';
import type { ModelSource, OptimizeOptions } from './optimize.js';

export interface ProgramKernels {
  /** In run order, one per signature kernel. */
  kernels: KernelInfo[];
  sources: string[][];
}

/**
 * The kernels of a program generated for `target` from `graph` (the optimized graph of `source`), named as
 * `names` (its signature's) lists them. The graph is lowered here again, after the code generator is done
 * with it.
 */
export function programKernels(source: ModelSource, options: Pick<OptimizeOptions, 'inputShapes' | 'inputValues'>, graph: Graph, target: TargetName, names: readonly string[]): ProgramKernels {
  const info = TARGET_INFO[target];
  const lowered = loweringGraph(graph, info);
  const listed = listKernels(lowered, info.limits);
  // The signature's names are the truth; the kernel list (same rules) adds each one's ops.
  const byName = new Map(listed.map((k) => [k.name, k]));
  const kernels = names.map((name, i) => (listed[i]?.name === name ? listed[i] : byName.get(name)) ?? { name, node: name, ops: [] });
  // The passes rewrote the graph they were given: the model is imported anew, as it is.
  const { graph: imported } = importOnnx(source.bytes, { file: source.file, inputShapes: options.inputShapes ?? {}, inputValues: options.inputValues ?? {} });
  return { kernels, sources: kernelSources(imported, lowered, kernels) };
}

/** `signature` with each kernel's ONNX sources recorded (`sources`, per kernel in run order). */
export function withKernelSources(signature: ProgramSignature, sources: readonly string[][]): ProgramSignature {
  return { ...signature, kernels: signature.kernels.map((k, i): KernelDigest => ({ ...k, sources: [...sources[i]] })) };
}
