/**
 * impl/migrate.ts — moving movable allocations out of a range: MigrateLayer, the fourth layer
 * of BuddyCore (impl/core.ts). Mirrors model/migrate.ts and, in the kernel,
 * __alloc_contig_migrate_range() → isolate_migratepages_range() (mm/compaction.c) →
 * migrate_pages() with alloc_migrate_target() (mm/migrate.c, mm/page_isolation.c v4.9.45), as
 * docs/MODEL.md "Migration" fixes them (kernel-semantics.md §12.5–§12.8):
 * - the unit is a whole page allocation, even if it overlaps [startPfn, endPfn) only in part;
 * - movable = a MOVABLE page allocation that is not pinned; anything else is skipped;
 * - the scan goes up the range collecting up to COMPACT_CLUSTER_MAX units (list_add at the
 *   head), then the batch migrates in descending pfn order;
 * - each unit: the target first (an ordinary MOVABLE allocation; UNMOVABLE when mobility
 *   grouping is disabled), tokens copied, then the old block freed at once with its pageblock's
 *   current type (ISOLATE inside the isolated range). A failed target is -ENOMEM: stop, keep
 *   the moves done. migrate_pages() retries and the 5 tries of the caller change nothing here,
 *   since a failed target allocation changes no state.
 */
import { limits } from '../src/core/limits.ts';
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from '../src/core/migratetype.ts';
import { KIND_PAGES } from './allocations.ts';
import { STAT } from './buddy.ts';
import { IsolationLayer } from './isolation.ts';

export const ENOMEM = 12;

/** One batch of slots, allocated once (no array per scan); scratch, never state. */
const batch = new Int32Array(limits.compactClusterMax);

export abstract class MigrateLayer extends IsolationLayer {
  /** Mirrors __alloc_contig_migrate_range() as above. Returns 0 or -ENOMEM. */
  migrateRange(startPfn: number, endPfn: number): number {
    const table = this.table;
    let pfn = startPfn;
    while (pfn < endPfn) {
      let batchSize = 0;
      // isolate_migratepages_range(): ascending, up to COMPACT_CLUSTER_MAX units.
      while (pfn < endPfn && batchSize < batch.length) {
        const order = this.freeOrder[pfn];
        if (order >= 0) {
          pfn += 1 << order;
          continue;
        }
        const slot = table.ownerAt(pfn);
        if (slot < 0) {
          pfn++;
          continue;
        }
        if (this.isMigratable(slot)) batch[batchSize++] = slot;
        pfn = table.pfnOf(slot) + table.pageCountOf(slot);
      }
      // migrate_pages(): from the list head, i.e. the highest pfn first.
      for (let index = batchSize - 1; index >= 0; index--) {
        if (!this.unmapAndMove(batch[index])) return -ENOMEM;
      }
    }
    return 0;
  }

  /**
   * isolate_migratepages_block()'s test (§12.5): the page is on an LRU list (a MOVABLE page
   * allocation) and not pinned (page_count > page_mapcount → isolate_fail).
   */
  isMigratable(slot: number): boolean {
    const table = this.table;
    return table.kindOf(slot) === KIND_PAGES
      && table.migratetypeOf(slot) === MIGRATE_MOVABLE
      && !table.isPinned(slot);
  }

  /**
   * Mirrors unmap_and_move() for one unit: get_new_page() (alloc_migrate_target()) first, then
   * migrate_page_copy(), then free the old block (putback of the source page). False when no
   * target exists.
   */
  unmapAndMove(slot: number): boolean {
    const table = this.table;
    const order = table.orderOf(slot);
    const targetMigratetype = this.mobilityGroupingDisabled ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE;
    this.lastSourceList = targetMigratetype;
    const targetPfn = this.allocPages(order, targetMigratetype);
    if (targetPfn < 0) return false;
    const sourcePfn = table.pfnOf(slot);
    this.migratePageCopy(targetPfn, sourcePfn, table.pageCountOf(slot));
    table.moveTo(slot, targetPfn);
    table.setSourceList(slot, this.lastSourceList);
    this.freePages(sourcePfn, order);
    this.stats[STAT.migratePages] += 1 << order;
    return true;
  }

  /** Mirrors migrate_page_copy(): the frames' contents (data tokens) go to the new pages. */
  migratePageCopy(targetPfn: number, sourcePfn: number, pageCount: number): void {
    this.table.copyFrames(targetPfn, sourcePfn, pageCount);
  }
}
