/**
 * Worked K4_9 scenarios for impl's buddy allocator and fallback (kernel-semantics.md §2, §4,
 * §7.8, §12.1, §12.9, §12.16). Every expected value is derived by hand from the kernel rules in
 * the comment above it; impl's verify() runs after every op (Scenario.apply).
 */
import { describe, expect, it } from 'vitest';
import { MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from '../../src/core/migratetype.ts';
import { Scenario } from './scenario.ts';

/** 64 pages, orders 0..3, pageblocks of 4 pages, a fixed CMA area on the top 16 pages. */
const WORLD_64 = {
  pages: 64, maxOrder: 3, pageblockOrder: 2,
  cma: [{ name: 'cma0', base: 48, size: 16, fixed: true }],
};

/** 32 pages, orders 0..3, pageblocks of 8; 32 < 8 * MIGRATE_TYPES, so grouping is forced on. */
const WORLD_32 = { pages: 32, maxOrder: 3, pageblockOrder: 3, mobilityGroupingDisabled: false };

describe('impl boot (free_all_bootmem K4_9, cma_init_reserved_areas)', () => {
  it('puts the highest max-order blocks first, the CMA area on its own lists', () => {
    const scenario = new Scenario(WORLD_64);
    // free_all_bootmem frees [0, 48) in order-3 chunks 0, 8, ..., 40 through __free_pages:
    // order 3 = maxOrder, so no merge and no rule T (order < maxOrder - 1 fails): each chunk
    // goes to the head, the last one (40) ends first. Activation then frees the CMA pageblocks
    // 48, 52, 56, 60 at order 2: 52 merges with 48 into an order-3 block, 60 with 56, each
    // inserted at the head, so 56 is first.
    expect(scenario.lists()).toEqual({ '3 M': [40, 32, 24, 16, 8, 0], '3 C': [56, 48] });
    const snapshot = scenario.snapshot();
    expect(snapshot.pageblocks).toBe('MMMMMMMMMMMMCCCC');
    expect(snapshot.zones[0]).toMatchObject({
      managedPages: 64, nrFree: [0, 0, 0, 8], nrFreePages: 64, nrFreeCmaPages: 16,
    });
    expect(snapshot.cma[0]).toMatchObject({
      state: 'active', count: 16, bitmap: [0], used: 0, maxchunk: 16,
    });
  });

  it('chunks a free range by alignment around a reservation', () => {
    const scenario = new Scenario({ ...WORLD_32, reserved: [{ startPfn: 0, endPfn: 1 }] });
    // Free range [1, 32): pfn 1 -> order 0 (ctz 1 = 0), 2 -> order 1, 4 -> order 2, then order 3
    // at 8, 16, 24. Nothing merges (pfn 0 is reserved) and every rule-T probe finds the higher
    // buddy still reserved or not yet freed, so each goes to the head.
    expect(scenario.lists()).toEqual({ '0 M': [1], '1 M': [2], '2 M': [4], '3 M': [24, 16, 8] });
    expect(scenario.snapshot().zones[0].managedPages).toBe(31);
    expect(scenario.snapshot().reserved).toEqual([{ startPfn: 0, endPfn: 1 }]);
  });
});

describe('impl allocation and free (__rmqueue_smallest, expand, __free_one_page K4_9)', () => {
  it('hands out ascending pfns to repeated order-0 allocations from one block', () => {
    const scenario = new Scenario(WORLD_64);
    // 40 is split by expand(): halves 44 (order 2), 42 (1), 41 (0) go to the list heads and the
    // caller keeps 40; then 41 from order 0; then 42 from order 1 (43 back to order 0); 43; then
    // 44 from order 2 (46 and 45 back).
    expect([0, 1, 2, 3, 4].map(() => scenario.alloc(0))).toEqual([40, 41, 42, 43, 44]);
    expect(scenario.lists()).toEqual({
      '0 M': [45], '1 M': [46], '3 M': [32, 24, 16, 8, 0], '3 C': [56, 48],
    });
  });

  it('puts a merged block at the tail when its parent\'s buddy is free (rule T)', () => {
    const scenario = new Scenario({ ...WORLD_32, pages: 16 });
    // Boot: order 3 list [8, 0].
    // 0: 8 (8 split: 12 o2, 10 o1, 9 o0)   1: 9   2: 10 (11 back to o0)   3: 11
    expect([0, 0, 0, 0].map((order) => scenario.alloc(order))).toEqual([8, 9, 10, 11]);
    // 4: 12 as order 1 (14 back to o1)   5: 14   6: 0 (0 split: 4 o2, 2 o1, 1 o0)
    expect([1, 1, 0].map((order) => scenario.alloc(order))).toEqual([12, 14, 0]);
    // 7: free 12: buddy 14 allocated; rule T probes (12 & ~2) ^ 4 = 8, allocated: head.
    scenario.on('free', 4);
    expect(scenario.list(1, 'M')).toEqual([12, 2]);
    // 8: free 14: merges with 12 into order 2 at 12 (buddy 8 busy); order 2 is not below
    // maxOrder - 1, so no rule T: head.
    scenario.on('free', 5);
    expect(scenario.list(2, 'M')).toEqual([12, 4]);
    // 9: free 10: buddy 11 busy, probe 8 busy: head of order 0.
    scenario.on('free', 2);
    expect(scenario.list(0, 'M')).toEqual([10, 1]);
    // 10: free 11: merges with 10 into order 1 at 10 (buddy 8 busy). Rule T: combined =
    // 10 & ~2 = 8, its order-2 buddy 8 ^ 4 = 12 is a free order-2 block: list_add_tail.
    scenario.on('free', 3);
    expect(scenario.list(1, 'M')).toEqual([2, 10]);
    expect(scenario.list(0, 'M')).toEqual([1]);
    // 11: the next order-1 allocation takes the head, 2, not the block just freed.
    expect(scenario.alloc(1)).toBe(2);
    expect(scenario.allocator.behaviours()['max.mergeDepth']).toBe(1);
  });
});

describe('impl fallback (__rmqueue K4_9: own lists, CMA for MOVABLE, __rmqueue_fallback)', () => {
  it('steals a whole max-order block for UNMOVABLE and splits it onto UNMOVABLE lists', () => {
    const scenario = new Scenario(WORLD_64);
    // No UNMOVABLE list has pages: __rmqueue_fallback from order 3 down. fallbacks[U] =
    // {RECLAIMABLE, MOVABLE}; MOVABLE order 3 has 40 at its head. can_steal (3 >= PB 2), and
    // order 3 >= PB: change_pageblock_range(40, 3, U) re-types pageblocks 40 and 44. Then
    // expand(1, 3) onto the *UNMOVABLE* lists: 44 (o2), 42 (o1); the caller gets 40.
    expect(scenario.alloc(1, 'UNMOVABLE')).toBe(40);
    expect(scenario.snapshot().pageblocks).toBe('MMMMMMMMMMUUCCCC');
    expect(scenario.lists()).toEqual({
      '1 U': [42], '2 U': [44], '3 M': [32, 24, 16, 8, 0], '3 C': [56, 48],
    });
    expect(scenario.allocation(0)).toMatchObject({
      migratetype: MIGRATE_UNMOVABLE, sourceList: MIGRATE_MOVABLE,
    });
    expect(scenario.allocator.behaviours()).toMatchObject({
      'fallback.U->M': 1, 'fallback.stealRange': 1, 'fallback.claim': 0,
    });
  });

  it('claims a pageblock when move_freepages_block moved at least half of it', () => {
    const scenario = new Scenario(WORLD_32);
    // Boot: order 3 MOVABLE [24, 16, 8, 0]. 0: alloc order 0 takes 24, leaving 28 (o2), 26 (o1),
    // 25 (o0) free in pageblock 24. 1-3: the three other blocks go whole.
    expect([0, 3, 3, 3].map((order) => scenario.alloc(order))).toEqual([24, 16, 8, 0]);
    // 4: UNMOVABLE order 0. Fallback: order 3 has nr_free 0; order 2 finds 28 on MOVABLE.
    // can_steal: 2 < PB 3 but 2 >= PB/2 = 1. move_freepages_block scans 24..31 ascending and
    // moves 25 (1 page), 26 (2), 28 (4) to the head of the UNMOVABLE lists: 7 >= 2^(3-1),
    // so the pageblock becomes UNMOVABLE. 28 is then split: 30 (o1), 29 (o0) at the heads.
    expect(scenario.alloc(0, 'UNMOVABLE')).toBe(28);
    expect(scenario.snapshot().pageblocks).toBe('MMMU');
    expect(scenario.lists()).toEqual({ '0 U': [29, 25], '1 U': [30, 26] });
    expect(scenario.allocator.behaviours()).toMatchObject({
      'fallback.U->M': 1, 'fallback.claim': 1, 'fallback.stealRange': 0,
    });
  });

  it('serves MOVABLE from CMA only once the MOVABLE lists are empty, never UNMOVABLE', () => {
    const scenario = new Scenario(WORLD_64);
    // 0-5: six order-3 MOVABLE allocations take the MOVABLE list head first.
    const movable = [0, 1, 2, 3, 4, 5].map(() => scenario.alloc(3));
    expect(movable).toEqual([40, 32, 24, 16, 8, 0]);
    // 6: MOVABLE lists empty: __rmqueue_cma_fallback takes the CMA head, 56.
    expect(scenario.alloc(3)).toBe(56);
    expect(scenario.allocation(6)).toMatchObject({
      migratetype: MIGRATE_MOVABLE, sourceList: MIGRATE_CMA,
    });
    // 7, 8: UNMOVABLE and RECLAIMABLE have only each other and MOVABLE as fallbacks, all
    // empty; CMA is never a fallback target: -ENOMEM although 8 CMA pages are free.
    expect(scenario.alloc(0, 'UNMOVABLE')).toBe(-1);
    expect(scenario.alloc(0, 'RECLAIMABLE')).toBe(-1);
    expect(scenario.results[8]).toEqual({ ok: false, reason: 'ENOMEM' });
    // 9: MOVABLE order 0 splits 48 on the CMA lists: 52 (o2), 50 (o1), 49 (o0).
    expect(scenario.alloc(0)).toBe(48);
    expect(scenario.lists()).toEqual({ '0 C': [49], '1 C': [50], '2 C': [52] });
    expect(scenario.snapshot().zones[0]).toMatchObject({ nrFreePages: 7, nrFreeCmaPages: 7 });
    expect(scenario.allocator.behaviours()['alloc.cmaFallback']).toBe(2);
  });

  it('uses the highest zone that can serve a request first (§12.16)', () => {
    const scenario = new Scenario({
      ...WORLD_32,
      zones: [
        { name: 'DMA32', startPfn: 0, endPfn: 16 }, { name: 'Normal', startPfn: 16, endPfn: 32 },
      ],
    });
    // Normal holds [24, 16] at order 3, DMA32 [8, 0]: two order-3 requests empty Normal, the
    // third falls to DMA32's head.
    expect([0, 1, 2].map(() => scenario.alloc(3))).toEqual([24, 16, 8]);
  });

  it('turns every request UNMOVABLE when mobility grouping is disabled (§12.9)', () => {
    // 16 pages < 4 * MIGRATE_TYPES: page_group_by_mobility_disabled. Boot: MOVABLE order 2
    // [8, 4, 0], the CMA pageblock 12 on the CMA list.
    const scenario = new Scenario({
      pages: 16, maxOrder: 2, pageblockOrder: 2,
      cma: [{ name: 'cma0', base: 12, size: 4, fixed: true }],
    });
    // 0-2: MOVABLE requests run as UNMOVABLE: fallback to the MOVABLE blocks, each order 2 >= PB
    // so change_pageblock_range re-types it UNMOVABLE.
    expect([0, 1, 2].map(() => scenario.alloc(2))).toEqual([8, 4, 0]);
    expect(scenario.allocation(0).migratetype).toBe(MIGRATE_UNMOVABLE);
    expect(scenario.snapshot().pageblocks).toBe('UUUC');
    // 3: an UNMOVABLE request never reaches __rmqueue_cma_fallback: -ENOMEM with CMA free.
    expect(scenario.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }))
      .toEqual({ ok: false, reason: 'ENOMEM' });
    expect(scenario.snapshot().zones[0].nrFreeCmaPages).toBe(4);
  });
});
