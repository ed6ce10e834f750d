import { DlcError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import { readNpy, writeNpy, type NpyArray } from './npy.js';

// Written by numpy 2 (`np.save`) for np.array([[1.5, -2], [3, 4]], np.float32), np.array([True, False, True])
// and np.array(7, np.int64).
const NUMPY_FILES: [string, NpyArray][] = [
  [
    '934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000404000008040',
    { dtype: 'f32', shape: [2, 2], data: new Float32Array([1.5, -2, 3, 4]) },
  ],
  [
    '934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a010001',
    { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
  ],
  [
    '934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0700000000000000',
    { dtype: 'i64', shape: [], data: new BigInt64Array([7n]) },
  ],
];

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('.npy files', () => {
  test.each(NUMPY_FILES.map(([file, array]) => [array.dtype, file, array] as const))('reads and writes numpy %s files byte for byte', (_dtype, file, array) => {
    expect(readNpy(hex(file), 'a.npy')).toEqual(array);
    expect(Buffer.from(writeNpy(array)).toString('hex')).toBe(file);
  });

  test.each<[DType, NpyArray['data']]>([
    ['f16', new Uint16Array([0x3c00, 0xc000])],
    ['f64', new Float64Array([Math.PI, -0])],
    ['i8', new Int8Array([-128, 127])],
    ['u8', new Uint8Array([0, 255])],
    ['i16', new Int16Array([-32768, 5])],
    ['u16', new Uint16Array([65535, 1])],
    ['i32', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['u32', new Uint32Array([2 ** 32 - 1, 0])],
    ['u64', new BigUint64Array([2n ** 64n - 1n, 3n])],
  ])('%s round-trips', (dtype, data) => {
    const array = { dtype, shape: [2, 1], data };
    const bytes = writeNpy(array);
    expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
    expect(readNpy(bytes, 'a.npy')).toEqual(array);
  });

  test('reads format version 2 and unaligned data', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    const bytes = new Uint8Array(12 + dict.length + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, dict.length, true);
    bytes.set(new TextEncoder().encode(dict), 12);
    bytes.set(new Uint8Array(new Float32Array([0.25, -8]).buffer), 12 + dict.length);
    expect(readNpy(bytes, 'v2.npy')).toEqual({ dtype: 'f32', shape: [2], data: new Float32Array([0.25, -8]) });
  });

  const f32 = NUMPY_FILES[0][0];
  test.each([
    ['not numpy', Buffer.from('hello, world').toString('hex'), 'no \\x93NUMPY magic'],
    ['version 4', `${f32.slice(0, 12)}04${f32.slice(14)}`, 'format version 4.0 (have 1 to 3)'],
    ['truncated data', f32.slice(0, -2), 'shape (2, 2) of f32 needs 16 bytes of data, the file has 15'],
    ['extra data', `${f32}00`, 'shape (2, 2) of f32 needs 16 bytes of data, the file has 17'],
    ['truncated header', f32.slice(0, 40), 'truncated header'],
    ['big-endian', f32.replace('273c6634', '273e6634'), "dtype '>f4' is not supported (have f32, f16, f64, i8, u8, i16, u16, i32, u32, i64, u64, bool, bf16, little-endian)"],
    ['complex', f32.replace('273c6634', '273c6338'), "dtype '<c8' is not supported"],
    ['Fortran order', f32.replace('46616c7365', '5472756520'), 'Fortran-order arrays are not supported (save np.ascontiguousarray(a))'],
    ['a negative dim', f32.replace('28322c2032', '28322c202d'), 'bad shape (2, -)'],
  ])('%s is a DlcError naming the file', (_what, file, message) => {
    const read = () => readNpy(hex(file), 'in.npy');
    expect(read).toThrow(DlcError);
    expect(read).toThrow(`in.npy: not a usable .npy file: ${message}`);
  });
});
