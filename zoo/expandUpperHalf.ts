/**
 * Bug class: expand() keeps the upper half of each split instead of the lower
 * (kernel-semantics.md §2.3 item 3).
 *
 * Kernel code imitated: expand(zone, page, low, high, area, migratetype), whose loop puts
 * `&page[size]` — the upper half — on the free list and keeps splitting the lower one, so that
 * the caller (__rmqueue_smallest, __rmqueue_fallback) can return `page`. Here the loop lists
 * the lower half and walks up into the upper one: the caller still returns `page`, which is
 * now the head of a listed free block, and the pages actually kept belong to nobody.
 *
 * Expected to catch it: a crash, reported as model-impl-agree. The allocated page is also a
 * listed free block, and impl keeps an allocated page's owner in the list slots of its pfn (as
 * the kernel reuses page->lru), so the first allocation corrupts a free list and the snapshot's
 * list walk stops on it — the kernel's CONFIG_DEBUG_LIST "list_add corruption". An allocator
 * that kept its lists apart would show conservation instead (the allocation's pages also free,
 * the top of the split block neither free nor allocated).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { defineMutant } from './define.ts';

class ExpandUpperHalfCore extends BuddyCore {
  override expand(zone: number, pfn: number, low: number, high: number, migratetype: number): void {
    let lower = pfn;
    for (let half = high - 1; half >= low; half--) {
      // expand() lists the upper half of the block it is given: given the order-(half + 1)
      // block just below `lower`, it lists exactly [lower, lower + 2^half) at order `half`.
      super.expand(zone, lower - (1 << half), half, half + 1, migratetype);
      lower += 1 << half;
    }
  }
}

export const expandUpperHalf = defineMutant({
  name: 'expand-upper-half',
  bugClass: 'expand() lists the lower half of each split and keeps the upper one, while the'
    + ' caller hands out the lower pages',
  expected: 'model-impl-agree',
  kernelFunction: 'expand',
  Core: ExpandUpperHalfCore,
});
