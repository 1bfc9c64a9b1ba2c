/**
 * Bug class: free-page counters drift — pages of isolated pageblocks stay counted as free
 * (kernel-semantics.md §2.4 accounting, §6.5 set_migratetype_isolate, §8.1 I10).
 *
 * Kernel code imitated: set_migratetype_isolate(), which moves the block's free pages to the
 * ISOLATE lists and takes them out of NR_FREE_PAGES (and NR_FREE_CMA_PAGES for a CMA block)
 * with __mod_zone_freepage_state(zone, -nr_pages, mt). "cma: fix counting of isolated pages"
 * (2139cbe627b8, Bartlomiej Zolnierkiewicz,
 * v3.7) added that accounting, and the 2014 series "fix freepage
 * count problems in memory isolation" (Joonsoo Kim, 2014) chased the remaining drift. Here
 * the call is skipped: isolated pages stay counted, and the undo counts them again.
 *
 * Expected to catch it: counters (NR_FREE_PAGES above the pages on non-ISOLATE lists).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { VMSTAT_SET_ISOLATE, type VmstatSite } from '../impl/buddy.ts';
import { defineMutant } from './define.ts';

class IsolatedCountedFreeCore extends BuddyCore {
  override modZoneFreepageState(
    zone: number, pageCount: number, migratetype: number, site: VmstatSite,
  ): void {
    if (site === VMSTAT_SET_ISOLATE) return;
    super.modZoneFreepageState(zone, pageCount, migratetype, site);
  }
}

export const isolatedCountedFree = defineMutant({
  name: 'isolated-counted-free',
  bugClass: 'set_migratetype_isolate() leaves the isolated pages counted in NR_FREE_PAGES',
  expected: 'counters',
  kernelFunction: 'set_migratetype_isolate',
  Core: IsolatedCountedFreeCore,
});
