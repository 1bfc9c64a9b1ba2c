/**
 * Bug class: isolation undone with the wrong migratetype (kernel-semantics.md §6.2 step 8,
 * §9 P26, P27).
 *
 * Kernel code imitated: undo_isolate_page_range(start, end, migratetype) K4_9, which gives
 * every isolated block the *caller's* type, not the block's former one: a caller that passes
 * the wrong type silently retypes the range. In 4.9 that was reachable — a CMA block is
 * isolatable by any caller (has_unmovable_pages() skips CMA blocks, P27), so gigantic-page
 * allocation, which passes MIGRATE_MOVABLE, could turn CMA pageblocks into MOVABLE ones; K6_18
 * keeps the type in the pageblock and undo restores the block's own. Here cma_alloc()'s undo
 * restores MIGRATE_MOVABLE.
 *
 * Expected to catch it: pageblock-types (a pageblock of an active CMA area that is MOVABLE,
 * I7).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class ContigUndoWrongTypeCore extends BuddyCore {
  override undoIsolatePageRange(startPfn: number, endPfn: number, _migratetype: number): void {
    super.undoIsolatePageRange(startPfn, endPfn, MIGRATE_MOVABLE);
  }
}

export const contigUndoWrongType = defineMutant({
  name: 'contig-undo-wrong-type',
  bugClass: 'alloc_contig_range() undoes its isolation with MIGRATE_MOVABLE instead of the'
    + ' caller\'s MIGRATE_CMA',
  expected: 'pageblock-types',
  kernelFunction: 'undo_isolate_page_range',
  Core: ContigUndoWrongTypeCore,
});
