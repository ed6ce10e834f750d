// Dropout whose training_mode (or ratio) is known only at run time, or training with a non-zero ratio: the
// kernel reads both, and in training drops element i where compiler/ops/dropout-mask.ts's hash of (i, seed)
// falls below the ratio, scaling the kept ones by 1 / (1 − ratio). Outside training it is the identity.
import { asLiteral, asLoad, asStore, asWorkType } from '../as-target.js';
import { at, sizeOfValue, type KernelContext } from './kernel.js';

const HASH = `
// compiler/ops/dropout-mask.ts dropoutUniform: murmur3's finalizer of i·0x9e3779b1 + seed·0x85ebca77, top 24 bits.
function dropoutUniform(i: u32, seed: u32): f32 {
  let h: u32 = i * 0x9e3779b1 + seed * 0x85ebca77;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return <f32>(h >> 8) * 5.9604644775390625e-8;
}`;

export function trainingDropoutKernel(k: KernelContext): string {
  const [x, y, mask] = [k.input(0), k.output(0), k.node.outputs[1]];
  const [ratio, training] = [k.node.inputs[1], k.node.inputs[2]];
  const n = sizeOfValue(y);
  if (n === 0) return '';
  const hash = k.helper('dropoutUniform', () => HASH);
  const dtype = x.type.dtype;
  const operand = (v: NonNullable<typeof ratio>) => {
    const c = k.constantOf(v);
    return c ? asLiteral(c.data[0], v.type.dtype) : asLoad(k.ptr(v), v.type.dtype);
  };
  const seed = ((k.node.attrs.seed as number | undefined) ?? 0) | 0;
  const lines = [
    `const ratio: f32 = ${ratio ? `<f32>${operand(ratio)}` : '0.5'};`,
    `const dropping: bool = ${training ? `${operand(training)} != 0` : 'false'} && ratio != 0;`,
    'const scale: f32 = <f32>1.0 / (<f32>1.0 - ratio);',
    `for (let i: i32 = 0; i < ${n}; i++) {`,
    `  const keep: bool = !dropping || ${hash}(<u32>i, <u32>${seed}) >= ratio;`,
    `  const v = ${asLoad(at(k.ptr(x), 'i', dtype), dtype)};`,
    `  ${asStore(at(k.ptr(y), 'i', dtype), dtype, `keep ? (dropping ? <${asWorkType(dtype)}>(<f32>v * scale) : v) : ${asLiteral(0, dtype)}`)}`,
    mask && sizeOfValue(mask) > 0 ? `  store<u8>(${at(k.ptr(mask), 'i', 'bool')}, <u8>keep);` : '',
    '}',
  ];
  return lines.filter((l) => l !== '').join('\n');
}
