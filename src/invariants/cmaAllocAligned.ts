/**
 * cma-alloc-aligned — the postcondition of bitmap_find_next_zero_area_off() (lib/bitmap.c) as
 * cma_alloc() uses it (kernel-semantics.md §5.6, §12.11): a range returned by cmaAlloc or
 * dmaAlloc starts on a bitmap chunk (its offset from the area base is a multiple of
 * 2^order_per_bit), and when the requested align exceeds order_per_bit its bitmap index
 * satisfies (index + offset) & mask == 0, with mask = 2^(align − order_per_bit) − 1 and the
 * profile's offset: K4_9's (ALIGN(base, 2^align) − base) >> order_per_bit (the pre-4.10 formula:
 * the result is then aligned to 2^align only when the base is), K6_1's
 * (base & (2^align − 1)) >> order_per_bit (the result is aligned to 2^align).
 *
 * Reads the op: it runs right after each cmaAlloc and dmaAlloc (`stepOps`). For dmaAlloc the
 * align is the DMA layer's, min(get_order(size), CONFIG_CMA_ALIGNMENT) (§7.7).
 */
import { getOrder } from '../core/getOrder.ts';
import type { CmaAreaSnapshot, Snapshot } from '../core/snapshot.ts';
import type { CheckContext, Invariant } from '../core/violation.ts';

export const cmaAllocAligned: Invariant = {
  id: 'cma-alloc-aligned',
  description: 'a CMA range starts on a bitmap chunk and meets the requested alignment',
  stepOps: ['cmaAlloc', 'dmaAlloc'],
  // A misaligned range has another pfn than the reference returns: the results differ.
  viewed: true,
  check(snapshot, context) {
    const request = requestOf(snapshot, context);
    if (request === null) return [];
    const { pfn, area, align } = request;
    const chunk = 1 << area.orderPerBit;
    const where = `CMA range #${context.step} at pfn ${pfn} in area '${area.name}' (base ${area.basePfn})`;
    if ((pfn - area.basePfn) % chunk !== 0) {
      return [
        { pfns: [pfn], explanation: `${where} does not start on a bitmap chunk of ${chunk} pages` },
      ];
    }
    if (align <= area.orderPerBit) return [];
    const index = (pfn - area.basePfn) / chunk;
    const mask = 2 ** (align - area.orderPerBit) - 1;
    const offset = bitmapAlignedOffset(snapshot, area, align);
    if ((index + offset) % (mask + 1) === 0) return [];
    return [
      {
        pfns: [pfn],
        explanation:
          `${where}, align ${align}: bitmap index ${index} + offset` +
          ` ${offset} is not a multiple of ${mask + 1}, as bitmap_find_next_zero_area_off returns`,
      },
    ];
  },
};

interface Request {
  pfn: number;
  area: CmaAreaSnapshot;
  align: number;
}

function requestOf(snapshot: Snapshot, context: CheckContext): Request | null {
  const { op, result } = context;
  if (op === null || result === null || !result.ok) return null;
  if (op.kind !== 'cmaAlloc' && op.kind !== 'dmaAlloc') return null;
  // The snapshot's record, not the result: on a disagreement the result is the model's.
  const allocation = snapshot.allocations.find((a) => a.id === context.step);
  const area = allocation === undefined ? undefined : snapshot.cma[allocation.area];
  if (allocation === undefined || area === undefined) return null; // cma-bitmap reports it
  const align =
    op.kind === 'cmaAlloc'
      ? op.align
      : Math.min(getOrder(op.size), context.world.kconfig.cmaAlignment);
  return { pfn: allocation.pfn, area, align };
}

/** cma_bitmap_aligned_offset() — mm/cma.c, per profile (§5.6, §9 P20). */
function bitmapAlignedOffset(snapshot: Snapshot, area: CmaAreaSnapshot, align: number): number {
  const alignment = 2 ** align;
  const base = area.basePfn;
  const pages =
    snapshot.profile === 'K4_9' ? Math.ceil(base / alignment) * alignment - base : base % alignment;
  return Math.floor(pages / 2 ** area.orderPerBit);
}
