/**
 * Bug class: migration moves a long-term pinned page (kernel-semantics.md §12.5).
 *
 * Kernel code imitated: isolate_migratepages_block()'s test `page_count(page) >
 * page_mapcount(page)` → isolate_fail, which keeps a page pinned by get_user_pages() (a device
 * doing DMA into it) from being migrated. Without it the page moves under the device, whose
 * DMA still targets the old frame. Long-term pins and CMA have a history: CMA windows over
 * pinned pages fail for good, which led to "mm: update get_user_pages_longterm to migrate pages
 * allocated from CMA region" (9a4e9f3b2d73, Aneesh Kumar K.V, v5.1) — migrating *before* the
 * pin, never after it.
 *
 * Expected to catch it: data-preserved (a pinned allocation at another pfn than where it was
 * pinned). Not under K6_1, where the broken test is never reached (an equivalent mutant there:
 * 3000 campaign runs with `--profile K6_1` find nothing): K6_1 pins no page of a CMA pageblock,
 * __gup_longterm_locked() → check_and_migrate_movable_pages() migrates it out first or fails the
 * pin with -ENOMEM, and only CMA ranges, whole pageblocks in K6_1 (switch P15), are migrated.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { KIND_PAGES } from '../impl/allocations.ts';
import { MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class MigratePinnedCore extends BuddyCore {
  override isMigratable(id: number): boolean {
    return this.table.kindOf(id) === KIND_PAGES
      && this.table.migratetypeOf(id) === MIGRATE_MOVABLE;
  }
}

export const migratePinned = defineMutant({
  name: 'migrate-pinned',
  bugClass: 'migration ignores long-term pins and moves pinned pages',
  expected: 'data-preserved',
  kernelFunction: 'isolate_migratepages_block',
  notUnder: {
    K6_1: 'no pinned page ever lies in a range that is migrated: a K6_1 long-term pin first'
      + ' moves the page out of CMA (check_and_migrate_movable_pages) or fails, and only'
      + ' pageblock-aligned CMA ranges are migrated (alloc_contig_range)',
  },
  Core: MigratePinnedCore,
});
