// Measuring candidates on a WebGPU device (in Node, Dawn: cli/webgpu-node.ts): each trial's one-node graph,
// compiled with the candidate as a per-node override, is loaded through the runtime's executor as an artifact
// would be, run once for its outputs, and timed. A run's time includes writing the inputs and reading the
// outputs back, which is the same for every candidate of a workload; the dispatches are what differs.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../codegen/canonical-json.js';
import { loadWebgpuProgram } from '../codegen/wgsl/run-program.js';
import { compileToWebgpu, type Precision, type WebgpuProgram } from '../codegen/wgsl/program.js';
import type { Tensor } from '../compiler/ir/tensor.js';
import { webgpuDevice, type TuningDevice } from './device.js';
import { median, trialOverrides, workloadFeeds, type Measurer, type MeasureOptions, type Trial, type TrialResult } from './measure.js';

export interface WebgpuMeasureOptions {
  /** Timed runs per candidate (the median is its time). */
  runs?: number;
  seed?: number;
  precision?: Precision;
  /** The GPU object's WGSL language features (they pick kernel variants). */
  wgslLanguageFeatures?: ReadonlySet<string>;
}

export class WebgpuMeasurer implements Measurer {
  readonly device: TuningDevice;
  private readonly runs: number;
  private readonly seed: number;
  private readonly precision: Precision;
  private readonly features: ReadonlySet<string>;
  private readonly feeds = new Map<string, Record<string, Tensor>>();

  constructor(private readonly gpu: GPUDevice, options: WebgpuMeasureOptions = {}) {
    this.device = webgpuDevice(gpu);
    this.runs = options.runs ?? 5;
    this.seed = options.seed ?? 1;
    this.precision = options.precision ?? 'f32';
    this.features = options.wgslLanguageFeatures ?? new Set();
  }

  private program(trial: Trial): WebgpuProgram {
    return compileToWebgpu(trial.workload.graph, { schedules: trialOverrides(trial), precision: this.precision });
  }

  fingerprint(trial: Trial): string {
    const p = this.program(trial);
    const hash = createHash('sha256').update(canonicalJson({ modules: p.modules, steps: p.steps, buffers: p.buffers }));
    if (p.weights) hash.update(p.weights.data);
    return hash.digest('hex');
  }

  async measure(trials: readonly Trial[], options: MeasureOptions = {}): Promise<TrialResult[]> {
    const results: TrialResult[] = [];
    for (const trial of trials) results.push(await this.measureOne(trial, this.runs * (options.repeat ?? 1)));
    return results;
  }

  private async measureOne(trial: Trial, runs: number): Promise<TrialResult> {
    const key = trial.workload.key;
    let feeds = this.feeds.get(key);
    if (!feeds) this.feeds.set(key, (feeds = workloadFeeds(trial.workload.graph, this.seed)));
    let loaded: Awaited<ReturnType<typeof loadWebgpuProgram>> | undefined;
    try {
      loaded = await loadWebgpuProgram(this.gpu, this.program(trial), this.features);
      const outputs = await loaded.run(feeds);
      await loaded.run(feeds);
      const samples: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await loaded.run(feeds);
        samples.push(performance.now() - t0);
      }
      return { ms: median(samples), samples, outputs };
    } catch (e) {
      return { error: `run failed: ${(e as Error).message.split('\n')[0]}` };
    } finally {
      await loaded?.release();
    }
  }
}
