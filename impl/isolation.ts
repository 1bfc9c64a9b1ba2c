/**
 * impl/isolation.ts — pageblock isolation: IsolationLayer, the third layer of BuddyCore
 * (impl/core.ts). Mirrors model/isolation.ts and, in the kernel, start_isolate_page_range(),
 * undo_isolate_page_range(), set_migratetype_isolate(), unset_migratetype_isolate(),
 * test_pages_isolated() (mm/page_isolation.c v4.9.45), has_unmovable_pages() and
 * __isolate_free_page() (mm/page_alloc.c) — kernel-semantics.md §6.5 K4_9, §12.3, §12.4, §12.13.
 *
 * Operations are atomic (docs/MODEL.md), so there is no pcp drain and no "already isolated"
 * case: cma_mutex serialises every caller in K4_9. Pfns beyond memory have no struct page:
 * __first_valid_page() skips such pageblocks.
 */
import { maybe } from '../src/core/assert.ts';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE,
} from '../src/core/migratetype.ts';
import { KIND_PAGES } from './allocations.ts';
import {
  VMSTAT_ISOLATE_FREE_PAGE, VMSTAT_SET_ISOLATE, VMSTAT_UNSET_ISOLATE,
} from './buddy.ts';
import { FallbackLayer } from './fallback.ts';

export const EBUSY = 16;

export abstract class IsolationLayer extends FallbackLayer {
  /**
   * Mirrors start_isolate_page_range() K4_9: isolate each pageblock of the pageblock-aligned
   * [startPfn, endPfn) ascending; on the first failure un-isolate the earlier ones with
   * `migratetype` and return -EBUSY.
   */
  startIsolatePageRange(startPfn: number, endPfn: number, migratetype: number): number {
    const pageblockPages = 1 << this.pageblockOrder;
    for (let pfn = startPfn; pfn < endPfn && pfn < this.pages; pfn += pageblockPages) {
      if (this.setMigratetypeIsolate(pfn) === 0) continue;
      for (let undoPfn = startPfn; undoPfn < pfn; undoPfn += pageblockPages) {
        this.unsetMigratetypeIsolate(undoPfn, migratetype);
      }
      return -EBUSY;
    }
    return 0;
  }

  /**
   * Mirrors undo_isolate_page_range(): every ISOLATE pageblock of [startPfn, endPfn) gets
   * `migratetype` — the caller's, not the block's former type (§6.2 step 8, switch P26).
   */
  undoIsolatePageRange(startPfn: number, endPfn: number, migratetype: number): void {
    const pageblockPages = 1 << this.pageblockOrder;
    for (let pfn = startPfn; pfn < endPfn && pfn < this.pages; pfn += pageblockPages) {
      if (this.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) continue;
      this.unsetMigratetypeIsolate(pfn, migratetype);
    }
  }

  /**
   * Mirrors set_migratetype_isolate() K4_9: unless has_unmovable_pages(), the block becomes
   * ISOLATE, its free pages move to the head of the ISOLATE lists and leave NR_FREE_PAGES (and
   * NR_FREE_CMA_PAGES when the block was CMA). Returns 0 or -EBUSY.
   */
  setMigratetypeIsolate(pfn: number): number {
    if (this.hasUnmovablePages(pfn)) return -EBUSY;
    const zone = this.zoneOf(pfn);
    const oldMigratetype = this.pageblockMigratetype(pfn);
    this.setPageblockMigratetype(pfn, MIGRATE_ISOLATE);
    this.nrIsolatePageblock[zone]++;
    const pagesMoved = this.moveFreepagesBlock(zone, pfn, MIGRATE_ISOLATE);
    maybe(oldMigratetype === MIGRATE_CMA);
    this.modZoneFreepageState(zone, -pagesMoved, oldMigratetype, VMSTAT_SET_ISOLATE);
    return 0;
  }

  /**
   * Mirrors unset_migratetype_isolate() K4_9 (§12.3): if the block's first page heads a free
   * block of order >= pageblockOrder whose buddy's pageblock is not ISOLATE, take it out with
   * __isolate_free_page(), restore the type and free it again through __free_pages() so that it
   * merges (rule T may put it at the tail); otherwise move the free pages back (head insertion)
   * and count them free again. A buddy beyond memory has no pageblock bits: read as not ISOLATE.
   */
  unsetMigratetypeIsolate(pfn: number, migratetype: number): void {
    if (this.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) return;
    const zone = this.zoneOf(pfn);
    const order = this.freeOrder[pfn];
    let isolatedPage = false;
    if (order >= this.pageblockOrder) {
      const buddy = pfn ^ (1 << order);
      if (buddy >= this.pages || this.pageblockMigratetype(buddy) !== MIGRATE_ISOLATE) {
        this.isolateFreePage(zone, pfn);
        isolatedPage = true;
      }
    }
    if (!isolatedPage) {
      const pagesMoved = this.moveFreepagesBlock(zone, pfn, migratetype);
      maybe(pagesMoved > 0);
      this.modZoneFreepageState(zone, pagesMoved, migratetype, VMSTAT_UNSET_ISOLATE);
    }
    this.setPageblockMigratetype(pfn, migratetype);
    this.nrIsolatePageblock[zone]--;
    if (isolatedPage) this.freePages(pfn, order);
  }

  /**
   * Mirrors __isolate_free_page() (§12.4): take a free head off its list (no watermark check
   * here: docs/MODEL.md has no watermarks); outside ISOLATE blocks its pages leave vmstat by
   * the block type; from order pageblockOrder - 1 up, its non-ISOLATE non-CMA pageblocks become
   * MOVABLE. Returns the pages taken.
   */
  isolateFreePage(zone: number, pfn: number): number {
    const order = this.freeOrder[pfn];
    const pageCount = 1 << order;
    const blockMigratetype = this.pageblockMigratetype(pfn);
    if (blockMigratetype !== MIGRATE_ISOLATE) {
      this.modZoneFreepageState(zone, -pageCount, blockMigratetype, VMSTAT_ISOLATE_FREE_PAGE);
    }
    this.delFromFreeList(zone, pfn, order);
    if (order >= this.pageblockOrder - 1) {
      const pageblockPages = 1 << this.pageblockOrder;
      // The kernel's loop runs while page < endpage = page + 2^order - 1.
      for (let blockPfn = pfn; blockPfn < pfn + pageCount - 1; blockPfn += pageblockPages) {
        const migratetype = this.pageblockMigratetype(blockPfn);
        if (migratetype === MIGRATE_ISOLATE || migratetype === MIGRATE_CMA) continue;
        this.setPageblockMigratetype(blockPfn, MIGRATE_MOVABLE);
      }
    }
    return pageCount;
  }

  /**
   * Mirrors has_unmovable_pages() K4_9 with count 0: MOVABLE and CMA pageblocks are isolatable
   * without a scan (§6.5, switch P27/P28). Otherwise any in-use page with a reference that is
   * not on an LRU list makes the block unmovable: a reserved page, a CMA/DMA range page
   * (order-0, refcount 1 each), the first page of an UNMOVABLE or RECLAIMABLE page allocation
   * (tail pages of a non-compound allocation have refcount 0). MOVABLE allocations are on the LRU.
   */
  hasUnmovablePages(pfn: number): boolean {
    const migratetype = this.pageblockMigratetype(pfn);
    if (migratetype === MIGRATE_MOVABLE || migratetype === MIGRATE_CMA) return false;
    const table = this.table;
    const blockStart = pfn & ~((1 << this.pageblockOrder) - 1);
    const blockEnd = blockStart + (1 << this.pageblockOrder);
    let scanPfn = blockStart;
    while (scanPfn < blockEnd) {
      const order = this.freeOrder[scanPfn];
      if (order >= 0) {
        scanPfn += 1 << order;
        continue;
      }
      const slot = table.ownerAt(scanPfn);
      if (slot < 0) {
        if (!this.isFreeInterior(scanPfn)) return true; // a reserved page
      } else if (table.kindOf(slot) !== KIND_PAGES) {
        return true;
      } else if (table.pfnOf(slot) === scanPfn && table.migratetypeOf(slot) !== MIGRATE_MOVABLE) {
        return true;
      }
      scanPfn++;
    }
    return false;
  }

  /** Is `pfn` inside a free block (not its head)? Looks for the covering head, order by order. */
  private isFreeInterior(pfn: number): boolean {
    for (let order = 1; order <= this.maxOrder; order++) {
      const head = pfn & ~((1 << order) - 1);
      if (this.freeOrder[head] >= order) return true;
    }
    return false;
  }

  /**
   * Mirrors test_pages_isolated() (§6.5, §12.13): every pageblock-stride pfn from startPfn lies
   * in an ISOLATE pageblock, and a walk from startPfn over free heads (jumping 2^order) reaches
   * endPfn. Returns 0 or -EBUSY.
   */
  testPagesIsolated(startPfn: number, endPfn: number): number {
    const pageblockPages = 1 << this.pageblockOrder;
    for (let pfn = startPfn; pfn < endPfn; pfn += pageblockPages) {
      if (this.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) return -EBUSY;
    }
    let pfn = startPfn;
    while (pfn < endPfn) {
      const order = this.freeOrder[pfn];
      if (order < 0) return -EBUSY;
      pfn += 1 << order;
    }
    return 0;
  }
}
