/**
 * impl/isolation.ts — pageblock isolation. Mirrors model/isolation.ts and, in the kernel,
 * start_isolate_page_range(), undo_isolate_page_range(), set_migratetype_isolate(),
 * unset_migratetype_isolate(), test_pages_isolated() (mm/page_isolation.c v4.9.45),
 * has_unmovable_pages() and __isolate_free_page() (mm/page_alloc.c) — kernel-semantics.md
 * §6.5 K4_9, §12.3, §12.4, §12.13.
 *
 * Operations are atomic (docs/MODEL.md), so there is no pcp drain and no "already isolated"
 * case: cma_mutex serialises every caller in K4_9. Pfns beyond memory have no struct page:
 * __first_valid_page() skips such pageblocks.
 */
import { maybe } from '../src/core/assert.ts';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE,
} from '../src/core/migratetype.ts';
import { type AllocationTable, KIND_PAGES } from './allocations.ts';
import type { BuddyCore } from './buddy.ts';
import { moveFreepagesBlock } from './fallback.ts';

export const EBUSY = 16;

/**
 * Mirrors start_isolate_page_range() K4_9: isolate each pageblock of the pageblock-aligned
 * [startPfn, endPfn) ascending; on the first failure un-isolate the earlier ones with
 * `migratetype` and return -EBUSY.
 */
export function startIsolatePageRange(
  core: BuddyCore, table: AllocationTable, startPfn: number, endPfn: number, migratetype: number,
): number {
  const pageblockPages = 1 << core.pageblockOrder;
  for (let pfn = startPfn; pfn < endPfn && pfn < core.pages; pfn += pageblockPages) {
    if (setMigratetypeIsolate(core, table, pfn) === 0) continue;
    for (let undoPfn = startPfn; undoPfn < pfn; undoPfn += pageblockPages) {
      unsetMigratetypeIsolate(core, undoPfn, migratetype);
    }
    return -EBUSY;
  }
  return 0;
}

/**
 * Mirrors undo_isolate_page_range(): every ISOLATE pageblock of [startPfn, endPfn) gets
 * `migratetype` — the caller's, not the block's former type (§6.2 step 8, switch P26).
 */
export function undoIsolatePageRange(
  core: BuddyCore, startPfn: number, endPfn: number, migratetype: number,
): void {
  const pageblockPages = 1 << core.pageblockOrder;
  for (let pfn = startPfn; pfn < endPfn && pfn < core.pages; pfn += pageblockPages) {
    if (core.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) continue;
    unsetMigratetypeIsolate(core, pfn, migratetype);
  }
}

/**
 * Mirrors set_migratetype_isolate() K4_9: unless has_unmovable_pages(), the block becomes
 * ISOLATE, its free pages move to the head of the ISOLATE lists and leave NR_FREE_PAGES (and
 * NR_FREE_CMA_PAGES when the block was CMA). Returns 0 or -EBUSY.
 */
export function setMigratetypeIsolate(
  core: BuddyCore, table: AllocationTable, pfn: number,
): number {
  if (hasUnmovablePages(core, table, pfn)) return -EBUSY;
  const zone = core.zoneOf(pfn);
  const oldMigratetype = core.pageblockMigratetype(pfn);
  core.setPageblockMigratetype(pfn, MIGRATE_ISOLATE);
  core.nrIsolatePageblock[zone]++;
  const pagesMoved = moveFreepagesBlock(core, zone, pfn, MIGRATE_ISOLATE);
  // __mod_zone_freepage_state(zone, -pagesMoved, oldMigratetype): derived (impl/buddy.ts).
  maybe(oldMigratetype === MIGRATE_CMA);
  return 0;
}

/**
 * Mirrors unset_migratetype_isolate() K4_9 (§12.3): if the block's first page heads a free
 * block of order >= pageblockOrder whose buddy's pageblock is not ISOLATE, take it out with
 * __isolate_free_page(), restore the type and free it again through __free_pages() so that it
 * merges (rule T may put it at the tail); otherwise move the free pages back (head insertion)
 * and count them free again. A buddy beyond memory has no pageblock bits: read as not ISOLATE.
 */
export function unsetMigratetypeIsolate(core: BuddyCore, pfn: number, migratetype: number): void {
  if (core.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) return;
  const zone = core.zoneOf(pfn);
  const order = core.freeOrder[pfn];
  let isolatedPage = false;
  if (order >= core.pageblockOrder) {
    const buddy = pfn ^ (1 << order);
    if (buddy >= core.pages || core.pageblockMigratetype(buddy) !== MIGRATE_ISOLATE) {
      isolateFreePage(core, zone, pfn);
      isolatedPage = true;
    }
  }
  if (!isolatedPage) {
    const pagesMoved = moveFreepagesBlock(core, zone, pfn, migratetype);
    // __mod_zone_freepage_state(zone, pagesMoved, migratetype): derived (impl/buddy.ts).
    maybe(pagesMoved > 0);
  }
  core.setPageblockMigratetype(pfn, migratetype);
  core.nrIsolatePageblock[zone]--;
  if (isolatedPage) core.freePages(pfn, order);
}

/**
 * Mirrors __isolate_free_page() (§12.4): take a free head off its list (no watermark check
 * here: docs/MODEL.md has no watermarks); outside ISOLATE blocks it leaves the free counters;
 * from order pageblockOrder - 1 up, its non-ISOLATE non-CMA pageblocks become MOVABLE.
 * Returns the pages taken.
 */
export function isolateFreePage(core: BuddyCore, zone: number, pfn: number): number {
  const order = core.freeOrder[pfn];
  const pageCount = 1 << order;
  // Outside ISOLATE blocks __mod_zone_freepage_state(-pageCount, mt): derived (impl/buddy.ts).
  core.delFromFreeList(zone, pfn);
  if (order >= core.pageblockOrder - 1) {
    const pageblockPages = 1 << core.pageblockOrder;
    // The kernel's loop runs while page < endpage = page + 2^order - 1.
    for (let blockPfn = pfn; blockPfn < pfn + pageCount - 1; blockPfn += pageblockPages) {
      const blockMigratetype = core.pageblockMigratetype(blockPfn);
      if (blockMigratetype === MIGRATE_ISOLATE || blockMigratetype === MIGRATE_CMA) continue;
      core.setPageblockMigratetype(blockPfn, MIGRATE_MOVABLE);
    }
  }
  return pageCount;
}

/**
 * Mirrors has_unmovable_pages() K4_9 with count 0: MOVABLE and CMA pageblocks are isolatable
 * without a scan (§6.5, switch P27/P28). Otherwise any in-use page with a reference that is not
 * on an LRU list makes the block unmovable: a reserved page, a CMA/DMA range page (order-0,
 * refcount 1 each), the first page of an UNMOVABLE or RECLAIMABLE page allocation (tail pages
 * of a non-compound allocation have refcount 0). Pages of MOVABLE allocations are on the LRU.
 */
export function hasUnmovablePages(core: BuddyCore, table: AllocationTable, pfn: number): boolean {
  const migratetype = core.pageblockMigratetype(pfn);
  if (migratetype === MIGRATE_MOVABLE || migratetype === MIGRATE_CMA) return false;
  const blockStart = pfn & ~((1 << core.pageblockOrder) - 1);
  const blockEnd = blockStart + (1 << core.pageblockOrder);
  let scanPfn = blockStart;
  while (scanPfn < blockEnd) {
    const order = core.freeOrder[scanPfn];
    if (order >= 0) {
      scanPfn += 1 << order;
      continue;
    }
    const slot = table.ownerAt(scanPfn);
    if (slot < 0) {
      if (!isFreeInterior(core, scanPfn)) return true; // a reserved page
    } else if (table.kind[slot] !== KIND_PAGES) {
      return true;
    } else if (table.pfn[slot] === scanPfn && table.migratetype[slot] !== MIGRATE_MOVABLE) {
      return true;
    }
    scanPfn++;
  }
  return false;
}

/** Is `pfn` inside a free block (not its head)? Looks for the covering head, order by order. */
function isFreeInterior(core: BuddyCore, pfn: number): boolean {
  for (let order = 1; order <= core.maxOrder; order++) {
    const head = pfn & ~((1 << order) - 1);
    if (core.freeOrder[head] >= order) return true;
  }
  return false;
}

/**
 * Mirrors test_pages_isolated() (§6.5, §12.13): every pageblock-stride pfn from startPfn lies
 * in an ISOLATE pageblock, and a walk from startPfn over free heads (jumping 2^order) reaches
 * endPfn. Returns 0 or -EBUSY.
 */
export function testPagesIsolated(core: BuddyCore, startPfn: number, endPfn: number): number {
  const pageblockPages = 1 << core.pageblockOrder;
  for (let pfn = startPfn; pfn < endPfn; pfn += pageblockPages) {
    if (core.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) return -EBUSY;
  }
  let pfn = startPfn;
  while (pfn < endPfn) {
    const order = core.freeOrder[pfn];
    if (order < 0) return -EBUSY;
    pfn += 1 << order;
  }
  return 0;
}
