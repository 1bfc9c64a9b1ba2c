/**
 * Worked scenarios for the K4_9 buddy core (model/buddy.ts, model/allocPages.ts,
 * model/boot/freeAllBootmem.ts, model/pageblock.ts): boot free lists, splitting, rule T,
 * merging, zone boundaries, isolation, vmstat. Every expected value is derived by hand in the
 * comment above it from the kernel function cited; nothing is read back from the model.
 *
 * Notation: `M@3 [24, 16]` = zone.freeArea[3].freeList[MOVABLE], list head first.
 * Not covered here: fallback and CMA (properties/fallback/), the harness invariants (another
 * suite).
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE,
  type Migratetype, type RequestMigratetype,
} from '../../src/core/migratetype.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { allocPages, freePages } from '../../model/allocPages.ts';
import { bootModel } from '../../model/boot/boot.ts';
import {
  accountFreepages, findBuddyPfn, freeListTypeOf, moveToFreeList, pageIsBuddy,
} from '../../model/buddy.ts';
import { moveFreepagesBlock } from '../../model/fallback.ts';
import {
  changePageblockRange, getPageblockMigratetype, setPageblockMigratetype,
} from '../../model/pageblock.ts';
import { type ModelState, OWNER_NONE, type Zone } from '../../model/state.ts';

const M = MIGRATE_MOVABLE;

function boot(world: Record<string, unknown>): ModelState {
  return bootModel(parseWorld({ mobilityGroupingDisabled: false, ...world }));
}

/** The caller's half of an `alloc` op: allocPages, then the pages get an owner. */
function take(state: ModelState, order: number, mt: RequestMigratetype): number {
  const taken = allocPages(state, order, mt);
  if (taken === null) throw new Error(`test: alloc order ${order} mt ${mt} failed`);
  const id = state.allocations.size + 1000 + taken.pfn;
  for (let pfn = taken.pfn; pfn < taken.pfn + (1 << order); pfn++) state.owner[pfn] = id;
  return taken.pfn;
}

/** free_area[order].free_list[mt] for every order, head first. */
function lists(zone: Zone, mt: Migratetype): number[][] {
  return zone.freeArea.map((area) => [...area.freeList[mt]]);
}

function nrFree(zone: Zone): number[] {
  return zone.freeArea.map((area) => area.nrFree);
}

/** Zones DMA [0,12) and Normal [12,32): pageblock-aligned, not MAX_ORDER-aligned. */
const TWO_ZONES = [
  { name: 'DMA', startPfn: 0, endPfn: 12 }, { name: 'Normal', startPfn: 12, endPfn: 32 },
];

/** 32 pages, orders 0..3 (MAX_ORDER 4), pageblocks of 4 pages: the smallest useful world. */
const WORLD_A = { pages: 32, maxOrder: 3, pageblockOrder: 2 };

describe('boot: free_all_bootmem (K4_9, §7.8)', () => {
  it('puts the highest max-order block at the list head', () => {
    // __free_pages_memory(0, 32): chunks min(3, __ffs(pfn)) = order 3 at 0, 8, 16, 24, each
    // through __free_one_page(MOVABLE): no free buddy at order 3 = MAX_ORDER-1, and rule T runs
    // only below MAX_ORDER-2 = 2, so each is list_add()ed at the head: M@3 [24, 16, 8, 0].
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect(lists(zone, M)).toEqual([[], [], [], [24, 16, 8, 0]]);
    expect(nrFree(zone)).toEqual([0, 0, 0, 4]);
    expect(zone.nrFreePages).toBe(32);
    expect(zone.nrFreeCmaPages).toBe(0);
    expect(zone.managedPages).toBe(32);
    expect(state.pageblockMigratetype).toEqual(new Array(8).fill(M));
    expect(state.owner.every((owner) => owner === OWNER_NONE)).toBe(true);
  });

  it('places boot chunks head or tail by rule T around reserved pages', () => {
    // pages 32, maxOrder 4 (rule T below order 3), PB 2, reserved [1,2) and [6,7).
    // Free ranges [0,1) [2,6) [7,32), chunks via __free_pages_memory + __free_one_page:
    //  0@0: buddy 1 reserved; parent 0's buddy 2@1 not free      → head  M@0 [0]
    //  2@1: buddy 0 is order 0, not 1; parent 0's buddy 4@2 no   → head  M@1 [2]
    //  4@1 (order 2 would pass 6): buddy 6 reserved; parent 4's buddy 0@2 no → head M@1 [4, 2]
    //  7@0: buddy 6 reserved; parent 6's buddy 4@1 IS free        → TAIL  M@0 [0, 7]
    //  8@3: buddy 0@3 no; order 3 ≥ MAX_ORDER-2, no rule T        → head  M@3 [8]
    //  16@4: max order                                            →       M@4 [16]
    const state = boot({
      pages: 32, maxOrder: 4, pageblockOrder: 2,
      reserved: [{ startPfn: 1, endPfn: 2 }, { startPfn: 6, endPfn: 7 }],
    });
    const zone = state.zones[0];
    expect(lists(zone, M)).toEqual([[0, 7], [4, 2], [], [8], [16]]);
    expect(nrFree(zone)).toEqual([2, 2, 0, 1, 1]);
    expect(zone.nrFreePages).toBe(30);
    expect(zone.managedPages).toBe(30);
  });
});

describe('allocation: __rmqueue_smallest + expand (§2.3)', () => {
  it('hands out ascending pfns from one split block', () => {
    // Boot M@3 [24, 16, 8, 0]. The first order-0 request splits 24 (expand keeps the lowest
    // page); the halves 25@0, 26@1, 28@2 are then used smallest-first, each split keeping its
    // lowest page: 24, 25, 26, 27, 28, 29, 30, 31; the 9th request splits the next head, 16.
    const state = boot(WORLD_A);
    const pfns = Array.from({ length: 9 }, () => take(state, 0, M));
    expect(pfns).toEqual([24, 25, 26, 27, 28, 29, 30, 31, 16]);
    expect(state.zones[0].nrFreePages).toBe(32 - 9);
  });

  it('puts the upper halves at the list heads, high to low', () => {
    // expand(24, low 0, high 3): 28@2, then 26@1, then 25@0 list_add()ed to MOVABLE lists.
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect(take(state, 0, M)).toBe(24);
    expect(lists(zone, M)).toEqual([[25], [26], [28], [16, 8, 0]]);
    expect(nrFree(zone)).toEqual([1, 1, 1, 3]);
    // buffered_rmqueue: NR_FREE_PAGES -= 1; the cached pcp type is MOVABLE, not CMA.
    expect(zone.nrFreePages).toBe(31);
    expect(zone.nrFreeCmaPages).toBe(0);
    expect(state.stats['max.splitDepth']).toBe(3);
  });
});

describe('free: __free_one_page rule T (§2.4, §12.1)', () => {
  it('inserts at the head unless the parent block\'s buddy is free one order up', () => {
    // pages 64, maxOrder 3 (rule T at orders 0 and 1), PB 2. Boot M@3 [56, 48, 40, ..., 0].
    // 16 order-0 allocations: 56..63 out of 56, then 48..55 out of 48 (ascending).
    const state = boot({ pages: 64, maxOrder: 3, pageblockOrder: 2 });
    const zone = state.zones[0];
    const pfns = Array.from({ length: 16 }, () => take(state, 0, M));
    expect(pfns).toEqual([56, 57, 58, 59, 60, 61, 62, 63, 48, 49, 50, 51, 52, 53, 54, 55]);
    // free 49: buddy 48 in use; parent 48's order-1 buddy 50 in use → head: M@0 [49].
    freePages(state, 49, 0);
    expect(lists(zone, M)[0]).toEqual([49]);
    // free 58: buddy 59 in use; parent 58's order-1 buddy 56 in use → head: M@0 [58, 49].
    freePages(state, 58, 0);
    expect(lists(zone, M)[0]).toEqual([58, 49]);
    // free 59: merges with 58 → 58@1; its buddy 56@1 in use, stop. Parent 56's order-2 buddy
    // 60 in use → head: M@1 [58]; M@0 [49].
    freePages(state, 59, 0);
    expect(lists(zone, M).slice(0, 2)).toEqual([[49], [58]]);
    // free 57: buddy 56 in use, stop at order 0. Parent 56's order-1 buddy 58 IS a free order-1
    // block → list_add_tail: M@0 [49, 57] (a head insertion would give [57, 49]).
    freePages(state, 57, 0);
    expect(lists(zone, M)[0]).toEqual([49, 57]);
    expect(zone.nrFreePages).toBe(64 - 16 + 4);
  });
});

describe('free: no rule T at MAX_ORDER-2 (§12.1)', () => {
  it('inserts an order maxOrder-1 block at the head even when a merge looks likely', () => {
    // World A, MAX_ORDER-2 = 2. Boot M@3 [24, 16, 8, 0]. Order 2 → 24 (M@2 [28]); order 2 → 28;
    // order 3 → 16 (M@3 [8, 0]); order 2 → 8 (split: M@2 [12]). Free 16 (order 3 = maxOrder, no
    // merge) → M@3 [16, 0]. Free 28: buddy 24 in use → order 2; parent 24's order-3 buddy 16 IS
    // free, but the tail test needs order < MAX_ORDER-2 = 2 → head: M@2 [28, 12].
    // NR_FREE_PAGES: 32 − 4 − 4 − 8 − 4 + 8 + 4 = 24.
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect([take(state, 2, M), take(state, 2, M), take(state, 3, M), take(state, 2, M)])
      .toEqual([24, 28, 16, 8]);
    freePages(state, 16, 3);
    freePages(state, 28, 2);
    expect(lists(zone, M)).toEqual([[], [], [28, 12], [16, 0]]);
    expect(zone.nrFreePages).toBe(24);
  });
});

describe('free: merging (§2.4, §12.18)', () => {
  it('merges buddies up to maxOrder when all are free', () => {
    // Allocate 24..31 (order 0), then free them in ascending order:
    //  24: buddy 25 used; parent 24's buddy 26@1 used          → head M@0 [24]
    //  25: +24 → 24@1; buddy 26@1 used; 24's buddy 28@2 used    → head M@1 [24], M@0 []
    //  26: buddy 27 used; parent 26's buddy 24@1 free          → tail M@0 [26]
    //  27: +26 → 26@1, +24 → 24@2; buddy 28@2 used; order 2 = MAX_ORDER-2: head M@2 [24]
    //  28: buddy 29 used; parent 28's buddy 30@1 used          → head M@0 [28]
    //  29: +28 → 28@1; buddy 30@1 used; 28's buddy 24@2 free    → tail M@1 [28]
    //  30: buddy 31 used; parent 30's buddy 28@1 free          → tail M@0 [30]
    //  31: +30, +28, +24 → 24@3 = maxOrder, head: M@3 [24, 16, 8, 0] — the boot state again.
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    for (let i = 0; i < 8; i++) take(state, 0, M);
    const seen: number[][][] = [];
    for (let pfn = 24; pfn < 32; pfn++) {
      freePages(state, pfn, 0);
      seen.push(lists(zone, M).slice(0, 3));
    }
    expect(seen).toEqual([
      [[24], [], []], [[], [24], []], [[26], [24], []], [[], [], [24]],
      [[28], [], [24]], [[], [28], [24]], [[30], [28], [24]], [[], [], []],
    ]);
    expect(lists(zone, M)[3]).toEqual([24, 16, 8, 0]);
    expect(nrFree(zone)).toEqual([0, 0, 0, 4]);
    expect(zone.nrFreePages).toBe(32);
    expect(state.stats['max.mergeDepth']).toBe(3);
    expect(state.owner.every((owner) => owner === OWNER_NONE)).toBe(true);
  });

  it('merges free blocks of different list types above pageblock order (K4_9, §12.19)', () => {
    // Allocate order 2 → 24 (M@3 head 24, expand leaves M@2 [28]). Re-list 28 as UNMOVABLE and
    // re-type its pageblock, as a fallback steal would. Freeing 24 (block type MOVABLE):
    // page_is_buddy(28, order 2) only asks free + order + zone, no isolated block in the zone,
    // so 24 and 28 merge into 24@3 on the MOVABLE list (the freeing page's type); the block
    // bits stay M, U.
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect(take(state, 2, M)).toBe(24);
    moveToFreeList(state, zone, 28, 2, MIGRATE_UNMOVABLE, false);
    setPageblockMigratetype(state, 28, MIGRATE_UNMOVABLE);
    freePages(state, 24, 2);
    expect(lists(zone, M)[3]).toEqual([24, 16, 8, 0]);
    expect(lists(zone, MIGRATE_UNMOVABLE)).toEqual([[], [], [], []]);
    expect(state.pageblockMigratetype.slice(6)).toEqual([M, MIGRATE_UNMOVABLE]);
    expect(zone.nrFreePages).toBe(32);
  });

  it('never merges across a zone boundary', () => {
    // Zones DMA [0,12) and Normal [12,32), maxOrder 3, PB 2. Boot chunks: 0@3 (DMA); the
    // kernel's next chunk [8,16) straddles pfn 12, so each zone's part is freed alone
    // (DEVIATION in freeAllBootmem): 8@2 (DMA), 12@2 (Normal: buddy 8@2 is free but in DMA,
    // page_is_buddy's zone check refuses it), then 16@3 and 24@3 (Normal, head each time).
    const state = boot({
      pages: 32, maxOrder: 3, pageblockOrder: 2,
      zones: TWO_ZONES,
    });
    const [dma, normal] = state.zones;
    expect(lists(dma, M)).toEqual([[], [], [8], [0]]);
    expect(lists(normal, M)).toEqual([[], [], [12], [24, 16]]);
    expect([dma.managedPages, normal.managedPages]).toEqual([12, 20]);
    expect([dma.nrFreePages, normal.nrFreePages]).toEqual([12, 20]);
    expect(state.stats['boot.chunkSplitAtZone']).toBe(1);
    // Zones are tried highest first (§12.16): order 2 comes from Normal's 12; freeing it again
    // stops at order 2 for the same zone-check reason.
    const taken = allocPages(state, 2, M);
    expect(taken?.pfn).toBe(12);
    expect(taken?.zone.name).toBe('Normal');
    expect(normal.nrFreePages).toBe(16);
    for (let pfn = 12; pfn < 16; pfn++) state.owner[pfn] = 1;
    freePages(state, 12, 2);
    expect(lists(normal, M)).toEqual([[], [], [12], [24, 16]]);
    expect(lists(dma, M)).toEqual([[], [], [8], [0]]);
    expect(normal.nrFreePages).toBe(20);
  });

  it('falls through to a lower zone only when the higher one cannot serve', () => {
    // Same zones. Normal serves order 3 twice (24, then 16: M@3 [24, 16]); its 12@2 cannot
    // serve order 3 and fallback finds no RECLAIMABLE/UNMOVABLE list, so DMA's 0@3 serves.
    const state = boot({
      pages: 32, maxOrder: 3, pageblockOrder: 2,
      zones: TWO_ZONES,
    });
    expect([take(state, 3, M), take(state, 3, M)]).toEqual([24, 16]);
    const third = allocPages(state, 3, M);
    expect(third?.pfn).toBe(0);
    expect(third?.zone.name).toBe('DMA');
    expect([state.zones[0].nrFreePages, state.zones[1].nrFreePages]).toEqual([4, 4]);
  });
});

describe('free: isolated pageblocks (§2.4 K4_9 merge loop step 2)', () => {
  it('keeps a block freed into an ISOLATE pageblock apart and out of vmstat', () => {
    // Allocate order 2 → 24 (leaves M@2 [28]); isolate block 6 [24,28) as
    // set_migratetype_isolate would (type ISOLATE, nr_isolate_pageblock++). Freeing 24:
    // mt = ISOLATE (block type, §12.17) → no __mod_zone_freepage_state; order 2 = PB is the
    // merge limit, the zone has an isolated block, buddy 28's block is MOVABLE ≠ ISOLATE →
    // done_merging at order 2; order 2 is not below MAX_ORDER-2 → head: ISOLATE@2 [24].
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect(take(state, 2, M)).toBe(24);
    setPageblockMigratetype(state, 24, MIGRATE_ISOLATE);
    zone.nrIsolatePageblock++;
    freePages(state, 24, 2);
    expect(lists(zone, MIGRATE_ISOLATE)[2]).toEqual([24]);
    expect(lists(zone, M)).toEqual([[], [], [28], [16, 8, 0]]);
    expect(zone.nrFreePages).toBe(28);
  });

  it('merges two MOVABLE blocks above pageblock order while another block is isolated', () => {
    // Block 0 is isolated (no free page moves: only the type and the counter), so the ISOLATE
    // check runs; for 24 (M) and buddy 28 (M) the types are equal → merge → 24@3, head.
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect(take(state, 2, M)).toBe(24);
    setPageblockMigratetype(state, 0, MIGRATE_ISOLATE);
    zone.nrIsolatePageblock++;
    freePages(state, 24, 2);
    expect(lists(zone, M)[3]).toEqual([24, 16, 8, 0]);
    expect(zone.nrFreePages).toBe(32);
  });
});

describe('buddy helpers', () => {
  it('computes buddies and the page_is_buddy conditions', () => {
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    expect([findBuddyPfn(24, 3), findBuddyPfn(8, 3), findBuddyPfn(5, 0), findBuddyPfn(4, 2)])
      .toEqual([16, 0, 4, 0]);
    expect(pageIsBuddy(state, zone, 16, 3)).toBe(true);
    expect(pageIsBuddy(state, zone, 16, 2)).toBe(false); // wrong order
    expect(pageIsBuddy(state, zone, 17, 0)).toBe(false); // interior page, not a head
    expect(pageIsBuddy(state, zone, 32, 3)).toBe(false); // past the last page (§12.1)
    expect(freeListTypeOf(zone, 8, 3)).toBe(M);
    expect(() => freeListTypeOf(zone, 9, 3)).toThrow(/pfn 9 order 3 is on no list/);
  });

  it('accounts free pages by list type: ISOLATE never, CMA in both counters', () => {
    const state = boot(WORLD_A);
    const zone = state.zones[0];
    accountFreepages(zone, 4, MIGRATE_ISOLATE);
    expect([zone.nrFreePages, zone.nrFreeCmaPages]).toEqual([32, 0]);
    accountFreepages(zone, 4, MIGRATE_CMA);
    expect([zone.nrFreePages, zone.nrFreeCmaPages]).toEqual([36, 4]);
    accountFreepages(zone, -4, MIGRATE_CMA);
    accountFreepages(zone, -2, MIGRATE_RECLAIMABLE);
    expect([zone.nrFreePages, zone.nrFreeCmaPages]).toEqual([30, 0]);
  });

  it('refuses a double free and a free of a reserved page', () => {
    const state = boot({ ...WORLD_A, reserved: [{ startPfn: 4, endPfn: 8 }] });
    expect(() => freePages(state, 8, 3)).toThrow(/already a free head/);
    expect(() => freePages(state, 4, 2)).toThrow(/PageReserved/);
  });
});

describe('pageblock bits (§1.4)', () => {
  it('stores UNMOVABLE for ordinary types when mobility grouping is disabled', () => {
    // set_pageblock_migratetype: page_group_by_mobility_disabled && mt < MIGRATE_PCPTYPES →
    // UNMOVABLE; CMA (4) and ISOLATE (5) are stored as given.
    const state = bootModel(parseWorld({ ...WORLD_A, mobilityGroupingDisabled: true }));
    setPageblockMigratetype(state, 0, MIGRATE_MOVABLE);
    setPageblockMigratetype(state, 4, MIGRATE_RECLAIMABLE);
    setPageblockMigratetype(state, 8, MIGRATE_CMA);
    setPageblockMigratetype(state, 15, MIGRATE_ISOLATE);
    expect(state.pageblockMigratetype.slice(0, 4)).toEqual([0, 0, 4, 5]);
  });

  it('changes every pageblock of a block above pageblock order', () => {
    // change_pageblock_range(16, order 3, U): 2^(3-2) = 2 blocks, 4 and 5.
    const state = boot(WORLD_A);
    changePageblockRange(state, 16, 3, MIGRATE_UNMOVABLE);
    expect(state.pageblockMigratetype).toEqual([M, M, M, M, 0, 0, M, M]);
    expect(getPageblockMigratetype(state, 23)).toBe(MIGRATE_UNMOVABLE);
    expect(() => changePageblockRange(state, 16, 1, M)).toThrow(/< pageblock/);
  });
});

describe('move_freepages_block zone edges (§3.1)', () => {
  it('clips a block start outside the zone to the page and moves nothing past the zone end', () => {
    // A zone view [26, 30) over world A's lists (zones are pageblock-aligned in real worlds, so
    // this is the only way to reach the kernel's two edge rules). After allocating 24 (order 0):
    // free 25@0, 26@1, 28@2. Block of 26 is [24,28): start 24 is outside [26,30) → start = 26
    // → moves 26@1 only (2 pages), not 25. Block of 28 is [28,32): end 31 is outside → 0.
    const state = boot(WORLD_A);
    expect(take(state, 0, M)).toBe(24);
    const zone: Zone = { ...state.zones[0], startPfn: 26, endPfn: 30 };
    expect(moveFreepagesBlock(state, zone, 26, MIGRATE_UNMOVABLE)).toBe(2);
    expect(lists(zone, MIGRATE_UNMOVABLE)).toEqual([[], [26], [], []]);
    expect(lists(zone, M)).toEqual([[25], [], [28], [16, 8, 0]]);
    expect(moveFreepagesBlock(state, zone, 28, MIGRATE_UNMOVABLE)).toBe(0);
  });
});
