// Checks of what a caller passes to Session.run, shared by the executors: an object of typed arrays by input
// name, each of the input's array type (see ARRAY_TYPES) and element count (or, on webgpu, GPUBuffers).
import { ARRAY_TYPES, elementCount, typedArrayName, type TypedArray } from './dtypes.js';
import { DlcRuntimeError } from './errors.js';
import type { SpecializedInput, TensorInfo } from './manifest.js';

/** What run() takes per input: a typed array, or on webgpu a GPUBuffer holding its elements in storage form. */
export type Feeds = Record<string, TypedArray | GPUBuffer>;

export const isGpuBuffer = (x: unknown): x is GPUBuffer => typeof (x as GPUBuffer)?.mapAsync == 'function';

/** Refuses feeds that are not an object or name an unknown input. */
export function checkFeedNames(feeds: unknown, inputs: readonly TensorInfo[]): asserts feeds is Feeds {
  if (typeof feeds !== 'object' || feeds === null) throw new DlcRuntimeError('run() takes an object of typed arrays by input name');
  const known = new Set(inputs.map((s) => s.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) throw new DlcRuntimeError(`unknown input '${name}' (inputs: ${[...known].join(', ')})`);
  }
}

/** The feeds without those of specialized inputs, each of which must equal the value compiled in. */
export function withoutSpecialized(feeds: Feeds, specialized: readonly SpecializedInput[]): Feeds {
  if (!specialized.length || typeof feeds !== 'object' || feeds === null) return feeds;
  const rest = { ...feeds };
  for (const s of specialized) {
    if (!Object.prototype.hasOwnProperty.call(rest, s.name)) continue;
    // A GPUBuffer has no typed array name: refused below.
    const data = rest[s.name] as TypedArray;
    delete rest[s.name];
    const same = typedArrayName(data) === ARRAY_TYPES[s.dtype] && data.length === s.values.length && s.values.every((v, i) => String(Number(data[i])) === String(v));
    if (!same) throw new DlcRuntimeError(`input '${s.name}' was specialized: the artifact was compiled for ${s.dtype}[${s.shape.join(',')}] [${s.values.join(', ')}]; feed that value or leave it out`);
  }
  return rest;
}

/** The feed of one input, checked for presence, array type and element count. */
export function checkedFeed(slot: TensorInfo, data: TypedArray | GPUBuffer | undefined): TypedArray {
  const what = `input '${slot.name}' (${slot.dtype}[${slot.shape.join(',')}])`;
  if (data === undefined) throw new DlcRuntimeError(`missing ${what}`);
  const expected = ARRAY_TYPES[slot.dtype];
  const got = typedArrayName(data);
  if (got !== expected) throw new DlcRuntimeError(`${what} must be a ${expected}, got ${got ?? describe(data)}`);
  const n = elementCount(slot.shape);
  const array = data as TypedArray;
  if (array.length !== n) throw new DlcRuntimeError(`${what} needs ${n} elements, got ${array.length}`);
  return array;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an Array';
  return typeof x === 'object' ? (x as object).constructor?.name ?? 'an object' : typeof x;
}
