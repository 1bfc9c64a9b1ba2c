/**
 * Bug class: the last, partial bitmap chunk of a CMA allocation is not accounted — bits =
 * floor(count / 2^order_per_bit) instead of the ceiling (kernel-semantics.md §5.6 `bits`,
 * §8.1 I12).
 *
 * Kernel code imitated: cma_bitmap_pages_to_bits(cma, pages), `ALIGN(pages, 1UL <<
 * cma->order_per_bit) >> cma->order_per_bit`, written as the plain shift. cma_alloc() then marks
 * too few chunks, so the tail of the range looks free to the next cma_alloc(), and a request
 * smaller than one chunk marks none at all; cma_release() clears the same too-short run.
 *
 * Expected to catch it: cma-bitmap (a chunk held by a live CMA range whose bit is clear).
 */
import { BuddyCore } from '../impl/allocator.ts';
import type { CmaArea } from '../impl/cma.ts';
import { defineMutant } from './define.ts';

class CmaBitsFloorCore extends BuddyCore {
  override cmaBitmapPagesToBits(area: CmaArea, pages: number): number {
    return Math.floor(pages / 2 ** area.orderPerBit);
  }
}

export const cmaBitsFloor = defineMutant({
  name: 'cma-bits-floor',
  bugClass: 'cma_alloc() marks floor(count / 2^order_per_bit) bitmap chunks, missing the last'
    + ' partial one',
  expected: 'cma-bitmap',
  kernelFunction: 'cma_bitmap_pages_to_bits',
  Core: CmaBitsFloorCore,
});
