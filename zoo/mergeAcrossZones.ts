/**
 * Bug class: merging continues across a zone boundary (kernel-semantics.md §2.2 item 4, §2.4).
 *
 * Kernel code imitated: page_is_buddy() without its zone test,
 * `page_zone_id(page) != page_zone_id(buddy)`. The buddy allocator once assumed zone
 * boundaries were MAX_ORDER aligned and dropped the test as too expensive; "zone handle
 * unaligned zone boundaries" (Andy Whitcroft, 2006) put it back after machines with
 * unaligned boundaries handed out merged blocks reaching into the next zone. cmacheck worlds
 * only align zones to pageblocks, so from pageblockOrder up a buddy may lie in the other zone:
 * this mutant asks the merge decision about the buddy's own zone, which always contains it.
 *
 * Expected to catch it: free-blocks (a free block reaching outside the zone whose list holds
 * it, I3); it shows at boot already, when free_all_bootmem frees both sides of the boundary.
 */
import { BuddyCore } from '../impl/allocator.ts';
import { defineMutant } from './define.ts';

class MergeAcrossZonesCore extends BuddyCore {
  override mayMergeAbovePageblock(zone: number, buddy: number, migratetype: number): boolean {
    // Past the end of memory there is no struct page (pfn_valid_within): that test stays.
    if (buddy >= this.pages) return super.mayMergeAbovePageblock(zone, buddy, migratetype);
    return super.mayMergeAbovePageblock(this.zoneOf(buddy), buddy, migratetype);
  }
}

export const mergeAcrossZones = defineMutant({
  name: 'merge-across-zones',
  bugClass: 'a free block merges with its buddy in the neighbouring zone',
  expected: 'free-blocks',
  kernelFunction: 'page_is_buddy',
  Core: MergeAcrossZonesCore,
});
