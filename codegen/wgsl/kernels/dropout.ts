// Dropout whose training_mode (or ratio) is known only at run time, or training with a non-zero ratio: each
// invocation reads both, and in training drops its element where compiler/ops/dropout-mask.ts's hash of
// (i, seed) falls below the ratio, scaling the kept ones by 1 / (1 − ratio). Outside training it is the identity.
import type { Value } from '../../../compiler/ir/graph.js';
import { sizeOfValue } from '../../shapes.js';
import { storageType, wgslLiteral } from '../wgsl-target.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation } from './shader.js';

const HASH = `// compiler/ops/dropout-mask.ts dropoutUniform: murmur3's finalizer of i·0x9e3779b1 + seed·0x85ebca77, top 24 bits.
fn dropout_uniform(i: u32, seed: u32) -> f32 {
  var h = i * 0x9e3779b1u + seed * 0x85ebca77u;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return f32(h >> 8u) * 5.9604644775390625e-8f;
}`;

export function trainingDropoutKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y, mask] = [k.input(0), k.output(0), k.node.outputs[1]];
  const [ratio, training] = [k.node.inputs[1], k.node.inputs[2]];
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const hasMask = mask !== undefined && sizeOfValue(mask) > 0;
  const b = new Bindings(hasMask ? [y, mask] : [y]);
  const [yb, xb] = [b.of(y), b.of(x)];
  const operand = (v: Value) => {
    const c = k.constantOf(v);
    return c ? wgslLiteral(c.data[0], v.type.dtype) : `${b.of(v)}[0]`;
  };
  const seed = ((k.node.attrs.seed as number | undefined) ?? 0) >>> 0;
  const t = storageType(x.type.dtype);
  const body = [
    `  let ratio = ${ratio ? `f32(${operand(ratio)})` : '0.5f'};`,
    `  let dropping = ${training ? `${operand(training)} != ${wgslLiteral(0, training.type.dtype)}` : 'false'} && ratio != 0.0f;`,
    `  let keep = !dropping || dropout_uniform(i, ${seed}u) >= ratio;`,
    `  let v = ${xb}[i];`,
    `  ${yb}[i] = select(${wgslLiteral(0, x.type.dtype)}, select(v, ${t}(f32(v) * (1.0f / (1.0f - ratio))), dropping), keep);`,
    hasMask ? `  ${b.of(mask)}[i] = select(0u, 1u, keep);` : '',
  ].filter((l) => l !== '').join('\n');
  return [perInvocation({ bindings: b.list, count, body, globals: HASH })];
}
