/**
 * impl/isolation.ts — pageblock isolation: IsolationLayer, the third layer of BuddyCore
 * (impl/core.ts). Mirrors model/isolation.ts and, in the kernel, start_isolate_page_range(),
 * undo_isolate_page_range(), set_migratetype_isolate(), unset_migratetype_isolate(),
 * test_pages_isolated() (mm/page_isolation.c v4.9.45), has_unmovable_pages() and
 * __isolate_free_page() (mm/page_alloc.c) — kernel-semantics.md §6.5 K4_9, §12.3, §12.4, §12.13.
 *
 * Operations are atomic (docs/MODEL.md), so there is no pcp drain; K4_9 has no "already
 * isolated" case (cma_mutex serialises every caller). Pfns beyond memory have no struct page:
 * __first_valid_page() skips such pageblocks.
 *
 * K6_1 (mm/page_isolation.c v6.1.20; §6.3, §6.5 K6_1, switches P25, P27, P28): isolation is
 * pageblock-granular — start_isolate_page_range() isolates [pageblock_start(start),
 * pageblock_align(end)), its first and last pageblock through isolate_single_pageblock(), which
 * splits a free block crossing the boundary (split_free_page()) and migrates a THP crossing it
 * first; set_migratetype_isolate() refuses an isolated block and asks the K6_1
 * has_unmovable_pages(); unset_migratetype_isolate()'s merge path needs a free buddy below
 * MAX_ORDER - 1 and frees it back to the tail. Each K6_1 step is a `…K6_1` method; the shared
 * hooks dispatch to it.
 */
import { assert, maybe } from '../src/core/assert.ts';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE,
} from '../src/core/migratetype.ts';
import { KIND_PAGES } from './allocations.ts';
import {
  VMSTAT_ISOLATE_FREE_PAGE, VMSTAT_SET_ISOLATE, VMSTAT_SPLIT_FREE_PAGE, VMSTAT_UNSET_ISOLATE,
} from './buddy.ts';
import { FallbackLayer } from './fallback.ts';

export const EBUSY = 16;
const ENOENT = 2;

export abstract class IsolationLayer extends FallbackLayer {
  /** __alloc_contig_migrate_range(): impl/migrate.ts. Returns 0 or a negative errno. */
  abstract migrateRange(startPfn: number, endPfn: number): number;

  /**
   * Mirrors start_isolate_page_range() K4_9: isolate each pageblock of the pageblock-aligned
   * [startPfn, endPfn) ascending; on the first failure un-isolate the earlier ones with
   * `migratetype` and return -EBUSY.
   */
  startIsolatePageRange(startPfn: number, endPfn: number, migratetype: number): number {
    if (this.isK6_1) return this.startIsolatePageRangeK6_1(startPfn, endPfn, migratetype);
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

  /** pageblock_start_pfn(): `pfn` rounded down to its pageblock's first pfn. */
  pageblockStart(pfn: number): number {
    return pfn & ~((1 << this.pageblockOrder) - 1);
  }

  /** pageblock_align(): `pfn` rounded up to a pageblock boundary. */
  pageblockAlign(pfn: number): number {
    return this.pageblockStart(pfn + (1 << this.pageblockOrder) - 1);
  }

  /**
   * Mirrors undo_isolate_page_range(): every ISOLATE pageblock of [startPfn, endPfn) gets
   * `migratetype` — the caller's, not the block's former type (§6.2 step 8, switch P26). K4_9
   * takes pageblock-aligned ends; K6_1 aligns [start, end) outwards itself
   * (pageblock_start_pfn(), pageblock_align()), as model/isolation.ts does.
   */
  undoIsolatePageRange(startPfn: number, endPfn: number, migratetype: number): void {
    const pageblockPages = 1 << this.pageblockOrder;
    if (!this.isK6_1) {
      assert(startPfn % pageblockPages === 0 && endPfn % pageblockPages === 0,
        () => `undo_isolate_page_range: [${startPfn}, ${endPfn}) not pageblock-aligned`);
    }
    const end = this.pageblockAlign(endPfn);
    for (let pfn = this.pageblockStart(startPfn); pfn < end && pfn < this.pages;
      pfn += pageblockPages) {
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
    if (this.isK6_1) {
      this.unsetMigratetypeIsolateK6_1(pfn, migratetype);
      return;
    }
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
   * Mirrors unset_migratetype_isolate() K6_1 (§6.5): the merge path now needs the first page to
   * head a free block of order in [pageblockOrder, maxOrder) whose buddy is a free block of the
   * same order and zone (page_is_buddy()) in a pageblock that is not ISOLATE; that block is
   * taken out, the type restored, and it is freed back with FPI_TO_TAIL
   * (__putback_isolated_page()). Otherwise the free pages move back (to the tails) and count
   * as free again.
   */
  unsetMigratetypeIsolateK6_1(pfn: number, migratetype: number): void {
    if (this.pageblockMigratetype(pfn) !== MIGRATE_ISOLATE) return;
    const zone = this.zoneOf(pfn);
    const order = this.freeOrder[pfn];
    let isolatedPage = false;
    if (order >= this.pageblockOrder && order < this.maxOrder) {
      const buddy = pfn ^ (1 << order);
      const buddyIsFree = buddy < this.pages && this.freeOrder[buddy] === order
        && this.zoneOf(buddy) === zone;
      if (buddyIsFree && this.pageblockMigratetype(buddy) !== MIGRATE_ISOLATE) {
        this.isolateFreePage(zone, pfn);
        isolatedPage = true;
      }
    }
    if (!isolatedPage) {
      const pagesMoved = this.moveFreepagesBlock(zone, pfn, migratetype);
      this.modZoneFreepageState(zone, pagesMoved, migratetype, VMSTAT_UNSET_ISOLATE);
    }
    this.setPageblockMigratetype(pfn, migratetype);
    if (isolatedPage) this.putbackIsolatedPage(pfn, order, migratetype);
    this.nrIsolatePageblock[zone]--;
  }

  /**
   * Mirrors start_isolate_page_range(start, end, migratetype) K6_1 (§6.3 step 1, §6.5): the
   * pageblocks of [pageblock_start(startPfn), pageblock_align(endPfn)); the first and the last
   * through isolateSinglePageblockK6_1() (the last one's isolation skipped when it is the
   * first), then the ones between, ascending. On a failure the blocks isolated so far are
   * un-isolated with `migratetype` and the error (-EBUSY) returned.
   */
  startIsolatePageRangeK6_1(startPfn: number, endPfn: number, migratetype: number): number {
    const pageblockPages = 1 << this.pageblockOrder;
    const isolateStart = this.pageblockStart(startPfn);
    const isolateEnd = this.pageblockAlign(endPfn);
    let ret = this.isolateSinglePageblockK6_1(isolateStart, false, false, migratetype);
    if (ret !== 0) return ret;
    const skipIsolation = isolateStart === isolateEnd - pageblockPages;
    ret = this.isolateSinglePageblockK6_1(isolateEnd, true, skipIsolation, migratetype);
    if (ret !== 0) {
      this.unsetMigratetypeIsolate(isolateStart, migratetype);
      return ret;
    }
    for (let pfn = isolateStart + pageblockPages; pfn < isolateEnd - pageblockPages;
      pfn += pageblockPages) {
      if (pfn >= this.pages) continue; // __first_valid_page(): no struct page
      if (this.setMigratetypeIsolateK6_1(pfn, migratetype, startPfn, endPfn) === 0) continue;
      this.undoIsolatePageRange(isolateStart, pfn, migratetype);
      this.unsetMigratetypeIsolate(isolateEnd - pageblockPages, migratetype);
      return -EBUSY;
    }
    return 0;
  }

  /**
   * Mirrors isolate_single_pageblock(boundary_pfn, …, isolate_before, skip_isolation,
   * migratetype) K6_1 (§6.5): isolate the pageblock after `boundaryPfn` (or before it), then
   * scan from the max-order-aligned start (or the zone start) up to the boundary for what
   * crosses it: a free block is split there (split_free_page()); a THP (a MOVABLE page
   * allocation of order > 0, docs/MODEL.md "K6_1") is migrated away — its pageblock isolated
   * meanwhile with its own type — and the free block it leaves is then split; an in-use page
   * that cannot move fails the isolation (-EBUSY), as does a failed migration. Returns 0 or
   * -EBUSY.
   */
  isolateSinglePageblockK6_1(
    boundaryPfn: number, isolateBefore: boolean, skipIsolation: boolean, migratetype: number,
  ): number {
    const pageblockPages = 1 << this.pageblockOrder;
    assert(boundaryPfn % pageblockPages === 0, `isolate_single_pageblock: ${boundaryPfn}`);
    const isolatePageblock = isolateBefore ? boundaryPfn - pageblockPages : boundaryPfn;
    const zone = this.zoneOf(isolatePageblock);
    const maxOrderPages = 1 << this.maxOrder;
    const scanStart = Math.max(isolatePageblock & ~(maxOrderPages - 1), this.zoneStart[zone]);
    if (skipIsolation) {
      assert(this.pageblockMigratetype(isolatePageblock) === MIGRATE_ISOLATE,
        `isolate_single_pageblock: pageblock ${isolatePageblock} should be isolated`);
    } else {
      const ret = this.setMigratetypeIsolateK6_1(isolatePageblock, migratetype,
        isolatePageblock, isolatePageblock + pageblockPages);
      if (ret !== 0) return ret;
    }
    // Nothing can cross a boundary with no page on its other side (pfn_to_online_page()).
    if (isolateBefore ? boundaryPfn >= this.pages : boundaryPfn === 0) return 0;
    if (this.scanAcrossBoundaryK6_1(scanStart, boundaryPfn) === 0) return 0;
    if (!skipIsolation) this.unsetMigratetypeIsolate(isolatePageblock, migratetype);
    return -EBUSY;
  }

  /**
   * isolate_single_pageblock()'s scan of [scanStart, boundaryPfn) (§6.5): free blocks crossing
   * the boundary are split, THPs crossing it migrated (then the free block they leave is split
   * on the next turn). Returns 0, or -EBUSY for the `failed:` exit.
   */
  scanAcrossBoundaryK6_1(scanStart: number, boundaryPfn: number): number {
    const table = this.table;
    let pfn = scanStart;
    while (pfn < boundaryPfn) {
      const order = this.freeOrder[pfn];
      if (order >= 0) {
        if (pfn + (1 << order) > boundaryPfn) {
          // -ENOENT (the free page changed under us) cannot happen: operations are atomic.
          const ret = this.splitFreePage(pfn, order, boundaryPfn - pfn);
          assert(ret === 0, `split_free_page: pfn ${pfn} order ${order} changed`);
        }
        pfn += 1 << order;
        continue;
      }
      const id = table.ownerAt(pfn);
      if (id < 0 || !this.isCompoundPage(id)) {
        pfn++;
        continue;
      }
      const headPfn = table.pfnOf(id);
      const pageCount = table.pageCountOf(id);
      if (headPfn + pageCount <= boundaryPfn) {
        pfn = headPfn + pageCount;
        continue;
      }
      // A THP is on the LRU: PageLRU(page) holds, so it is migrated.
      if (this.migrateAcrossBoundaryK6_1(pfn, headPfn, pageCount) !== 0) return -EBUSY;
      const outerPfn = this.freeHeadCovering(pfn);
      if (outerPfn < 0) return -EBUSY;
      pfn = outerPfn;
    }
    return 0;
  }

  /**
   * The THP branch of isolate_single_pageblock(): isolate the pageblock of `pfn` with its own
   * type unless it already is, __alloc_contig_migrate_range() over the THP, restore the
   * pageblock. Returns 0 or a negative errno (the caller's `goto failed`).
   */
  migrateAcrossBoundaryK6_1(pfn: number, headPfn: number, pageCount: number): number {
    const pageMigratetype = this.pageblockMigratetype(pfn);
    const isolatePage = pageMigratetype !== MIGRATE_ISOLATE;
    if (isolatePage) {
      const ret = this.setMigratetypeIsolateK6_1(pfn, pageMigratetype, headPfn,
        headPfn + pageCount);
      if (ret !== 0) return ret;
    }
    const ret = this.migrateRange(headPfn, headPfn + pageCount);
    if (isolatePage) this.unsetMigratetypeIsolate(pfn, pageMigratetype);
    return ret;
  }

  /**
   * The free head whose block holds `pfn`, looked for at pfn rounded down to 2^order for order
   * 0, 1, … up to maxOrder (isolate_single_pageblock()'s `outer_pfn` loop); -1 when there is
   * none. A free head found below `pfn` whose block ends before it would send the kernel's scan
   * back over the THP it just failed to move, forever; it cannot arise here (the THP was
   * migrated, so `pfn` is free), and is asserted.
   */
  freeHeadCovering(pfn: number): number {
    let outerPfn = pfn;
    let order = 0;
    while (this.freeOrder[outerPfn] < 0) {
      if (++order > this.maxOrder) return -1;
      outerPfn &= ~((1 << order) - 1);
    }
    assert(outerPfn + (1 << this.freeOrder[outerPfn]) > pfn,
      `isolate_single_pageblock: pfn ${pfn} is not free after its migration`);
    return outerPfn;
  }

  /**
   * A compound page (PageCompound): a MOVABLE page allocation of order > 0 is a THP
   * (docs/MODEL.md "K6_1", THPs); UNMOVABLE and RECLAIMABLE allocations and CMA/DMA ranges are
   * not compound.
   */
  isCompoundPage(id: number): boolean {
    const table = this.table;
    return table.kindOf(id) === KIND_PAGES && table.orderOf(id) > 0
      && table.migratetypeOf(id) === MIGRATE_MOVABLE;
  }

  /**
   * Mirrors split_free_page(free_page, order, split_pfn_offset) — mm/page_alloc.c K6_1: the
   * free block leaves its list (and vmstat, by its head's pageblock type unless ISOLATE), then
   * is freed again in naturally aligned pieces — min(ffs(pfn), fls(offset left)) — first up to
   * the split offset, then the rest, each through __free_one_page() with its own pageblock's
   * type. Returns 0, or -ENOENT when `pfn` no longer heads a free block of `order`.
   */
  splitFreePage(pfn: number, order: number, splitPfnOffset: number): number {
    if (splitPfnOffset === 0) return 0;
    if (this.freeOrder[pfn] !== order) return -ENOENT;
    const zone = this.zoneOf(pfn);
    const migratetype = this.pageblockMigratetype(pfn);
    if (migratetype !== MIGRATE_ISOLATE) {
      this.modZoneFreepageState(zone, -(1 << order), migratetype, VMSTAT_SPLIT_FREE_PAGE);
    }
    this.delFromFreeList(zone, pfn, order);
    const endPfn = pfn + (1 << order);
    let offset = splitPfnOffset;
    for (let piece = pfn; piece < endPfn;) {
      const lowestBit = piece === 0 ? order : 31 - Math.clz32(piece & -piece);
      const pieceOrder = Math.min(lowestBit, 31 - Math.clz32(offset));
      this.freeOneBlock(zone, piece, pieceOrder, this.pageblockMigratetype(piece));
      piece += 1 << pieceOrder;
      offset -= 1 << pieceOrder;
      if (offset === 0) offset = endPfn - piece;
    }
    return 0;
  }

  /**
   * Mirrors set_migratetype_isolate(page, migratetype, flags, start_pfn, end_pfn) K6_1 (§6.5):
   * -EBUSY for a pageblock already isolated, or when has_unmovable_pages() finds an unmovable
   * page in the intersection of the pageblock and [startPfn, endPfn); otherwise as K4_9, the
   * free pages moving to the tails of the ISOLATE lists.
   */
  setMigratetypeIsolateK6_1(
    pfn: number, migratetype: number, startPfn: number, endPfn: number,
  ): number {
    if (this.pageblockMigratetype(pfn) === MIGRATE_ISOLATE) return -EBUSY;
    const blockEnd = (pfn & ~((1 << this.pageblockOrder) - 1)) + (1 << this.pageblockOrder);
    const checkStart = Math.max(pfn, startPfn);
    const checkEnd = Math.min(blockEnd, endPfn);
    if (this.hasUnmovablePagesK6_1(checkStart, checkEnd, migratetype)) return -EBUSY;
    const zone = this.zoneOf(pfn);
    const oldMigratetype = this.pageblockMigratetype(pfn);
    this.setPageblockMigratetype(pfn, MIGRATE_ISOLATE);
    this.nrIsolatePageblock[zone]++;
    const pagesMoved = this.moveFreepagesBlock(zone, pfn, MIGRATE_ISOLATE);
    this.modZoneFreepageState(zone, -pagesMoved, oldMigratetype, VMSTAT_SET_ISOLATE);
    return 0;
  }

  /**
   * Mirrors has_unmovable_pages(start_pfn, end_pfn, migratetype, flags) K6_1 (§6.5, switches
   * P27, P28): a CMA pageblock may be isolated only for a CMA request, without a scan; any
   * other block is scanned: a reserved page is unmovable; a THP is skipped whole (it is on the
   * LRU); pages with no reference (free pages, tail pages of a non-compound allocation) are
   * skipped; an LRU page (a MOVABLE order-0 allocation) is movable; anything else — the first
   * page of an UNMOVABLE or RECLAIMABLE allocation, a CMA/DMA range page — is not.
   */
  hasUnmovablePagesK6_1(startPfn: number, endPfn: number, migratetype: number): boolean {
    if (this.pageblockMigratetype(startPfn) === MIGRATE_CMA) return migratetype !== MIGRATE_CMA;
    const table = this.table;
    for (let pfn = startPfn; pfn < endPfn; pfn++) {
      const order = this.freeOrder[pfn];
      if (order >= 0) {
        pfn += (1 << order) - 1;
        continue;
      }
      const id = table.ownerAt(pfn);
      if (id < 0) {
        if (this.isFreeInterior(pfn)) continue;
        return true; // PageReserved
      }
      if (this.isCompoundPage(id)) {
        pfn = table.pfnOf(id) + table.pageCountOf(id) - 1;
        continue;
      }
      if (table.kindOf(id) !== KIND_PAGES) return true;
      if (table.pfnOf(id) !== pfn) continue; // refcount 0: a tail of a non-compound block
      if (table.migratetypeOf(id) === MIGRATE_MOVABLE) continue; // PageLRU
      return true;
    }
    return false;
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
      const id = table.ownerAt(scanPfn);
      if (id < 0) {
        if (!this.isFreeInterior(scanPfn)) return true; // a reserved page
      } else if (table.kindOf(id) !== KIND_PAGES) {
        return true;
      } else if (table.pfnOf(id) === scanPfn && table.migratetypeOf(id) !== MIGRATE_MOVABLE) {
        return true;
      }
      scanPfn++;
    }
    return false;
  }

  /** Is `pfn` inside a free block (not its head)? Looks for the covering head, order by order. */
  isFreeInterior(pfn: number): boolean {
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
