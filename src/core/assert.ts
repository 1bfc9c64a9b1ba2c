/**
 * Assertions shared by model, impl and harness (STYLE G10).
 * A failed assertion is a bug in cmacheck or in the implementation under test, never a user
 * error: user errors are InputError (src/core/inputError.ts) and carry file, path and reason.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Dual of assert: both outcomes happen (TigerBeetle stdx.maybe). Documentation only. */
export function maybe(_condition: boolean): void {}
