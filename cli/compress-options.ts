// The flags of weight compression, shared by `compile`, `inspect` and `eval`, and their translation into the
// library's CompressionOptions (api/compress.ts). The accuracy budget is the quantization flags' own
// (--eval-data, --metric, --max-accuracy-drop…), with --eval as a shorter name for --eval-data.
import type { Command } from 'commander';
import { UsageError } from '../compiler/errors.js';
import type { CompressionOptions } from '../api/compress.js';
import { COMPRESSIONS } from '../compress/techniques.js';
import { GUARD_BACKENDS } from '../accuracy/guard.js';
import { parseGuardBackend } from '../api/guard-engine.js';
import { accuracyBudget, hasBudgetFlags, positiveInt, type QuantizeFlags } from './quantize-options.js';

export interface CompressFlags {
  compress?: string;
  finetune?: string;
  finetuneEpochs?: string;
  finetuneSamples?: string;
  eval?: string;
  guardBackend?: string;
}

export function addCompressOptions(command: Command): Command {
  return command
    .option('--compress <techniques>', `compress the weights: ${COMPRESSIONS.join('|')}, comma-separated (deep = prune + share, entropy-coded)`)
    .option('--finetune <dir>', 'labelled data-set folder to retrain on after pruning and sharing (masked retraining, centroid fine-tuning)')
    .option('--finetune-epochs <n>', 'epochs of each retraining (default 2)')
    .option('--finetune-samples <n>', 'samples each retraining epoch visits, drawn afresh each round (default: all)')
    .option('--eval <dir>', 'the same as --eval-data')
    .option('--guard-backend <backend>', `where the accuracy guard runs candidates: ${GUARD_BACKENDS.join('|')} (default wasm: the f32 kernels compiled once, each candidate's weights swapped in; low-rank candidates and inspect are interpreted)`);
}

/** The library's compression options, or undefined when no compression was asked for. */
export function compressionOptions(flags: CompressFlags & QuantizeFlags): CompressionOptions | undefined {
  if (flags.eval !== undefined) {
    if (flags.evalData !== undefined && flags.evalData !== flags.eval) throw new UsageError('give either --eval or --eval-data, not both');
    flags.evalData = flags.eval;
  }
  if (flags.compress === undefined) {
    if (flags.finetune !== undefined || flags.finetuneEpochs !== undefined || flags.finetuneSamples !== undefined) throw new UsageError('--finetune needs --compress');
    if (flags.guardBackend !== undefined) throw new UsageError('--guard-backend needs --compress');
    return undefined;
  }
  const guard = accuracyBudget(flags);
  if (flags.guardBackend !== undefined && !guard) throw new UsageError('--guard-backend needs an accuracy budget (--eval DIR with --max-accuracy-drop or --min-sqnr)');
  const guardBackend = flags.guardBackend === undefined ? undefined : parseGuardBackend(flags.guardBackend);
  const epochs = positiveInt('--finetune-epochs', flags.finetuneEpochs);
  const samples = positiveInt('--finetune-samples', flags.finetuneSamples);
  return {
    techniques: flags.compress.split(',').map((t) => t.trim()),
    ...(flags.finetune === undefined ? {} : { finetune: flags.finetune }),
    ...(epochs === undefined ? {} : { finetuneEpochs: epochs }),
    ...(samples === undefined ? {} : { finetuneSamples: samples }),
    ...(guard ? { guard } : {}),
    ...(guardBackend ? { guardBackend } : {}),
  };
}

/** Budget flags with neither --quantize nor --compress: nothing would use them. */
export function checkBudgetUsed(flags: CompressFlags & QuantizeFlags, used: boolean): void {
  if (!used && hasBudgetFlags(flags)) throw new UsageError('the accuracy-budget flags need --quantize or --compress');
}
