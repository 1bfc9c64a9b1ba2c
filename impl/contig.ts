/**
 * impl/contig.ts — taking an exact pfn range out of the buddy allocator and giving it back:
 * ContigLayer, the fifth layer of BuddyCore (impl/core.ts). Mirrors model/contig.ts and, in
 * the kernel, alloc_contig_range(), free_contig_range() (mm/page_alloc.c v4.9.45) and
 * isolate_freepages_range() (mm/compaction.c, strict mode) — kernel-semantics.md §6.1, §6.2,
 * §6.5, §12.5–§12.7, §12.13.
 *
 * Returned errors are negative errno values (0 = success), as in the kernel. K6_1 isolates
 * whole pageblocks instead of the MAX_ORDER-aligned superset (allocContigRangeK6_1).
 */
import { assert } from '../src/core/assert.ts';
import { EBUSY } from './isolation.ts';
import { MigrateLayer } from './migrate.ts';

export abstract class ContigLayer extends MigrateLayer {
  /**
   * pfn_max_align_down()/pfn_max_align_up() unit: max(MAX_ORDER_NR_PAGES, pageblock_nr_pages)
   * (K4_9 isolates this superset, switch P25; K6_1 isolates whole pageblocks only).
   */
  isolationUnit(): number {
    return Math.max(1 << this.maxOrder, 1 << this.pageblockOrder);
  }

  /**
   * Mirrors alloc_contig_range(start, end, migratetype) K4_9 (§6.2): isolate the aligned
   * superset, migrate movable allocations out of [startPfn, endPfn), find outer_start, test the
   * range, take its free blocks, give back the parts outside [startPfn, endPfn), undo the
   * isolation with `migratetype`. On success [startPfn, endPfn) is out of the buddy allocator
   * and the caller owns it. Returns 0, -EBUSY or -ENOMEM.
   */
  allocContigRange(startPfn: number, endPfn: number, migratetype: number): number {
    if (this.isK6_1) return this.allocContigRangeK6_1(startPfn, endPfn, migratetype);
    const unit = this.isolationUnit();
    const isolateStart = Math.floor(startPfn / unit) * unit;
    const isolateEnd = Math.ceil(endPfn / unit) * unit;
    let ret = this.startIsolatePageRange(isolateStart, isolateEnd, migratetype);
    if (ret !== 0) return ret;
    ret = this.migrateRange(startPfn, endPfn);
    if (ret === 0 || ret === -EBUSY) ret = this.takeRange(startPfn, endPfn, ret);
    this.undoIsolatePageRange(isolateStart, isolateEnd, migratetype);
    return ret;
  }

  /**
   * Mirrors alloc_contig_range(start, end, migratetype, gfp_mask) K6_1 (§6.3): isolate the
   * pageblocks of the range (start_isolate_page_range() K6_1, which deals with what crosses its
   * two edges), migrate, reset `ret` to 0 after -EBUSY (switch P29), then as K4_9; the undo
   * covers the same pageblock-aligned range. Returns 0, -EBUSY or -ENOMEM.
   */
  allocContigRangeK6_1(startPfn: number, endPfn: number, migratetype: number): number {
    let ret = this.startIsolatePageRange(startPfn, endPfn, migratetype);
    if (ret === 0) {
      ret = this.migrateRange(startPfn, endPfn);
      if (ret === 0 || ret === -EBUSY) ret = this.takeRange(startPfn, endPfn, 0);
    }
    // undo_isolate_page_range() aligns [start, end) to pageblocks itself.
    this.undoIsolatePageRange(startPfn, endPfn, migratetype);
    return ret;
  }

  /**
   * The part of alloc_contig_range() after migration: outer_start, test_pages_isolated(),
   * isolate_freepages_range(), then free [outer_start, start) and [end, outer_end) one page at
   * a time (they land on ISOLATE lists). `ret` is migration's result, which K4_9 does not reset
   * (the §6.2 quirk; migration here never returns -EBUSY, so it stays 0).
   */
  takeRange(startPfn: number, endPfn: number, ret: number): number {
    const outerStart = this.findOuterStart(startPfn);
    if (this.testPagesIsolated(outerStart, endPfn) !== 0) return -EBUSY;
    const outerEnd = this.isolateFreepagesRange(outerStart, endPfn);
    this.freeContigRange(outerStart, startPfn - outerStart);
    this.freeContigRange(endPfn, outerEnd - endPfn);
    return ret;
  }

  /**
   * alloc_contig_range()'s outer_start loop (§6.2 step 4): the free block covering `startPfn`,
   * looked for at startPfn rounded down to 2^order for order 0, 1, ... < MAX_ORDER; startPfn
   * itself when there is none.
   */
  findOuterStart(startPfn: number): number {
    let outerStart = startPfn;
    let order = 0;
    while (this.freeOrder[outerStart] < 0) {
      if (++order > this.maxOrder) return startPfn;
      outerStart &= ~((1 << order) - 1);
    }
    if (outerStart !== startPfn && outerStart + (1 << this.freeOrder[outerStart]) <= startPfn) {
      return startPfn;
    }
    return outerStart;
  }

  /**
   * Mirrors isolate_freepages_range() in strict mode (§6.5, §12.13): from startPfn every pfn
   * reached must head a free block, taken with __isolate_free_page(); returns the pfn past the
   * last block taken (it may pass endPfn). It cannot fail once test_pages_isolated() passed on
   * the same range, which the caller ensures: a failure is a bug here, so it is asserted.
   */
  isolateFreepagesRange(startPfn: number, endPfn: number): number {
    let pfn = startPfn;
    while (pfn < endPfn) {
      if (this.freeOrder[pfn] < 0) {
        assert(false, `isolateFreepagesRange: pfn ${pfn} is not a free head`);
      }
      pfn += this.isolateFreePage(this.zoneOf(pfn), pfn);
    }
    return pfn;
  }

  /**
   * Mirrors free_contig_range() (§6.5): __free_page() on each page, ascending; each goes through
   * __free_one_page() with its pageblock's current type and merges at once.
   */
  freeContigRange(pfn: number, pageCount: number): void {
    for (let offset = 0; offset < pageCount; offset++) this.freePages(pfn + offset, 0);
  }
}
