/**
 * impl against the model on edge worlds and phased op sequences (mutation-found/coreWorlds.ts):
 * equal results and snapshots after every op, every invariant holding (the differential runner,
 * src/harness/runner.ts), impl's behaviour counters equal to the model's (sameBehaviours), and
 * the model's `alloc.ok` / `alloc.fail` counters equal to the allocations that succeeded and
 * failed (counted from the results: impl has no such counter, so nothing else checks them).
 *
 * Why it exists: the main mutation run left survivors in impl/buddy.ts, impl/fallback.ts,
 * impl/cma.ts, impl/boot.ts and their model twins on paths the campaign's worlds and traces
 * rarely take — frees next to a zone boundary inside a max-order block (page_is_buddy()'s zone
 * test, buddy_merge_likely()'s), a MOVABLE request falling back to small UNMOVABLE blocks
 * (can_steal_fallback() false; K6_1's find_smallest and single-page steal to the list tail),
 * K6_1's "alike pages" claim count, order_per_bit > 0 with counts that are not multiples,
 * areas whose activation fails (debugfs maxchunk of a failed area, K4_9's inactive areas),
 * reservations given in any order, DMA allocations written and read back. The paths this
 * property must reach are listed in `reached` (model/*.ts countBehaviour names).
 */
import { describe, it } from 'vitest';
import { UNDER_STRYKER } from './differential.ts';
import { checkEdges, edgeTraceArbitrary } from './coreWorlds.ts';

const RUNS = UNDER_STRYKER ? 20 : 25;
const OPS_MAX = 100;

describe(`impl and model agree on edge worlds (${RUNS} runs per profile)`, () => {
  it('K4_9', () => {
    checkEdges(edgeTraceArbitrary('K4_9', OPS_MAX), 4_9_0, RUNS, [
      'fallback.claim', 'fallback.stealRange', 'fallback.M->U', 'alloc.cmaFallback',
      'boot.activationFailed', 'cma.release', 'cma.enomem',
    ]);
  });

  it('K6_1', () => {
    checkEdges(edgeTraceArbitrary('K6_1', OPS_MAX), 6_1_0, RUNS, [
      'fallback.claim', 'fallback.stealRange', 'fallback.singlePage', 'alloc.cmaFallback',
      'alloc.cmaBalance', 'boot.activationFailed', 'cma.release',
    ]);
  });
});
