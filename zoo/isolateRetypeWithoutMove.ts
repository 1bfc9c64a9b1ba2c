/**
 * Bug class: a pageblock's type changes but its free pages are not moved with it
 * (kernel-semantics.md §3.1, §6.5 set_migratetype_isolate).
 *
 * Kernel code imitated: move_freepages_block() as set_migratetype_isolate() calls it, after it
 * has already set the block MIGRATE_ISOLATE. K4_9's move_freepages_block() returns 0 without
 * moving anything when the pageblock ends outside the zone (§3.1 table), and the caller goes
 * on with a retyped block whose free pages still sit on the old lists; K6_18 made the move
 * refuse first and the isolation fail (__move_freepages_block_isolate). This mutant moves
 * nothing whenever the target is ISOLATE: the pages stay on the CMA lists, counted free, and
 * isolate_freepages_range() then takes them out of an ISOLATE block without uncounting them.
 *
 * Expected to catch it: counters (NR_FREE_PAGES and NR_FREE_CMA_PAGES above the pages on the
 * lists, I10).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_ISOLATE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class IsolateRetypeWithoutMoveCore extends BuddyCore {
  override moveFreepagesBlock(zone: number, pfn: number, migratetype: number): number {
    if (migratetype === MIGRATE_ISOLATE) return 0;
    return super.moveFreepagesBlock(zone, pfn, migratetype);
  }
}

export const isolateRetypeWithoutMove = defineMutant({
  name: 'isolate-retype-without-move',
  bugClass: 'isolation retypes a pageblock ISOLATE but leaves its free pages on their lists',
  expected: 'counters',
  kernelFunction: 'move_freepages_block',
  Core: IsolateRetypeWithoutMoveCore,
});
