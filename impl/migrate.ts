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
 * K6_1 migrates the same way (alloc_migration_target(), through the K6_1 allocator), and also
 * for long-term pins (mm/gup.c check_and_migrate_movable_pages(): pinUserPages()).
 */
import { limits } from '../src/core/limits.ts';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE,
} from '../src/core/migratetype.ts';
import { KIND_PAGES } from './allocations.ts';
import { STAT } from './buddy.ts';
import { IsolationLayer } from './isolation.ts';

export const ENOMEM = 12;

/** One batch of allocation handles, allocated once (no array per scan); scratch, never state. */
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
        const id = table.ownerAt(pfn);
        if (id < 0) {
          pfn++;
          continue;
        }
        if (this.isMigratable(id)) batch[batchSize++] = id;
        pfn = table.pfnOf(id) + table.pageCountOf(id);
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
  isMigratable(id: number): boolean {
    const table = this.table;
    return table.kindOf(id) === KIND_PAGES
      && table.migratetypeOf(id) === MIGRATE_MOVABLE
      && !table.isPinned(id);
  }

  /**
   * Mirrors unmap_and_move() for one unit: get_new_page() (alloc_migrate_target()) first, then
   * migrate_page_copy(), then free the old block (putback of the source page). False when no
   * target exists.
   */
  unmapAndMove(id: number): boolean {
    const targetMigratetype = this.mobilityGroupingDisabled ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE;
    return this.moveAllocation(id, targetMigratetype);
  }

  /**
   * One unit of migrate_pages() with a target request of `targetMigratetype` and the unit's
   * order, through the profile's allocator (getPageFromFreelist()): copy, move the record (its
   * source list becomes the target's; its requested migratetype stays), free the old block
   * with its pageblock's current type. False when no target exists (nothing changed).
   */
  moveAllocation(id: number, targetMigratetype: number): boolean {
    const table = this.table;
    const order = table.orderOf(id);
    this.lastSourceList = targetMigratetype;
    const targetPfn = this.getPageFromFreelist(order, targetMigratetype);
    if (targetPfn < 0) return false;
    const sourcePfn = table.pfnOf(id);
    this.migratePageCopy(targetPfn, sourcePfn, table.pageCountOf(id));
    table.moveTo(id, targetPfn);
    table.setSourceList(id, this.lastSourceList);
    this.freePages(sourcePfn, order);
    this.stats[STAT.migratePages] += 1 << order;
    return true;
  }

  /**
   * Mirrors __gup_longterm_locked(FOLL_LONGTERM | FOLL_PIN) on one page allocation — mm/gup.c
   * (docs/MODEL.md "Ops", `pin`, and "K6_1", pins): K4_9 pins in place; K6_1 first runs
   * check_and_migrate_movable_pages(). Idempotent. False when the K6_1 migration found no
   * target (-ENOMEM): the allocation then stays where it was, not pinned.
   */
  pinUserPages(id: number): boolean {
    if (this.isK6_1 && !this.checkAndMigrateMovablePages(id)) return false;
    this.table.setPinned(id, true);
    return true;
  }

  /**
   * Mirrors check_and_migrate_movable_pages() K6_1 (collect_longterm_unpinnable_pages() →
   * migrate_longterm_unpinnable_pages()): a folio that may not be pinned long-term is migrated
   * with alloc_migration_target(GFP_USER | __GFP_NOWARN) inside memalloc_pin_save(), i.e. an
   * UNMOVABLE request of its order — never CMA. True when the page may now be pinned.
   */
  checkAndMigrateMovablePages(id: number): boolean {
    if (this.folioIsLongtermPinnable(id)) return true;
    return this.moveAllocation(id, MIGRATE_UNMOVABLE);
  }

  /**
   * Mirrors folio_is_longterm_pinnable() — include/linux/mm.h K6_1: false for a folio whose
   * head page's pageblock is CMA or ISOLATE (no ZONE_MOVABLE or device memory here).
   */
  folioIsLongtermPinnable(id: number): boolean {
    const migratetype = this.pageblockMigratetype(this.table.pfnOf(id));
    return migratetype !== MIGRATE_CMA && migratetype !== MIGRATE_ISOLATE;
  }

  /** Mirrors migrate_page_copy(): the frames' contents (data tokens) go to the new pages. */
  migratePageCopy(targetPfn: number, sourcePfn: number, pageCount: number): void {
    this.table.copyFrames(targetPfn, sourcePfn, pageCount);
  }
}
