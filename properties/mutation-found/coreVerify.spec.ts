/**
 * More teeth for impl's verify() (impl/verify.ts), beside mutation-found/implVerify.spec.ts:
 * each case corrupts one piece of impl's raw state the way a bug in impl would, and expects the
 * finding of the kernel rule it breaks (kernel-semantics.md §8.1 I1–I4, I10, I12, §12.18); the
 * others are states the rule allows, where verify() must stay quiet. The booted state of each
 * world is derived in its comment from free_all_bootmem / cma_activate_area (§7.8).
 *
 * Found by mutation testing (survivors of impl/verify.ts in the main run): nothing corrupted a
 * list into a cycle or a negative link, nothing put a block past the end of memory or across the
 * *end* of its zone, no CMA block sat on the ISOLATE list, no page allocation was misaligned or
 * had a stale frame owner, no two order-0 buddies were left unmerged, no clean world had buddies
 * in two zones, no K4_9 state had unmerged buddies of different pageblock types (K4_9 merges
 * them; only K6_1 keeps a non-mergeable pair apart), and no state had two active CMA areas with
 * ranges in both; the findings limit was never reached.
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE,
} from '../../src/core/migratetype.ts';
import type { ImplAllocator } from '../../impl/allocator.ts';
import { WORLD_64, boot, link } from './verifyFixtures.ts';
import { verify } from '../../impl/verify.ts';
import { decodeResult, isOk } from '../../src/core/result.ts';

/**
 * The findings of verify() that contain `text`, with no limit (allocator.verify() keeps the
 * first 20, and a broken list makes many). None of these worlds reserves memory.
 */
function findingsWith(allocator: ImplAllocator, text: string): string[] {
  return verify({ core: allocator.core, reserved: [] }, Number.MAX_SAFE_INTEGER)
    .filter((finding) => finding.includes(text));
}

describe('impl verify(): broken lists (I1)', () => {
  it('reports at most 20 findings however broken the state is', () => {
    const { allocator, core } = boot(WORLD_64);
    // Blocks 0, 8, ..., 32 off their list: 40 pages nobody owns, 40 findings to make.
    for (const pfn of [0, 8, 16, 24, 32]) core.delFromFreeList(0, pfn, 3);
    const findings = allocator.verify();
    expect(findings).toHaveLength(20);
    expect(findings[0]).toBe('pfn 0 is neither free, allocated nor reserved');
  });

  it('a negative link is a broken link, and the walk counts only what precedes it', () => {
    const { allocator, core } = boot(WORLD_64);
    core.next[40] = -1; // 40 is the head of the order-3 MOVABLE list
    expect(findingsWith(allocator, 'pfn -1 is not a page (broken link)')).toHaveLength(1);
    // nr_free[3] still says 8 (6 MOVABLE + 2 CMA); the walks reach 40 and the CMA pair.
    expect(findingsWith(allocator, 'nr_free[3]'))
      .toEqual(['zone 0 nr_free[3] is 8, its lists hold 3']);
  });

  it('a link to the first list sentinel (pfn == pages) stops the walk too', () => {
    const { allocator, core } = boot(WORLD_64);
    core.next[40] = 64;
    expect(findingsWith(allocator, 'nr_free[3]'))
      .toEqual(['zone 0 nr_free[3] is 8, its lists hold 3']);
  });

  it('a cycle that never returns to the list head ends as a broken link', () => {
    const { allocator, core } = boot(WORLD_64);
    core.next[32] = 40; // 40 -> 32 -> 40 -> ...
    expect(findingsWith(allocator, 'is not a page (broken link)')).toHaveLength(1);
  });
});

describe('impl verify(): free blocks in memory and zone (I2, I3)', () => {
  it('a block across the end of its zone', () => {
    // Zones [0, 32) and [32, 64): block 32 (zone 1) moved onto zone 0's order-3 MOVABLE list.
    const { allocator, core } = boot({
      pages: 64, maxOrder: 3, pageblockOrder: 2,
      zones: [
        { name: 'DMA32', startPfn: 0, endPfn: 32 }, { name: 'Normal', startPfn: 32, endPfn: 64 },
      ],
    });
    core.delFromFreeList(1, 32, 3);
    link(core, core.listHead(0, 3, MIGRATE_MOVABLE), 32, 3);
    expect(findingsWith(allocator, 'pfn 32 order 3 (list 1) leaves zone 0')).toHaveLength(1);
  });

  it('a block reaching past the end of memory is checked only up to the last page', () => {
    // 48 pages, orders 0..4: bootmem frees 0 and 32 at order 4. Block 32 is replaced by a
    // misaligned order-4 block at 40, whose pages 48..55 do not exist.
    const { allocator, core } = boot({ pages: 48, maxOrder: 4, pageblockOrder: 2 });
    core.delFromFreeList(0, 32, 4);
    link(core, core.listHead(0, 4, MIGRATE_MOVABLE), 40, 4);
    expect(findingsWith(allocator, 'pfn 40 order 4 (list 1) leaves zone 0')).toHaveLength(1);
    expect(findingsWith(allocator, 'held twice')).toEqual([]);
    expect(findingsWith(allocator, 'is neither free')).toHaveLength(8); // 32..39
  });

  it('a CMA block on the ISOLATE list is allowed there, and NR_FREE_PAGES leaves it out', () => {
    // Inside cma_alloc() isolated CMA pages sit on the ISOLATE list (§6.2); they are no longer
    // counted free (set_migratetype_isolate(), §12.18 I10), so the kept counters are stale here.
    const { allocator, core } = boot(WORLD_64);
    core.moveToFreeListHead(0, 48, MIGRATE_ISOLATE);
    expect(findingsWith(allocator, 'non-CMA list')).toEqual([]);
    expect(findingsWith(allocator, 'NR_FREE_PAGES is 64, non-ISOLATE lists: 56')).toHaveLength(1);
  });
});

describe('impl verify(): allocations (I4)', () => {
  it('a page allocation off its natural alignment; a CMA range needs none', () => {
    const { allocator, core } = boot(WORLD_64);
    // cma_alloc() of 5 pages takes pfn 48 (48 % 5 != 0): ranges are aligned by the bitmap only.
    expect(decodeResult(allocator.apply({ kind: 'cmaAlloc', area: 0, count: 5, align: 0 }, 0)).pfn)
      .toBe(48);
    const taken = decodeResult(
      allocator.apply({ kind: 'alloc', order: 1, migratetype: 'UNMOVABLE' }, 1));
    expect(findingsWith(allocator, 'is not aligned')).toEqual([]);
    const table = core.table;
    const pfn = taken.pfn ?? -1;
    table.moveTo(1, pfn + 1);
    expect(findingsWith(allocator, `allocation 1 at pfn ${pfn + 1} is not aligned`))
      .toHaveLength(1);
  });

  it('a frame whose owner is another allocation', () => {
    const { allocator, core } = boot(WORLD_64);
    const first = decodeResult(
      allocator.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, 0)).pfn;
    allocator.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, 1);
    core.table.claimFrames(1, first ?? -1);
    const expected = `allocation 0 at pfn ${first}: frame ${first} has another owner`;
    expect(findingsWith(allocator, expected)).toHaveLength(1);
  });
});

describe('impl verify(): merging (§12.18)', () => {
  it('two free order-0 buddies', () => {
    // Block 0 (order 3) replaced by its pieces 0 and 1 (order 0), 2 (order 1), 4 (order 2).
    const { allocator, core } = boot(WORLD_64);
    core.delFromFreeList(0, 0, 3);
    link(core, core.listHead(0, 2, MIGRATE_MOVABLE), 4, 2);
    link(core, core.listHead(0, 1, MIGRATE_MOVABLE), 2, 1);
    link(core, core.listHead(0, 0, MIGRATE_MOVABLE), 1, 0);
    link(core, core.listHead(0, 0, MIGRATE_MOVABLE), 0, 0);
    expect(findingsWith(allocator, 'free buddies pfn 0 and 1 of order 0 were not merged'))
      .toHaveLength(1);
  });

  it('buddies in two zones stay apart quietly (page_is_buddy() zone test)', () => {
    // Zones [0, 40) and [40, 64), orders 0..4: bootmem frees 0, 16 (order 4) and 32 (order 3)
    // in zone 0, 40 (order 3) and 48 (order 4) in zone 1. 32 and 40 are order-3 buddies.
    const { allocator, core } = boot({
      pages: 64, maxOrder: 4, pageblockOrder: 2,
      zones: [
        { name: 'DMA32', startPfn: 0, endPfn: 40 }, { name: 'Normal', startPfn: 40, endPfn: 64 },
      ],
    });
    expect([core.freeOrder[32], core.freeOrder[40]]).toEqual([3, 3]);
    expect(allocator.verify()).toEqual([]);
  });

  it('K4_9 merges a CMA and a MOVABLE buddy from pageblock order up: apart is a finding', () => {
    // 64 pages, orders 0..4, pageblocks of 4, CMA on [48, 64): one order-4 CMA block at 48.
    // Its halves 48 (CMA) and 56 (pageblocks made MOVABLE) are left free and unmerged.
    // K4_9 __free_one_page() merges across types while no pageblock is isolated (§2.4).
    const { allocator, core } = boot({
      pages: 64, maxOrder: 4, pageblockOrder: 2,
      cma: [{ name: 'cma0', base: 48, size: 16, fixed: true }],
    });
    core.delFromFreeList(0, 48, 4);
    core.setPageblockMigratetype(56, MIGRATE_MOVABLE);
    core.setPageblockMigratetype(60, MIGRATE_MOVABLE);
    link(core, core.listHead(0, 3, MIGRATE_CMA), 48, 3);
    link(core, core.listHead(0, 3, MIGRATE_MOVABLE), 56, 3);
    expect(findingsWith(allocator, 'free buddies pfn 48 and 56 of order 3 were not merged'))
      .toHaveLength(1);
  });

  /**
   * K6_1: 64 pages, orders 0..4, pageblocks of 8: bootmem frees 0, 16, 32, 48 at order 4.
   * Block 0 is split into free halves 0 and 8 (order 3 = pageblock order), pageblock 0 typed
   * `first`, pageblock 8 typed `second`.
   */
  function k61Halves(first: number, second: number): ImplAllocator {
    const { allocator, core } = boot({
      profile: 'K6_1', pages: 64, maxOrder: 4, pageblockOrder: 3,
    });
    core.delFromFreeList(0, 0, 4);
    core.setPageblockMigratetype(0, first);
    core.setPageblockMigratetype(8, second);
    link(core, core.listHead(0, 3, first), 0, 3);
    link(core, core.listHead(0, 3, second), 8, 3);
    return allocator;
  }

  it('K6_1 merges two mergeable types (UNMOVABLE, MOVABLE): apart is a finding', () => {
    // migratetype_is_mergeable(): U, M and E merge with each other (§2.4, switch P11).
    expect(findingsWith(k61Halves(MIGRATE_UNMOVABLE, MIGRATE_MOVABLE),
      'free buddies pfn 0 and 8 of order 3 were not merged')).toHaveLength(1);
  });

  it('K6_1 merges two CMA pageblocks (same type): apart is a finding', () => {
    // Only pageblocks of *different* types stay apart; CMA with CMA merges (§2.4).
    expect(findingsWith(k61Halves(MIGRATE_CMA, MIGRATE_CMA),
      'free buddies pfn 0 and 8 of order 3 were not merged')).toHaveLength(1);
  });

  it('K6_1 keeps a HIGHATOMIC pageblock apart from a MOVABLE one, quietly', () => {
    // HIGHATOMIC is not mergeable (mt < MIGRATE_PCPTYPES fails): the pair stays apart.
    expect(findingsWith(k61Halves(MIGRATE_MOVABLE, MIGRATE_HIGHATOMIC), 'were not merged'))
      .toEqual([]);
  });
});

describe('impl verify(): CMA bitmaps (I12)', () => {
  it('two active areas, each bitmap counted against its own ranges only', () => {
    const { allocator } = boot({
      pages: 64, maxOrder: 3, pageblockOrder: 2,
      cma: [
        { name: 'low', base: 32, size: 16, fixed: true },
        { name: 'high', base: 48, size: 16, fixed: true },
      ],
    });
    expect(isOk(allocator.apply({ kind: 'cmaAlloc', area: 0, count: 4, align: 0 }, 0))).toBe(true);
    expect(isOk(allocator.apply({ kind: 'cmaAlloc', area: 1, count: 3, align: 0 }, 1))).toBe(true);
    expect(allocator.verify()).toEqual([]);
  });
});
