/**
 * impl against the model under K4_9, on random traces with a fixed seed and run count
 * (mutation-found/differential.ts says how). The K6_1 twin is properties/impl/k61Differential
 * .spec.ts.
 *
 * Why it exists: the mutation run (`npm run mutation`) leaves out the campaign specs (they spawn
 * the CLI) and model/invariantsHold.spec.ts (2100 model-only runs, 9 s), which left no K4_9
 * model-vs-impl property in the mutation test set: a mutant of model/ that changes what the
 * model does (a wrong split, a missed merge, a wrong fallback order) is seen at once as impl
 * disagreeing, and a mutant of impl/ the same way. 100 runs take about half a second; under
 * Stryker 30, which still reach every path listed below, since every mutant this property does
 * not kill pays for all of its runs.
 */
import { describe, it } from 'vitest';
import { UNDER_STRYKER, checkAgreement } from './differential.ts';

const SEED = 20170817; // 4.9.45's release date
const RUNS = UNDER_STRYKER ? 30 : 100;

describe(`impl and model agree under K4_9 (seed ${SEED}, ${RUNS} runs)`, () => {
  it('on every op of random traces, with every invariant holding', () => {
    // The K4_9 paths: fallback claims and steals of each kind (__rmqueue_fallback,
    // steal_suitable_fallback), CMA as a MOVABLE fallback (__rmqueue_cma_fallback), migration and
    // -EBUSY retries in cma_alloc, undo of isolation with merging (unset_migratetype_isolate), a
    // boot chunk split at a zone edge (free_all_bootmem).
    checkAgreement('K4_9', SEED, RUNS, [
      'alloc.cmaFallback', 'fallback.claim', 'fallback.stealRange', 'fallback.U->M',
      'fallback.M->U', 'fallback.E->M', 'migrate.pages', 'migrate.noTarget', 'cma.ebusyRetry',
      'cma.release', 'isolate.undoMerge', 'boot.chunkSplitAtZone',
    ]);
  });
});
