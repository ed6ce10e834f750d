// stft: the short-time Fourier transform of ONNX (opset 17). signal [batch, length, 1 (real) or 2 (complex)];
// frames of frame_length samples start every frame_step samples, each multiplied by the window (when given)
// and transformed by the DFT along the frame: output [batch, frames, bins, 2], frames = ⌊(length −
// frame_length) / frame_step⌋ + 1, bins = ⌊frame_length/2⌋ + 1 when onesided (the default), else
// frame_length. The targets run it as gather → mul → dft (passes/legalize-signal.ts).
import { DlcError } from '../errors.js';
import { allocData, isFloat } from '../ir/dtype.js';
import type { Dim, TensorType } from '../ir/graph.js';
import { Tensor, checkedSize } from '../ir/tensor.js';
import type { InferContext, OpDef } from './registry.js';
import { attrInt, knownSize, required } from './util.js';
import { constInts, inType } from './tensor-common.js';
import { refDft } from './tensor-linalg.js';

/** The frame layout from frame_step and frame_length (or the window's length); undefined where unknown. */
export function stftFrames(signalLength: Dim, step: number | undefined, frameLength: Dim | undefined): { frames?: number; frameLength?: number } {
  if (step !== undefined && !(Number.isInteger(step) && step > 0)) throw new DlcError(`stft: frame_step ${step} is not positive`);
  if (typeof frameLength !== 'number') return {};
  if (!(Number.isInteger(frameLength) && frameLength > 0)) throw new DlcError(`stft: frame_length ${frameLength} is not positive`);
  if (typeof signalLength !== 'number' || step === undefined) return { frameLength };
  if (frameLength > signalLength) throw new DlcError(`stft: frame_length ${frameLength} exceeds the signal length ${signalLength}`);
  return { frames: Math.floor((signalLength - frameLength) / step) + 1, frameLength };
}

function inferStft(ctx: InferContext): TensorType[] {
  const x = inType(ctx, 0);
  if (!isFloat(x.dtype)) throw new DlcError(`stft: signal must be floating point, got ${x.dtype}`);
  if (x.shape.length !== 3) throw new DlcError(`stft: signal must be [batch, length, 1 or 2], got [${x.shape}]`);
  const window = ctx.inputs[2];
  const given = ctx.inputs[3] ? constInts(ctx, 3)?.[0] : window?.shape[0];
  if (!ctx.inputs[3] && !window) throw new DlcError('stft: needs a window or a frame_length');
  const { frames, frameLength } = stftFrames(x.shape[1], constInts(ctx, 1)?.[0], given);
  const onesided = attrInt(ctx.attrs, 'onesided') !== 0;
  const bins = frameLength === undefined ? ctx.freshDim('stft_bins') : onesided ? Math.floor(frameLength / 2) + 1 : frameLength;
  return [{ dtype: x.dtype, shape: [x.shape[0], frames ?? ctx.freshDim('stft_frames'), bins, 2] }];
}

function refStft(x: Tensor, stepT: Tensor, window: Tensor | null, lengthT: Tensor | null, onesided: boolean): Tensor {
  const [batch, length, width] = x.shape;
  const { frames, frameLength } = stftFrames(length, stepT.data[0], lengthT ? lengthT.data[0] : window?.shape[0]);
  if (frames === undefined || frameLength === undefined) throw new DlcError('stft: needs a window or a frame_length');
  if (window && window.size !== frameLength) throw new DlcError(`stft: window of ${window.size} samples for frames of ${frameLength}`);
  const step = stepT.data[0];
  // [batch, frames, frame_length, width]: each frame's samples times the window, then the DFT along axis 2.
  const shape = [batch, frames, frameLength, width];
  const framed = allocData(x.dtype, checkedSize(shape));
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < frames; f++) {
      for (let j = 0; j < frameLength; j++) {
        for (let c = 0; c < width; c++) {
          framed[((b * frames + f) * frameLength + j) * width + c] = x.data[(b * length + f * step + j) * width + c] * (window ? window.data[j] : 1);
        }
      }
    }
  }
  return refDft(new Tensor(x.dtype, shape, framed), null, Tensor.scalar('i64', 2), false, onesided);
}

export const stftOps: OpDef[] = [
  {
    name: 'stft',
    attrs: { onesided: { type: 'int', default: 1 } },
    kind: 'opaque',
    onnx: [{ op: 'STFT' }],
    shapeOperands: [1, 3],
    infer: inferStft,
    ref: (inputs, attrs) => [refStft(required(inputs, 0), required(inputs, 1), inputs[2] ?? null, inputs[3] ?? null, attrInt(attrs, 'onesided') !== 0)],
    cost: (ctx) => {
      // A direct DFT per frame: frame_length complex multiply-adds (8 FLOPs) per complex output element.
      const outN = knownSize(ctx.outputs[0].shape) ?? 0;
      const window = ctx.inputs[2];
      const n = ctx.node.inputs[3]?.data?.data[0] ?? window?.shape[0];
      return { flops: typeof n === 'number' ? (outN / 2) * 8 * n : 0 };
    },
  },
];
