// Signal processing (compiler/ops/tensor-stft.ts): stft as the frames gathered from the signal, times the
// window, through the dft every target has a kernel for.
import { Tensor } from '../compiler/ir/tensor.js';
import { attrInt } from '../compiler/ops/util.js';
import { stftFrames } from '../compiler/ops/tensor-stft.js';
import { castTo, concreteShape, emit1, reshapeTo } from './legalize-util.js';
import type { RewriteRule } from './rewrite.js';

export const SIGNAL_RULES: readonly RewriteRule[] = [
  // stft(x, step, w, L) = dft(gather(x, idx, axis=1) · w[j], axis=2) {onesided}, idx[f, j] = f·step + j:
  // frames [batch, frames, L, width], each sample scaled by its window weight
  [{ op: 'stft' }, (m, rw) => {
    const [signal, stepV, window, lengthV] = m.root.inputs;
    const shape = concreteShape(signal);
    if (!signal || !shape || !stepV?.data || (lengthV && !lengthV.data)) return undefined;
    const windowShape = window ? concreteShape(window) : undefined;
    if (window && !windowShape) return undefined;
    const step = stepV.data.data[0];
    const { frames, frameLength } = stftFrames(shape[1], step, lengthV?.data ? lengthV.data.data[0] : windowShape?.[0]);
    if (frames === undefined || frameLength === undefined) return undefined;
    const starts = Array.from({ length: frames * frameLength }, (_, e) => Math.floor(e / frameLength) * step + (e % frameLength));
    let framed = emit1(rw, 'gather', [signal, rw.constant(Tensor.fromArray('i64', [frames, frameLength], starts))], { axis: 1 });
    if (window) framed = emit1(rw, 'mul', [framed, reshapeTo(rw, castTo(rw, window, signal.type.dtype), [frameLength, 1])]);
    const axis = rw.constant(Tensor.scalar('i64', 2));
    return [emit1(rw, 'dft', [framed, null, axis], { inverse: 0, onesided: attrInt(m.root.attrs, 'onesided') })];
  }],
];
