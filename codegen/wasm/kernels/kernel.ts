// What a kernel generator sees and returns. A generator turns one node into the body of one AssemblyScript
// function with its shapes baked in. Addresses are tokens (`ptr(v)`) that the compiler replaces by byte
// offsets once the memory plan is known, so generators never depend on where tensors live.
import { DlcError } from '../../../compiler/errors.js';
import { byteSize, type DType } from '../../../compiler/ir/dtype.js';
import type { Node, Value } from '../../../compiler/ir/graph.js';
import type { Tensor } from '../../../compiler/ir/tensor.js';
import type { KernelSite } from '../../lower.js';
import type { Epilogue } from './epilogue.js';

export { shapeOf, sizeOfValue } from '../../shapes.js';

export interface KernelContext extends KernelSite {
  /**
   * An activation fused into this kernel: output(0) is then the activation's output, and the kernel applies
   * the epilogue to every element it stores (only kernels listed in EPILOGUE_KERNELS get one).
   */
  epilogue?: Epilogue;
  /** The address token of one of this node's values. */
  ptr(v: Value): string;
  /** Places a compile-time tensor (a transposed weight, an index table) in the weights; returns its address token. */
  constant(t: Tensor): string;
  /** Private scratch memory for this kernel (each call gets its own bytes); returns its address token. */
  scratch(bytes: number): string;
  /** Adds a shared helper (by name, once per module) and returns the name to call. */
  helper(name: string, source: () => string): string;
  /**
   * Threads the module is built for. At 1 (the default) kernels are those of a one-thread module; above 1 a
   * kernel may split its work across threads (threads.ts), and kernels that do not run on thread 0 alone.
   */
  threads: number;
  /** Marks this kernel as split: every thread runs it, with `tid` and `nthreads` in scope (threads.ts calls it). */
  splitAcrossThreads(): void;
  /**
   * A choice a generator makes from the shapes (a conv algorithm, rows per cache block, vector or scalar code):
   * `choose()` unless the program replays another shape's choices. A shape-generic program (codegen/shape-generic)
   * makes every shape's choices the largest shape's, which are valid for every smaller one and keep one code.
   */
  decide<T extends string | number | boolean>(what: string, choose: () => T): T;
  /** The program is shape-generic: a table that depends on the shape is computed at run time, not placed in the weights. */
  shapeGeneric: boolean;
}

/** Choices of the kernels by node and name: recorded at one shape, replayed at others. */
export interface KernelDecisions {
  replay?: ReadonlyMap<string, string | number | boolean>;
  record: Map<string, string | number | boolean>;
}

/** A kernel body, or null when the node needs no code (its outputs alias its inputs). */
export type KernelGenerator = (k: KernelContext) => string | null;

export function unsupported(node: Node, detail = ''): never {
  throw new DlcError(`op ${node.op} is not supported by the wasm target${detail ? `: ${detail}` : ''}`, { node: node.name, op: node.op });
}

export function elementBytes(dtype: DType): number {
  return byteSize(dtype);
}

/** `ptr + index · elementSize`, as an AssemblyScript address expression. */
export function at(ptr: string, index: string, dtype: DType): string {
  const size = elementBytes(dtype);
  if (index === '0') return ptr;
  return `${ptr} + (${index})${size === 1 ? '' : ` * ${size}`}`;
}
