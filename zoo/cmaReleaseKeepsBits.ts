/**
 * Bug class: cma_release() gives the pages back without clearing their bitmap bits
 * (kernel-semantics.md §5.7 step 4).
 *
 * Kernel code imitated: cma_release(cma, pages, count) K4_9, which is free_contig_range() then
 * cma_clear_bitmap(); here the second call is lost. The pages return to the buddy allocator
 * (MOVABLE requests may take them) while the area still counts them used: every release leaks
 * its chunks from the area until no cma_alloc() fits.
 *
 * Expected to catch it: cma-bitmap (bits set that no live CMA or DMA range holds).
 */
import { BuddyCore } from '../impl/allocator.ts';
import type { CmaArea } from '../impl/cma.ts';
import { defineMutant } from './define.ts';

class CmaReleaseKeepsBitsCore extends BuddyCore {
  override cmaRelease(area: CmaArea, pfn: number, count: number): boolean {
    if (pfn < area.basePfn || pfn >= area.basePfn + area.count) return false;
    this.freeContigRange(pfn, count);
    return true;
  }
}

export const cmaReleaseKeepsBits = defineMutant({
  name: 'cma-release-keeps-bits',
  bugClass: 'cma_release() frees the pages but leaves their bitmap bits set',
  expected: 'cma-bitmap',
  kernelFunction: 'cma_release',
  Core: CmaReleaseKeepsBitsCore,
});
