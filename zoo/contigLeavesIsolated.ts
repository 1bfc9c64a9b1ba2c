/**
 * Bug class: alloc_contig_range() leaves pageblocks isolated on an error path
 * (kernel-semantics.md §6.2 step 8, §8.1 I9: whatever it returns, no block it isolated is
 * still isolated).
 *
 * Kernel code imitated: alloc_contig_range() K4_9, where every exit after
 * start_isolate_page_range() goes through the `done:` label and undo_isolate_page_range().
 * Here an error (-EBUSY from test_pages_isolated() over a pinned page, -ENOMEM from migration)
 * returns at once: the blocks stay ISOLATE, their free pages on ISOLATE lists and out of
 * NR_FREE_PAGES, and cma_alloc() goes on to its next window. K6_1's alloc_contig_range() has the
 * same `done:` exit after its pageblock-granular isolation (§6.3): both overrides are the
 * profile's function with the early return.
 *
 * Expected to catch it: pageblock-types (an ISOLATE pageblock between operations, I9).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { EBUSY } from '../impl/isolation.ts';
import { defineMutant } from './define.ts';

class ContigLeavesIsolatedCore extends BuddyCore {
  override allocContigRange(startPfn: number, endPfn: number, migratetype: number): number {
    if (this.isK6_1) return this.allocContigRangeK6_1(startPfn, endPfn, migratetype);
    const unit = this.isolationUnit();
    const isolateStart = Math.floor(startPfn / unit) * unit;
    const isolateEnd = Math.ceil(endPfn / unit) * unit;
    let ret = this.startIsolatePageRange(isolateStart, isolateEnd, migratetype);
    if (ret !== 0) return ret;
    ret = this.migrateRange(startPfn, endPfn);
    if (ret === 0 || ret === -EBUSY) ret = this.takeRange(startPfn, endPfn, ret);
    if (ret !== 0) return ret;
    this.undoIsolatePageRange(isolateStart, isolateEnd, migratetype);
    return ret;
  }

  override allocContigRangeK6_1(startPfn: number, endPfn: number, migratetype: number): number {
    const pageblockPages = 1 << this.pageblockOrder;
    let ret = this.startIsolatePageRange(startPfn, endPfn, migratetype);
    if (ret !== 0) return ret;
    ret = this.migrateRange(startPfn, endPfn);
    if (ret === 0 || ret === -EBUSY) ret = this.takeRange(startPfn, endPfn, 0);
    if (ret !== 0) return ret;
    const isolateStart = startPfn & ~(pageblockPages - 1);
    const isolateEnd = Math.ceil(endPfn / pageblockPages) * pageblockPages;
    this.undoIsolatePageRange(isolateStart, isolateEnd, migratetype);
    return ret;
  }
}

export const contigLeavesIsolated = defineMutant({
  name: 'contig-leaves-isolated',
  bugClass: 'alloc_contig_range() returns an error without undoing its isolation',
  expected: 'pageblock-types',
  kernelFunction: 'alloc_contig_range',
  Core: ContigLeavesIsolatedCore,
});
