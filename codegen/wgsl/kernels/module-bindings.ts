// How a WebGPU anchor kernel's module is put together: its bindings (one per distinct value and element
// type), the module-scope functions an epilogue declares, the epilogue applied at a store, the offset
// arithmetic of a strided operand, the grid folded within the per-dimension limit, and the f32-only check.
import { DlcError } from '../../../compiler/errors.js';
import type { Value } from '../../../compiler/ir/graph.js';
import { WGSL_LIMITS, type EpilogueSite, type WgslBinding, type WgslEpilogue, type WgslKernelContext } from './kernel.js';

/** Element types of a GEMM module's arrays: f32 data, and f16 pairs packed in u32 words (halfWeights). */
export type Element = 'f32' | 'vec4<f32>' | 'u32' | 'vec2<u32>';
const ELEMENT_PREFIX: Record<Element, string> = { f32: 's', 'vec4<f32>': 'v', u32: 'h', 'vec2<u32>': 'q' };

/**
 * The bindings of one WGSL module: one per distinct (value, element type), declared in order; and the
 * module-scope functions an epilogue declared.
 */
export class ModuleBindings implements EpilogueSite {
  readonly list: WgslBinding[] = [];
  /** Per binding: its array's element type. */
  private readonly elements: Element[] = [];
  private readonly globals: string[] = [];

  declare(text: string): void {
    if (!this.globals.includes(text)) this.globals.push(text);
  }

  /** The name of the array bound to `v`, as f32 elements or as vec4<f32> ones. */
  bind(v: Value, access: WgslBinding['access'] = 'read', vec4 = false): string {
    return this.bindAs(v, vec4 ? 'vec4<f32>' : 'f32', access);
  }

  /** The name of the array bound to `v` with elements of type `element`. */
  bindAs(v: Value, element: Element, access: WgslBinding['access'] = 'read'): string {
    let i = this.list.findIndex((b, j) => b.value === v && this.elements[j] === element);
    if (i < 0) {
      i = this.list.length;
      this.list.push({ value: v, access });
      this.elements.push(element);
    } else if (access === 'read_write') this.list[i].access = 'read_write';
    return this.nameOf(i);
  }

  private nameOf(i: number): string {
    return `${ELEMENT_PREFIX[this.elements[i]]}${i}`;
  }

  /** The module's binding declarations. */
  declarations(): string {
    if (this.list.length > WGSL_LIMITS.storageBuffersPerStage) {
      throw new DlcError(`a kernel needs ${this.list.length} storage bindings, more than ${WGSL_LIMITS.storageBuffersPerStage}`);
    }
    const bindings = this.list.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${this.nameOf(i)}: array<${this.elements[i]}>;`);
    return [...bindings, ...this.globals].join('\n');
  }
}

/**
 * The epilogue applied to a stored scalar (or vec4) expression `v`, output element `at` (the first of four for
 * vec4); parenthesized, since the forms splice their argument in.
 */
export function finish(epi: WgslEpilogue | undefined, v: string, at: string, site: EpilogueSite, vec4 = false): string {
  if (!epi) return v;
  return vec4 ? epi.vec4(`(${v})`, `(${at})`, site) : epi.scalar(`(${v})`, `(${at})`, site);
}

/** Σ_d ((i / inner_d) % dims_d) · strides_d as a u32 expression: the element offset of linear index i. */
export function offsetOf(dims: readonly number[], strides: readonly number[], i: string): string {
  const terms: string[] = [];
  let inner = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    if (strides[d] !== 0 && dims[d] > 1) {
      const q = inner === 1 ? i : `(${i} / ${inner}u)`;
      const c = d === 0 ? q : `(${q} % ${dims[d]}u)`;
      terms.push(strides[d] === 1 ? c : `${c} * ${strides[d]}u`);
    }
    inner *= dims[d];
  }
  return terms.length ? `(${terms.join(' + ')})` : '0u';
}

/** `groups` workgroups as an x × y grid within the per-dimension limit (x·y ≥ groups; the kernel checks its index). */
export function foldedGrid(groups: number): [number, number] {
  const max = WGSL_LIMITS.workgroupsPerDimension;
  if (groups <= max) return [Math.max(groups, 1), 1];
  const y = Math.ceil(groups / max);
  if (y > max) throw new DlcError(`${groups} workgroups exceed WebGPU's grid`);
  return [max, y];
}

export function requireF32(k: WgslKernelContext): void {
  for (const v of k.node.inputs) {
    if (v && v.type.dtype !== 'f32') throw new DlcError(`op ${k.node.op} is not supported by the webgpu target: ${v.type.dtype} operands (f32 only)`, { node: k.node.name, op: k.node.op });
  }
}
