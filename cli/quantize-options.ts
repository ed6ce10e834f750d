// The flags of post-training quantization, shared by `compile`, `inspect` and `quantize`, and their translation
// into the library's QuantizationOptions (api/quantize.ts).
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { parseRecKeys } from '../accuracy/ctc.js';
import { METRIC_NAMES, parseMetric } from '../accuracy/metrics.js';
import { DlcError, UsageError } from '../compiler/errors.js';
import { QUANTIZE_MODES, type QuantizationOptions, type QuantizeMode } from '../api/quantize.js';
import { CALIBRATORS, type CalibratorName } from '../quantize/calibrators.js';

export interface QuantizeFlags {
  quantize?: string;
  bits?: string;
  calibration?: string;
  calibrator?: string;
  calibrationLimit?: string;
  evalData?: string;
  metric?: string;
  maxAccuracyDrop?: string;
  minSqnr?: string;
  evalLimit?: string;
  keys?: string;
  recognizer?: string;
}

/** The quantization flags; `required` makes the mode default to int8 and the calibration data required (dlc quantize). */
export function addQuantizeOptions(command: Command, opts: { modeFlag: '--quantize' | '--mode' }): Command {
  const mode = new Option(`${opts.modeFlag} <mode>`, 'post-training quantization: int8 (u8 activations, i8 per-channel weights) or dfp (power-of-two scales)').choices(QUANTIZE_MODES);
  command.addOption(opts.modeFlag === '--mode' ? mode.default('int8') : mode);
  return command
    .option('--calibration <dir>', 'data-set folder of calibration inputs (one <input>.npy per model input, samples stacked)')
    .addOption(new Option('--calibrator <name>', 'how a range is picked from the calibration statistics (default minmax)').choices(CALIBRATORS))
    .option('--calibration-limit <n>', 'calibrate on the first N samples')
    .option('--bits <n>', 'integer width: 8 (default), or 16 with dfp')
    .option('--eval-data <dir>', 'data-set folder the accuracy budget is measured on')
    .addOption(new Option('--metric <metric>', 'the metric of the accuracy budget (default top1)').choices(METRIC_NAMES))
    .option('--max-accuracy-drop <points>', 'largest drop of the metric allowed, in its units (points); layers fall back to f32 until it holds')
    .option('--min-sqnr <db>', "least SQNR (dB) of the model's output against the f32 model's")
    .option('--eval-limit <n>', 'measure the budget on the first N samples of --eval-data')
    .option('--keys <file>', "the recognizer's dictionary for --metric cer|det-cer (default: keys.txt in the data set)")
    .option('--recognizer <model>', 'for --metric det-cer: the text recognizer (ONNX, f32) that reads the detected lines');
}

export function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} takes a positive integer, got '${text}'`);
  return Number(text);
}

function finite(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag} takes a number, got '${text}'`);
  return v;
}

/** The recognizer's dictionary: --keys, or keys.txt in the data set when there is one. */
export function readKeys(file: string | undefined, dataDir: string | undefined): string[] | undefined {
  const path = file ?? (dataDir && fs.existsSync(`${dataDir}/keys.txt`) ? `${dataDir}/keys.txt` : undefined);
  if (!path) return undefined;
  try {
    return parseRecKeys(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DlcError(`cannot read the dictionary: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path }, 2);
  }
}

/** The library's quantization options, or undefined when no quantization was asked for. */
export function quantizationOptions(flags: QuantizeFlags, mode: string | undefined): QuantizationOptions | undefined {
  if (mode === undefined) {
    if (flags.calibration !== undefined) throw new UsageError('--calibration needs --quantize int8|dfp');
    return undefined;
  }
  if (flags.calibration === undefined) throw new UsageError('quantization needs --calibration DIR (a data-set folder of representative inputs)');
  const bits = positiveInt('--bits', flags.bits);
  if (bits !== undefined && bits !== 8 && bits !== 16) throw new UsageError(`--bits takes 8 or 16, got ${bits}`);
  const guard = accuracyBudget(flags);
  return {
    mode: mode as QuantizeMode,
    calibration: flags.calibration,
    ...(bits === undefined ? {} : { bits: bits as 8 | 16 }),
    ...(flags.calibrator === undefined ? {} : { calibrator: flags.calibrator as CalibratorName }),
    ...(flags.calibrationLimit === undefined ? {} : { calibrationLimit: positiveInt('--calibration-limit', flags.calibrationLimit) }),
    ...(guard ? { guard } : {}),
  };
}

/** Whether any flag of the accuracy budget was given. */
export function hasBudgetFlags(flags: QuantizeFlags): boolean {
  return [flags.evalData, flags.metric, flags.maxAccuracyDrop, flags.minSqnr, flags.evalLimit].some((f) => f !== undefined);
}

/** The accuracy budget of a lossy transformation (quantization or compression), or undefined without --eval-data. */
export function accuracyBudget(flags: QuantizeFlags): QuantizationOptions['guard'] {
  const maxAccuracyDrop = finite('--max-accuracy-drop', flags.maxAccuracyDrop);
  const minSqnrDb = finite('--min-sqnr', flags.minSqnr);
  if (maxAccuracyDrop !== undefined && minSqnrDb !== undefined) throw new UsageError('give either --max-accuracy-drop or --min-sqnr, not both');
  if (hasBudgetFlags(flags) && maxAccuracyDrop === undefined && minSqnrDb === undefined) throw new UsageError('--eval-data needs a budget: --max-accuracy-drop POINTS or --min-sqnr DB');
  if ((maxAccuracyDrop !== undefined || minSqnrDb !== undefined) && flags.evalData === undefined) throw new UsageError('an accuracy budget is measured on --eval-data DIR');
  if (flags.recognizer !== undefined && flags.evalData === undefined) throw new UsageError('--recognizer reads the lines a detector finds on --eval-data DIR (--metric det-cer)');
  if (flags.evalData === undefined) return undefined;
  const metric = minSqnrDb !== undefined ? 'sqnr' : parseMetric(flags.metric ?? 'top1');
  if ((metric === 'det-cer') !== (flags.recognizer !== undefined)) throw new UsageError('--metric det-cer and --recognizer MODEL go together');
  return {
    data: flags.evalData,
    metric,
    ...(maxAccuracyDrop === undefined ? {} : { maxAccuracyDrop }),
    ...(minSqnrDb === undefined ? {} : { minSqnrDb }),
    ...(flags.evalLimit === undefined ? {} : { limit: positiveInt('--eval-limit', flags.evalLimit) }),
    keys: readKeys(flags.keys, flags.evalData),
    ...(flags.recognizer === undefined ? {} : { recognizer: flags.recognizer }),
  };
}
