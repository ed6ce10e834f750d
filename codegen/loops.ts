// Loop nests over a baked-in iteration space with one element offset per operand (strided, broadcast with
// stride 0). Adjacent dims that every operand walks contiguously are merged first, so a broadcast add of two
// [1,64,80,80] tensors is one loop and a per-channel bias is two.
import { stridesOf } from '../compiler/ir/tensor.js';

export interface LoopSpace {
  dims: number[];
  /** Per operand, its element stride along each dim. */
  strides: number[][];
}

/** Drops unit dims and merges dim k into k+1 where every operand has stride[k] = stride[k+1] · dims[k+1]. */
export function collapse(space: LoopSpace): LoopSpace {
  const keep = space.dims.map((d, i) => i).filter((i) => space.dims[i] !== 1);
  const dims: number[] = [];
  const strides: number[][] = space.strides.map(() => []);
  for (const i of keep) {
    const last = dims.length - 1;
    const mergeable = last >= 0 && space.strides.every((s, k) => strides[k][last] === s[i] * space.dims[i]);
    if (mergeable) {
      dims[last] *= space.dims[i];
      space.strides.forEach((s, k) => (strides[k][last] = s[i]));
    } else {
      dims.push(space.dims[i]);
      space.strides.forEach((s, k) => strides[k].push(s[i]));
    }
  }
  return { dims, strides };
}

/** Strides of `shape` read as broadcast into `outShape` (0 along broadcast dims). */
export function broadcastStridesOf(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]));
}

/**
 * Emits a loop nest over `space` (collapsed first). `body` gets one element-offset expression per operand
 * and the innermost index; `name` prefixes the loop variables so nests can be nested. `outermost`, when
 * given, bounds the outermost loop to [lo, hi) instead of its whole dim (a thread's share).
 */
export function loopNest(space: LoopSpace, body: (offsets: string[]) => string, name = 'i', outermost?: { lo: string; hi: string }): string {
  const { dims, strides } = collapse(space);
  const n = strides.length;
  if (dims.length === 0) return body(strides.map(() => '0'));
  const lines: string[] = [];
  let indent = '  ';
  // Offset of operand k at depth d: o{k}_{d} = o{k}_{d-1} + i_d · stride.
  const term = (k: number, d: number) => {
    const s = strides[k][d];
    const prev = d === 0 ? '' : `${name}o${k}_${d - 1}`;
    const step = s === 0 ? '' : s === 1 ? `${name}${d}` : `${name}${d} * ${s}`;
    if (!prev) return step || '0';
    return step ? `${prev} + ${step}` : prev;
  };
  dims.forEach((d, depth) => {
    const [lo, hi] = depth === 0 && outermost ? [outermost.lo, outermost.hi] : ['0', `${d}`];
    lines.push(`${indent}for (let ${name}${depth}: i32 = ${lo}; ${name}${depth} < ${hi}; ${name}${depth}++) {`);
    indent += '  ';
    if (depth < dims.length - 1) {
      for (let k = 0; k < n; k++) lines.push(`${indent}const ${name}o${k}_${depth}: i32 = ${term(k, depth)};`);
    }
  });
  const last = dims.length - 1;
  lines.push(...body(strides.map((_, k) => term(k, last))).split('\n').map((l) => indent + l));
  for (let depth = dims.length - 1; depth >= 0; depth--) {
    indent = indent.slice(2);
    lines.push(`${indent}}`);
  }
  return lines.join('\n');
}
