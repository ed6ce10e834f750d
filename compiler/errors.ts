// One error type for every user-facing failure. The CLI prints `message` as one line and exits with
// `exitCode`; anything that is not a DlcError is a bug in dlc.

export interface DlcErrorContext {
  file?: string;
  node?: string;
  op?: string;
}

export class DlcError extends Error {
  /** 1: the model (or artifact) is bad or unsupported; 2: the command line is wrong. */
  readonly exitCode: 1 | 2;
  readonly context: DlcErrorContext;
  /** The message without its context prefix. */
  readonly detail: string;

  constructor(detail: string, context: DlcErrorContext = {}, exitCode: 1 | 2 = 1) {
    super(formatMessage(detail, context));
    this.name = 'DlcError';
    this.exitCode = exitCode;
    this.context = context;
    this.detail = detail;
  }
}

export class UsageError extends DlcError {
  constructor(message: string) {
    super(message, {}, 2);
    this.name = 'UsageError';
  }
}

function formatMessage(message: string, ctx: DlcErrorContext): string {
  const where: string[] = [];
  if (ctx.file) where.push(ctx.file);
  if (ctx.node !== undefined) where.push(`node '${ctx.node}'`);
  if (ctx.op) where.push(`op ${ctx.op}`);
  return where.length ? `${where.join(', ')}: ${message}` : message;
}

/**
 * Re-raises `err` with context added where it has none: an error raised deep inside names the innermost
 * node and op, and the file is added on the way out.
 */
export function withContext(err: unknown, ctx: DlcErrorContext): never {
  if (err instanceof DlcError) {
    const merged = { ...ctx, ...err.context };
    if (merged.file === err.context.file && merged.node === err.context.node && merged.op === err.context.op) throw err;
    throw new DlcError(err.detail, merged, err.exitCode);
  }
  if (err instanceof RangeError) {
    // Typed-array allocation failures and the like: a model asked for something absurd.
    throw new DlcError(`cannot evaluate: ${err.message}`, ctx);
  }
  throw err;
}
