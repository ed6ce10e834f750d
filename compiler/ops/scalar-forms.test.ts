import { DlcError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { renderElementwise, type CTarget } from './scalar-forms.js';

/** A WGSL-like table: the same templates spelled for another target. */
const WGSL_LIKE: CTarget = {
  type: (d) => d,
  literal: (v, d) => (d === 'f32' ? `${v}f` : `${v}`),
  call: (fn, _d, args) => `${fn}(${args.join(', ')})`,
  convert: (e, _f, to) => `${to}(${e})`,
  select: (c, a, b) => `select(${b}, ${a}, ${c})`,
  fromCondition: (c) => `u32(${c})`,
  intDiv: (x, y) => `div(${x}, ${y})`,
};

const node = (op: string, attrs: Node['attrs'] = {}): Node => ({ op, inputs: [], outputs: [], attrs, name: 'n' });
const f = (expr: string) => ({ expr, dtype: 'f32' as const });

describe('renderElementwise', () => {
  test('renders the math of an op through the target table', () => {
    expect(renderElementwise(node('add'), [f('a'), f('b')], 'f32', WGSL_LIKE)).toBe('(a + b)');
    expect(renderElementwise(node('relu'), [f('x')], 'f32', WGSL_LIKE)).toBe('select(x, 0f, x < 0f)');
    expect(renderElementwise(node('sigmoid'), [f('x')], 'f32', WGSL_LIKE)).toBe('(1f / (1f + exp(-x)))');
    expect(renderElementwise(node('hard_sigmoid', { alpha: 0.5, beta: 0.25 }), [f('x')], 'f32', WGSL_LIKE)).toBe('max(0f, min(1f, (0.5f * x + 0.25f)))');
    expect(renderElementwise(node('clip'), [f('x'), f('lo'), f('hi')], 'f32', WGSL_LIKE)).toBe('min(max(x, lo), hi)');
    expect(renderElementwise(node('cast', { to: 'i32' }), [f('x')], 'i32', WGSL_LIKE)).toBe('i32(x)');
    expect(renderElementwise(node('div'), [{ expr: 'a', dtype: 'i32' }, { expr: 'b', dtype: 'i32' }], 'i32', WGSL_LIKE)).toBe('div(a, b)');
  });

  test('float-only math on integers and ops without a scalar form are DlcErrors naming the node', () => {
    expect(() => renderElementwise(node('exp'), [{ expr: 'x', dtype: 'i32' }], 'i32', WGSL_LIKE)).toThrow(DlcError);
    expect(() => renderElementwise(node('conv'), [f('x')], 'f32', WGSL_LIKE)).toThrow(/node 'n', op conv: op conv has no scalar form/);
  });
});
