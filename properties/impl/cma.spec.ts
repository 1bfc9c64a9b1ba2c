/**
 * Worked K4_9 scenarios for impl's CMA path: cma_alloc() first fit over the bitmap,
 * alloc_contig_range() with isolation and migration, cma_release(), cma_activate_area() and
 * dma_alloc_from_contiguous() (kernel-semantics.md §5.5–§5.8, §6.2, §6.5, §7.7, §12.3–§12.13).
 * Expected values are derived by hand in the comments; impl's verify() runs after every op.
 */
import { describe, expect, it } from 'vitest';
import { MIGRATE_MOVABLE } from '../../src/core/migratetype.ts';
import { Scenario } from './scenario.ts';

/** 64 pages, orders 0..3, pageblocks of 4; the K4_9 CMA unit is 2^max(3, 2) = 8 pages. */
function world(
  cma: Record<string, unknown>[], extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { pages: 64, maxOrder: 3, pageblockOrder: 2, cma, ...extra };
}

/** The area [32, 64); boot lists: MOVABLE order 3 [24, 16, 8, 0], CMA [56, 48, 40, 32]. */
const TOP_HALF = [{ name: 'c', base: 32, size: 32, fixed: true }];

const FAILED = (reason: string) => ({ ok: false, reason });

describe('impl cma_alloc (bitmap first fit, K4_9)', () => {
  it('fits with align and order_per_bit, rounds the last chunk, releases and refits', () => {
    const scenario = new Scenario(world([{ ...TOP_HALF[0], orderPerBit: 1 }]));
    // 0: count 3, align 0: mask 0 (align <= order_per_bit), bits = ceil(3/2) = 2, first fit at
    // bit 0 -> pfn 32. Pages 32..34 are taken; 35 stays free in the buddy (rounded chunk).
    expect(scenario.cmaAlloc(0, 3, 0)).toEqual({ ok: true, pfn: 32 });
    expect(scenario.list(0, 'C')).toEqual([35]);
    // 1: count 2, align 3: mask 2^(3-1) - 1 = 3, offset (ALIGN(32, 8) - 32) >> 1 = 0, 1 bit.
    // First zero bit 2, aligned up to 4: pfn 32 + (4 << 1) = 40.
    expect(scenario.cmaAlloc(0, 2, 3).pfn).toBe(40);
    // 2: count 4, align 2: mask 1, 2 bits; first zero bit 2 is aligned and 2..3 are clear:
    // pfn 32 + 4 = 36.
    expect(scenario.cmaAlloc(0, 4, 2).pfn).toBe(36);
    // Bits 0..4 set: word 0b11111; used = 5 << 1; maxchunk's K4_9 loop never ends (opb > 0).
    expect(scenario.snapshot().cma[0]).toMatchObject({ bitmap: [31], used: 10, maxchunk: null });
    expect(scenario.allocation(0)).toMatchObject({
      kind: 'cma', pfn: 32, pageCount: 3, area: 0, order: -1,
    });
    // 3: release step 1: pages 40, 41 freed one by one merge with 42 (o1) and 44 (o2) into
    // the order-3 block 40; bit (40 - 32) >> 1 = 4 is cleared.
    expect(scenario.on('cmaRelease', 1)).toEqual({ ok: true });
    expect(scenario.list(3, 'C')[0]).toBe(40);
    expect(scenario.snapshot().cma[0]).toMatchObject({ bitmap: [15], used: 8 });
    // 4: the identical request gets the identical window again.
    expect(scenario.cmaAlloc(0, 2, 3).pfn).toBe(40);
    expect(scenario.allocator.behaviours())
      .toMatchObject({ 'cma.alloc.ok': 4, 'cma.alloc.fail': 0 });
  });

  it('keeps the pre-4.10 offset formula: a misaligned result for align above the area unit', () => {
    const scenario = new Scenario(world([{ name: 'c', base: 8, size: 48, fixed: true }]));
    // align 5 (32 pages) > the area's 8-page alignment. K4_9 offset = ALIGN(8, 32) - 8 = 24
    // (from v4.10 it is 8 & 31 = 8). First zero bit 0: index = ALIGN(0 + 24, 32) - 24 = 8, so
    // pfn 8 + 8 = 16, which is not 32-aligned (§12.11; the fixed formula would give 32).
    expect(scenario.cmaAlloc(0, 1, 5).pfn).toBe(16);
  });

  it('skips a window holding a pinned page with -EBUSY and takes the next one', () => {
    const scenario = new Scenario(world(TOP_HALF));
    // 0-3 take the MOVABLE blocks; 4-6 fall back to CMA: 56, 48, 40.
    expect([0, 1, 2, 3, 4, 5, 6].map(() => scenario.alloc(3))).toEqual([24, 16, 8, 0, 56, 48, 40]);
    // 7: order 0 MOVABLE from CMA 32 (33, 34, 36 split off); 8: pin it; 9: write token 10.
    expect(scenario.alloc(0)).toBe(32);
    scenario.on('pin', 7);
    scenario.on('write', 7);
    // 10-12: free 56, 48, 40 (each to the CMA order-3 head).
    for (const target of [4, 5, 6]) scenario.on('free', target);
    // 13: count 8, align 3: window bit 0 = pfn 32. Isolation moves 33, 34, 36 to ISOLATE; the
    // scan skips the pinned page; test_pages_isolated() stops at pfn 32: -EBUSY, bits cleared,
    // isolation undone (33, 34 moved back, 36 re-freed by the order >= PB path). Retry from
    // 0 + 7 + 1 = 8: pfn 40, a free order-3 block: success.
    expect(scenario.cmaAlloc(0, 8, 3)).toEqual({ ok: true, pfn: 40 });
    expect(scenario.snapshot().cma[0].bitmap).toEqual([0xff00]);
    expect(scenario.allocation(7)).toMatchObject({
      pfn: 32, pinned: true, pinnedPfn: 32, token: 10, frameToken: 10,
    });
    expect(scenario.lists()).toEqual({ '0 C': [33], '1 C': [34], '2 C': [36], '3 C': [48, 56] });
    expect(scenario.allocator.behaviours())
      .toMatchObject({ 'cma.ebusyRetry': 1, 'migrate.pages': 0 });
  });

  it('migrates a movable allocation out of the window with its data', () => {
    const scenario = new Scenario(world(TOP_HALF));
    // 0-3 take MOVABLE 24, 16, 8, 0; 4: order 0 from CMA 56 (57, 58, 60 split off); 5: write
    // token 6 into it; 6: free 24, the only MOVABLE memory left.
    for (let index = 0; index < 4; index++) scenario.alloc(3);
    expect(scenario.alloc(0)).toBe(56);
    scenario.on('write', 4);
    scenario.on('free', 0);
    // 7: the whole area. The scan finds allocation 4 at 56 and migrates it: the target is an
    // ordinary MOVABLE order-0 allocation, 24 (25, 26, 28 split off); 56 is freed into the
    // ISOLATE lists and merges back to order 3; then [32, 64) is taken whole.
    expect(scenario.cmaAlloc(0, 32, 0)).toEqual({ ok: true, pfn: 32 });
    expect(scenario.allocation(4)).toMatchObject({
      pfn: 24, token: 6, frameToken: 6, sourceList: MIGRATE_MOVABLE,
    });
    expect(scenario.on('check', 4)).toEqual({ ok: true });
    expect(scenario.lists()).toEqual({ '0 M': [25], '1 M': [26], '2 M': [28] });
    expect(scenario.allocator.behaviours()['migrate.pages']).toBe(1);
  });

  it('migrates a batch highest pfn first (list_add at the head, §12.6)', () => {
    const scenario = new Scenario(world(TOP_HALF));
    // 0-3: MOVABLE 24, 16, 8, 0; 4-6: CMA 56, 48, 40; 7: order 0 from CMA 32 (36, 34, 33 split
    // off); 8: order 0, 33; 9, 10: tokens 10 and 11; 11-14: free 56, 48, 40, then 24.
    for (let index = 0; index < 7; index++) scenario.alloc(3);
    expect([scenario.alloc(0), scenario.alloc(0)]).toEqual([32, 33]);
    scenario.on('write', 7);
    scenario.on('write', 8);
    for (const target of [4, 5, 6, 0]) scenario.on('free', target);
    // 15: window [32, 40). The scan collects 32 then 33; migrate_pages() walks the list from
    // its head: 33 first gets the first MOVABLE target, 24 (28, 26, 25 split off), then 32
    // gets 25. Both old pages merge on the ISOLATE lists and [32, 40) is taken.
    expect(scenario.cmaAlloc(0, 8, 3).pfn).toBe(32);
    expect(scenario.allocation(7)).toMatchObject({ pfn: 25, token: 10, frameToken: 10 });
    expect(scenario.allocation(8)).toMatchObject({ pfn: 24, token: 11, frameToken: 11 });
    expect(scenario.allocator.behaviours()['migrate.pages']).toBe(2);
  });

  it('fails with -ENOMEM when a migration target cannot be allocated', () => {
    const scenario = new Scenario(world(TOP_HALF));
    // 0-3 take all MOVABLE memory; 4: order 0 from CMA 56.
    for (let index = 0; index < 4; index++) scenario.alloc(3);
    scenario.alloc(0);
    // 5: the whole area: every free CMA page is isolated, MOVABLE/RECLAIMABLE/UNMOVABLE lists
    // are empty, so alloc_migrate_target() fails: -ENOMEM, cma_alloc stops (no retry).
    expect(scenario.cmaAlloc(0, 32, 0)).toEqual(FAILED('ENOMEM'));
    expect(scenario.allocation(4).pfn).toBe(56);
    expect(scenario.snapshot().cma[0]).toMatchObject({ bitmap: [0], used: 0, maxchunk: 32 });
    expect(scenario.snapshot().pageblocks).toBe('MMMMMMMMCCCCCCCC');
    expect(scenario.allocator.behaviours()).toMatchObject({ 'cma.enomem': 1, 'cma.ebusyRetry': 0 });
  });

  it('says why it fails: zero count, too large, no space', () => {
    const scenario = new Scenario(world(TOP_HALF));
    expect(scenario.cmaAlloc(0, 0, 0)).toEqual(FAILED('zero-count'));
    expect(scenario.cmaAlloc(0, 33, 0)).toEqual(FAILED('too-large'));
    expect(scenario.cmaAlloc(0, 24, 0).pfn).toBe(32);
    // Only bits 24..31 are left: a 16-page run does not fit.
    expect(scenario.cmaAlloc(0, 16, 0)).toEqual(FAILED('no-space'));
  });
});

describe('impl cma_init_reserved_areas (K4_9 activation)', () => {
  it('fails an area that spans two zones and leaves the later areas inactive', () => {
    const areas = [
      { name: 'span', base: 32, size: 16, fixed: true },
      { name: 'late', base: 56, size: 8, fixed: true },
    ];
    const zones = [
      { name: 'DMA32', startPfn: 0, endPfn: 40 }, { name: 'Normal', startPfn: 40, endPfn: 64 },
    ];
    const scenario = new Scenario(world(areas, { zones }));
    // 'span' starts in DMA32: pageblocks 32 and 36 pass the zone check and become CMA (freed
    // at order 2, merged into order 3 at 32); pageblock 40 is in Normal: -EINVAL, count = 0,
    // no message, and cma_init_reserved_areas stops: 'late' is never activated.
    const snapshot = scenario.snapshot();
    expect(snapshot.pageblocks).toBe('MMMMMMMMCCMMMMMM');
    expect(snapshot.reserved).toEqual([{ startPfn: 40, endPfn: 48 }, { startPfn: 56, endPfn: 64 }]);
    expect(snapshot.cma).toMatchObject([
      { name: 'span', state: 'failed', count: 0, declaredCount: 16, bitmap: [], maxchunk: 0 },
      { name: 'late', state: 'inactive', count: 8, declaredCount: 8, bitmap: [], maxchunk: null },
    ]);
    expect(snapshot.totalcmaPages).toBe(24);
    expect(scenario.lists(0)).toEqual({ '3 M': [24, 16, 8, 0], '3 C': [32] });
    expect(scenario.lists(1)).toEqual({ '3 M': [48] });
    expect(snapshot.zones.map((zone) => zone.managedPages)).toEqual([40, 8]);
    expect(scenario.allocator.behaviours()['boot.activationFailed']).toBe(1);
    // The failed area has count 0; the inactive one passes the count checks and would then
    // dereference its NULL bitmap (§12.10).
    expect(scenario.cmaAlloc(0, 1, 0)).toEqual(FAILED('area-failed'));
    expect(scenario.cmaAlloc(1, 0, 0)).toEqual(FAILED('zero-count'));
    expect(scenario.cmaAlloc(1, 9, 0)).toEqual(FAILED('too-large'));
    expect(scenario.cmaAlloc(1, 1, 0)).toEqual(FAILED('oops'));
  });
});

describe('impl dma_alloc_from_contiguous (K4_9)', () => {
  it('uses the default area with align = min(get_order(size), CONFIG_CMA_ALIGNMENT)', () => {
    const scenario = new Scenario(world([], { cmdline: 'cma=32K', devices: [{ name: 'gpu' }] }));
    const snapshot = scenario.snapshot();
    expect(snapshot.cma).toHaveLength(1);
    const basePfn = snapshot.cma[0].basePfn;
    // 12288 bytes: count 3, get_order = 2 (4 pages): the first 4-aligned window, the area base.
    expect(scenario.apply({ kind: 'dmaAlloc', device: 0, size: 12288 }))
      .toEqual({ ok: true, pfn: basePfn });
    expect(scenario.allocation(0)).toMatchObject({ kind: 'dma', pageCount: 3, area: 0 });
    // 4096 bytes, order 0: bit 3 is the first clear one.
    expect(scenario.apply({ kind: 'dmaAlloc', device: 0, size: 4096 }).pfn).toBe(basePfn + 3);
    expect(scenario.on('dmaFree', 0)).toEqual({ ok: true });
    expect(scenario.snapshot().cma[0].bitmap).toEqual([8]);
  });

  it('fails without any area', () => {
    const scenario = new Scenario(world([], { devices: [{ name: 'gpu' }] }));
    expect(scenario.apply({ kind: 'dmaAlloc', device: 0, size: 4096 })).toEqual(FAILED('no-area'));
  });
});
