// `dlc update-weights ARTIFACT MODEL [-o DIR]`: re-ships a retrained model with the same graph against the
// artifact's compiled kernels (api/update-weights), then prints what changed.
import { updateWeights } from '../api/update-weights.js';
import { WEIGHTS_FILE } from '../runtime/manifest.js';
import { formatBytes } from './format.js';
import type { CliIo } from './main.js';

export interface UpdateWeightsFlags {
  output?: string;
}

export async function updateWeightsCommand(artifact: string, model: string, opts: UpdateWeightsFlags, io: CliIo): Promise<number> {
  const updated = await updateWeights(artifact, model, { output: opts.output });
  const weights = updated.manifest.files[WEIGHTS_FILE];
  const into = updated.output === artifact ? '' : ` into ${updated.output}`;
  io.stdout.write(
    `updated ${artifact} with the weights of ${model}${into}: ${WEIGHTS_FILE} ${formatBytes(weights.bytes)} (sha-256 ${weights.sha256.slice(0, 12)}…), ` +
      `${updated.kernelsFile} kept (${formatBytes(updated.manifest.files[updated.kernelsFile].bytes)}).\n`,
  );
  return 0;
}
