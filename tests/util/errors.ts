// The DlcError a call throws, for tests that check its one-line message, context or exit code.
import { DlcError } from '../../compiler/errors.js';

/** The DlcError `f` throws (any other error, or none, fails the test). */
export function errorOf(f: () => unknown): DlcError {
  try {
    f();
  } catch (e) {
    if (e instanceof DlcError) return e;
    throw e;
  }
  throw new Error('expected a DlcError');
}

/** The DlcError `p` rejects with (any other error, or none, fails the test). */
export async function rejectionOf(p: Promise<unknown>): Promise<DlcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DlcError) return e;
    throw e;
  }
  throw new Error('expected a DlcError');
}
