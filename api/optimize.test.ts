import { DlcError, UsageError } from '../compiler/errors.js';
import { inModelFile } from './optimize.js';

describe('inModelFile', () => {
  const source = { file: 'models/m.onnx', bytes: new Uint8Array() };
  const thrown = (e: Error) => {
    try {
      inModelFile(source, () => {
        throw e;
      });
    } catch (caught) {
      return caught as Error;
    }
    throw new Error('nothing thrown');
  };

  test('a model error raised anywhere names the file first, then the node and op', () => {
    const e = thrown(new DlcError('starts known only at run time', { node: '/Slice_77', op: 'slice' }));
    expect(e).toBeInstanceOf(DlcError);
    expect(e.message).toBe("models/m.onnx, node '/Slice_77', op slice: starts known only at run time");
  });

  test('an error that already names its file, a usage error and a bug pass through as they are', () => {
    const named = new DlcError('bad', { file: 'other.onnx' });
    expect(thrown(named)).toBe(named);
    const usage = new UsageError('give -o DIR');
    expect(thrown(usage)).toBe(usage);
    const bug = new TypeError('x is undefined');
    expect(thrown(bug)).toBe(bug);
  });

  test('a model in memory is named <memory>', () => {
    expect(() => inModelFile({ bytes: new Uint8Array() }, () => { throw new DlcError('bad'); })).toThrow(/^<memory>: bad$/);
  });
});
