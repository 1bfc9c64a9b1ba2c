/**
 * impl's verify() has teeth: each of its checks reports a state that breaks the kernel's
 * structural invariant it restates (kernel-semantics.md §8.1 I1–I4, I7, I9, I10, I12, I14), and
 * stays quiet on the states the profile allows. Each case boots a tiny world, corrupts one field
 * of impl's raw state the way a bug in impl would (a stale link, a missed counter update, a block
 * on the wrong list), and expects the finding; the derivation of the booted state is in the
 * comment of each world.
 *
 * Found by mutation testing: verify() runs after every op of every impl scenario, but on a
 * correct impl it never fires, so a check could be deleted or inverted and every spec would still
 * pass (most of impl/verify.ts's mutants survived). The invariant suites prove their teeth the
 * same way (properties/invariants/*.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { MIGRATE_CMA, MIGRATE_MOVABLE } from '../../src/core/migratetype.ts';
import type { ImplAllocator } from '../../impl/allocator.ts';
import { WORLD_64, boot, link } from './verifyFixtures.ts';
import { decodeResult } from '../../src/core/result.ts';

/** The findings of verify() that contain `text`. */
function findingsWith(allocator: ImplAllocator, text: string): string[] {
  return allocator.verify().filter((finding) => finding.includes(text));
}

describe('impl verify() (structural invariants of kernel-semantics.md §8.1)', () => {
  it('finds nothing on a booted world, after allocations and a CMA allocation', () => {
    const { allocator } = boot(WORLD_64);
    expect(allocator.verify()).toEqual([]);
    allocator.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, 0);
    allocator.apply({ kind: 'cmaAlloc', area: 0, count: 4, align: 0 }, 1);
    expect(allocator.verify()).toEqual([]);
  });

  it('I1: a listed block whose order mark differs from its list', () => {
    const { allocator, core } = boot(WORLD_64);
    core.freeOrder[40] = 2; // on the order-3 MOVABLE list
    expect(findingsWith(allocator, 'pfn 40 order 3 (list 1) has order mark 2')).toHaveLength(1);
  });

  it('I1: a stale back link, a stale tail link and a link out of memory', () => {
    const stale = boot(WORLD_64);
    // MOVABLE order-3 list: head -> 40 -> 32 -> ... -> 0; prev[32] must be 40.
    stale.core.prev[32] = 0;
    expect(findingsWith(stale.allocator, 'pfn 32 has prev 0')).toHaveLength(1);
    const tail = boot(WORLD_64);
    const head = tail.core.listHead(0, 3, MIGRATE_MOVABLE);
    tail.core.prev[head] = 8; // the tail is 0
    expect(findingsWith(tail.allocator, `list ${head}: tail link is stale`)).toHaveLength(1);
    const broken = boot(WORLD_64);
    broken.core.next[40] = 64; // pfn 64 does not exist
    expect(findingsWith(broken.allocator, 'pfn 64 is not a page (broken link)')).toHaveLength(1);
  });

  it('I1: a page marked as a free head that no list holds', () => {
    const { allocator, core } = boot(WORLD_64);
    core.freeOrder[1] = 0; // inside free block 0; 9 marks, 8 listed blocks
    expect(findingsWith(allocator, '9 pages are marked free heads but 8 blocks')).toHaveLength(1);
  });

  it('I1: nr_free out of step with the lists', () => {
    const { allocator, core } = boot(WORLD_64);
    // list_del() + nr_free-- for block 40, then list_add() back without nr_free++.
    core.delFromFreeList(0, 40, 3);
    link(core, core.listHead(0, 3, MIGRATE_MOVABLE), 40, 3);
    expect(allocator.verify()).toEqual(['zone 0 nr_free[3] is 7, its lists hold 8']);
  });

  it('I2, I3: a misaligned block overlapping two free blocks', () => {
    const { allocator, core } = boot(WORLD_64);
    link(core, core.listHead(0, 3, MIGRATE_MOVABLE), 4, 3); // [4, 12) over blocks 0 and 8
    expect(findingsWith(allocator, 'pfn 4 order 3 (list 1) is not aligned')).toHaveLength(1);
    // The list is walked head first: 4 is seen before 8 and 0, which then overlap it.
    expect(findingsWith(allocator, 'overlaps pfn 8 held twice')).toHaveLength(1);
    expect(findingsWith(allocator, 'overlaps pfn 4 held twice')).toHaveLength(1);
  });

  it('I3: a block on the list of a zone it is not in', () => {
    // Two zones [0, 32) and [32, 64): block 0 is moved to zone 1's order-3 MOVABLE list.
    const { allocator, core } = boot({
      pages: 64, maxOrder: 3, pageblockOrder: 2,
      zones: [
        { name: 'DMA32', startPfn: 0, endPfn: 32 }, { name: 'Normal', startPfn: 32, endPfn: 64 },
      ],
    });
    core.delFromFreeList(0, 0, 3);
    link(core, core.listHead(1, 3, MIGRATE_MOVABLE), 0, 3);
    expect(findingsWith(allocator, 'pfn 0 order 3 (list 1) leaves zone 1')).toHaveLength(1);
  });

  it('I4: a free page that is also allocated, and one that is also reserved', () => {
    // alloc order 0 splits block 40 (the MOVABLE head): pfn 40 is handed out, 41 (order 0),
    // 42 (order 1) and 44 (order 2) are listed (expand()).
    const allocated = boot(WORLD_64);
    expect(decodeResult(allocated.allocator.apply(
      { kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, 0)).pfn)
      .toBe(40);
    link(allocated.core, allocated.core.listHead(0, 0, MIGRATE_MOVABLE), 40, 0);
    expect(findingsWith(allocated.allocator, 'allocation 0 at pfn 40 overlaps pfn 40 held twice'))
      .toHaveLength(1);
    // pfn 0 reserved: bootmem frees 1 (order 0), 2 (order 1), 4 (order 2), then 8.. (order 3).
    const reserved = boot({ ...WORLD_64, reserved: [{ startPfn: 0, endPfn: 1 }] });
    link(reserved.core, reserved.core.listHead(0, 0, MIGRATE_MOVABLE), 0, 0);
    expect(findingsWith(reserved.allocator, 'reserved pfn 0 is also free or allocated'))
      .toHaveLength(1);
  });

  it('I4: pages that are neither free, allocated nor reserved', () => {
    const { allocator, core } = boot(WORLD_64);
    core.delFromFreeList(0, 40, 3); // off its list, no one owns 40..47
    const lost = allocator.verify().filter((finding) => finding.includes('is neither free'));
    expect(lost).toEqual([40, 41, 42, 43, 44, 45, 46, 47].map((pfn) =>
      `pfn ${pfn} is neither free, allocated nor reserved`));
    // NR_FREE_PAGES was not moved: 64 kept, 56 on the lists (I10).
    expect(findingsWith(allocator, 'NR_FREE_PAGES is 64, non-ISOLATE lists: 56')).toHaveLength(1);
  });

  it('I7: a free CMA page on a non-CMA list', () => {
    const { allocator, core } = boot(WORLD_64);
    core.moveToFreeListHead(0, 48, MIGRATE_MOVABLE);
    expect(findingsWith(allocator, 'holds CMA pfn 48 on a non-CMA list')).toHaveLength(1);
    expect(findingsWith(allocator, 'holds CMA pfn 55 on a non-CMA list')).toHaveLength(1);
    // NR_FREE_CMA_PAGES still counts the block: 16 kept, 8 on CMA lists (I10).
    expect(findingsWith(allocator, 'NR_FREE_CMA_PAGES is 16, CMA lists: 8')).toHaveLength(1);
  });

  it('I9: an isolated pageblock left counted between ops', () => {
    const { allocator, core } = boot(WORLD_64);
    core.nrIsolatePageblock[0] = 1;
    expect(allocator.verify()).toEqual(['zone 0 has isolated pageblocks']);
  });

  it('I12: a bitmap bit no live CMA allocation owns', () => {
    const { allocator, core } = boot(WORLD_64);
    allocator.apply({ kind: 'cmaAlloc', area: 0, count: 4, align: 0 }, 0); // bits 0..3
    core.areas[0].bitmap[0] |= 1 << 10;
    expect(allocator.verify()).toEqual(['area cma0: 5 bits set, its ranges need 4']);
  });

  it('I14: free buddies left unmerged below maxOrder (K4_9 merges every pair)', () => {
    const { allocator, core } = boot(WORLD_64);
    // Block 0 (order 3) replaced by its halves 0 and 4 at order 2, both free.
    core.delFromFreeList(0, 0, 3);
    link(core, core.listHead(0, 2, MIGRATE_MOVABLE), 0, 2);
    link(core, core.listHead(0, 2, MIGRATE_MOVABLE), 4, 2);
    expect(findingsWith(allocator, 'free buddies pfn 0 and 4 of order 2 were not merged'))
      .toHaveLength(1);
  });

  it('I14 (K6_1): a MOVABLE and a CMA buddy from pageblock order up stay apart, quietly', () => {
    // 64 pages, orders 0..4, pageblocks of 8, CMA on [56, 64). K6_1 __free_one_page does not
    // merge across a CMA pageblock from pageblock order up (§2.4): 48 (MOVABLE, order 3) and
    // 56 (CMA, order 3) are buddies and both free, and that is the profile's rule.
    const { allocator, core } = boot({
      profile: 'K6_1', pages: 64, maxOrder: 4, pageblockOrder: 3,
      cma: [{ name: 'top', base: 56, size: 8, fixed: true }],
    });
    expect([core.freeOrder[48], core.freeOrder[56]]).toEqual([3, 3]);
    expect(core.pageblockMigratetype(56)).toBe(MIGRATE_CMA);
    expect(allocator.verify()).toEqual([]);
    // Two MOVABLE buddies at the same order are merged under K6_1 too: split block 0 by hand.
    core.delFromFreeList(0, 0, 4);
    link(core, core.listHead(0, 3, MIGRATE_MOVABLE), 0, 3);
    link(core, core.listHead(0, 3, MIGRATE_MOVABLE), 8, 3);
    expect(findingsWith(allocator, 'free buddies pfn 0 and 8 of order 3 were not merged'))
      .toHaveLength(1);
  });
});
