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

  constructor(message: string, context: DlcErrorContext = {}, exitCode: 1 | 2 = 1) {
    super(formatMessage(message, context));
    this.name = 'DlcError';
    this.exitCode = exitCode;
    this.context = context;
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

/** Re-raises `err` with context added, unless it already names a node. */
export function withContext(err: unknown, ctx: DlcErrorContext): never {
  if (err instanceof DlcError) {
    if (err.context.node !== undefined || err.context.file) throw err;
    const base = err.message;
    throw new DlcError(base, { ...err.context, ...ctx }, err.exitCode);
  }
  if (err instanceof RangeError) {
    // Typed-array allocation failures and the like: a model asked for something absurd.
    throw new DlcError(`cannot evaluate: ${err.message}`, ctx);
  }
  throw err;
}
