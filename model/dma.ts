/**
 * The DMA layer's use of CMA — drivers/base/dma-contiguous.c and include/linux/dma-contiguous.h,
 * K4_9; kernel/dma/contiguous.c, K6_1, where dma_alloc_from_contiguous() and
 * dma_release_from_contiguous() are the same code (kernel-semantics.md §7.7). A device uses its
 * own area (dev->cma_area, set from a `memory-region` reserved-memory node) or else the default
 * area. (K6_1's dma-direct path, dma_alloc_contiguous(), is another caller — it skips CMA for
 * sizes ≤ PAGE_SIZE without a device area and counts size >> PAGE_SHIFT pages — and is not the
 * `dmaAlloc` op.)
 *
 * Sizes: the op gives bytes; the K4_9 callers (arch dma_alloc_coherent paths) pass
 * count = PAGE_ALIGN(size) >> PAGE_SHIFT and align = get_order(size), and
 * dma_alloc_from_contiguous() caps align at CONFIG_CMA_ALIGNMENT.
 *
 * Not in scope: the arch fallbacks around it (DMA-mask checks, falling back to alloc_pages when
 * CMA fails), which are not part of CMA.
 */
import { assert } from '../src/core/assert.ts';
import { limits } from '../src/core/limits.ts';
import type { Pfn } from '../src/core/world.ts';
import { type CmaAllocFailure, cmaAlloc, cmaRelease } from './cma.ts';
import { type ModelState, countBehaviour } from './state.ts';

/** What dma_alloc_from_contiguous() returned, and the area it used (-1 when there was none). */
export interface DmaAllocResult {
  area: number;
  result: { pfn: Pfn } | { reason: CmaAllocFailure | 'no-area' };
}

/**
 * Mirrors dev_get_cma_area(dev) — include/linux/dma-contiguous.h, K4_9 (kernel-semantics.md
 * §7.7): dev->cma_area if set, else dma_contiguous_default_area; null when neither exists.
 */
export function devGetCmaArea(state: ModelState, deviceIndex: number): number | null {
  assert(
    deviceIndex >= 0 && deviceIndex < state.deviceAreas.length,
    () => `devGetCmaArea: no device ${deviceIndex}`,
  );
  return state.deviceAreas[deviceIndex] ?? state.defaultArea;
}

/**
 * Mirrors get_order(size) — include/asm-generic/getorder.h, K4_9 (kernel-semantics.md §7.7): the
 * smallest order whose 2^order
 * pages hold `size` bytes (fls((size − 1) >> PAGE_SHIFT)).
 */
export function getOrder(size: number): number {
  // get_order(0) is 52 on 64-bit: never asked here.
  assert(size >= 1, () => `getOrder: size ${size}`);
  let order = 0;
  let pages = Math.floor((size - 1) / limits.pageSize);
  for (; pages > 0; pages = Math.floor(pages / 2)) order++;
  return order;
}

/**
 * Mirrors dma_alloc_from_contiguous(dev, count, align) — drivers/base/dma-contiguous.c, K4_9
 * (kernel-semantics.md §7.7), as its callers call it for `size` bytes: count = ceil(size /
 * PAGE_SIZE), align = min(get_order(size), CONFIG_CMA_ALIGNMENT), then
 * cma_alloc(dev_get_cma_area(dev), ...). No area → NULL ('no-area'; cma_alloc(NULL, ...) returns
 * NULL at once).
 */
export function dmaAllocFromContiguous(
  state: ModelState,
  deviceIndex: number,
  size: number,
): DmaAllocResult {
  const area = devGetCmaArea(state, deviceIndex);
  if (area === null) {
    // cma_alloc(NULL, …) still runs and fails (`if (!cma || !cma->count) return NULL` in 4.9;
    // 6.1 counts CMA_ALLOC_FAIL on that path): a failed cma_alloc() like any other.
    countBehaviour(state, 'cma.alloc.fail');
    return { area: -1, result: { reason: 'no-area' } };
  }
  const count = Math.ceil(size / limits.pageSize);
  const align = Math.min(getOrder(size), state.world.kconfig.cmaAlignment);
  return { area, result: cmaAlloc(state, area, count, align) };
}

/**
 * Mirrors dma_release_from_contiguous(dev, pages, count) — drivers/base/dma-contiguous.c, K4_9
 * (kernel-semantics.md §7.7): cma_release(dev_get_cma_area(dev), pages, count). The caller passes
 * the area the allocation came from, which is dev_get_cma_area(dev): a device's area does not
 * change after boot.
 */
export function dmaReleaseFromContiguous(
  state: ModelState,
  areaIndex: number,
  pfn: Pfn,
  count: number,
): boolean {
  return cmaRelease(state, areaIndex, pfn, count);
}
