/**
 * Bug class: cma_release() clears the wrong bit range (kernel-semantics.md §5.7 step 4).
 *
 * Kernel code imitated: cma_clear_bitmap(cma, pfn, count), whose first bit is
 * `(pfn - cma->base_pfn) >> cma->order_per_bit`; here the page offset is used as the bit index
 * unshifted. With order_per_bit 0 nothing changes; with a coarser bitmap the release clears
 * chunks far beyond the range (or nothing inside the bitmap) and leaves the range's own bits
 * set, so the area leaks chunks and may later hand out a range twice. The same helper undoes
 * the bits of a window that failed with -EBUSY, which then stays marked too.
 *
 * Expected to catch it: cma-bitmap (bits set that no live range holds, or clear under one).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { bitmapClear } from '../impl/bitmap.ts';
import type { CmaArea } from '../impl/cma.ts';
import { defineMutant } from './define.ts';

class CmaReleaseWrongBitsCore extends BuddyCore {
  override cmaClearBitmap(area: CmaArea, pfn: number, count: number): void {
    bitmapClear(area.bitmap, pfn - area.basePfn, this.cmaBitmapPagesToBits(area, count));
  }
}

export const cmaReleaseWrongBits = defineMutant({
  name: 'cma-release-wrong-bits',
  bugClass: 'cma_clear_bitmap() indexes the bitmap by page offset, not by chunk',
  expected: 'cma-bitmap',
  kernelFunction: 'cma_clear_bitmap',
  Core: CmaReleaseWrongBitsCore,
});
