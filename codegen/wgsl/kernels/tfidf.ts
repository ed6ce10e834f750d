// tf_idf_vectorizer: one invocation per (row, output element) counts the occurrences of that element's pool
// n-grams in its row (each start, and for n ≥ 2 each gap up to max_skip_count + 1), then TF / IDF / TFIDF.
// The pool is a compile-time table (codegen/tfidf-tables.ts); the semantics are compiler/ops/text-tfidf.ts's.
import { tfIdfTables } from '../../tfidf-tables.js';
import { shapeOf, sizeOfValue } from '../../shapes.js';
import type { WgslDispatch, WgslKernelContext } from './kernel.js';
import { Bindings, perInvocation } from './shader.js';

export function tfIdfKernel(k: WgslKernelContext): WgslDispatch[] {
  const [x, y] = [k.input(0), k.output(0)];
  const count = sizeOfValue(y);
  if (count === 0) return [];
  const xs = shapeOf(x);
  const cols = xs.length === 2 ? xs[1] : xs[0];
  const t = tfIdfTables(k.node, x.type.dtype);
  const { width, maxSkip, mode } = t.spec;
  const b = new Bindings([y]);
  const [yb, xb, ob, tb] = [b.of(y), b.of(x), b.of(k.constant(t.offsets)), b.of(k.constant(t.tokens))];
  const weight = t.weights ? `${b.of(k.constant(t.weights))}[j]` : '1.0f';
  const value = mode === 'TF' ? 'f32(n_found)' : mode === 'IDF' ? `select(0.0f, ${weight}, n_found > 0u)` : `f32(n_found) * ${weight}`;
  const body = [
    `  let j = i % ${width}u;`,
    `  let row = (i / ${width}u) * ${cols}u;`,
    '  var n_found = 0u;',
    `  for (var g = u32(${ob}[j]); g < u32(${ob}[j + 1u]); g++) {`,
    `    let first = u32(${ob}[${t.gramBase}u + g]);`,
    `    let n = u32(${ob}[${t.gramBase}u + g + 1u]) - first;`,
    `    let gaps = select(${maxSkip + 1}u, 1u, n == 1u);`,
    '    for (var d = 1u; d <= gaps; d++) {',
    `      for (var s = 0u; s + (n - 1u) * d < ${cols}u; s++) {`,
    '        var m = 0u;',
    `        while (m < n && ${xb}[row + s + m * d] == ${tb}[first + m]) { m++; }`,
    '        if (m == n) { n_found++; }',
    '      }',
    '    }',
    '  }',
    `  ${yb}[i] = ${value};`,
  ].join('\n');
  return [perInvocation({ bindings: b.list, count, body })];
}
