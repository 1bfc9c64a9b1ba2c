/**
 * Bug class: the CMA bitmap alignment mask computed one order short (kernel-semantics.md §5.6,
 * §12.11): cma_alloc(count, align) returns a range aligned to 2^(align - 1) pages only.
 *
 * Kernel code imitated: cma_bitmap_aligned_mask(cma, align_order), which is
 * `(1UL << (align_order - cma->order_per_bit)) - 1` and here shifts by one less. The bitmap
 * helpers have a history of such slips: "mm: cma: align to physical address, not CMA region
 * position" (Gregory Fong, v4.1) added the offset, whose formula was wrong until "cma: fix
 * calculation of aligned offset" (Doug Berger, 2017, v4.13; K4_9 = 4.9.45 still has the old one).
 * That fixed offset, put into K4_9, is no mutant here: the two formulas differ only for
 * align ≥ max(maxOrder, pageblockOrder) + 2, which the campaign's generator never draws.
 *
 * Expected to catch it: cma-alloc-aligned, the postcondition of bitmap_find_next_zero_area_off
 * (added when this mutant showed that nothing but the model/impl comparison saw it: bitmap,
 * lists and counters all agree).
 */
import { BuddyCore } from '../impl/allocator.ts';
import type { CmaArea } from '../impl/cma.ts';
import { defineMutant } from './define.ts';

class CmaMaskOffByOneCore extends BuddyCore {
  override cmaBitmapAlignedMask(area: CmaArea, alignOrder: number): number {
    if (alignOrder <= area.orderPerBit) return 0;
    return 2 ** (alignOrder - area.orderPerBit - 1) - 1;
  }
}

export const cmaMaskOffByOne = defineMutant({
  name: 'cma-mask-off-by-one',
  bugClass: 'cma_alloc() aligns its bitmap search one order short of the requested alignment',
  expected: 'cma-alloc-aligned',
  kernelFunction: 'cma_bitmap_aligned_mask',
  Core: CmaMaskOffByOneCore,
});
