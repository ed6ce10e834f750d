// The shape shared by the non-anchor WGSL kernels: one invocation per output element (or per row), bindings
// declared from the values they carry, a 1-D index folded into a grid that respects the 65,535-workgroups
// limit, and index arithmetic that turns a linear output index into per-operand element offsets.
import { DlcError } from '../../../compiler/errors.js';
import type { Node, Value } from '../../../compiler/ir/graph.js';
import { collapse } from '../../loops.js';
import { storageType, withHelpers, wrapNarrow } from '../wgsl-target.js';
import { WGSL_LIMITS, type EpilogueSite, type WgslBinding, type WgslDispatch } from './kernel.js';

export const WORKGROUP_SIZE = 64;

export function unsupported(node: Node, detail = ''): never {
  throw new DlcError(`op ${node.op} is not supported by the webgpu target${detail ? `: ${detail}` : ''}`, { node: node.name, op: node.op });
}

/** Workgroups for `count` invocations of WORKGROUP_SIZE each, folded into y and z past the per-dimension limit. */
export function gridFor(count: number): [number, number, number] {
  const groups = Math.ceil(count / WORKGROUP_SIZE);
  const max = WGSL_LIMITS.workgroupsPerDimension;
  if (groups <= max) return [groups, 1, 1];
  const y = Math.ceil(groups / max);
  if (y <= max) return [max, y, 1];
  const z = Math.ceil(y / max);
  if (z > max) throw new DlcError(`${count} invocations exceed WebGPU's grid`);
  return [max, max, z];
}

/** The WGSL declaration of binding i. */
function declaration(b: WgslBinding, i: number): string {
  const access = b.access === 'read' ? 'read' : 'read_write';
  return `@group(0) @binding(${i}) var<storage, ${access}> b${i}: array<${storageType(b.value.type.dtype)}>;`;
}

export interface PerInvocation {
  bindings: WgslBinding[];
  /** Invocations (output elements or rows); a dispatch of none is dropped by the caller. */
  count: number;
  /** The body, with `i: u32` the invocation's index (already below count). */
  body: string;
  /** Module-scope declarations (constant tables, functions). */
  globals?: string;
}

/** One dispatch of `count` invocations running `body`. */
export function perInvocation(p: PerInvocation): WgslDispatch {
  if (p.bindings.length > WGSL_LIMITS.storageBuffersPerStage) throw new DlcError(`a kernel needs ${p.bindings.length} storage bindings, more than ${WGSL_LIMITS.storageBuffersPerStage}`);
  const workgroups = gridFor(p.count);
  const code = [
    ...p.bindings.map(declaration),
    p.globals ?? '',
    `@compute @workgroup_size(${WORKGROUP_SIZE})`,
    'fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {',
    `  let i = ((wid.z * ${workgroups[1]}u + wid.y) * ${workgroups[0]}u + wid.x) * ${WORKGROUP_SIZE}u + lid;`,
    invocationGuard(`${p.count}u`),
    p.body,
    '}',
  ].filter((l) => l !== '').join('\n');
  return { code: withHelpers(code), bindings: p.bindings, workgroups };
}

/** The line that ends the invocations past `count` (a u32 expression). */
function invocationGuard(count: string): string {
  return `  if (i >= ${count}) { return; }`;
}

/**
 * `d` with its invocations limited further, to `limit` (a u32 expression of its bindings computed at run time),
 * and `first` run before that by every invocation: a perInvocation dispatch whose outputs are a prefix of what
 * it would write (the actual rows of a run-time-sized tensor, run-time-consumers.ts).
 */
export function limitInvocations(d: WgslDispatch, limit: string, first: string): WgslDispatch {
  const limited = (code: string) => {
    const guard = /^ {2}if \(i >= (\d+u)\) \{ return; \}$/m;
    const match = guard.exec(code);
    if (!match) throw new Error('code generator bug: a run-time row limit on a dispatch that is not one invocation per element');
    return code.replace(guard, `${first}\n${invocationGuard(`min(${match[1]}, ${limit})`)}`);
  };
  return { ...d, code: limited(d.code), ...(d.preferred ? { preferred: { ...d.preferred, code: limited(d.preferred.code) } } : {}) };
}

/**
 * Which binding holds each value (one binding per distinct value, in first-use order), and the module-scope
 * functions an epilogue declared.
 */
export class Bindings implements EpilogueSite {
  readonly list: WgslBinding[] = [];
  private readonly declared: string[] = [];

  constructor(private readonly outputs: readonly Value[]) {}

  bind(v: Value): string {
    return this.of(v);
  }

  declare(text: string): void {
    if (!this.declared.includes(text)) this.declared.push(text);
  }

  /** The declared functions, for PerInvocation.globals. */
  globals(): string {
    return this.declared.join('\n');
  }

  /** The WGSL name of the array bound to `v`. */
  of(v: Value): string {
    let i = this.list.findIndex((b) => b.value === v);
    if (i < 0) {
      i = this.list.length;
      this.list.push({ value: v, access: this.outputs.includes(v) ? 'read_write' : 'read' });
    }
    return `b${i}`;
  }
}

/**
 * Lines that define `u32` offsets `${name}0..` (one per operand) of the element at linear index `index` of
 * an iteration space, each operand walking it with its own element strides (0 along broadcast dims).
 */
export function offsetsOf(dims: readonly number[], strides: readonly (readonly number[])[], index: string, name = 'o'): string {
  const space = collapse({ dims: [...dims], strides: strides.map((s) => [...s]) });
  const lines: string[] = [];
  const terms: string[][] = strides.map(() => []);
  if (space.dims.length > 0) lines.push(`  var ${name}r = ${index};`);
  for (let d = space.dims.length - 1; d >= 0; d--) {
    const c = `${name}c${d}`;
    if (d === 0) lines.push(`  let ${c} = ${name}r;`);
    else lines.push(`  let ${c} = ${name}r % ${space.dims[d]}u;`, `  ${name}r = ${name}r / ${space.dims[d]}u;`);
    space.strides.forEach((s, k) => {
      if (s[d] !== 0) terms[k].push(s[d] === 1 ? c : `${c} * ${s[d]}u`);
    });
  }
  terms.forEach((t, k) => lines.push(`  let ${name}${k} = ${t.length ? t.join(' + ') : '0u'};`));
  return lines.join('\n');
}

/** An expression stored as `dtype` (narrow integer types wrap as a store of their width would). */
export function stored(expr: string, dtype: Value['type']['dtype']): string {
  return wrapNarrow(expr, dtype);
}
