// The text form of a pass pipeline (MLIR style), as `--passes` takes it:
//
//   pipeline := entry (',' entry)*          an empty text is the empty pipeline
//   entry    := NAME options? ('(' pipeline ')')?
//   options  := '{' (KEY '=' VALUE)* '}'     pairs separated by spaces or commas
//
// e.g. `fixpoint{max-iterations=4}(fold-constants,eliminate-dead-code),quantize{bits=8}`. Printing gives
// back the canonical spelling: options in the order the pass declares them, separated by one space.
import { UsageError } from '../compiler/errors.js';
import { createPass, getPassInfo, pipeline, type OptionValue, type Pass } from './manager.js';

export function parsePipeline(text: string): Pass {
  const p = new Parser(text);
  const passes = p.atEnd() ? [] : p.list();
  if (!p.atEnd()) throw p.error(`unexpected '${p.peek()}'`);
  return pipeline(passes);
}

/** The text of a pass; a pipeline prints as its children joined by commas. */
export function printPipeline(pass: Pass): string {
  if (pass.name === 'pipeline' && pass.passes) return pass.passes.map(printPipeline).join(',');
  const info = getPassInfo(pass.name);
  const opts = Object.keys(info.options)
    .filter((k) => pass.options[k] !== undefined)
    .map((k) => `${k}=${printValue(pass.options[k])}`);
  const optText = opts.length ? `{${opts.join(' ')}}` : '';
  const nested = info.composite ? `(${(pass.passes ?? []).map(printPipeline).join(',')})` : '';
  return `${pass.name}${optText}${nested}`;
}

function printValue(v: OptionValue): string {
  return typeof v === 'string' && !/^[A-Za-z0-9_.+-]+$/.test(v) ? JSON.stringify(v) : String(v);
}

const NAME = /[A-Za-z0-9_.-]/;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  list(): Pass[] {
    const passes = [this.entry()];
    while (this.eat(',')) passes.push(this.entry());
    return passes;
  }

  private entry(): Pass {
    const name = this.name('a pass name');
    const info = getPassInfo(name);
    const options = this.peek() === '{' ? this.options(name) : {};
    let children: Pass[] = [];
    if (this.eat('(')) {
      if (!info.composite) throw this.error(`pass '${name}' takes no nested passes`);
      children = this.peek() === ')' ? [] : this.list();
      if (!this.eat(')')) throw this.error(`expected ')' to close '${name}('`);
    }
    return createPass(name, options, children);
  }

  private options(pass: string): Record<string, OptionValue> {
    this.eat('{');
    const info = getPassInfo(pass);
    const out: Record<string, OptionValue> = {};
    while (!this.eat('}')) {
      if (this.atEnd()) throw this.error(`expected '}' to close the options of '${pass}'`);
      const key = this.name('an option name');
      if (!this.eat('=')) throw this.error(`expected '=' after option '${key}'`);
      const raw = this.value();
      const spec = info.options[key];
      if (!spec) throw this.error(`pass '${pass}' has no option '${key}'`);
      if (key in out) throw this.error(`option '${key}' given twice`);
      out[key] = convertValue(raw, spec.type);
      this.eat(',');
    }
    return out;
  }

  private value(): string {
    this.skipSpace();
    if (this.text[this.pos] === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(this.text.slice(this.pos));
      if (!m) throw this.error('unterminated string');
      this.pos += m[0].length;
      return JSON.parse(m[0]) as string;
    }
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s,{}()=]/.test(this.text[this.pos])) this.pos++;
    if (start === this.pos) throw this.error('expected an option value');
    return this.text.slice(start, this.pos);
  }

  private name(what: string): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && NAME.test(this.text[this.pos])) this.pos++;
    if (start === this.pos) throw this.error(`expected ${what}`);
    return this.text.slice(start, this.pos);
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  private eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }

  atEnd(): boolean {
    return this.peek() === '';
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  error(message: string): UsageError {
    return new UsageError(`--passes '${this.text}': ${message} at column ${this.pos + 1}`);
  }
}

function convertValue(raw: string, type: 'int' | 'float' | 'bool' | 'string'): OptionValue {
  switch (type) {
    case 'int':
    case 'float': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      return Number.isNaN(n) ? raw : n; // createPass rejects what is not a number of the right kind
    }
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'string':
      return raw;
  }
}
