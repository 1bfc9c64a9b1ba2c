/**
 * Bug class: expand() puts the split halves on the wrong list (kernel-semantics.md §2.3
 * item 3: the halves go to the list the block came from).
 *
 * Kernel code imitated: expand() as called by __rmqueue_smallest(zone, order, MIGRATE_CMA) —
 * __rmqueue_cma_fallback() — for a MOVABLE request. Before "mm/cma: change fallback behaviour
 * for CMA freepage" (dc67647b78b9, Joonsoo Kim, v4.1) CMA was a fallback of MOVABLE inside
 * __rmqueue_fallback(), which had to write `expand(..., is_migrate_cma(migratetype) ?
 * migratetype : start_migratetype)` so that a split CMA block stays on CMA lists; this mutant
 * drops that distinction and lists the remainder on the MOVABLE lists, where UNMOVABLE and
 * RECLAIMABLE fallback can take it (§4.10 F1).
 *
 * Expected to catch it: cma-movable-only (a free page of a CMA pageblock on the MOVABLE list,
 * I7; free-blocks sees the same from the list's side).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_CMA, MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class ExpandWrongListCore extends BuddyCore {
  override expand(zone: number, pfn: number, low: number, high: number, migratetype: number): void {
    const listed = migratetype === MIGRATE_CMA ? MIGRATE_MOVABLE : migratetype;
    super.expand(zone, pfn, low, high, listed);
  }
}

export const expandWrongList = defineMutant({
  name: 'expand-wrong-list',
  bugClass: 'expand() lists the remainder of a split CMA block on the MOVABLE lists',
  expected: 'cma-movable-only',
  kernelFunction: 'expand',
  Core: ExpandWrongListCore,
});
