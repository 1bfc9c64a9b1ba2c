/**
 * The suite Stryker runs for each mutant (`npm run mutation`): every property except the ones
 * that spawn the CLI in child processes (they test the command, not model or impl, and would
 * dominate the run time). Seeds and run counts are fixed in the specs, so the score is
 * reproducible.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.spec.ts'],
    exclude: ['properties/cli/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
