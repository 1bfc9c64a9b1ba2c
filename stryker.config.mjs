// @ts-check
/**
 * StrykerJS over model/ and impl/ (`npm run mutation`, not part of CI; issue 5). The test set is
 * vitest.mutation.config.ts (why each spec is in or out is said there); the scores per folder
 * are printed by scripts/mutationScores.ts and recorded in README.md "Mutation testing".
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  // related: false — perTest coverage already names the spec files to run for each mutant;
  // vitest's module-graph search for related files would only add time to every run.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: ['model/**/*.ts', 'impl/**/*.ts'],
  // Only the tests that executed a mutant's code in the dry run are run for it.
  coverageAnalysis: 'perTest',
  // The machine has 2 cores; each worker runs vitest in one thread.
  concurrency: 2,
  // Stryker's defaults: a mutant times out at 1.5 × its tests' dry-run time + 5 s. A mutant
  // that loops forever (a loop bound or a step mutated) is caught that way; 5 s leaves room for
  // a machine shared with other jobs without turning slow runs into timeouts.
  timeoutMS: 5000,
  timeoutFactor: 1.5,
  // A static mutant (in code run when a module loads: tables, module-level constants) needs a
  // fresh module load and the whole test set; with isolate: false in vitest.mutation.config.ts
  // modules stay loaded, so these mutants are reported as Ignored and left out of the score
  // (mutants reached both at load and by a test are still run against those tests).
  ignoreStatic: true,
  // Bail stays on (disableBail: false): a mutant stops at its first failing test, and the
  // sequencer in vitest.mutation.config.ts runs the cheap scenario specs first.
  disableBail: false,
  // Re-runs test only the mutants whose code or covering tests changed. The file is a cache of
  // the last run, rebuilt with `npx stryker run --force`; it lives under reports/, which is
  // git-ignored: it is machine output of several MB that changes with every edit of model/ or
  // impl/, and the README records the scores.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // Mutants inside failure-message text are Ignored, not run (the plugin says why).
  plugins: ['@stryker-mutator/vitest-runner', './scripts/strykerMessageIgnorer.mjs'],
  ignorers: ['messages'],
  // Not copied to the sandbox: profiler and perf output (tens of thousands of files at the
  // repository root on a machine where benchmarks ran), coverage output, benchmark scratch.
  ignorePatterns: [
    '/jitted-*.so', '/isolate-*.log', '/perf.data*', '*.cpuprofile', '*.tmp', '/coverage',
    '/bench/_*',
  ],
  // event-recorder writes each mutant's result to reports/mutation/events/ as it is tested, so
  // survivors can be read while a long run is still going.
  reporters: ['clear-text', 'progress', 'json', 'event-recorder'],
  eventReporter: { baseDir: 'reports/mutation/events' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
