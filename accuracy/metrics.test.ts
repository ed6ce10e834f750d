import { interpret } from '../compiler/interpreter.js';
import { parseGraph } from '../compiler/ir/parser.js';
import { Tensor } from '../compiler/ir/tensor.js';
import type { Dataset } from './dataset.js';
import { detInput, layoutPages } from './det-pages.js';
import { FIXTURE_KEYS, grayLine, grayRecognizer } from './det-rec-fixtures.js';
import { evaluate } from './evaluate.js';
import { datasetGuard } from './guard.js';
import { parseMetric, scoreMetric } from './metrics.js';

const [H, W] = [96, 320];

/** A stand-in text detector: probability sigmoid(k · mean over channels of det's input), high on dark ink for k < 0. */
function detector(k: number) {
  return parseGraph(`graph @det(%x: f32[1,3,${H},${W}]) {
  %channels = const i64[1] dense<[1]>
  %k = const f32[] dense<${k}>
  %m: f32[1,1,${H},${W}] = reduce_mean(%x, %channels)
  %s: f32[1,1,${H},${W}] = mul(%m, %k)
  %y: f32[1,1,${H},${W}] = sigmoid(%s)
  return %y
}`);
}

/** Two pages of gray "lines" (det-rec-fixtures: gray 0 reads 'ab', 40 'ca', 80 'bb'). */
function pages(): Dataset {
  const lines = [grayLine(120, 24, 0), grayLine(90, 24, 40), grayLine(150, 24, 80), grayLine(100, 24, 40)];
  const layouts = layoutPages(lines, ['ab', 'ca', 'bb', 'ca'], W, H, 2);
  const inputs = layouts.map((l) => new Tensor('f32', [1, 3, H, W], detInput(l.image)));
  return { dir: 'pages', count: inputs.length, sample: (i) => ({ x: inputs[i] }), labels: layouts.map((l) => l.lines.map((line) => line.text).join('\t')) };
}

describe('det-cer', () => {
  const data = pages();
  const outputsOf = (k: number) => Array.from({ length: data.count }, (_, i) => interpret(detector(k), data.sample(i)).y);
  const inputs = Array.from({ length: data.count }, (_, i) => data.sample(i).x);

  test('a detector that finds every line scores 0; one that loses the lightest lines scores their share', () => {
    expect(parseMetric('det-cer')).toBe('det-cer');
    const score = (k: number) => scoreMetric('det-cer', { outputs: outputsOf(k), labels: data.labels, keys: FIXTURE_KEYS, inputs, recognizer: grayRecognizer });
    expect(score(-4)).toBe(0);
    // At k = −0.5 the gray-80 line (mean input ≈ −0.6) has probability 0.57: in the bitmap, under the box
    // threshold 0.6. Pages 'ab\tca\tbb' and 'ca' lose '\tbb': 3 edits of 10 characters.
    expect(data.labels).toEqual(['ab\tca\tbb', 'ca']);
    expect(score(-0.5)).toBeCloseTo(30, 10);
  });

  test('the guard measures det-cer on the interpreter with the given recognizer', () => {
    const guard = datasetGuard(detector(-4), data, { metric: 'det-cer', maxDrop: 0.5, keys: FIXTURE_KEYS, recognizer: grayRecognizer });
    expect(guard.higherIsBetter).toBe(false);
    expect(guard.evaluate(detector(-4))).toBe(0);
    expect(guard.evaluate(detector(-0.5))).toBeCloseTo(30, 10);
  });

  test('evaluate() reads the lines with an asynchronous recognizer and agrees', async () => {
    const run = (feeds: Record<string, Tensor>) => interpret(detector(-0.5), feeds).y;
    const result = await evaluate(run, data, { metric: 'det-cer', keys: FIXTURE_KEYS, recognizer: async (line) => grayRecognizer(line) });
    const sync = scoreMetric('det-cer', { outputs: outputsOf(-0.5), labels: data.labels, keys: FIXTURE_KEYS, inputs, recognizer: grayRecognizer });
    expect(result).toMatchObject({ metric: 'det-cer', unit: '%', higherIsBetter: false, samples: 2 });
    expect(result.value).toBeCloseTo(sync, 10);
  });

  test('without a recognizer, or without string labels, it says what is missing', async () => {
    expect(() => scoreMetric('det-cer', { outputs: outputsOf(-4), labels: data.labels, keys: FIXTURE_KEYS, inputs })).toThrow('--recognizer');
    expect(() => scoreMetric('det-cer', { outputs: outputsOf(-4), labels: new Int32Array(2), keys: FIXTURE_KEYS, inputs, recognizer: grayRecognizer })).toThrow('string labels');
  });
});
