/**
 * impl against the model on the CMA migration story (mutation-found/coreWorlds.ts
 * cmaTraceArbitrary): MOVABLE pages spilled into CMA areas, some pinned, then cma_alloc() of
 * every size and alignment over them and cma_release() (kernel-semantics.md §5.6, §6.2,
 * §12.5–§12.8): alloc_contig_range() isolates the pageblocks, migrates the movable pages out
 * (the freed source pages meet buddies of another pageblock type while the zone has isolated
 * pageblocks: K4_9's max_order trick, K6_1's migratetype_is_mergeable()), fails a window with
 * -EBUSY on a pinned page and tries the next one, and undoes the isolation, merging what it
 * can. Equal results, snapshots and counters after every op, every invariant holding
 * (coreWorlds.ts checkEdges).
 *
 * Why it exists: in the campaign's traces MOVABLE pages rarely sit in a CMA area when a
 * cma_alloc() comes, so the merge decisions of __free_one_page() during isolation
 * (impl/buddy.ts mayMergeAbovePageblock(), model/buddy.ts) kept surviving mutants. A worked
 * scenario pins every page of an area, so that cma_alloc() must try all maxno windows and then
 * search once more (model/cma.ts: the window bound `window <= maxno`).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { DEFAULT_RUN_OPTIONS, runTrace } from '../../src/harness/runner.ts';
import { UNDER_STRYKER } from './differential.ts';
import { checkEdges, cmaTraceArbitrary } from './coreWorlds.ts';

const RUNS = UNDER_STRYKER ? 8 : 10;

describe(`cma_alloc over movable and pinned pages: impl and model agree (${RUNS} runs)`, () => {
  it('K4_9', () => {
    checkEdges(cmaTraceArbitrary('K4_9'), 4_9_2, RUNS, [
      'alloc.cmaFallback', 'migrate.pages', 'cma.ebusyRetry', 'isolate.undoMerge', 'cma.release',
    ]);
  });

  it('K6_1', () => {
    checkEdges(cmaTraceArbitrary('K6_1'), 6_1_2, RUNS, [
      'alloc.cmaBalance', 'migrate.pages', 'isolate.splitFreePage', 'pin.migrated',
    ]);
  });
});

describe('cma_alloc over an area whose every page is pinned (worked scenario)', () => {
  it('tries every window, each failing with -EBUSY, and fails (K4_9)', () => {
    // 64 pages, orders 0..3, pageblocks of 8, CMA on [56, 64) with one bit per page. 64
    // MOVABLE pages take all of memory: the last 8 come from the CMA lists once the MOVABLE
    // lists are empty (__rmqueue_cma_fallback(), §4.2). Every page is then pinned
    // (FOLL_LONGTERM, §12.5; K4_9 pins a page where it is — K6_1 would first migrate it out of
    // CMA, and with memory full the pin fails, so no pinned page sits in CMA there), so each
    // window of a 1-page cma_alloc() fails with -EBUSY and the search moves one bit on
    // (start = bitmap_no + mask + 1, §5.6) until no window is left: maxno windows tried, then
    // the (maxno + 1)-th search finds no space. No allocation may come back.
    for (const profile of ['K4_9'] as const) {
      const world = parseWorld({
        profile, pages: 64, maxOrder: 3, pageblockOrder: 3, mobilityGroupingDisabled: false,
        cma: [{ name: 'cma0', base: 56, size: 8, fixed: true }],
      });
      const ops: Op[] = [];
      for (let i = 0; i < 64; i++) ops.push({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' });
      for (let target = 0; target < 64; target++) ops.push({ kind: 'pin', target });
      ops.push({ kind: 'cmaAlloc', area: 0, count: 1, align: 0 });
      const implementations = implementationsFor('impl');
      if (implementations === null) throw new Error('impl is not registered');
      const outcome = runTrace(world, ops, implementations, DEFAULT_RUN_OPTIONS);
      expect(outcome.failure, profile).toBeNull();
      expect(outcome.results.slice(0, 64).every((result) => 'ok' in result && result.ok))
        .toBe(true);
      expect(outcome.results[128]).toMatchObject({ ok: false });
      expect(outcome.run.model.behaviours()['cma.ebusyRetry'], profile).toBe(8);
    }
  });
});
