// Streaming state: `run(feeds, { feedback: { hn: 'h' } })` binds output hn to input h, so that a recurrent
// model's state stays where the executor keeps it between runs, never copied out to JS and back: after the run
// the executor copies the output into the input's place (wasm: within linear memory; webgpu: buffer to buffer in
// the run's command encoder), and the next run reads it there. Inputs and outputs have places of their own in
// both memory plans (never shared with each other or with intermediates), so the copy cannot clobber anything
// and the state survives until the next run.
import type { Feeds } from './feeds.js';
import { DlcRuntimeError } from './errors.js';
import type { TensorInfo } from './manifest.js';

/** Output name → the name of the input that the output feeds on the next run. */
export type Feedback = Readonly<Record<string, string>>;

/** What one run does about its bound inputs and outputs (indices into the manifest's inputs and outputs). */
export interface FeedbackPlan {
  /** [output, input]: the output is copied into the input's place after the run. */
  copies: [number, number][];
  /** Inputs the run reads where they are, from the runtime (not fed): 'kept' holds the previous run's state, 'zero' is cleared first. */
  unfed: Map<number, 'kept' | 'zero'>;
}

const show = (t: TensorInfo) => `${t.dtype}[${t.shape.join(',')}]`;

/**
 * The plan of a run given `feedback`. A bound input that is fed takes the feed (which sets the state); one
 * left out reads the state in `held` (the inputs the previous run fed back), or zeros where there is none.
 */
export function feedbackPlan(feedback: Feedback, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], feeds: Feeds, held: ReadonlySet<string>): FeedbackPlan {
  if (typeof feedback !== 'object' || feedback === null) throw new DlcRuntimeError('feedback takes an object of input names by output name');
  const plan: FeedbackPlan = { copies: [], unfed: new Map() };
  const boundTo = new Map<number, string>();
  for (const [outName, inName] of Object.entries(feedback)) {
    const o = outputs.findIndex((t) => t.name === outName);
    if (o < 0) throw new DlcRuntimeError(`feedback: unknown output '${outName}' (outputs: ${outputs.map((t) => t.name).join(', ')})`);
    const i = inputs.findIndex((t) => t.name === inName);
    if (i < 0) throw new DlcRuntimeError(`feedback: output '${outName}' is bound to '${inName}', which is not an input (inputs: ${inputs.map((t) => t.name).join(', ')})`);
    const [out, input] = [outputs[o], inputs[i]];
    if (show(out) !== show(input)) throw new DlcRuntimeError(`feedback: output '${outName}' is ${show(out)}, input '${inName}' is ${show(input)}; a state must keep its dtype and shape`);
    if (boundTo.has(i)) throw new DlcRuntimeError(`feedback: input '${inName}' is bound to both '${boundTo.get(i)}' and '${outName}'`);
    boundTo.set(i, outName);
    plan.copies.push([o, i]);
    if (feeds[inName] === undefined) plan.unfed.set(i, held.has(inName) ? 'kept' : 'zero');
  }
  return plan;
}
