// Weight compression as the library does it: the f32 graph after the -O pipeline's optimizations is
// compressed by the techniques asked for (low-rank, pruning, ternary, weight sharing), within an accuracy
// budget when an evaluation set is given, and retrained on a labelled data set when one is given and every op
// of the model has a backward rule. The artifact then ships the weights entropy-coded (codegen/weights).
import { readDataset, type Dataset } from '../accuracy/dataset.js';
import { datasetGuard, type GuardBackend, type GuardEngine } from '../accuracy/guard.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import type { Graph } from '../compiler/ir/graph.js';
import { compressGraph, type CompressedModel, type Retrainer } from '../compress/compress-graph.js';
import { unsupportedNode } from '../compress/retrain/backward.js';
import { retrain } from '../compress/retrain/retrain.js';
import { parseCompressions } from '../compress/techniques.js';
import { guardRecognizer, type QuantizationOptions } from './quantize.js';

export interface CompressionOptions {
  /** Names of COMPRESSIONS: deep, prune, share, lowrank, ternary. */
  techniques: readonly string[];
  /** A labelled data-set folder (or one already read) to retrain on after each lossy step. */
  finetune?: string | Dataset;
  /** Epochs of each retraining (2 by default). */
  finetuneEpochs?: number;
  /**
   * Samples each retraining epoch visits (all by default): each round draws them afresh from the whole set,
   * so that a large set (60,000 digits) gives many rounds of retraining in a bounded time.
   */
  finetuneSamples?: number;
  /** The accuracy budget and the data it is measured on (as for quantization). */
  guard?: QuantizationOptions['guard'];
  /**
   * Where the guard runs candidates: 'wasm' (the default) on the f32 model's compiled kernels with each
   * candidate's weights, falling back to the interpreter for candidates whose program differs (low-rank);
   * 'reference' in the interpreter. `compile` and `eval` prepare the wasm engine; `inspect` and `optimize`,
   * synchronous, always interpret.
   */
  guardBackend?: GuardBackend;
  /** The engine prepared for the wasm backend (api/guard-engine.ts; compile sets it). */
  guardEngine?: GuardEngine;
}

/**
 * Retraining's recipe, what recovered most of LeNet-300-100's top-1 after pruning to 8–12 % density (measured
 * on the held-out digits: lr 0.003–0.01 within 0.15 points of each other): SGD at 0.005 decayed by 0.8 per
 * epoch, weight decay 5e-4, and for images of one channel the random shifts of ±1 pixel the model was trained
 * with (fine-tuning on 8,000 digits without them overfits). Centroids gather the gradients of all their
 * members (Han et al.), so they step at a fifth of that rate.
 */
const RETRAIN = { learningRate: 0.005, decay: 0.8, weightDecay: 5e-4, maxShift: 1, centroidRateFactor: 0.2, seed: 1 };
const DEFAULT_EPOCHS = 2;

export function compressOptimizedGraph(graph: Graph, options: CompressionOptions): CompressedModel {
  const techniques = parseCompressions(options.techniques);
  const open = (d: string | Dataset) => (typeof d === 'string' ? readDataset(d, graph.inputs.map((v) => ({ name: v.name, shape: v.type.shape, dtype: v.type.dtype }))) : d);
  const g = options.guard;
  const guard = g ? datasetGuard(graph, open(g.data), { metric: g.metric, maxDrop: g.maxAccuracyDrop, minSqnrDb: g.minSqnrDb, limit: g.limit, keys: g.keys, engine: options.guardEngine, recognizer: guardRecognizer(g.recognizer) }) : undefined;
  let retrainer: Retrainer | undefined;
  let postTrainingReason: string | undefined;
  if (options.finetune !== undefined) {
    const missing = unsupportedNode(graph);
    if (missing) postTrainingReason = `node '${missing.node}' (${missing.op}) cannot be retrained: ${missing.reason}`;
    else retrainer = datasetRetrainer(graph, open(options.finetune), options.finetuneEpochs ?? DEFAULT_EPOCHS, options.finetuneSamples);
  }
  return compressGraph(graph, { techniques, guard, retrainer, postTrainingReason });
}

/** Retraining on a labelled data set of one input (its samples stacked into one training batch source). */
function datasetRetrainer(graph: Graph, data: Dataset, epochs: number, samplesPerEpoch?: number): Retrainer {
  const where = data.dir;
  if (!data.labels || !(data.labels instanceof Int32Array)) throw new DlcError('the fine-tuning data set needs integer labels (labels.npy)', { file: where });
  if (graph.inputs.length !== 1) throw new UsageError(`fine-tuning needs a model of one input, this one has ${graph.inputs.length}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new UsageError(`the fine-tuning epochs must be a positive integer, got ${epochs}`);
  if (samplesPerEpoch !== undefined && (!Number.isInteger(samplesPerEpoch) || samplesPerEpoch < 1)) throw new UsageError(`the fine-tuning samples per epoch must be a positive integer, got ${samplesPerEpoch}`);
  const name = graph.inputs[0].name;
  const first = data.sample(0)[name];
  const images = new Float32Array(data.count * first.size);
  for (let i = 0; i < data.count; i++) images.set(data.sample(i)[name].data as Float32Array, i * first.size);
  const set = { count: data.count, images, labels: data.labels };
  const shape = graph.inputs[0].type.shape;
  const oneChannelImages = shape.length === 4 && shape[0] === 1 && shape[1] === 1 && shape[2] === shape[3];
  const visits = Math.min(data.count, samplesPerEpoch ?? data.count);
  // Each round takes the next seed: with samplesPerEpoch below the set's size, rounds see other samples.
  let round = 0;
  return {
    describe: `${epochs} epoch${epochs === 1 ? '' : 's'} of masked retraining / centroid fine-tuning after each stage on ${where} (${visits < data.count ? `${visits} of ${data.count} samples per epoch, drawn afresh each round` : `${data.count} samples`})`,
    retrain: (g, constraints) =>
      retrain(g, set, {
        epochs,
        learningRate: RETRAIN.learningRate * (constraints.shared.size > 0 ? RETRAIN.centroidRateFactor : 1),
        decay: RETRAIN.decay,
        weightDecay: RETRAIN.weightDecay,
        maxShift: oneChannelImages ? RETRAIN.maxShift : 0,
        seed: RETRAIN.seed + round++,
        samplesPerEpoch: visits,
        masks: constraints.masks,
        shared: constraints.shared,
      }),
  };
}
