// The loop cases (tests/cases/loop-cases.ts) on every target, after the default pipeline (which unrolls them:
// passes/unroll-loops.ts): each target's outputs match the reference interpreter on the optimized graph, and
// on the original graph, whose Loop and Scan the interpreter runs as loops.
import { compareTensors } from '../../compiler/compare.js';
import { interpret } from '../../compiler/interpreter.js';
import type { Graph } from '../../compiler/ir/graph.js';
import { PassManager } from '../../passes/manager.js';
import { DEFAULT_OPT_LEVEL, optPipeline } from '../../passes/pipelines.js';
import { LOOP_CASES } from '../cases/loop-cases.js';
import { randomFeeds } from '../util/graphs.js';
import { forEachTarget, toleranceOf, type TargetRun } from '../util/targets.js';

/** The case as the targets get it: optimized, with no Loop or Scan left. */
function unrolled(graph: () => Graph): () => Graph {
  return () => {
    const g = new PassManager().run(optPipeline(DEFAULT_OPT_LEVEL), graph());
    const left = [...g.allNodes()].filter((n) => n.op === 'loop' || n.op === 'scan');
    if (left.length) throw new Error(`not unrolled: ${left.map((n) => n.name).join(', ')}`);
    return g;
  };
}

/** The run's outputs against the original graph's, on the same (seeded) inputs the harness fed. */
function matchesOriginal(graph: () => Graph): (run: TargetRun) => void {
  return (run) => {
    const original = graph();
    const want = interpret(original, randomFeeds(original));
    for (const v of original.outputs) {
      expect(compareTensors(run.outputs[v.name], want[v.name], toleranceOf(run.target, v.type.dtype)!).mismatch).toBeUndefined();
    }
  };
}

for (const [name, graph] of Object.entries(LOOP_CASES)) forEachTarget(name, unrolled(graph), { check: matchesOriginal(graph) });
