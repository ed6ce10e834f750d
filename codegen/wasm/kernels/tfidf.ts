// tf_idf_vectorizer: per row of tokens and per output element, the occurrences of that element's pool n-grams
// (each start, and for n ≥ 2 each gap up to max_skip_count + 1), then TF / IDF / TFIDF. The pool is a
// compile-time table (codegen/tfidf-tables.ts); the semantics are compiler/ops/text-tfidf.ts's.
import { asType } from '../as-target.js';
import { tfIdfTables } from '../../tfidf-tables.js';
import { shapeOf, sizeOfValue, type KernelContext } from './kernel.js';

export function tfIdfKernel(k: KernelContext): string {
  const [x, y] = [k.input(0), k.output(0)];
  if (sizeOfValue(y) === 0) return '';
  const xs = shapeOf(x);
  const [rows, cols] = xs.length === 2 ? xs : [1, xs[0]];
  const t = tfIdfTables(k.node, x.type.dtype);
  const { width, maxSkip, mode } = t.spec;
  const tx = asType(x.type.dtype);
  const [offsets, tokens, xp, yp] = [k.constant(t.offsets), k.constant(t.tokens), k.ptr(x), k.ptr(y)];
  const weight = t.weights ? `load<f32>(${k.constant(t.weights)} + j * 4)` : '1.0';
  const value = mode === 'TF' ? '<f32>count' : mode === 'IDF' ? `(count > 0 ? ${weight} : <f32>0.0)` : `<f32>count * ${weight}`;
  const size = x.type.dtype === 'i64' ? 8 : 4;
  return [
    `for (let r: i32 = 0; r < ${rows}; r++) {`,
    `  const row = ${xp} + r * ${cols * size};`,
    `  for (let j: i32 = 0; j < ${width}; j++) {`,
    '    let count: i32 = 0;',
    `    for (let g = load<i32>(${offsets} + j * 4); g < load<i32>(${offsets} + (j + 1) * 4); g++) {`,
    `      const first = load<i32>(${offsets} + (${t.gramBase} + g) * 4);`,
    `      const n = load<i32>(${offsets} + (${t.gramBase} + g + 1) * 4) - first;`,
    `      const gaps = n == 1 ? 1 : ${maxSkip + 1};`,
    '      for (let d: i32 = 1; d <= gaps; d++) {',
    `        for (let s: i32 = 0; s + (n - 1) * d < ${cols}; s++) {`,
    '          let m: i32 = 0;',
    `          while (m < n && load<${tx}>(row + (s + m * d) * ${size}) == load<${tx}>(${tokens} + (first + m) * ${size})) m++;`,
    '          if (m == n) count++;',
    '        }',
    '      }',
    '    }',
    `    store<f32>(${yp} + (r * ${width} + j) * 4, ${value});`,
    '  }',
    '}',
  ].join('\n');
}
