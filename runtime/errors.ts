// The runtime's one error type. The runtime imports nothing of the compiler (an artifact must run with the
// runtime alone), so it cannot reuse the compiler's DlcError; the CLI turns this into one.

/** A bad, tampered or incompatible artifact, or feeds that do not fit the model. */
export class DlcRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DlcRuntimeError';
  }
}
