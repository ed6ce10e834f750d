// NumPy .npy files (format versions 1 to 3) for `dlc run`, `dlc verify` and the data-set folders of
// accuracy/: little-endian, C order, the dtypes an artifact takes. Arrays are held as the runtime's typed
// arrays (f16 as raw bits in a Uint16Array, i64 as BigInt64Array, bool as 0/1 bytes), so that they go to a
// Session unconverted.
import { DlcError } from '../compiler/errors.js';
import type { DType } from '../compiler/ir/dtype.js';
import { checkedSize } from '../compiler/ir/tensor.js';
import { arrayConstructor, typedArrayName, ARRAY_TYPES, type TypedArray } from '../runtime/dtypes.js';

export interface NpyArray {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** NumPy type strings, without the byte-order character. */
const DESCR: Record<DType, string> = {
  f32: 'f4', f16: 'f2', f64: 'f8', i8: 'i1', u8: 'u1', i16: 'i2', u16: 'u2', i32: 'i4', u32: 'u4', i64: 'i8', u64: 'u8', bool: 'b1',
  // numpy has no bfloat16; ml_dtypes' bfloat16 arrays save as 2-byte void records, read here as the bf16 bits.
  bf16: 'V2',
};

export function readNpy(bytes: Uint8Array, file: string): NpyArray {
  const fail = (why: string): never => {
    throw new DlcError(`not a usable .npy file: ${why}`, { file });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('no \\x93NUMPY magic');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`format version ${major}.${bytes[7]} (have 1 to 3)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : fail('truncated header');
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? fail(`no 'descr' in header ${header.trim()}`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail(`no 'fortran_order' in header ${header.trim()}`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail(`no 'shape' in header ${header.trim()}`);
  if (fortran === 'True') fail('Fortran-order arrays are not supported (save np.ascontiguousarray(a))');
  const shape = shapeText.split(',').map((d) => d.trim()).filter((d) => d !== '').map((d) => (/^\d+$/.test(d) ? Number(d) : fail(`bad shape (${shapeText})`)));
  const dtype = dtypeOfDescr(descr) ?? fail(`dtype '${descr}' is not supported (have ${Object.keys(DESCR).join(', ')}, little-endian)`);

  let n = 0;
  try {
    n = checkedSize(shape);
  } catch (e) {
    fail((e as Error).message);
  }
  const Ctor = arrayConstructor(dtype);
  const expected = n * Ctor.BYTES_PER_ELEMENT;
  if (bytes.length - dataStart !== expected) fail(`shape (${shape.join(', ')}) of ${dtype} needs ${expected} bytes of data, the file has ${bytes.length - dataStart}`);
  const data = new Ctor(n);
  // Copied rather than viewed: the data need not be aligned for its element type inside the file.
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart));
  return { dtype, shape, data };
}

function dtypeOfDescr(descr: string): DType | undefined {
  const order = descr[0];
  const code = descr.slice(1);
  const dtype = (Object.keys(DESCR) as DType[]).find((d) => DESCR[d] === code);
  if (!dtype) return undefined;
  // Byte order: '<' little, '|' not applicable (one byte), '=' native (little on every host the runtime runs on).
  const oneByte = code.endsWith('1');
  return order === '<' || order === '=' || (order === '|' && oneByte) ? dtype : undefined;
}

/** A version 1 .npy file (version 2 when the header needs more than 64 KiB), padded so that data starts 64-aligned. */
export function writeNpy(array: NpyArray): Uint8Array {
  const expectedType = ARRAY_TYPES[array.dtype];
  if (typedArrayName(array.data) !== expectedType) throw new Error(`writeNpy: ${array.dtype} data must be a ${expectedType}`);
  const descr = `${DESCR[array.dtype].endsWith('1') ? '|' : '<'}${DESCR[array.dtype]}`;
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const v2 = dict.length + 12 > 0xffff;
  const prefix = v2 ? 12 : 10;
  const padded = dict.padEnd(Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix - 1, ' ') + '\n';
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(prefix + padded.length + data.length);
  out.set(MAGIC);
  out[6] = v2 ? 2 : 1;
  const view = new DataView(out.buffer);
  if (v2) view.setUint32(8, padded.length, true);
  else view.setUint16(8, padded.length, true);
  out.set(new TextEncoder().encode(padded), prefix);
  out.set(data, prefix + padded.length);
  return out;
}
