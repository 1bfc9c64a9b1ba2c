/**
 * Worked scenarios for K4_9 migratetype fallback and CMA use (model/fallback.ts,
 * model/allocPages.ts): the largest fallback block, claiming a pageblock when at least half of
 * it is free (and not when less is), the stealRange path, a MOVABLE request that may not steal,
 * CMA for MOVABLE only once its lists are empty, never for UNMOVABLE/RECLAIMABLE, and mobility
 * grouping disabled. Expected values are derived by hand in the comments from the kernel
 * functions cited (mm/page_alloc.c v4.9.45).
 *
 * Notation: `U@1 [14, 10]` = zone.freeArea[1].freeList[UNMOVABLE], head first; pageblock
 * strings use the show_free_areas letters U M E H C I.
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, type Migratetype,
  type RequestMigratetype, migratetypeLetter,
} from '../../src/core/migratetype.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { type AllocatedPages, allocPages, freePages } from '../../model/allocPages.ts';
import { bootModel } from '../../model/boot/boot.ts';
import { canStealFallback, findSuitableFallback } from '../../model/fallback.ts';
import type { ModelState, Zone } from '../../model/state.ts';

const U = MIGRATE_UNMOVABLE;
const M = MIGRATE_MOVABLE;
const E = MIGRATE_RECLAIMABLE;
const C = MIGRATE_CMA;

function boot(world: Record<string, unknown>): ModelState {
  return bootModel(parseWorld({ mobilityGroupingDisabled: false, ...world }));
}

/** The caller's half of an `alloc` op: allocPages, then the pages get an owner. */
function take(state: ModelState, order: number, mt: RequestMigratetype): AllocatedPages {
  const taken = allocPages(state, order, mt);
  if (taken === null) throw new Error(`test: alloc order ${order} mt ${mt} failed`);
  for (let pfn = taken.pfn; pfn < taken.pfn + (1 << order); pfn++) state.owner[pfn] = 1000 + pfn;
  return taken;
}

function lists(zone: Zone, mt: Migratetype): number[][] {
  return zone.freeArea.map((area) => [...area.freeList[mt]]);
}

function pageblocks(state: ModelState): string {
  return state.pageblockMigratetype.map(migratetypeLetter).join('');
}

function counters(zone: Zone): [number, number] {
  return [zone.nrFreePages, zone.nrFreeCmaPages];
}

/** 16 pages, maxOrder 3, one pageblock = order 3 (PB/2 = 1): two pageblocks [0,8) [8,16). */
const WORLD_G = { pages: 16, maxOrder: 3, pageblockOrder: 3 };
/** 64 pages, maxOrder 3, pageblocks of 4 pages: an order-3 block spans two pageblocks. */
const WORLD_E = { pages: 64, maxOrder: 3, pageblockOrder: 2 };
/** WORLD_E with a CMA area [32, 48): K4_9 needs base and size multiples of 2^maxOrder pages. */
const WORLD_H = { ...WORLD_E, cma: [{ name: 'cma0', base: 32, size: 16 }] };

describe('K4_9 __rmqueue_fallback (§4.2, §4.6)', () => {
  it('takes the largest fallback block and claims its pageblock when ≥ half is free', () => {
    // Boot M@3 [8, 0]. MOVABLE order 0 → 8 (expand: M@2 [12], M@1 [10], M@0 [9]); MOVABLE
    // order 3 → 0. Free now: 9@0, 10@1, 12@2, all in pageblock [8,16).
    // UNMOVABLE order 0: no U list; not MOVABLE, no CMA try; __rmqueue_fallback from order 3
    // down: order 3 has nr_free 0; order 2: fallbacks[U] = {E, M}, M@2 [12] → 12 (the largest
    // block, not 9@0). can_steal_fallback(2, U) (U always may). steal_suitable_fallback: 2 < PB
    // → move_freepages_block([8,16) → U), ascending, to list heads: 9@0, 10@1, 12@2 = 7 pages
    // ≥ 2^(3-1) = 4 → block 1 becomes U. Then 12 is split onto U lists: 14@1, 13@0 at the heads.
    const state = boot(WORLD_G);
    const zone = state.zones[0];
    expect([take(state, 0, M).pfn, take(state, 3, M).pfn]).toEqual([8, 0]);
    const taken = take(state, 0, U);
    expect(taken.pfn).toBe(12);
    expect(taken.sourceList).toBe(M);
    expect(taken.migratetype).toBe(U);
    expect(pageblocks(state)).toBe('MU');
    expect(lists(zone, U)).toEqual([[13, 9], [14, 10], [], []]);
    expect(lists(zone, M)).toEqual([[], [], [], []]);
    // NR_FREE_PAGES: 16 − 1 − 8 − 1; move_freepages does not touch vmstat.
    expect(counters(zone)).toEqual([6, 0]);
    expect(state.stats['fallback.U->M']).toBe(1);
    expect(state.stats['fallback.claim']).toBe(1);
  });

  it('claims the pageblock at exactly half free', () => {
    // Boot M@3 [8, 0]. MOVABLE order 2 → 8 (M@2 [12]); MOVABLE order 3 → 0. UNMOVABLE order 0:
    // fallback order 2, M@2 [12]; move_freepages_block moves 12@2 = 4 pages; 4 ≥ 2^(3-1) →
    // set_pageblock_migratetype(U). 12 split onto U: U@1 [14], U@0 [13].
    const state = boot(WORLD_G);
    expect([take(state, 2, M).pfn, take(state, 3, M).pfn]).toEqual([8, 0]);
    expect(take(state, 0, U).pfn).toBe(12);
    expect(pageblocks(state)).toBe('MU');
    expect(lists(state.zones[0], U)).toEqual([[13], [14], [], []]);
    expect(state.stats['fallback.claim']).toBe(1);
  });

  it('moves a pageblock\'s free pages ascending to list heads, so the highest comes first', () => {
    // Boot M@3 [8, 0]. MOVABLE order 0 ×3 → 8, 9, 10 (8 split: M@0 [9], M@1 [10], M@2 [12];
    // 10@1 split: M@0 [11]). Free 9: buddy 8 in use; parent 8's buddy 10@1 in use → head:
    // M@0 [9, 11]. MOVABLE order 3 → 0. UNMOVABLE order 0: fallback order 2, M@2 [12];
    // move_freepages scans [8,16) ascending with list_move (head): 9 → U@0 [9], 11 → U@0
    // [11, 9], 12 → U@2 [12]; 6 pages ≥ 4 → block U. expand(12, 0, 2) → U@1 [14], U@0
    // [13, 11, 9].
    const state = boot(WORLD_G);
    const zone = state.zones[0];
    expect([0, 0, 0].map(() => take(state, 0, M).pfn)).toEqual([8, 9, 10]);
    freePages(state, 9, 0);
    expect(lists(zone, M)[0]).toEqual([9, 11]);
    expect(take(state, 3, M).pfn).toBe(0);
    expect(take(state, 0, U).pfn).toBe(12);
    expect(lists(zone, U)).toEqual([[13, 11, 9], [14], [], []]);
    expect(pageblocks(state)).toBe('MU');
    expect(counters(zone)).toEqual([5, 0]);
  });

  it('moves the free pages but keeps the block type when less than half is free', () => {
    // Boot M@3 [8, 0]. MOVABLE order 2 → 8 (M@2 [12]); MOVABLE order 1 → 12 (expand: M@1 [14]);
    // MOVABLE order 3 → 0. Only 14@1 is free. UNMOVABLE order 0: orders 3 and 2 empty; order 1:
    // M@1 [14]; steal: move_freepages_block([8,16)) moves 14@1 → 2 pages < 4 → type stays M.
    // 14 split onto U: U@0 [15]; returns 14.
    const state = boot(WORLD_G);
    const zone = state.zones[0];
    expect([2, 1, 3].map((order) => take(state, order, M).pfn)).toEqual([8, 12, 0]);
    const taken = take(state, 0, U);
    expect(taken.pfn).toBe(14);
    expect(taken.sourceList).toBe(M);
    expect(pageblocks(state)).toBe('MM');
    expect(lists(zone, U)).toEqual([[15], [], [], []]);
    expect(counters(zone)).toEqual([1, 0]);
    expect(state.stats['fallback.claim']).toBeUndefined();
    expect(state.stats['fallback.U->M']).toBe(1);
  });

  it('lets a MOVABLE request take a small block without stealing (order < PB/2)', () => {
    // Boot M@3 [8, 0]. UNMOVABLE order 0 → fallback takes 8@3 ≥ PB: change_pageblock_range
    // → block 1 U (stealRange); expand onto U: U@2 [12], U@1 [10], U@0 [9]. UNMOVABLE order 2
    // → 12, order 1 → 10; MOVABLE order 3 → 0. Left: U@0 [9].
    // MOVABLE order 0: M empty, no CMA list; fallback: orders 3..1 have nr_free 0; order 0:
    // fallbacks[M] = {E, U} → U@0 [9]; can_steal_fallback(0, M): 0 < PB 3, 0 < PB/2 = 1, MOVABLE,
    // grouping on → false: no move, no re-type; 9 is taken as is.
    const state = boot(WORLD_G);
    const zone = state.zones[0];
    expect(take(state, 0, U).pfn).toBe(8);
    expect(pageblocks(state)).toBe('MU');
    expect([take(state, 2, U).pfn, take(state, 1, U).pfn, take(state, 3, M).pfn])
      .toEqual([12, 10, 0]);
    expect(canStealFallback(state, 0, M)).toBe(false);
    const taken = take(state, 0, M);
    expect(taken.pfn).toBe(9);
    expect(taken.sourceList).toBe(U);
    expect(pageblocks(state)).toBe('MU');
    expect(counters(zone)).toEqual([0, 0]);
    expect(state.stats['fallback.M->U']).toBe(1);
    expect(state.stats['fallback.stealRange']).toBe(1);
    expect(state.stats['fallback.claim']).toBeUndefined();
  });

  it('re-types every pageblock of a fallback block above pageblock order (stealRange)', () => {
    // Boot M@3 [56, 48, ..., 0]. UNMOVABLE order 0: fallback order 3, M@3 head 56; 3 ≥ PB 2 →
    // change_pageblock_range(56, 3, U): blocks 14 and 15. expand onto U: U@2 [60], U@1 [58],
    // U@0 [57].
    const state = boot(WORLD_E);
    const zone = state.zones[0];
    expect(take(state, 0, U).pfn).toBe(56);
    expect(pageblocks(state)).toBe('MMMMMMMMMMMMMMUU');
    expect(lists(zone, U)).toEqual([[57], [58], [60], []]);
    expect(lists(zone, M)[3]).toEqual([48, 40, 32, 24, 16, 8, 0]);
    // RECLAIMABLE order 0: fallbacks[E] = {U, M} but K4_9 scans orders from the top: at order 3
    // U@3 is empty and M@3 is not → 48 (the larger MOVABLE block wins over the U blocks);
    // blocks 12, 13 → E; E@2 [52], E@1 [50], E@0 [49].
    const reclaimable = take(state, 0, E);
    expect(reclaimable.pfn).toBe(48);
    expect(reclaimable.sourceList).toBe(M);
    expect(pageblocks(state)).toBe('MMMMMMMMMMMMEEUU');
    expect(lists(zone, E)).toEqual([[49], [50], [52], []]);
    expect(lists(zone, U)).toEqual([[57], [58], [60], []]);
    expect(counters(zone)).toEqual([62, 0]);
    expect(state.stats['fallback.stealRange']).toBe(2);
    expect(state.stats['fallback.E->M']).toBe(1);
    expect(state.stats['max.splitDepth']).toBe(3);
  });

  it('finds the first table entry with a non-empty list at the order considered', () => {
    // find_suitable_fallback: nr_free(order) == 0 → -1; else fallbacks[mt] in table order.
    const state = boot(WORLD_E);
    const zone = state.zones[0];
    expect(findSuitableFallback(state, zone, 2, U)).toBeNull();
    expect(findSuitableFallback(state, zone, 3, E)).toEqual({ fallbackMt: M, canSteal: true });
    expect(findSuitableFallback(state, zone, 3, M)).toBeNull(); // M is not its own fallback
    // can_steal_fallback with PB 2: order ≥ 2, or ≥ PB/2 = 1, or U/E, or grouping off.
    const movable = [0, 1, 2].map((order) => canStealFallback(state, order, M));
    expect(movable).toEqual([false, true, true]);
    expect(canStealFallback(state, 0, U)).toBe(true);
    expect(canStealFallback(state, 0, E)).toBe(true);
  });
});

describe('K4_9 CMA use (§4.2 step 2, F1)', () => {
  it('boots the CMA area onto CMA lists, merged per MAX_ORDER block', () => {
    // Reserved [32,48) at free_all_bootmem: chunks 0, 8, 16, 24, 48, 56 (order 3, each at the
    // head): M@3 [56, 48, 24, 16, 8, 0]. cma_activate_area: blocks 32, 36, 40, 44 freed as
    // CMA order 2: 32@2; 36 merges with 32 → 32@3; 40@2; 44 merges → 40@3 at the head.
    const state = boot(WORLD_H);
    const zone = state.zones[0];
    expect(lists(zone, M)[3]).toEqual([56, 48, 24, 16, 8, 0]);
    expect(lists(zone, C)).toEqual([[], [], [], [40, 32]]);
    expect(pageblocks(state)).toBe('MMMMMMMMCCCCMMMM');
    expect(counters(zone)).toEqual([64, 16]);
    expect(zone.managedPages).toBe(64);
  });

  it('serves MOVABLE from CMA only when no MOVABLE block of the order is free', () => {
    // MOVABLE order 0 → 56 (own list first, although CMA is free): M@0 [57], M@1 [58], M@2 [60].
    // MOVABLE order 3 ×5 → 48, 24, 16, 8, 0. MOVABLE order 3 now finds no M block ≥ order 3 →
    // __rmqueue_cma_fallback → C@3 head 40; buffered_rmqueue: cached type CMA → both counters
    // −8. MOVABLE order 0 → 57 from M@0 again (CMA is never preferred in K4_9).
    const state = boot(WORLD_H);
    const zone = state.zones[0];
    expect(take(state, 0, M).pfn).toBe(56);
    expect([0, 1, 2, 3, 4].map(() => take(state, 3, M).pfn)).toEqual([48, 24, 16, 8, 0]);
    expect(counters(zone)).toEqual([23, 16]);
    const cma = take(state, 3, M);
    expect([cma.pfn, cma.sourceList]).toEqual([40, C]);
    expect(counters(zone)).toEqual([15, 8]);
    expect(state.stats['alloc.cmaFallback']).toBe(1);
    const movable = take(state, 0, M);
    expect([movable.pfn, movable.sourceList]).toEqual([57, M]);
    expect(counters(zone)).toEqual([14, 8]);
    expect(lists(zone, C)[3]).toEqual([32]);
  });

  it('never gives a CMA page to UNMOVABLE or RECLAIMABLE, even when only CMA is free', () => {
    // MOVABLE order 3 ×6 empties every MOVABLE list. UNMOVABLE/RECLAIMABLE order 0: own lists
    // empty; no CMA step (not MOVABLE); fallback: order 3 has nr_free 2 (the CMA blocks) but
    // fallbacks[] never names CMA, orders 2..0 have nr_free 0 → NULL → the request fails.
    // A MOVABLE order 0 then gets 40 from C@3, split onto CMA lists: C@2 [44], C@1 [42], C@0 [41].
    const state = boot(WORLD_H);
    const zone = state.zones[0];
    expect([0, 1, 2, 3, 4, 5].map(() => take(state, 3, M).pfn)).toEqual([56, 48, 24, 16, 8, 0]);
    expect(allocPages(state, 0, U)).toBeNull();
    expect(allocPages(state, 0, E)).toBeNull();
    expect(allocPages(state, 2, U)).toBeNull();
    expect(counters(zone)).toEqual([16, 16]);
    expect(lists(zone, C)).toEqual([[], [], [], [40, 32]]);
    const movable = take(state, 0, M);
    expect([movable.pfn, movable.sourceList]).toEqual([40, C]);
    expect(lists(zone, C)).toEqual([[41], [42], [44], [32]]);
    expect(counters(zone)).toEqual([15, 15]);
  });
});

describe('mobility grouping disabled (§1.4 rule 4, §12.9)', () => {
  it('serves every request as UNMOVABLE, so MOVABLE never reaches CMA', () => {
    // pages 32, PB 2, CMA [16,32), grouping off. Boot: M@3 [8, 0] (blocks stay M, §12.9);
    // CMA 16@2, +20 → 16@3; 24@2, +28 → 24@3: C@3 [24, 16].
    // MOVABLE order 0 → served as U: fallback order 3, M@3 head 8, stealRange → blocks 2, 3 U;
    // U@2 [12], U@1 [10], U@0 [9]. MOVABLE order 3 → U: no U block of order 3 → fallback 0@3 →
    // blocks 0, 1 U. MOVABLE order 3 again → U: fallbacks {E, M} are empty at every order (the
    // CMA blocks do not count) → fails with 16 CMA pages free. MOVABLE order 0 → U@0 [9].
    const state = bootModel(parseWorld({
      pages: 32, maxOrder: 3, pageblockOrder: 2, mobilityGroupingDisabled: true,
      cma: [{ name: 'cma0', base: 16, size: 16 }],
    }));
    const zone = state.zones[0];
    expect(lists(zone, M)[3]).toEqual([8, 0]);
    expect(lists(zone, C)[3]).toEqual([24, 16]);
    expect(pageblocks(state)).toBe('MMMMCCCC');
    const first = take(state, 0, M);
    expect([first.pfn, first.migratetype, first.sourceList]).toEqual([8, U, M]);
    expect(pageblocks(state)).toBe('MMUUCCCC');
    expect(take(state, 3, M).pfn).toBe(0);
    expect(pageblocks(state)).toBe('UUUUCCCC');
    expect(allocPages(state, 3, M)).toBeNull();
    expect(counters(zone)).toEqual([23, 16]);
    const last = take(state, 0, M);
    expect([last.pfn, last.migratetype, last.sourceList]).toEqual([9, U, U]);
    expect(counters(zone)).toEqual([22, 16]);
    expect(state.stats['alloc.cmaFallback']).toBeUndefined();
  });
});
