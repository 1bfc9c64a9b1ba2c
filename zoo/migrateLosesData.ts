/**
 * Bug class: migration loses an allocation's data (kernel-semantics.md §12.6, §12.8).
 *
 * Kernel code imitated: migrate_page_copy() inside unmap_and_move() → move_to_new_page(): the
 * new page is mapped in place of the old one, and here its contents are never copied, so the
 * user reads whatever the target page held before.
 *
 * Expected to catch it: data-preserved (a written allocation whose frames no longer hold its
 * token); a `check` op of it also reads back the wrong token.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { defineMutant } from './define.ts';

class MigrateLosesDataCore extends BuddyCore {
  override migratePageCopy(_targetPfn: number, _sourcePfn: number, _pageCount: number): void {}
}

export const migrateLosesData = defineMutant({
  name: 'migrate-loses-data',
  bugClass: 'migration moves an allocation without copying its contents',
  expected: 'data-preserved',
  kernelFunction: 'migrate_page_copy',
  Core: MigrateLosesDataCore,
});
