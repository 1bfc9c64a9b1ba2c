/**
 * K6_1 against K4_9 in CMA (model/cma.ts, model/cmaActivate.ts, model/cmaDebug.ts, model/gup.ts)
 * and under it in alloc_contig_range's isolation (model/contig.ts, model/isolation.ts):
 * kernel-semantics.md §5.5, §5.6, §5.8, §6.3, §6.5, §12.5; §9 P20, P22, P25–P28. The same world
 * JSON and ops under both profiles where the difference shows through ops; the same call on the
 * same booted state where it only shows on states one profile never builds. Every expected
 * value is derived by hand in the comment.
 *
 * Notation: `C@2 [12, 8]` = zone 0's freeArea[2].freeList[CMA], head first; `#n` is the
 * allocation made by op n; pageblock strings use the letters U M E H C I.
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE,
} from '../../src/core/migratetype.ts';
import type { Profile } from '../../src/core/world.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { bootModel } from '../../model/boot/boot.ts';
import { setMigratetypeIsolate } from '../../model/isolation.ts';
import { setPageblockMigratetype } from '../../model/pageblock.ts';
import {
  alloc, bootTrace, check, cmaAlloc, free, lists, ok, pin, runBoth, worldOf, write,
} from './support.ts';
import { failedAreaSnapshotK6_1, failedAreaWorldK6_1 } from '../invariants/k61Snapshots.ts';

const C = MIGRATE_CMA;
const M = MIGRATE_MOVABLE;
const U = MIGRATE_UNMOVABLE;

describe('cma_bitmap_aligned_offset (§5.6, §9 P20)', () => {
  it('aligns the result to 2^align in K6_1 where K4_9 misaligns it', () => {
    // Area [36, 60), order_per_bit 0, in 64 pages with 4-page pageblocks (both minima: 4 pages).
    // cmaAlloc count 4 align 4: mask 15; K4_9 offset (ALIGN(36, 16) − 36) = 12 → first zero bit
    // 0 → __ALIGN_MASK(0 + 12, 15) − 12 = 4 → pfn 40 (40 % 16 = 8). K6_1 offset 36 & 15 = 4 →
    // __ALIGN_MASK(0 + 4, 15) − 4 = 12 → pfn 48, a multiple of 16. The range is free: taken.
    const world = { pages: 64, maxOrder: 2, pageblockOrder: 2, cma: [{ base: 36, size: 24 }] };
    const { k49, k61 } = runBoth(world, [cmaAlloc(4, 4)]);
    expect(k49.results).toEqual([ok(40)]);
    expect(k61.results).toEqual([ok(48)]);
  });
});

describe('cma_init_reserved_areas with an area that spans zones (§5.5, §9 P22)', () => {
  // 32 pages, pageblocks of 4, maxOrder 2; DMA32 [0,16), Normal [16,32). a0 [12,20) spans the
  // zone boundary; a1 [24,32) with order_per_bit 1 lies in Normal. Both register (4-page
  // minimum in both profiles): totalcma_pages 16. free_all_bootmem frees [0,12) and [20,24).
  const world = {
    pages: 32, maxOrder: 2, pageblockOrder: 2,
    zones: [{ name: 'DMA32', startPfn: 0, endPfn: 16 }, { name: 'Normal', startPfn: 16, endPfn: 32 }],
    cma: [{ name: 'a0', base: 12, size: 8 }, { name: 'a1', base: 24, size: 8, orderPerBit: 1 }],
  };

  it('K4_9 keeps a0\'s first block CMA, stops, and leaves a1 without a bitmap', () => {
    // K4_9 walks a0 block by block: block 12 lies in DMA32 (the zone of base_pfn) → CMA, freed
    // at order 2: C@2 [12] in DMA32; block 16 is in Normal → count 0, -EINVAL, no message, and
    // the loop stops: a1 keeps count 8 and no bitmap. [16,20) and [24,32) stay reserved;
    // totalcma_pages stays 16. cma_alloc on a1 would dereference the NULL bitmap ('oops'), on a0
    // it returns NULL (count 0). debugfs maxchunk of a1 reads NULL too: null.
    const { apply, snapshot, model } = bootTrace('K4_9', world);
    const booted = snapshot();
    expect(booted.pageblocks).toBe('MMMCMMMM');
    expect(booted.cma.map((area) => [area.state, area.count, area.maxchunk]))
      .toEqual([['failed', 0, 0], ['inactive', 8, null]]);
    expect(booted.totalcmaPages).toBe(16);
    expect(booted.reserved).toEqual([{ startPfn: 16, endPfn: 20 }, { startPfn: 24, endPfn: 32 }]);
    expect(lists(booted, C, 0)).toEqual([[], [], [12]]);
    expect(apply(cmaAlloc(2, 0, 1))).toEqual({ ok: false, reason: 'oops' });
    expect(apply(cmaAlloc(1, 0, 0))).toEqual({ ok: false, reason: 'area-failed' });
    expect(model.behaviours()['boot.activationFailed']).toBe(1);
  });

  it('K6_1 gives a0 back as ordinary memory, reports it, and activates a1', () => {
    // K6_1 checks every pfn of a0 first: 16 is in Normal → not_in_zone: free_reserved_page() on
    // 12..19, one order-0 MOVABLE free each. DMA32 (boot tails M@2 [0, 4, 8]): 12@0 (rule T:
    // parent 12's buddy 14 not free → head), 13 merges → 12@1, 14@0 (parent's buddy 12@1 free →
    // tail), 15 merges → 14@1 → 12@2 → head: M@2 [12, 0, 4, 8]. Normal the same: M@2 [16, 20].
    // totalcma_pages 16 − 8 = 8; "cma: CMA area a0 could not be activated". a1 activates: blocks
    // 24 and 28 freed at order 2, each at the head: C@2 [28, 24]. Nothing stays reserved.
    // cmaAlloc a1 count 2: bits = 1, bit 0 → pfn 24. Afterwards bit 0 is set and bits 1..3 clear:
    // maxchunk = 3 << 1 = 6 (K6_1 bounds the loop by maxno).
    const { apply, snapshot, model } = bootTrace('K6_1', world);
    const booted = snapshot();
    expect(booted.pageblocks).toBe('MMMMMMCC');
    expect(booted.cma.map((area) => [area.state, area.count])).toEqual([['failed', 0], ['active', 8]]);
    expect(booted.totalcmaPages).toBe(8);
    expect(booted.reserved).toEqual([]);
    expect(lists(booted, M, 0)).toEqual([[], [], [12, 0, 4, 8]]);
    expect(lists(booted, M, 1)).toEqual([[], [], [16, 20]]);
    expect(lists(booted, C, 1)).toEqual([[], [], [28, 24]]);
    expect(booted.zones.map((zone) => zone.managedPages)).toEqual([16, 16]);
    expect(model.state.bootReport.messages).toContain('cma: CMA area a0 could not be activated');
    expect(apply(cmaAlloc(2, 0, 1))).toEqual(ok(24));
    expect(apply(cmaAlloc(1, 0, 0))).toEqual({ ok: false, reason: 'area-failed' });
    expect(snapshot().cma[1].maxchunk).toBe(6);
  });
});

/**
 * 16 pages, maxOrder 2, pageblocks of 4, area [12,16). Boot: M@2 [8, 4, 0] (K4_9) / [0, 4, 8]
 * (K6_1); C@2 [12]. #0–#2 MOVABLE order 2 take the M blocks (K6_1's balance test 4 > 8, 6, 4
 * fails each time). #3 MOVABLE order 0: no M page (and in K6_1 4 > 4/2): CMA 12, split:
 * C@1 [14], C@0 [13]. #4 frees #1 (pfn 4 in both): M@2 [4].
 */
const WORLD_PIN = { pages: 16, maxOrder: 2, pageblockOrder: 2, cma: [{ base: 12, size: 4 }] };
const PIN_PREFIX = [alloc(2, 'MOVABLE'), alloc(2, 'MOVABLE'), alloc(2, 'MOVABLE'),
  alloc(0, 'MOVABLE'), free(1)];

describe('a long-term pin of a CMA page (mm/gup.c; §12.5)', () => {
  it('K6_1 migrates the page out of CMA first, so cma_alloc later gets the whole area', () => {
    // #5 write #3; #6 pin #3:
    //   K4_9 pins it in place at 12.
    //   K6_1 check_and_migrate_movable_pages(): 12 is in a CMA pageblock → migrate with an
    //     UNMOVABLE request (GFP_USER inside memalloc_pin: no __GFP_MOVABLE, no ALLOC_CMA): no U
    //     page; the ALLOC_NOFRAGMENT pass may take order ≥ 2: M@2 [4] (can steal: order ≥ PB)
    //     → block 4 becomes U, the page moves to the U@2 tail, the retry splits it: → 4
    //     (U@1 [6], U@0 [5]; source list M, where the steal found it). The data moves; 12 is
    //     freed (CMA): merges with 13 and 14 back to C@2 [12]. Pinned at 4.
    // #7 check #3 → ok in both.
    // #8 cmaAlloc count 4: bit 0 → [12,16).
    //   K4_9: #3 is pinned inside: migration skips it, test_pages_isolated finds 12 busy →
    //     -EBUSY; the retry starts at bit 1: 1 + 4 > maxno 4 → 'no-space'.
    //   K6_1: the range is one free block → taken → pfn 12.
    const ops = [...PIN_PREFIX, write(3), pin(3), check(3), cmaAlloc(4, 0)];
    const { k49, k61 } = runBoth(WORLD_PIN, ops);
    expect(k49.results.slice(5)).toEqual([ok(), ok(), ok(), { ok: false, reason: 'no-space' }]);
    expect(k61.results.slice(5)).toEqual([ok(), ok(), ok(), ok(12)]);
    const pinned = k61.traced.snapshot().allocations.find((a) => a.id === 3);
    expect(pinned).toMatchObject({ pfn: 4, pinned: true, pinnedPfn: 4, sourceList: M,
      migratetype: M, token: 6, frameToken: 6 });
    expect(k49.traced.snapshot().allocations.find((a) => a.id === 3))
      .toMatchObject({ pfn: 12, pinned: true, sourceList: C });
    expect(k61.traced.snapshot().pageblocks).toBe('MUMC');
    expect(k49.traced.model.behaviours()['cma.ebusyRetry']).toBe(1);
    expect(k61.traced.model.behaviours()['pin.migrated']).toBe(1);
  });

  it('K6_1 fails the pin with -ENOMEM when no UNMOVABLE target exists; K4_9 pins in place', () => {
    // Without #4's free there is no page outside CMA: the UNMOVABLE request cannot use the CMA
    // lists (C@0 [13], C@1 [14]) → -ENOMEM, the page stays at 12 unpinned.
    const ops = [...PIN_PREFIX.slice(0, 4), pin(3)];
    const { k49, k61 } = runBoth(WORLD_PIN, ops);
    expect(k49.results[4]).toEqual(ok());
    expect(k61.results[4]).toEqual({ ok: false, reason: 'ENOMEM' });
    expect(k61.traced.snapshot().allocations.find((a) => a.id === 3))
      .toMatchObject({ pfn: 12, pinned: false, pinnedPfn: -1 });
    expect(k61.traced.model.behaviours()['pin.enomem']).toBe(1);
  });
});

describe('alloc_contig_range isolation at pageblock granularity (§6.3, §6.5, §9 P25)', () => {
  it('splits the free buddy that crosses the isolated block; same end state as K4_9', () => {
    // 16 pages, maxOrder 2 (MAX_ORDER_NR_PAGES 4), pageblocks of 2, [0,8) reserved, area [8,16).
    // Activation: 8@1, then 10 merges → 8@2 (CMA with CMA); 12@1, 14 → 12@2: C@2 [12, 8].
    // cmaAlloc count 1 → bit 0 → alloc_contig_range(8, 9):
    //   K6_1 isolates [8,10) only. isolate_single_pageblock(8): block 8 → ISOLATE, the free head
    //     8@2 moves whole to the ISOLATE list (−4 CMA). isolate_single_pageblock(10, before,
    //     skip): the scan from 8 finds 8@2 crossing 10 → split_free_page(8, 2, 2): 8@1 to
    //     ISOLATE (its block's type; not counted), 10@1 to CMA (+2; it may not merge with the
    //     ISOLATE 8@1 above PB). Then 8@1 is taken (outer_end 10) and 9 given back (ISOLATE);
    //     the undo moves 9 to C@0.
    //   K4_9 isolates [8,12): 8@2 to ISOLATE, taken whole (outer_end 12), 9, 10, 11 given back
    //     (ISOLATE: 9@0, 10@1); the undo moves 9 to C@0 and re-frees 10@1 (special path: its
    //     buddy's block is CMA again) → C@1 [10].
    // Both: C@0 [9], C@1 [10], C@2 [12]; 7 free CMA pages.
    const world = { pages: 16, maxOrder: 2, pageblockOrder: 1, reserved: [
      { startPfn: 0, endPfn: 8 },
    ], cma: [{ base: 8, size: 8 }] };
    const { k49, k61 } = runBoth(world, [cmaAlloc(1, 0)]);
    for (const side of [k49, k61]) {
      expect(side.results).toEqual([ok(8)]);
      const snapshot = side.traced.snapshot();
      expect(lists(snapshot, C)).toEqual([[9], [10], [12]]);
      expect(snapshot.zones[0].nrFreeCmaPages).toBe(7);
    }
    expect(k61.traced.model.behaviours()['isolate.splitFreePage']).toBe(1);
  });

  it('migrates a THP that crosses the isolated block before splitting what it leaves (K6_1)', () => {
    // 16 pages, maxOrder 2, pageblocks of 2, [0,4) reserved, area [8,16). K6_1 boot: M@2 [4];
    // C@2 [12, 8]; NR_FREE 12, CMA 8.
    // #0 MOVABLE order 2: 8 > 12/2 → CMA first → 12.  #1: 4 > 8/2? no → M 4.  #2: 4 > 4/2 →
    // CMA → 8 (a THP over blocks 8 and 10).  #3 free #1 → M@2 [4].  #4 write #2.
    // #5 cmaAlloc count 1 → bit 0 → alloc_contig_range(8, 9): isolate_single_pageblock(8)
    //   isolates block 8 (nothing free in it); isolate_single_pageblock(10, before, skip) scans
    //   from 8: #2 [8,12) crosses 10 → its block is already ISOLATE, so no extra isolation;
    //   __alloc_contig_migrate_range(8, 12) moves it to a MOVABLE target: M@2 [4] → 4; the old
    //   block is freed as ISOLATE: I@2 [8]. The free page covering 8 is 8@2 → split at 10:
    //   8@1 ISOLATE, 10@1 CMA. Then 8@1 is taken, 9 returned, and the undo moves it to C@0.
    // #6 check #2 → ok: its data moved with it.
    const world = { pages: 16, maxOrder: 2, pageblockOrder: 1, reserved: [
      { startPfn: 0, endPfn: 4 },
    ], cma: [{ base: 8, size: 8 }] };
    const { apply, snapshot, model } = bootTrace('K6_1', world);
    const ops = [alloc(2, 'MOVABLE'), alloc(2, 'MOVABLE'), alloc(2, 'MOVABLE'), free(1),
      write(2), cmaAlloc(1, 0), check(2)];
    // free(1) names the pages it freed: #1's, at 4.
    expect(ops.map(apply)).toEqual([ok(12), ok(4), ok(8), ok(4), ok(), ok(8), ok()]);
    const after = snapshot();
    expect(after.allocations.map((a) => [a.id, a.pfn])).toEqual([[0, 12], [2, 4], [5, 8]]);
    expect(lists(after, C)).toEqual([[9], [10], []]);
    expect(lists(after, M)).toEqual([[], [], []]);
    expect([after.zones[0].nrFreePages, after.zones[0].nrFreeCmaPages]).toEqual([3, 3]);
    const behaviours = model.behaviours();
    expect([behaviours['isolate.migrateStraddler'], behaviours['isolate.splitFreePage']])
      .toEqual([1, 1]);
  });
});

describe('set_migratetype_isolate / has_unmovable_pages (§6.5, §9 P27, P28)', () => {
  const world = { pages: 16, maxOrder: 2, pageblockOrder: 2, reserved: [
    { startPfn: 0, endPfn: 1 },
  ], cma: [{ base: 8, size: 8 }] };

  function isolate(profile: Profile, pfn: number, mt: 0 | 1 | 4): number {
    const state = bootModel(worldOf(profile, world));
    return setMigratetypeIsolate(state, pfn, mt, pfn, pfn + 4);
  }

  it('lets only a CMA request isolate a CMA pageblock in K6_1; K4_9 lets anyone', () => {
    // Block 8 is CMA. K4_9: MOVABLE and CMA blocks are isolatable without a scan. K6_1: a CMA
    // block is isolatable iff the requested migratetype is CMA.
    expect([isolate('K4_9', 8, M), isolate('K6_1', 8, M), isolate('K6_1', 8, C)])
      .toEqual([0, -16, 0]);
  });

  it('scans a MOVABLE pageblock in K6_1 and refuses it for a reserved page', () => {
    // Block 0 is MOVABLE with pfn 0 PageReserved. K4_9 does not scan MOVABLE blocks → 0. K6_1
    // scans [0,4): PageReserved → unmovable → -EBUSY, nothing changed.
    expect([isolate('K4_9', 0, M), isolate('K6_1', 0, M)]).toEqual([0, -16]);
  });

  it('refuses an UNMOVABLE page in a MOVABLE block in K6_1 but not a MOVABLE one', () => {
    // Boot frees [1,8) as 1@0, 2@1, 4@2 (pfn 0 is reserved). #0 UNMOVABLE order 0 falls back on
    // the largest M block, 4@2 (order 2 ≥ PB: the pageblock [4,8) becomes U) → 4 in both
    // profiles. Typing block 4 MOVABLE again by hand gives a MOVABLE block holding an UNMOVABLE
    // page, as a non-claimed fallback leaves them. K6_1 scans [4,8): pfn 4 is the head of a
    // kernel allocation, not on the LRU → -EBUSY; K4_9 does not scan MOVABLE blocks → 0.
    for (const profile of ['K4_9', 'K6_1'] as const) {
      const { apply, model } = bootTrace(profile, world);
      expect(apply(alloc(0, 'UNMOVABLE')), profile).toEqual(ok(4));
      const block = 4;
      setPageblockMigratetype(model.state, block, M);
      const expected = profile === 'K4_9' ? 0 : -16;
      expect(setMigratetypeIsolate(model.state, block, M, block, block + 4), profile)
        .toBe(expected);
    }
  });

  it('returns -EBUSY for a pageblock that is already isolated (K6_1)', () => {
    // K6_1: `if (is_migrate_isolate_page(page)) return -EBUSY`. (K4_9 has no such test and
    // would count the block twice; the model asserts its callers never do that.)
    const state = bootModel(worldOf('K6_1', world));
    expect(setMigratetypeIsolate(state, 8, C, 8, 12)).toBe(0);
    expect(state.pageblockMigratetype[2]).toBe(MIGRATE_ISOLATE);
    expect(setMigratetypeIsolate(state, 8, C, 8, 12)).toBe(-16);
    expect(state.zones[0].nrIsolatePageblock).toBe(1);
    expect(state.stats['isolate.alreadyIsolated']).toBe(1);
  });
});

describe('the model boots the hand-derived K6_1 failed activation (§5.5 K6_1)', () => {
  it('equals properties/invariants/k61Snapshots.ts failedAreaSnapshotK6_1()', () => {
    const model = new ModelAllocator();
    model.boot(failedAreaWorldK6_1());
    expect(model.snapshot()).toEqual(failedAreaSnapshotK6_1());
  });
});
