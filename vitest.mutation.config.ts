/**
 * The test set Stryker runs for each mutant of model/ and impl/ (`npm run mutation`), chosen so
 * that the run finishes in well under an hour on a 2-core machine. With coverageAnalysis
 * "perTest" Stryker runs, for each mutant, only the tests that executed its code in the dry run,
 * so a spec that exercises every line of model/ or impl/ is paid in full by every mutant it does
 * not kill; such specs are in only at small fixed run counts.
 *
 * In: the worked kernel scenarios (boot, buddy, cma, fallback, k61, impl scenario specs), the
 * corpus replay and the differential properties (K4_9 30 and K6_1 25 fixed runs, plus 12 runs
 * each with step views between full checks) and the save/restore property in mutation-found/,
 * the properties written from survivors there (boot*: memblock, reserved memory, CMA declaration
 * and activation against exhaustive oracles; core*: impl's table, verify(), fallback, CMA and
 * zone edges; contigProbe: alloc_contig_range and isolation called directly on both sides),
 * impl/bitmap and buddy/freeListSanity. Seeds and run counts are fixed:
 * fixedSeed.setup.ts gives one seed to the properties that draw a fresh one.
 *
 * Out, and why:
 * - properties/cli/**, explore/cli.spec.ts, harness/plantedBug.spec.ts: spawn the CLI in child
 *   processes (1–5 s each), which run the original sources from the sandbox, not the mutant
 *   under test; they test the command, not model or impl.
 * - properties/zoo/**: the zoo campaign (20 mutants × a campaign each) and a CLI run.
 * - properties/explore/**: the explorer's exhaustive and sharded runs (1–4 s per spec, every
 *   line of model/ and impl/ covered); they test src/explore.
 * - properties/model/invariantsHold.spec.ts (2100 traces, 9 s), impl/k61Differential.spec.ts
 *   (200 traces), impl/traces.spec.ts (150), impl/stateCopy.spec.ts (120),
 *   k61/metamorphic.spec.ts (400), cma/isolationProperty.spec.ts (300): long random campaigns
 *   whose thresholds need those run counts; each would be paid by every mutant it covers and
 *   does not kill. The differential properties in mutation-found/ check model and impl against
 *   each other, with every invariant, at 25–30 runs per profile.
 * - properties/corpus/replay.spec.ts: replays traces at collection time, outside any test,
 *   which Stryker counts as static coverage; mutation-found/corpusReplay.mutation.ts replays
 *   the corpus inside tests instead.
 * - properties/invariants/**, input/**, harness/args, harness/shrinkOps: pure functions over
 *   hand-built snapshots, world JSON and flags; they never reach model/ or impl/, so perTest
 *   coverage would never pick them.
 * - properties/tidy/**: reads the sources from disk, which in the sandbox are instrumented.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Specs that cost over 0.1 s, cheapest first; they run after every other spec. Vitest's own
 * order puts the slowest file first, but with bail on (Stryker's default) a mutant stops at its
 * first failing test, so the cheap scenario specs should get the first chance to kill it.
 */
const LAST = [
  'properties/mutation-found/coreTable.spec.ts',
  'properties/mutation-found/coreFallback.spec.ts',
  'properties/mutation-found/coreCma.spec.ts',
  'properties/mutation-found/bootMemblock.spec.ts',
  'properties/mutation-found/coreZones.spec.ts',
  'properties/mutation-found/coreDifferential.spec.ts',
  'properties/mutation-found/contigProbe.spec.ts',
  'properties/mutation-found/corpusReplay.mutation.ts',
  'properties/impl/bitmap.spec.ts',
  'properties/mutation-found/stepViewAgreement.spec.ts',
  'properties/mutation-found/saveRestore.spec.ts',
  'properties/mutation-found/k61Differential.mutation.ts',
  'properties/mutation-found/k49Differential.spec.ts',
];

class CheapFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): number => {
      const index = LAST.findIndex((path) => spec.moduleId.endsWith(path));
      return index === -1 ? -1 : index;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: [
      'properties/boot/**/*.spec.ts',
      'properties/buddy/**/*.spec.ts',
      'properties/cma/**/*.spec.ts',
      'properties/fallback/**/*.spec.ts',
      'properties/impl/**/*.spec.ts',
      'properties/k61/**/*.spec.ts',
      'properties/mutation-found/**/*.spec.ts',
      'properties/mutation-found/**/*.mutation.ts',
    ],
    exclude: [
      'properties/cma/isolationProperty.spec.ts',
      'properties/impl/k61Differential.spec.ts',
      'properties/impl/stateCopy.spec.ts',
      'properties/impl/traces.spec.ts',
      'properties/k61/metamorphic.spec.ts',
    ],
    setupFiles: ['properties/mutation-found/fixedSeed.setup.ts'],
    sequence: { sequencer: CheapFirstSequencer },
    // One module graph for every spec file of a run, and across a worker's runs: Stryker's
    // vitest runner starts vitest once per mutant, and re-importing the instrumented model/ and
    // impl/ for each spec file tripled the cost of a 4-file run (0.8 s against 0.27 s here).
    // Safe because model/ and impl/ keep no module-level mutable state and a mutant is switched
    // on at run time (a global Stryker sets before the tests); static mutants, which would need
    // a fresh module load, are left out (ignoreStatic in stryker.config.mjs).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
