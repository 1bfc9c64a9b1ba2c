/**
 * Bug class: fallback steals and converts a CMA pageblock (kernel-semantics.md §4.1, §4.10 F2:
 * CMA is never a fallback target; CMA blocks leave CMA only through isolation).
 *
 * Kernel code imitated: find_suitable_fallback() over fallbacks[][]. When CMA arrived (v3.5,
 * "mm: mmzone: MIGRATE_CMA migration type added") it sat in the MOVABLE row of fallbacks[][] and
 * __rmqueue_fallback() had to test is_migrate_cma() before stealing; v4.1 ("mm/cma: change
 * fallback behaviour for CMA freepage", dc67647b78b9) took it out of the table. This mutant
 * answers with the CMA list when no row entry has a free block of that order, for every
 * request type, and
 * leaves the stealing code as it is: an UNMOVABLE or RECLAIMABLE request may always steal
 * (can_steal_fallback), so the CMA block's free pages move to its lists and, with half the
 * block free or a whole-block steal, the block is retyped.
 *
 * Expected to catch it: pageblock-types (a pageblock of an active CMA area retyped UNMOVABLE,
 * I7) when the steal claims the block, which it does for a whole-block steal or a mostly free
 * block; a steal that does not claim it leaves an UNMOVABLE allocation and free pages on
 * UNMOVABLE lists in a CMA pageblock (cma-movable-only, checked first). The allocation result
 * itself usually differs before either (model-impl-agree).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class FallbackStealsCmaCore extends BuddyCore {
  override findSuitableFallback(zone: number, order: number, migratetype: number): number {
    const fallback = super.findSuitableFallback(zone, order, migratetype);
    if (fallback >= 0) return fallback;
    const head = this.listHead(zone, order, MIGRATE_CMA);
    return this.next[head] !== head ? MIGRATE_CMA : -1;
  }
}

export const fallbackStealsCma = defineMutant({
  name: 'fallback-steals-cma',
  bugClass: '__rmqueue_fallback() may take a CMA block for any request and steal its pageblock',
  expected: 'pageblock-types',
  kernelFunction: 'find_suitable_fallback',
  Core: FallbackStealsCmaCore,
});
