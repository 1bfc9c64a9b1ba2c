/**
 * impl against the model under K6_1 for the mutation run only (vitest.mutation.config.ts
 * includes `*.mutation.ts`; `npm test` does not): the same property as
 * properties/impl/k61Differential.spec.ts, at 25 runs instead of 200. That spec covers every
 * line of model/ and impl/ on the K6_1 paths, so each mutant it does not kill pays for all of its
 * runs (about 2 s, three to four times that instrumented); 25 runs with this seed still go
 * through every K6_1 rule listed below but pin migration, which properties/k61/cma.spec.ts and the
 * corpus (pass-k61-pin-migrates) cover (mutation-found/differential.ts says how the traces are
 * drawn).
 */
import { describe, it } from 'vitest';
import { checkAgreement } from './differential.ts';

const SEED = 20230317; // 6.1.20's release date
const RUNS = 25;

describe(`impl and model agree under K6_1 (seed ${SEED}, ${RUNS} runs; mutation run)`, () => {
  it('on every op of random traces, with every invariant holding', () => {
    // The K6_1 rules (kernel-semantics.md §9): CMA first when over half of free memory is CMA
    // (__rmqueue), the ALLOC_NOFRAGMENT retry, claims and steals (steal_suitable_fallback), a
    // single-page steal below pageblock order, pageblock-granular isolation splitting a free
    // page (isolate_single_pageblock), migration, a failed activation.
    checkAgreement('K6_1', SEED, RUNS, [
      'alloc.cmaBalance', 'alloc.nofragmentRetry', 'fallback.claim', 'fallback.stealRange',
      'fallback.singlePage', 'isolate.splitFreePage', 'migrate.pages', 'boot.activationFailed',
    ]);
  });
});
