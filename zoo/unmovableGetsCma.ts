/**
 * Bug class: an UNMOVABLE (or RECLAIMABLE) request gets a CMA page (kernel-semantics.md §4.2
 * step 2, §4.10 F1: only movable allocations get CMA pages, since cma_alloc() must be able to
 * migrate every page of its window).
 *
 * Kernel code imitated: __rmqueue() K4_9, `if (migratetype == MIGRATE_MOVABLE) page =
 * __rmqueue_cma_fallback(zone, order);`, here without its test. The same class of bug reached
 * later kernels through the gfp flags: "mm/page_alloc: fix memalloc_nocma_{save/restore} APIs"
 * (8510e69c8efe, Joonsoo Kim, 2020) fixed the allocation fast path, which ignored the scope
 * that keeps long-term-pinned allocations out of CMA.
 *
 * Expected to catch it: cma-movable-only (an UNMOVABLE allocation holds pages of a CMA
 * pageblock, I8); fallback-legal sees the CMA source list too.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class UnmovableGetsCmaCore extends BuddyCore {
  override rmqueueCmaFallback(zone: number, order: number, _migratetype: number): number {
    return this.rmqueueSmallest(zone, order, MIGRATE_CMA);
  }
}

export const unmovableGetsCma = defineMutant({
  name: 'unmovable-gets-cma',
  bugClass: 'any request, not only MOVABLE ones, takes pages off the CMA lists',
  expected: 'cma-movable-only',
  kernelFunction: '__rmqueue',
  Core: UnmovableGetsCmaCore,
});
