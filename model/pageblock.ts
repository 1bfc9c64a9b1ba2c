/**
 * Pageblock migratetype bits (kernel-semantics.md §1.4): one type per pageblock, stored in
 * `state.pageblockMigratetype[pfn >> pageblockOrder]`. K4_9 keeps ISOLATE in the same bits (the
 * previous type is lost while a block is isolated). Zones are pageblock-aligned (world rule), so
 * the kernel's zone-relative bit index (pfn_to_bitidx) equals the global block index used here.
 *
 * Not in scope: the PB_migrate_skip bit (compaction) and K6_18's separate isolate bit.
 */
import { assert } from '../src/core/assert.ts';
import {
  MIGRATE_PCPTYPES,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  type Migratetype,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import type { ModelState } from './state.ts';

/**
 * Mirrors get_pageblock_migratetype() — include/linux/mmzone.h, K4_9 and K6_1 (kernel-semantics.md
 * §1.4): the type of the pageblock holding `pfn`.
 */
export function getPageblockMigratetype(state: ModelState, pfn: Pfn): Migratetype {
  assert(pfn >= 0, () => `getPageblockMigratetype: pfn ${pfn} is negative`);
  assert(pfn < state.world.pages, () => `getPageblockMigratetype: pfn ${pfn} is past memory`);
  return state.pageblockMigratetype[pfn >> state.world.pageblockOrder];
}

/**
 * Mirrors set_pageblock_migratetype() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §1.4
 * rule 1). With mobility grouping disabled every "ordinary" type (< MIGRATE_PCPTYPES) is stored as
 * UNMOVABLE; CMA, HIGHATOMIC and ISOLATE are stored as given. Writes exactly one pageblock.
 */
export function setPageblockMigratetype(state: ModelState, pfn: Pfn, mt: Migratetype): void {
  assert(pfn >= 0, () => `setPageblockMigratetype: pfn ${pfn} is negative`);
  assert(pfn < state.world.pages, () => `setPageblockMigratetype: pfn ${pfn} is past memory`);
  assert(
    mt < MIGRATE_TYPES,
    () => `setPageblockMigratetype: pfn ${pfn}: migratetype ${mt} invalid`,
  );
  const stored =
    state.world.mobilityGroupingDisabled && mt < MIGRATE_PCPTYPES ? MIGRATE_UNMOVABLE : mt;
  state.pageblockMigratetype[pfn >> state.world.pageblockOrder] = stored;
}

/**
 * Mirrors change_pageblock_range() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §1.4 rule
 * 3): sets the 2^(order − pageblockOrder) pageblocks of a free block of `order` ≥ pageblockOrder,
 * starting at its head `pfn`. Used when fallback takes a block at least a pageblock large (§4.6).
 */
export function changePageblockRange(
  state: ModelState,
  pfn: Pfn,
  order: number,
  mt: Migratetype,
): void {
  const pageblockOrder = state.world.pageblockOrder;
  assert(
    order >= pageblockOrder,
    () => `changePageblockRange: pfn ${pfn} order ${order} < pageblock`,
  );
  assert(
    pfn % (1 << order) === 0,
    () => `changePageblockRange: pfn ${pfn} not aligned to ${order}`,
  );
  const pageblockCount = 1 << (order - pageblockOrder);
  for (let block = 0; block < pageblockCount; block++) {
    setPageblockMigratetype(state, pfn + (block << pageblockOrder), mt);
  }
}
