/**
 * Bug class: a pageblock's free pages move to other lists but its type is not changed — the
 * reverse of isolate-retype-without-move (kernel-semantics.md §1.4 rule 1, §6.5).
 *
 * Kernel code imitated: set_pageblock_migratetype(). K6_18 keeps the isolate state in its own
 * pageblock bit and its set_pageblock_migratetype() refuses MIGRATE_ISOLATE (VM_WARN, no
 * change); 4.9's set_migratetype_isolate() stores ISOLATE in the type bits. A backport that
 * mixes the two — this mutant — moves the block's free pages to the ISOLATE lists and counts
 * the block isolated while the block keeps its type: test_pages_isolated() then finds no
 * ISOLATE block and fails, and undo_isolate_page_range() skips the block, so the pages and the
 * nr_isolate_pageblock count are never given back.
 *
 * Expected to catch it: pageblock-types (nr_isolate_pageblock non-zero between operations,
 * I9); free-blocks sees the ISOLATE list on a CMA block too. Under K6_1 the kernel's own check
 * fires first, inside the op: isolate_single_pageblock() called with skip_isolation has
 * `VM_BUG_ON(!is_migrate_isolate(mt))` on the pageblock start_isolate_page_range() has just
 * isolated, which impl asserts — a crash of the mutant, reported as model-impl-agree.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { MIGRATE_ISOLATE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class IsolateMoveWithoutRetypeCore extends BuddyCore {
  override setPageblockMigratetype(pfn: number, migratetype: number): void {
    if (migratetype === MIGRATE_ISOLATE) return;
    super.setPageblockMigratetype(pfn, migratetype);
  }
}

export const isolateMoveWithoutRetype = defineMutant({
  name: 'isolate-move-without-retype',
  bugClass: 'isolation moves a pageblock\'s free pages to the ISOLATE lists but never retypes'
    + ' the block',
  expected: 'pageblock-types',
  kernelFunction: 'set_pageblock_migratetype',
  expectedUnder: { K6_1: 'model-impl-agree' },
  Core: IsolateMoveWithoutRetypeCore,
});
