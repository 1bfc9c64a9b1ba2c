/**
 * Bug class: a freed block goes on the free list of the wrong migratetype — a stale type
 * instead of its pageblock's current one. The kernel's free path caches a migratetype in the
 * page (set_pcppage_migratetype) and free_pcppages_bulk() trusted it while the pageblock had
 * been retyped meanwhile (CMA or isolated blocks), sending CMA pages to MOVABLE lists where
 * UNMOVABLE fallback could take them; later kernels re-read the pageblock type when draining.
 * Here __free_pages() always hands __free_one_page() MIGRATE_MOVABLE.
 */
import { BuddyCore, ImplAllocator } from '../impl/allocator.ts';
import { MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import type { Mutant } from './mutants.ts';

class WrongFreeListCore extends BuddyCore {
  override freePages(pfn: number, order: number): void {
    this.freeOneBlock(this.zoneOf(pfn), pfn, order, MIGRATE_MOVABLE);
  }
}

export const wrongFreeList: Mutant = {
  name: 'wrong-free-list',
  bugClass: 'a freed block goes on the list of a stale migratetype instead of its pageblock\'s',
  expected: 'free-blocks',
  create: () => new ImplAllocator('zoo:wrong-free-list',
    (geometry) => new WrongFreeListCore(geometry)),
};
