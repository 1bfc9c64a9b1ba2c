/**
 * Setup file of the mutation run only (vitest.mutation.config.ts): one fast-check seed for every
 * property that does not name its own (impl/bitmap.spec.ts draws a fresh
 * seed each run in the ordinary suite, which is what a property should do there). Under Stryker
 * the dry run records which tests cover which mutant and every mutant run must draw the same
 * cases, or the coverage map and the score would change from run to run. Properties that pass
 * `seed` and `numRuns` keep theirs; those without `numRuns` keep fast-check's 100.
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: 20261127 });
