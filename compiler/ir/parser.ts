// Reads the IR's text form (see printer.ts for the format) back into a graph. Output types come from the
// text, not from inference (verifyGraph checks them); attributes are resolved against the op's schema, so
// attributes the printer left out as defaults come back. `//` starts a comment that runs to the line's end
// (golden tests keep their CHECK lines there). `dense<elided>` reads back as zeros marked by `isElided`;
// `dense_resource<key>` reads its data from the resources given (resources.ts reads a dump's file).
import { DlcError } from '../errors.js';
import '../ops/index.js';
import { getOp, resolveAttrs } from '../ops/registry.js';
import { byteSize, parseDType, type DType } from './dtype.js';
import { decodeElements } from './element-bytes.js';
import { Graph, Value, type AttrValue, type Attrs, type Dim, type Node, type TensorType } from './graph.js';
import { isFloatAttr, markElided, readFloatAttr } from './printer.js';
import { Tensor } from './tensor.js';

export { isElided } from './printer.js';

export interface ParseOptions {
  /** The data of `dense_resource<key>` tensors, by key. */
  resources?: { get(key: string): Uint8Array | undefined };
}

export function parseGraph(text: string, file?: string, options: ParseOptions = {}): Graph {
  const p = new Parser(new Lexer(text, file), options);
  const g = p.graph(undefined);
  p.expectEnd();
  return g;
}

type TokenKind = 'value' | 'symbol' | 'ident' | 'number' | 'string' | 'hex' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  /** Names without their sigil or quotes, string contents unescaped, punctuation as is. */
  text: string;
  /** Offset in the source, for line:column in errors. */
  pos: number;
}

const PUNCT = new Set(['(', ')', '[', ']', '{', '}', '<', '>', ',', ':', '=']);
const NAME_CHARS = /[A-Za-z0-9_.]+/y;
const IDENT = /\??[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const HEX = /0x[0-9a-fA-F]*/y;
const SPACE = /(?:\s+|\/\/[^\n]*)*/y;
const STRING = /"(?:[^"\\\n]|\\.)*"/y;

class Lexer {
  private pos = 0;
  private peeked?: Token;

  constructor(
    readonly text: string,
    readonly file?: string,
  ) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  error(pos: number, message: string): DlcError {
    let line = 1;
    let col = 1;
    for (let i = 0; i < pos; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return new DlcError(`${line}:${col}: ${message}`, this.file ? { file: this.file } : {});
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    return m ? m[0] : undefined;
  }

  private scan(): Token {
    this.pos += this.match(SPACE)?.length ?? 0;
    const pos = this.pos;
    if (pos >= this.text.length) return { kind: 'eof', text: '', pos };
    const c = this.text[pos];
    const take = (kind: TokenKind, raw: string, text = raw): Token => {
      this.pos += raw.length;
      return { kind, text, pos };
    };
    if (c === '%' || c === '@') {
      const kind = c === '%' ? 'value' : 'symbol';
      this.pos++;
      if (this.text[this.pos] === '"') {
        const s = this.string();
        return { kind, text: s, pos };
      }
      const name = this.match(NAME_CHARS);
      if (name === undefined) throw this.error(pos, `expected a name after '${c}'`);
      return take(kind, name);
    }
    if (c === '"') return { kind: 'string', text: this.string(), pos };
    if (PUNCT.has(c)) return take('punct', c);
    const hex = this.match(HEX);
    if (hex !== undefined) return take('hex', hex, hex.slice(2));
    if (this.text.startsWith('-inf', pos)) return take('number', '-inf');
    const num = this.match(NUMBER);
    if (num !== undefined) return take('number', num);
    const ident = this.match(IDENT);
    if (ident !== undefined) return take('ident', ident);
    throw this.error(pos, `unexpected character ${JSON.stringify(c)}`);
  }

  /** A JSON string literal at the current position; returns its contents. */
  private string(): string {
    const start = this.pos;
    const raw = this.match(STRING);
    if (raw === undefined) throw this.error(start, 'unterminated string');
    this.pos += raw.length;
    try {
      return JSON.parse(raw) as string;
    } catch {
      throw this.error(start, `malformed string ${raw}`);
    }
  }
}

/** Values visible while parsing a graph; nested graphs see the values their enclosing graphs defined so far. */
class Scope {
  private readonly values = new Map<string, Value>();

  constructor(private readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    return this.values.get(name) ?? this.parent?.lookup(name);
  }

  define(name: string, v: Value): void {
    this.values.set(name, v);
  }
}

class Parser {
  constructor(
    private readonly lex: Lexer,
    private readonly options: ParseOptions,
  ) {}

  expectEnd(): void {
    const t = this.lex.peek();
    if (t.kind !== 'eof') throw this.unexpected(t, 'end of input');
  }

  graph(parent: Scope | undefined): Graph {
    this.keyword('graph');
    const nameTok = this.lex.next();
    if (nameTok.kind !== 'symbol') throw this.unexpected(nameTok, "a graph name ('@name')");
    const g = new Graph(nameTok.text);
    const scope = new Scope(parent);
    this.punct('(');
    if (!this.accept(')')) {
      do {
        const name = this.newName(scope, g.inputs);
        this.punct(':');
        const v = new Value(name, this.type());
        g.inputs.push(v);
        scope.define(name, v);
      } while (this.accept(','));
      this.punct(')');
    }
    this.punct('{');
    for (;;) {
      const t = this.lex.peek();
      if (t.kind === 'ident' && t.text === 'return') break;
      this.statement(g, scope);
    }
    this.lex.next();
    if (!this.accept('}')) {
      do g.outputs.push(this.valueRef(scope));
      while (this.accept(','));
      this.punct('}');
    }
    return g;
  }

  private statement(g: Graph, scope: Scope): void {
    const outputs: Value[] = [];
    if (this.lex.peek().kind === 'value') {
      const name = this.newName(scope, outputs);
      if (this.accept('=')) {
        this.keyword('const');
        const type = this.type();
        const c = new Value(name, type, this.dense(type));
        g.constants.push(c);
        scope.define(name, c);
        return;
      }
      this.punct(':');
      outputs.push(new Value(name, this.type()));
      while (this.accept(',')) {
        const next = this.newName(scope, outputs);
        this.punct(':');
        outputs.push(new Value(next, this.type()));
      }
      this.punct('=');
    }
    g.nodes.push(this.call(scope, outputs));
    for (const o of outputs) scope.define(o.name, o);
  }

  /** `op(inputs) {attrs} loc("name")` */
  private call(scope: Scope, outputs: Value[]): Node {
    const opTok = this.lex.next();
    if (opTok.kind !== 'ident' && opTok.kind !== 'string') throw this.unexpected(opTok, 'an op name');
    const inputs: (Value | null)[] = [];
    this.punct('(');
    if (!this.accept(')')) {
      do {
        const t = this.lex.peek();
        if (t.kind === 'ident' && t.text === '_') {
          this.lex.next();
          inputs.push(null);
        } else inputs.push(this.valueRef(scope));
      } while (this.accept(','));
      this.punct(')');
    }
    const raw: Attrs = {};
    if (this.accept('{') && !this.accept('}')) {
      do {
        const keyTok = this.lex.next();
        if (keyTok.kind !== 'ident' && keyTok.kind !== 'string') throw this.unexpected(keyTok, 'an attribute name');
        if (keyTok.text in raw) throw this.lex.error(keyTok.pos, `attribute '${keyTok.text}' given twice`);
        this.punct('=');
        raw[keyTok.text] = this.attrValue(scope);
      } while (this.accept(','));
      this.punct('}');
    }
    let name = outputs.length > 0 ? outputs[0].name : opTok.text;
    const locTok = this.lex.peek();
    if (locTok.kind === 'ident' && locTok.text === 'loc') {
      this.lex.next();
      this.punct('(');
      name = this.stringLiteral();
      this.punct(')');
    }
    // A float attribute spelled as an f32's shortest decimal is that f32 (printer.ts, formatFloatAttr).
    for (const [key, value] of Object.entries(raw)) {
      if (!isFloatAttr(opTok.text, key)) continue;
      if (typeof value === 'number') raw[key] = readFloatAttr(value);
      else if (Array.isArray(value)) raw[key] = (value as (number | string)[]).map((x) => (typeof x === 'number' ? readFloatAttr(x) : x)) as number[] | string[];
    }
    let attrs: Attrs;
    try {
      attrs = resolveAttrs(getOp(opTok.text), raw);
    } catch (e) {
      if (e instanceof DlcError) throw this.lex.error(opTok.pos, `${opTok.text}: ${e.message}`);
      throw e;
    }
    return { op: opTok.text, inputs, outputs, attrs, name };
  }

  private attrValue(scope: Scope): AttrValue {
    const t = this.lex.peek();
    if (t.kind === 'number' || (t.kind === 'ident' && (t.text === 'nan' || t.text === 'inf'))) return this.number();
    if (t.kind === 'string') return this.stringLiteral();
    if (t.kind === 'ident' && t.text === 'graph') return this.graph(scope);
    if (t.kind === 'ident' && (t.text === 'dense' || t.text === 'dense_resource')) {
      this.lex.next();
      this.punct('<');
      const type = this.type();
      this.punct(':');
      return t.text === 'dense' ? this.payload(type, t.pos) : this.resource(type, t.pos);
    }
    if (t.kind === 'punct' && t.text === '[') {
      this.lex.next();
      const items: (number | string)[] = [];
      if (!this.accept(']')) {
        do {
          const it = this.lex.peek();
          items.push(it.kind === 'string' ? this.stringLiteral() : this.number());
          if (typeof items[items.length - 1] !== typeof items[0]) throw this.lex.error(it.pos, 'a list mixes numbers and strings');
        } while (this.accept(','));
        this.punct(']');
      }
      return items as number[] | string[];
    }
    throw this.unexpected(t, 'an attribute value');
  }

  /** `dense<payload>` or `dense_resource<key>` after a constant's type. */
  private dense(type: TensorType): Tensor {
    const t = this.lex.next();
    if (t.kind !== 'ident' || (t.text !== 'dense' && t.text !== 'dense_resource')) throw this.unexpected(t, "'dense' or 'dense_resource'");
    this.punct('<');
    return t.text === 'dense' ? this.payload(type, t.pos) : this.resource(type, t.pos);
  }

  /** A resource's key and the closing `>`: the tensor of `type` its bytes encode. */
  private resource(type: TensorType, pos: number): Tensor {
    const key = this.lex.next();
    if (key.kind !== 'ident') throw this.unexpected(key, 'a resource key');
    const bytes = this.options.resources?.get(key.text);
    if (!bytes) {
      throw this.lex.error(key.pos, this.options.resources ? `resource '${key.text}' is not in the resource file` : `resource '${key.text}' needs the dump's resource file (read the dump with parseIrFile)`);
    }
    const shape = this.concreteShape(type, pos);
    const width = byteSize(type.dtype);
    const size = shape.reduce((p, d) => p * d, 1);
    if (bytes.length !== size * width) throw this.lex.error(key.pos, `resource '${key.text}' holds ${bytes.length} bytes, ${type.dtype}[${shape}] takes ${size * width}`);
    this.punct('>');
    return this.tensorOf(type.dtype, shape, decodeElements(type.dtype, bytes), pos);
  }

  private concreteShape(type: TensorType, pos: number): number[] {
    return type.shape.map((d) => {
      if (typeof d !== 'number') throw this.lex.error(pos, `a tensor's shape must be concrete, got dim '${d}'`);
      return d;
    });
  }

  private tensorOf(dtype: DType, shape: number[], data: ArrayLike<number> | undefined, pos: number): Tensor {
    try {
      return new Tensor(dtype, shape, data);
    } catch (e) {
      if (e instanceof DlcError) throw this.lex.error(pos, e.message);
      throw e;
    }
  }

  /** The data of a tensor of `type` and the closing `>`: `elided`, a number, a list, or hex. */
  private payload(type: TensorType, pos: number): Tensor {
    const shape = this.concreteShape(type, pos);
    const tensorOf = (data?: ArrayLike<number>): Tensor => this.tensorOf(type.dtype, shape, data, pos);
    const t = this.lex.peek();
    let result: Tensor;
    if (t.kind === 'ident' && t.text === 'elided') {
      this.lex.next();
      result = tensorOf();
      markElided(result);
    } else if (t.kind === 'hex') {
      this.lex.next();
      result = tensorOf(this.hexDecode(type.dtype, t));
    } else if (t.kind === 'punct' && t.text === '[') {
      this.lex.next();
      const values: number[] = [];
      if (!this.accept(']')) {
        do values.push(this.element());
        while (this.accept(','));
        this.punct(']');
      }
      result = tensorOf(values);
    } else {
      result = tensorOf([this.element()]);
    }
    this.punct('>');
    return result;
  }

  private element(): number {
    const t = this.lex.peek();
    if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) {
      this.lex.next();
      return t.text === 'true' ? 1 : 0;
    }
    return this.number();
  }

  private hexDecode(dtype: DType, t: Token): number[] {
    const width = byteSize(dtype);
    if (t.text.length % (2 * width) !== 0) throw this.lex.error(t.pos, `hex data of ${t.text.length / 2} bytes is not a whole number of ${dtype} elements`);
    return decodeElements(dtype, Uint8Array.from(Buffer.from(t.text, 'hex')));
  }

  /** `f32[1,N,"a b"]` */
  private type(): TensorType {
    const t = this.lex.next();
    if (t.kind !== 'ident') throw this.unexpected(t, 'a dtype');
    let dtype: DType;
    try {
      dtype = parseDType(t.text);
    } catch (e) {
      if (e instanceof DlcError) throw this.lex.error(t.pos, e.message);
      throw e;
    }
    const shape: Dim[] = [];
    this.punct('[');
    if (!this.accept(']')) {
      do {
        const d = this.lex.next();
        if (d.kind === 'number') {
          const n = Number(d.text);
          if (!Number.isSafeInteger(n) || n < 0) throw this.lex.error(d.pos, `invalid dimension ${d.text}`);
          shape.push(n);
        } else if (d.kind === 'ident' || d.kind === 'string') shape.push(d.text);
        else throw this.unexpected(d, 'a dimension');
      } while (this.accept(','));
      this.punct(']');
    }
    return { dtype, shape };
  }

  private number(): number {
    const t = this.lex.next();
    if (t.kind === 'ident' && t.text === 'nan') return NaN;
    if (t.kind === 'ident' && t.text === 'inf') return Infinity;
    if (t.kind !== 'number') throw this.unexpected(t, 'a number');
    return t.text === '-inf' ? -Infinity : Number(t.text);
  }

  private stringLiteral(): string {
    const t = this.lex.next();
    if (t.kind !== 'string') throw this.unexpected(t, 'a string');
    return t.text;
  }

  /** The name of a value being defined: it must not name a visible value nor one of `siblings`. */
  private newName(scope: Scope, siblings: readonly Value[]): string {
    const t = this.lex.next();
    if (t.kind !== 'value') throw this.unexpected(t, "a value name ('%name')");
    if (scope.lookup(t.text) || siblings.some((v) => v.name === t.text)) throw this.lex.error(t.pos, `value %${t.text} is already defined`);
    return t.text;
  }

  private valueRef(scope: Scope): Value {
    const t = this.lex.next();
    if (t.kind !== 'value') throw this.unexpected(t, "a value ('%name')");
    const v = scope.lookup(t.text);
    if (!v) throw this.lex.error(t.pos, `value %${t.text} is not defined`);
    return v;
  }

  private keyword(word: string): void {
    const t = this.lex.next();
    if (t.kind !== 'ident' || t.text !== word) throw this.unexpected(t, `'${word}'`);
  }

  private punct(p: string): void {
    const t = this.lex.next();
    if (t.kind !== 'punct' || t.text !== p) throw this.unexpected(t, `'${p}'`);
  }

  private accept(p: string): boolean {
    const t = this.lex.peek();
    if (t.kind === 'punct' && t.text === p) {
      this.lex.next();
      return true;
    }
    return false;
  }

  private unexpected(t: Token, wanted: string): DlcError {
    const found = t.kind === 'eof' ? 'end of input' : t.kind === 'punct' ? `'${t.text}'` : `${t.kind} '${t.text}'`;
    return this.lex.error(t.pos, `expected ${wanted}, found ${found}`);
  }
}
