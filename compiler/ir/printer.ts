// The IR's text form (MLIR in spirit): deterministic, readable in a diff, and read back by parser.ts.
//
//   graph @main(%x: f32[1,3,224,224]) {
//     %w0 = const f32[32,3,3,3] dense<0x0000803f...>
//     %3: f32[1,32,112,112] = conv(%x, %w0, _) {pads=[0,0,1,1], strides=[2,2]}
//     return %3
//   }
//
// - Values print by name (`%x`), quoted when not made of [A-Za-z0-9_.] (`%"onnx::Conv_3"`). Names are unique
//   in the printed module: a name met again (in definition order: inputs, constants, then each node's
//   outputs followed by its nested graphs) gets the first free `name_K`, K = 1, 2, ..., that no value uses.
// - A node prints as `outputs = op(inputs) {attrs}`; `_` is an omitted optional input. Attributes are
//   sorted by key, and those equal to the op's schema default are left out (the parser applies defaults).
// - Numbers print as the shortest decimal that reads back to the same value (for f32/f16 tensor elements:
//   the same f32/f16), with `nan`, `inf`, `-inf`, `-0`; integers past 2^53 print exactly, and 2^63 (how
//   the double INT64_MAX reads) as 9223372036854775807. Strings print as JSON string literals.
// - Tensors: `dense<f32[2]: [1, 2]>` as attributes, `%c = const f32[2] dense<[1, 2]>` as constants (a
//   graph's constants come first, after its inputs). The data is a decimal list up to INLINE_ELEMENTS
//   elements (a bare number for a scalar), above that `0x` and the hex of its little-endian encoding
//   (element-bytes.ts).
//   `elided` in place of the data (`dense<elided>`, `dense<f32[9]: elided>`) stands for data left out:
//   the parser reads it as zeros and marks the tensor so that `isElided` tells (printed again, it stays
//   elided). Such a graph is for reading, not running.
// - Nested graphs (If/Loop/Scan bodies) print inline as attribute values, indented; their nodes may read
//   values of the enclosing graphs by name.
// - With `locations`, each node line ends in `loc("node name")`; without, the parser names a node after
//   its first output.
import { DlcError } from '../errors.js';
import '../ops/index.js';
import { getOp, hasOp } from '../ops/registry.js';
import { roundBF16, roundF16, type DType } from './dtype.js';
import { INT64_MAX, INT64_MIN, UINT64_MAX, encodeElements, toBigInt } from './element-bytes.js';
import { Graph, type AttrValue, type Dim, type Node, type Value } from './graph.js';
import { Tensor } from './tensor.js';

/** Where a printer puts the data of the tensors it elides: it keeps the bytes and names them. */
export interface ResourceSink {
  add(bytes: Uint8Array): string;
}

export interface PrintOptions {
  /** Tensors of more than this many elements print as `dense<elided>` (`dense_resource<…>` with `resources`). */
  elideConstantsOver?: number;
  /** Keeps the elided tensors' data: they print as `dense_resource<key>`, and the text round-trips. */
  resources?: ResourceSink;
  /** End each node line with `loc("node name")`. */
  locations?: boolean;
}

/** Tensors up to this many elements print as a decimal list; larger ones as hex. */
export const INLINE_ELEMENTS = 32;

const elidedTensors = new WeakSet<Tensor>();

/** Marks a tensor as a stand-in (zero-filled) for data that a dump left out. */
export function markElided(t: Tensor): void {
  elidedTensors.add(t);
}

/** Whether a tensor, or a constant value's data, was read from `dense<elided>` (its data is zeros). */
export function isElided(x: Value | Tensor): boolean {
  const t = x instanceof Tensor ? x : x.data;
  return t !== undefined && elidedTensors.has(t);
}

export function printGraph(graph: Graph, options: PrintOptions = {}): string {
  const names = new ValueNames(graph);
  const lines: string[] = [];
  new Printer(names, options, lines).graph(graph, '');
  return lines.join('\n') + '\n';
}

const BARE_NAME = /^[A-Za-z0-9_.]+$/;
const BARE_IDENT = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const BARE_DIM = /^\??[A-Za-z_][A-Za-z0-9_.]*$/;

/** `%name`-style reference: bare when the name is plain, else a quoted string. */
export function formatName(sigil: '%' | '@', name: string): string {
  return sigil + (BARE_NAME.test(name) ? name : JSON.stringify(name));
}

export function formatDim(d: Dim): string {
  if (typeof d === 'number') return String(d);
  return BARE_DIM.test(d) ? d : JSON.stringify(d);
}

export function formatType(t: { dtype: DType; shape: readonly Dim[] }): string {
  return `${t.dtype}[${t.shape.map(formatDim).join(',')}]`;
}

/** Shortest decimal that reads back to the same double, with nan/inf spelled out and -0 kept. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  // INT64_MAX (a common "to the end" sentinel) is held as the double 2^63; its int64 spelling reads back to it.
  if (Number.isInteger(x) && !Number.isSafeInteger(x) && Math.abs(x) <= 2 ** 63) return String(toBigInt(x, INT64_MIN, INT64_MAX));
  return String(x);
}

/** Shortest decimal that reads back (after rounding to `dtype`) to the element `x`. */
function formatElement(x: number, dtype: DType): string {
  if (dtype === 'bool') return x ? 'true' : 'false';
  if (!Number.isFinite(x) || Object.is(x, -0)) return formatNumber(x);
  if (dtype === 'u64' && !Number.isSafeInteger(x)) return String(toBigInt(x, 0n, UINT64_MAX));
  const round = dtype === 'f32' ? Math.fround : dtype === 'f16' ? roundF16 : dtype === 'bf16' ? roundBF16 : undefined;
  if (!round) return formatNumber(x);
  for (let p = 1; p < 17; p++) {
    const y = Number(x.toPrecision(p));
    if (round(y) === x) return String(y);
  }
  return String(x);
}

/** A float attribute: the shortest decimal of its f32 when it is one, else of the double. */
export function formatFloatAttr(x: number): string {
  return Math.fround(x) === x ? formatElement(x, 'f32') : formatNumber(x);
}

/** A float attribute as read: a decimal that is some f32's shortest form stands for that f32 (formatFloatAttr's inverse). */
export function readFloatAttr(x: number): number {
  const f = Math.fround(x);
  return formatElement(f, 'f32') === formatNumber(x) ? f : x;
}

/** A tensor's data in the text: `elided`, a resource's key, a scalar, a list or hex. `dense_resource` when a key. */
function formatPayload(dtype: DType, data: Tensor, options: PrintOptions): { resource: boolean; text: string } {
  const n = data.size;
  if (elidedTensors.has(data)) return { resource: false, text: 'elided' };
  if (options.elideConstantsOver !== undefined && n > options.elideConstantsOver) {
    return options.resources ? { resource: true, text: options.resources.add(encodeElements(dtype, data.data)) } : { resource: false, text: 'elided' };
  }
  if (data.rank === 0) return { resource: false, text: formatElement(data.data[0], dtype) };
  if (n <= INLINE_ELEMENTS) return { resource: false, text: `[${Array.from(data.data, (x) => formatElement(x, dtype)).join(', ')}]` };
  return { resource: false, text: '0x' + Buffer.from(encodeElements(dtype, data.data)).toString('hex') };
}

/** Module-wide unique printed names, assigned in definition order. */
class ValueNames {
  private readonly assigned = new Map<Value, string>();
  private readonly taken = new Set<string>();
  /** Every name some defined value has: a renamed duplicate must not take one of them. */
  private readonly original = new Set<string>();

  constructor(graph: Graph) {
    const order: Value[] = [];
    collectDefinitions(graph, order);
    for (const v of order) this.original.add(v.name);
    for (const v of order) this.of(v);
  }

  of(v: Value): string {
    let name = this.assigned.get(v);
    if (name !== undefined) return name;
    name = v.name;
    for (let k = 1; this.taken.has(name); k++) {
      const candidate = `${v.name}_${k}`;
      if (!this.original.has(candidate)) name = candidate;
    }
    this.taken.add(name);
    this.assigned.set(v, name);
    return name;
  }
}

function collectDefinitions(g: Graph, order: Value[]): void {
  order.push(...g.inputs, ...g.constants);
  for (const node of g.nodes) {
    order.push(...node.outputs);
    for (const key of Object.keys(node.attrs).sort()) {
      const a = node.attrs[key];
      if (a instanceof Graph) collectDefinitions(a, order);
    }
  }
}

class Printer {
  constructor(
    private readonly names: ValueNames,
    private readonly options: PrintOptions,
    private readonly lines: string[],
  ) {}

  private append(text: string): void {
    this.lines[this.lines.length - 1] += text;
  }

  private ref(v: Value): string {
    return formatName('%', this.names.of(v));
  }

  /** Appends the graph's lines; with `continueLine`, its first line continues the last line printed. */
  graph(g: Graph, indent: string, continueLine = false): void {
    const params = g.inputs.map((v) => `${this.ref(v)}: ${formatType(v.type)}`).join(', ');
    const open = `graph ${formatName('@', g.name)}(${params}) {`;
    if (continueLine) this.append(open);
    else this.lines.push(indent + open);
    const inner = indent + '  ';
    for (const c of g.constants) {
      if (!c.data) throw new DlcError(`constant '${c.name}' of graph '${g.name}' has no data`);
      const p = formatPayload(c.type.dtype, c.data, this.options);
      this.lines.push(`${inner}${this.ref(c)} = const ${formatType(c.type)} ${p.resource ? 'dense_resource' : 'dense'}<${p.text}>`);
    }
    for (const node of g.nodes) this.node(node, inner);
    const ret = g.outputs.map((v) => this.ref(v)).join(', ');
    this.lines.push(`${inner}return${ret ? ' ' + ret : ''}`);
    this.lines.push(indent + '}');
  }

  private node(node: Node, indent: string): void {
    const outs = node.outputs.map((v) => `${this.ref(v)}: ${formatType(v.type)}`).join(', ');
    const args = node.inputs.map((v) => (v ? this.ref(v) : '_')).join(', ');
    this.lines.push(`${indent}${outs ? outs + ' = ' : ''}${formatOpName(node.op)}(${args})`);
    const keys = Object.keys(node.attrs).sort().filter((k) => !isDefault(node.op, k, node.attrs[k]));
    if (keys.length > 0) {
      this.append(' {');
      keys.forEach((k, i) => {
        if (i > 0) this.append(', ');
        this.append(`${formatKey(k)}=`);
        this.attr(node.attrs[k], indent, isFloatAttr(node.op, k));
      });
      this.append('}');
    }
    if (this.options.locations) this.append(` loc(${JSON.stringify(node.name)})`);
  }

  private attr(a: AttrValue, indent: string, float: boolean): void {
    if (a instanceof Graph) this.graph(a, indent, true);
    else this.append(formatAttr(a, this.options, float));
  }
}

function formatOpName(op: string): string {
  return BARE_IDENT.test(op) ? op : JSON.stringify(op);
}

function formatKey(key: string): string {
  return BARE_IDENT.test(key) ? key : JSON.stringify(key);
}

function formatAttr(a: Exclude<AttrValue, Graph>, options: PrintOptions, float: boolean): string {
  const num = float ? formatFloatAttr : formatNumber;
  if (typeof a === 'number') return num(a);
  if (typeof a === 'string') return JSON.stringify(a);
  if (a instanceof Tensor) {
    const p = formatPayload(a.dtype, a, options);
    return `${p.resource ? 'dense_resource' : 'dense'}<${formatType(a)}: ${p.text}>`;
  }
  return `[${(a as (number | string)[]).map((x) => (typeof x === 'number' ? num(x) : JSON.stringify(x))).join(',')}]`;
}

/** Whether the op's schema makes `key` a float attribute (f32 in ONNX). */
export function isFloatAttr(op: string, key: string): boolean {
  const type = hasOp(op) ? getOp(op).attrs[key]?.type : undefined;
  return type === 'float' || type === 'floats';
}

/** Whether the attribute holds its schema default (so the parser restores it when left out). */
function isDefault(op: string, key: string, value: AttrValue): boolean {
  if (!hasOp(op)) return false;
  const def = getOp(op).attrs[key]?.default;
  if (def === undefined) return false;
  if (typeof def === 'number' || typeof def === 'string') return Object.is(def, value);
  if (Array.isArray(def) && Array.isArray(value)) {
    return def.length === value.length && def.every((x, i) => Object.is(x, (value as (number | string)[])[i]));
  }
  return false;
}
