import { interpret } from '../compiler/interpreter.js';
import { parseGraph } from '../compiler/ir/parser.js';
import { printGraph } from '../compiler/ir/printer.js';
import { verifyGraph } from '../compiler/ir/verifier.js';
import { fuseOps } from './fuse-ops.js';
import { optPipeline, optPipelineText } from './pipelines.js';
import { plainContext } from './manager.js';
import { randomInputs } from '../tests/util/random-inputs.js';

const TEXT = `graph @main(%x: f32[1,2,4,4], %r: f32[1,2,4,4]) {
  %w = const f32[2,2,1,1] dense<[1, 2, 3, 4]>
  %b = const f32[1,2,1,1] dense<[0.5, -0.5]>
  %y: f32[1,2,4,4] = conv(%x, %w)
  %z: f32[1,2,4,4] = add(%y, %b)
  %h: f32[1,2,4,4] = hard_swish(%z)
  %out: f32[1,2,4,4] = add(%h, %r)
  return %out
}
`;

describe('fuse-ops', () => {
  test('its output prints, parses back to the same text, verifies and computes what the input does', () => {
    const input = parseGraph(TEXT);
    const fused = fuseOps(input);
    expect(fused.nodes.map((n) => n.op)).toEqual(['fused']);
    const printed = printGraph(fused);
    const reparsed = parseGraph(printed);
    expect(printGraph(reparsed)).toBe(printed);
    expect(() => verifyGraph(reparsed)).not.toThrow();
    const feeds = randomInputs(input, 5);
    expect(Array.from(interpret(reparsed, feeds).out.data)).toEqual(Array.from(interpret(input, feeds).out.data));
  });

  test('is idempotent: a fused node is opaque to a second run', () => {
    const once = fuseOps(parseGraph(TEXT));
    expect(printGraph(fuseOps(once))).toBe(printGraph(once));
  });

  test('leaves readers of a tensor whose size is known only at run time unfused (each has its own kernel)', () => {
    const g = parseGraph(`graph @g(%x: f32[4,3], %c: bool[4]) {
  %k: f32[?n,3] = compress(%x, %c) {axis=0}
  %r: f32[?n,3] = relu(%k)
  %y: f32[?n,3] = neg(%r)
  return %y
}`);
    expect(fuseOps(g).nodes.map((n) => n.op)).toEqual(['compress', 'relu', 'neg']);
  });

  test('does not change its input graph', () => {
    const input = parseGraph(TEXT);
    fuseOps(input);
    expect(printGraph(input)).toBe(TEXT);
  });

  test('-O0 fuses nothing; -O1 and above end with fusion', () => {
    expect(optPipelineText(0)).not.toContain('fuse');
    expect(optPipelineText(1).endsWith('fuse-ops')).toBe(true);
    expect(optPipelineText(2).endsWith('fuse-horizontal,fuse-ops')).toBe(true);
    expect(optPipeline(0).run(parseGraph(TEXT), plainContext()).nodes.some((n) => n.op === 'fused')).toBe(false);
    expect(optPipeline(1).run(parseGraph(TEXT), plainContext()).nodes.map((n) => n.op)).toEqual(['fused']);
  });
});
