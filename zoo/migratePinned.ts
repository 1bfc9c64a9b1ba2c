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
 * pinned).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { KIND_PAGES } from '../impl/allocations.ts';
import { MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class MigratePinnedCore extends BuddyCore {
  override isMigratable(slot: number): boolean {
    return this.table.kindOf(slot) === KIND_PAGES
      && this.table.migratetypeOf(slot) === MIGRATE_MOVABLE;
  }
}

export const migratePinned = defineMutant({
  name: 'migrate-pinned',
  bugClass: 'migration ignores long-term pins and moves pinned pages',
  expected: 'data-preserved',
  kernelFunction: 'isolate_migratepages_block',
  Core: MigratePinnedCore,
});
