/**
 * Bug class: NR_FREE_CMA_PAGES not adjusted when CMA pages are freed (kernel-semantics.md
 * §2.4 accounting, §8.1 I10, §12.18).
 *
 * Kernel code imitated: __mod_zone_freepage_state(zone, nr_pages, migratetype) as
 * __free_one_page() calls it: NR_FREE_PAGES always, NR_FREE_CMA_PAGES when the type is CMA
 * ("cma: count free CMA pages", Bartlomiej Zolnierkiewicz, v3.7, which the watermark check
 * uses to keep non-movable requests from counting CMA memory as available). Here freed CMA
 * pages are counted in NR_FREE_PAGES only, so the counter drifts down with every CMA free,
 * starting with the activation of every area at boot.
 *
 * Expected to catch it: counters (NR_FREE_CMA_PAGES below the pages on the CMA lists).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { VMSTAT_FREE_ONE_PAGE, type VmstatSite } from '../impl/buddy.ts';
import { MIGRATE_CMA, MIGRATE_MOVABLE } from '../src/core/migratetype.ts';
import { defineMutant } from './define.ts';

class CmaFreeNotCountedCore extends BuddyCore {
  override modZoneFreepageState(
    zone: number, pageCount: number, migratetype: number, site: VmstatSite,
  ): void {
    const counted = site === VMSTAT_FREE_ONE_PAGE && migratetype === MIGRATE_CMA
      ? MIGRATE_MOVABLE : migratetype;
    super.modZoneFreepageState(zone, pageCount, counted, site);
  }
}

export const cmaFreeNotCounted = defineMutant({
  name: 'cma-free-not-counted',
  bugClass: '__free_one_page() leaves NR_FREE_CMA_PAGES alone for freed CMA pages',
  expected: 'counters',
  kernelFunction: '__mod_zone_freepage_state',
  Core: CmaFreeNotCountedCore,
});
