import { evaluate, interpolate } from './dim-polynomial.js';
import { parseDimRange, samplePlan } from './dim-ranges.js';
import { FittedNumbers, fitTexts, fittedValue, renderGeneric, ShapeGenericError, type SampledText } from './fit-numbers.js';

describe('numbers of generated code as polynomials of the dims', () => {
  test('interpolation on 3×3 nodes is exact for sizes of conv nets and attention', () => {
    const nodes = [[96, 160, 224], [128, 320, 480]];
    const f = (h: number, w: number) => (h / 2) * (w / 2) * 24 - 4 + (w / 8) * (w / 8);
    const terms = interpolate(nodes, ([i, j]) => f(nodes[0][i], nodes[1][j]));
    for (const [h, w] of [[32, 32], [960, 960], [320, 64]]) expect(evaluate(terms, [h, w])).toBe(f(h, w));
  });

  const code = (h: number, w: number, tile = 4) => `for (let i = 0; i < ${h * w}; i += ${tile}) x[i] *= ${1 / (h * w)}; // k88 f32x4 ${h}`;
  const sample = (p: number[], text: (h: number, w: number) => string): SampledText => ({ point: p, text: text(p[0], p[1]) });
  const plan = samplePlan([parseDimRange('H=32..320/32'), parseDimRange('W=32..320/32')]);
  const grid = plan.nodes;
  const nodes = (text: (h: number, w: number) => string) => grid[0].flatMap((h) => grid[1].map((w) => sample([h, w], text)));

  test('a text whose numbers are polynomials (and reciprocals) of the dims becomes one generic text', () => {
    const numbers = new FittedNumbers();
    const generic = fitTexts(grid, nodes(code), plan.checks.map((p) => sample(p, code)), numbers);
    // The trip count H·W, 1/(H·W) and the H in the comment vary; the step 4 and the names' digits do not.
    expect(numbers.list.map((f) => f.kind).sort()).toEqual(['int', 'int', 'reciprocal']);
    const rendered = renderGeneric(generic, (i) => `N${i}`);
    expect(rendered).toContain('i += 4');
    expect(rendered).toContain('k88 f32x4');
    for (const [h, w] of [[32, 288], [320, 320]]) {
      const byIndex = numbers.list.map((f) => fittedValue(f, [h, w]));
      expect(renderGeneric(generic, (i) => String(byIndex[i]))).toBe(code(h, w));
    }
  });

  test('a number that is no polynomial of the dims (a ceiling division) is refused where it first fails', () => {
    const tiled = (h: number, w: number) => `rows ${Math.ceil(w / 96)} of ${h}`;
    const e = (() => {
      try {
        fitTexts(grid, nodes(tiled), plan.checks.map((p) => sample(p, tiled)), new FittedNumbers());
      } catch (err) {
        return err as ShapeGenericError;
      }
      throw new Error('fitted');
    })();
    expect(e).toBeInstanceOf(ShapeGenericError);
    expect(e.message).toMatch(/is no polynomial of the dims/);
  });

  test('a text whose structure changes with the shape is refused', () => {
    const unrolled = (h: number, w: number) => (w < 64 ? `x0 = ${h}; x1 = ${h};` : `for (i < ${w}) x = ${h};`);
    expect(() => fitTexts(grid, nodes(unrolled), plan.checks.map((p) => sample(p, unrolled)), new FittedNumbers())).toThrow(/another structure at/);
  });

  test('ranges: the syntax, and ranges too short to fit and check', () => {
    expect(parseDimRange('H=32..960/32')).toEqual({ name: 'H', min: 32, max: 960, step: 32 });
    expect(() => parseDimRange('H=32..960/50')).toThrow(/multiple of STEP/);
    expect(() => parseDimRange('H=1..3')).toThrow(/at least 5 values/);
    expect(() => parseDimRange('H:1-3')).toThrow(/must look like/);
  });
});
