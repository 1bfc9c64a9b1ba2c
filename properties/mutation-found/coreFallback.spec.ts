/**
 * impl against the model on the fallback story (mutation-found/coreWorlds.ts
 * fallbackTraceArbitrary): MOVABLE requests that find their own lists empty and fall back to the
 * small free blocks left in UNMOVABLE / RECLAIMABLE pageblocks. Kernel rules on that path
 * (kernel-semantics.md §4.2–§4.6): can_steal_fallback() is false for a block below
 * pageblock_order / 2 when a MOVABLE request falls back; K4_9 then takes the block alone,
 * K6_1's __rmqueue_fallback() goes to `find_smallest:` and steal_suitable_fallback() moves the
 * single block to the tail of the MOVABLE list (switch P9); and an UNMOVABLE / RECLAIMABLE
 * request stealing from a MOVABLE pageblock mostly full of movable pages claims it only when its
 * free pages plus the "alike" ones (neither free nor movable) reach half of it (K6_1
 * steal_suitable_fallback(), switch P7). Equal results, snapshots and
 * counters after every op, every invariant holding (coreWorlds.ts checkEdges).
 *
 * Why it exists: the campaign's traces allocate MOVABLE pages most of the time, so a MOVABLE
 * request rarely meets empty MOVABLE lists next to small U/E blocks; the main mutation run left
 * the find_smallest loop, the single-block tail move and can_steal_fallback()'s use in K4_9 with
 * surviving mutants (impl/fallback.ts, model/fallback.ts).
 */
import { describe, it } from 'vitest';
import { UNDER_STRYKER } from './differential.ts';
import { checkEdges, fallbackTraceArbitrary } from './coreWorlds.ts';

const RUNS = UNDER_STRYKER ? 8 : 10;

describe(`MOVABLE falls back to small U/E blocks: impl and model agree (${RUNS} runs)`, () => {
  it('K4_9: the block alone is taken when the pageblock may not be stolen', () => {
    checkEdges(fallbackTraceArbitrary('K4_9'), 4_9_1, RUNS, [
      'fallback.M->U', 'fallback.M->E', 'fallback.claim', 'fallback.stealRange',
    ]);
  });

  it('K6_1: find_smallest, and the single block to the MOVABLE tail', () => {
    checkEdges(fallbackTraceArbitrary('K6_1'), 6_1_1, RUNS, [
      'fallback.findSmallest', 'fallback.singlePage', 'fallback.M->U', 'fallback.M->E',
    ]);
  });
});
