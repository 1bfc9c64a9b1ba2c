/**
 * Bug class: a freed block goes on the free list of the wrong migratetype — a stale type
 * instead of its pageblock's current one (kernel-semantics.md §2.5, §12.17).
 *
 * Kernel code imitated: __free_pages() → __free_one_page(page, pfn, zone, order, migratetype)
 * with the `migratetype` the caller decided. The free path caches a type in the page
 * (set_pcppage_migratetype) and free_pcppages_bulk() trusted it while the pageblock had been
 * retyped meanwhile (CMA or isolated blocks), sending CMA pages to MOVABLE lists where
 * UNMOVABLE fallback could take them; the 2014 series "fix freepage count problems in memory
 * isolation" (Joonsoo Kim, 2014) re-reads the pageblock type when the zone has isolated
 * blocks, and later kernels re-read it at every drain. Here __free_pages() always hands
 * __free_one_page() MIGRATE_MOVABLE.
 *
 * Expected to catch it: cma-movable-only (a free page of a CMA pageblock on the MOVABLE list,
 * I7; free-blocks sees the same from the list's side). Freed UNMOVABLE or RECLAIMABLE pages on
 * the MOVABLE list are legal in K4_9 (§12.20): there only model-impl-agree sees the difference,
 * and it usually sees it first.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class WrongFreeListCore extends BuddyCore {
  override freePages(pfn: number, order: number): void {
    this.freeOneBlock(this.zoneOf(pfn), pfn, order, MIGRATE_MOVABLE);
  }
}

export const wrongFreeList = defineMutant({
  name: 'wrong-free-list',
  bugClass: 'a freed block goes on the list of a stale migratetype instead of its pageblock\'s',
  expected: 'cma-movable-only',
  kernelFunction: '__free_pages',
  Core: WrongFreeListCore,
});
