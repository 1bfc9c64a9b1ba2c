/**
 * Bug class: a CMA area spanning two zones is activated anyway (kernel-semantics.md §5.5:
 * cma_activate_area() fails an area whose pages lie in more than one zone).
 *
 * Kernel code imitated: cma_activate_area() K4_9's per-pfn test `if (page_zone(pfn_to_page(pfn))
 * != zone) goto err;`. alloc_contig_range() and the buddy allocator assume one zone per range
 * (migration targets, zone->lock, nr_isolate_pageblock are per zone); K6_18 made the check a
 * cached per-area validation (cma_validate_zones). Here the zone test is gone; pfns past the
 * end of memory still fail.
 *
 * Expected to catch it: cma-one-zone (an activated area whose pages lie in two zones); it shows
 * at boot.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { defineMutant } from './define.ts';

class ActivateAcrossZonesCore extends BuddyCore {
  override cmaPageblockInZone(zone: number, blockPfn: number): boolean {
    return zone >= 0 && blockPfn + (1 << this.pageblockOrder) <= this.pages;
  }
}

export const activateAcrossZones = defineMutant({
  name: 'activate-across-zones',
  bugClass: 'cma_activate_area() activates an area whose pages lie in two zones',
  expected: 'cma-one-zone',
  kernelFunction: 'cma_activate_area',
  Core: ActivateAcrossZonesCore,
});
