/**
 * K6_1 against K4_9 on the allocation path (model/allocPages.ts, model/fallback.ts,
 * model/boot/freeAllBootmem.ts): the same world JSON and the same ops under both profiles, each
 * expected value derived by hand in the comment from the v4.9.45 and v6.1.20 functions cited
 * (kernel-semantics.md §4.2, §4.3, §4.6, §4.9, §7.8; §9 P5–P10, P14).
 *
 * Notation: `U@1 [30, 26]` = zone.freeArea[1].freeList[UNMOVABLE], head first. Pageblock strings
 * use the show_free_areas letters U M E H C I. Worlds with one free block per list at boot keep
 * the boot insertion rule (§9 P14) from showing where another rule is under test.
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE,
} from '../../src/core/migratetype.ts';
import { alloc, lists, ok, runBoth } from './support.ts';

const U = MIGRATE_UNMOVABLE;
const M = MIGRATE_MOVABLE;
const C = MIGRATE_CMA;

describe('boot memory goes to the list tail in K6_1 (§7.8, §9 P14)', () => {
  it('hands out the lowest max-order block first where K4_9 hands out the highest', () => {
    // 32 pages, maxOrder 3: free_all_bootmem frees [0,32) as order-3 chunks 0, 8, 16, 24.
    // K4_9 __free_pages(): order 3 ≥ MAX_ORDER − 2 → rule T says head → M@3 [24, 16, 8, 0].
    // K6_1 __free_pages_ok(.., FPI_TO_TAIL) → M@3 [0, 8, 16, 24].
    // alloc order 0 MOVABLE takes the head of M@3: 24 (K4_9) / 0 (K6_1).
    const world = { pages: 32, maxOrder: 3, pageblockOrder: 3 };
    const { k49, k61 } = runBoth(world, [alloc(0, 'MOVABLE')]);
    expect(k49.results).toEqual([ok(24)]);
    expect(k61.results).toEqual([ok(0)]);
    expect(lists(k49.traced.snapshot(), M)[3]).toEqual([16, 8, 0]);
    expect(lists(k61.traced.snapshot(), M)[3]).toEqual([8, 16, 24]);
  });
});

describe('K6_1 __rmqueue takes CMA first when CMA is over half of free memory (§4.3, §9 P5)', () => {
  it('serves a MOVABLE request from CMA while K4_9 still has MOVABLE pages', () => {
    // 16 pages, maxOrder 2, pageblocks of 4, area [8,16). Boot: [0,8) as order-2 chunks, M@2
    // [4, 0] (K4_9, heads) / [0, 4] (K6_1, tails); activation frees 8 then 12 at order 2, both
    // heads: C@2 [12, 8]. NR_FREE_PAGES 16, NR_FREE_CMA_PAGES 8.
    // #0 MOVABLE order 0: K6_1 tests 8 > 16/2 = 8 — no; both take M: 4 (K4_9) / 0 (K6_1).
    // #1 MOVABLE order 2: M@2 [0] (K4_9) / [4] (K6_1); K6_1 first tests 8 > 15/2 = 7 — yes, so
    //    __rmqueue_smallest(CMA) → the order-2 block 12, taken whole; K4_9 takes M 0.
    // #2 MOVABLE order 0: K4_9 M@0 [5] → 5. K6_1: 4 free CMA pages > 11/2 = 5? no → M@0 [1].
    const world = { pages: 16, maxOrder: 2, pageblockOrder: 2, cma: [{ base: 8, size: 8 }] };
    const ops = [alloc(0, 'MOVABLE'), alloc(2, 'MOVABLE'), alloc(0, 'MOVABLE')];
    const { k49, k61 } = runBoth(world, ops);
    expect(k49.results).toEqual([ok(4), ok(0), ok(5)]);
    expect(k61.results).toEqual([ok(0), ok(12), ok(1)]);
    const snapshot = k61.traced.snapshot();
    expect(snapshot.allocations.map((a) => a.sourceList)).toEqual([M, C, M]);
    expect(lists(snapshot, C)).toEqual([[], [], [8]]);
    expect([snapshot.zones[0].nrFreePages, snapshot.zones[0].nrFreeCmaPages]).toEqual([10, 4]);
    expect(k61.traced.model.behaviours()['alloc.cmaBalance']).toBe(1);
    expect(k49.traced.snapshot().zones[0].nrFreeCmaPages).toBe(8);
  });
});

/**
 * 32 pages, maxOrder 4, pageblocks of 16 (PB/2 = 2), [0,16) reserved: boot frees one order-4
 * chunk, M@4 [16], in both profiles.
 */
const WORLD_ONE_BLOCK = { pages: 32, maxOrder: 4, pageblockOrder: 4, reserved: [
  { startPfn: 0, endPfn: 16 },
] };

describe('K6_1 __rmqueue_fallback: find_smallest for MOVABLE (§4.3, §9 P6)', () => {
  it('takes the smallest fallback block where K4_9 splits the largest', () => {
    // #0 UNMOVABLE order 0: no U list; fallback finds M@4 [16] (order 4 ≥ PB: can steal),
    //    change_pageblock_range → block [16,32) U; K4_9 splits 16 onto U lists, K6_1 moves it to
    //    the U@4 tail and its retry splits it the same way (K6_1's ALLOC_NOFRAGMENT pass allows
    //    order ≥ PB): U@0 [17], U@1 [18], U@2 [20], U@3 [24]. → 16 in both.
    // #1 UNMOVABLE order 3 → 24; #2 UNMOVABLE order 2 → 20. Free: U@0 [17], U@1 [18].
    // #3 MOVABLE order 0, no M or CMA page:
    //   K4_9: from order 4 down, order 1: U@1 [18]; can_steal_fallback(1, M): 1 < PB/2 → no
    //         steal; 18 split onto M: M@0 [19]; → 18 (source list U).
    //   K6_1: the ALLOC_NOFRAGMENT pass allows only order ≥ 4: nothing; the retry without it:
    //         largest is order 1, can_steal false, MOVABLE, 1 > 0 → find_smallest: order 0, U@0
    //         [17] → steal_suitable_fallback(whole_block = false): the single page moves to the
    //         M@0 tail; `goto retry` takes it → 17 (source list U, where the steal found it).
    //         U@1 [18] stays.
    const ops = [alloc(0, 'UNMOVABLE'), alloc(3, 'UNMOVABLE'), alloc(2, 'UNMOVABLE'),
      alloc(0, 'MOVABLE')];
    const { k49, k61 } = runBoth(WORLD_ONE_BLOCK, ops);
    expect(k49.results).toEqual([ok(16), ok(24), ok(20), ok(18)]);
    expect(k61.results).toEqual([ok(16), ok(24), ok(20), ok(17)]);
    expect([lists(k49.traced.snapshot(), U)[0], lists(k49.traced.snapshot(), M)[0]])
      .toEqual([[17], [19]]);
    expect([lists(k61.traced.snapshot(), U)[1], lists(k61.traced.snapshot(), M)[0]])
      .toEqual([[18], []]);
    expect(k49.traced.snapshot().allocations[3].sourceList).toBe(U);
    expect(k61.traced.snapshot().allocations[3].sourceList).toBe(U);
    const behaviours = k61.traced.model.behaviours();
    expect([behaviours['fallback.findSmallest'], behaviours['fallback.singlePage']])
      .toEqual([1, 1]);
    expect(behaviours['alloc.nofragmentRetry']).toBe(1);
  });
});

describe('K6_1 steal_suitable_fallback: free + alike, tail moves, retry (§4.6, §9 P7, P9)', () => {
  it('claims the block by free + alike pages and allocates the smallest moved block', () => {
    // 32 pages, maxOrder 4, pageblocks of 16, [0,25) reserved. Boot frees [25,32) as 25@0,
    // 26@1, 28@2 — one block per list (rule T says head for each: nothing is free around
    // them), in block [16,32), which is MOVABLE.
    // #0 UNMOVABLE order 0: fallback order 2, M@2 [28], can steal (UNMOVABLE always may).
    //   K4_9: move_freepages_block moves 25@0, 26@1, 28@2 to U list HEADS: 7 pages < 8 → the
    //         block stays M; 28 is split onto U: U@1 [30, 26], U@0 [29, 25]; → 28 (source M).
    //   K6_1: the same 7 pages go to U list TAILS; alike (UNMOVABLE from a MOVABLE block) =
    //         16 − (7 free + 0 LRU) = 9 (the reserved pages count as "not movable"); 7 + 9 ≥ 8
    //         → the block becomes U. The retry's __rmqueue_smallest(U) starts at order 0:
    //         U@0 [25] → 25 (reported from the M list the steal took from); U@1 [26], U@2 [28]
    //         stay.
    const world = { pages: 32, maxOrder: 4, pageblockOrder: 4, reserved: [
      { startPfn: 0, endPfn: 25 },
    ] };
    const { k49, k61 } = runBoth(world, [alloc(0, 'UNMOVABLE')]);
    expect(k49.results).toEqual([ok(28)]);
    expect(k61.results).toEqual([ok(25)]);
    const before = k49.traced.snapshot();
    const after = k61.traced.snapshot();
    expect([before.pageblocks, after.pageblocks]).toEqual(['MM', 'MU']);
    expect(lists(before, U).slice(0, 3)).toEqual([[29, 25], [30, 26], []]);
    expect(lists(after, U).slice(0, 3)).toEqual([[], [26], [28]]);
    expect([before.allocations[0].sourceList, after.allocations[0].sourceList]).toEqual([M, M]);
    expect(k49.traced.model.behaviours()['fallback.claim']).toBeUndefined();
    expect(k61.traced.model.behaviours()['fallback.claim']).toBe(1);
  });
});

describe('K6_1 ALLOC_NOFRAGMENT: the preferred Normal zone does not fragment first (§4.9)', () => {
  it('serves a MOVABLE request from DMA32 where K4_9 steals a small UNMOVABLE block in Normal', () => {
    // 32 pages, maxOrder 3, pageblocks of 4 (PB/2 = 1); DMA32 [0,16), Normal [16,32); [0,8) and
    // [24,32) reserved. Boot: DMA32 M@3 [8], Normal M@3 [16] in both profiles.
    // #0 UNMOVABLE order 0 (Normal is tried first): fallback order 3 → blocks 16, 20 become U;
    //    split onto U (K6_1: its first pass allows order ≥ PB = 2, and 3 is): → 16;
    //    U@0 [17], U@1 [18], U@2 [20].   #1 UNMOVABLE order 2 → 20.
    // #2 MOVABLE order 0:
    //   K4_9: Normal: no M, no CMA; fallback from 3 down: order 1, U@1 [18], can steal (1 ≥
    //         PB/2): move_freepages_block([16,20)) → 3 pages ≥ 2 → block 16 becomes M; 18 split
    //         onto M: M@0 [19, 17]; → 18, from Normal.
    //   K6_1: preferred zone Normal → ALLOC_NOFRAGMENT: Normal's fallback may take only order ≥
    //         2 → nothing; DMA32: M@3 [8] → 8 (M@2 [12], M@1 [10], M@0 [9]); no retry needed.
    const world = {
      pages: 32, maxOrder: 3, pageblockOrder: 2,
      zones: [{ name: 'DMA32', startPfn: 0, endPfn: 16 }, { name: 'Normal', startPfn: 16, endPfn: 32 }],
      reserved: [{ startPfn: 0, endPfn: 8 }, { startPfn: 24, endPfn: 32 }],
    };
    const ops = [alloc(0, 'UNMOVABLE'), alloc(2, 'UNMOVABLE'), alloc(0, 'MOVABLE')];
    const { k49, k61 } = runBoth(world, ops);
    expect(k49.results).toEqual([ok(16), ok(20), ok(18)]);
    expect(k61.results).toEqual([ok(16), ok(20), ok(8)]);
    expect(k49.traced.snapshot().pageblocks).toBe('MMMMMUMM');
    expect(k61.traced.snapshot().pageblocks).toBe('MMMMUUMM');
    expect(lists(k61.traced.snapshot(), M, 0)).toEqual([[9], [10], [12], []]);
    expect(lists(k61.traced.snapshot(), U, 1)).toEqual([[17], [18], [], []]);
    expect(k61.traced.model.behaviours()['alloc.nofragmentRetry']).toBeUndefined();
  });

  it('retries without the flag, and the retry allocates the smallest moved block', () => {
    // One zone named Normal, [0,16) and [24,32) reserved: M@3 [16] in both profiles. #0 and #1
    // as above (→ 16, → 20); free: U@0 [17], U@1 [18]. #2 MOVABLE order 0:
    //   K4_9: as above → 18, M@0 [19, 17].
    //   K6_1: the ALLOC_NOFRAGMENT pass finds nothing of order ≥ 2; the retry without it:
    //         order 1, U@1 [18], can steal → move_freepages_block([16,20)) to M TAILS: M@0
    //         [17], M@1 [18]; free 3 + alike 0 (no LRU page: 16 is UNMOVABLE) ≥ 2 → block M;
    //         `goto retry` takes the smallest: M@0 [17] → 17; M@1 [18] stays whole.
    const world = { pages: 32, maxOrder: 3, pageblockOrder: 2, reserved: [
      { startPfn: 0, endPfn: 16 }, { startPfn: 24, endPfn: 32 },
    ] };
    const ops = [alloc(0, 'UNMOVABLE'), alloc(2, 'UNMOVABLE'), alloc(0, 'MOVABLE')];
    const { k49, k61 } = runBoth(world, ops);
    expect(k49.results).toEqual([ok(16), ok(20), ok(18)]);
    expect(k61.results).toEqual([ok(16), ok(20), ok(17)]);
    expect(lists(k49.traced.snapshot(), M)).toEqual([[19, 17], [], [], []]);
    expect(lists(k61.traced.snapshot(), M)).toEqual([[], [18], [], []]);
    expect(k61.traced.snapshot().pageblocks).toBe('MMMMMUMM');
    expect(k61.traced.model.behaviours()['alloc.nofragmentRetry']).toBe(1);
  });
});
