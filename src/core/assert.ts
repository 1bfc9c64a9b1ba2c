/**
 * Assertions shared by model, impl and harness (STYLE G10).
 * A failed assertion is a bug in cmacheck or in the implementation under test, never a user
 * error: user errors are InputError (src/core/inputError.ts) and carry file, path and reason.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/**
 * Throws AssertionError when `condition` is false. A message that interpolates values is passed
 * as a function, so it is built only when the assertion fails: formatting numbers into a string
 * on every call would cost more than the check itself on the model's hot paths.
 */
export function assert(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionError(typeof message === 'string' ? message : message());
}

/** Dual of assert: both outcomes happen (TigerBeetle stdx.maybe). Documentation only. */
export function maybe(_condition: boolean): void {}
