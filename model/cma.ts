/**
 * mm/cma.c, K4_9 and K6_1 (kernel-semantics.md §5.6, §5.7, §12.10, §12.11): the CMA bitmap
 * arithmetic, cma_alloc() and cma_release(). The profiles differ in the bitmap offset (§9 P20)
 * and in cma_alloc()'s NULL-bitmap guard; K6_1's alloc_contig_range() underneath differs more
 * (model/contig.ts).
 *
 * Who records what (the split with model/apply.ts):
 * - cmaAlloc() sets the bitmap bits and takes [pfn, pfn + count) out of the buddy through
 *   alloc_contig_range(); it does NOT create the allocation record: the pages are left with owner
 *   OWNER_NONE and buddyOrder -1 ("allocated, owner not yet named"), and the caller records the
 *   allocation and sets `owner`.
 * - cmaRelease() is free_contig_range() + cma_clear_bitmap(): every page goes back through the
 *   free path (freePages sets owner OWNER_NONE) and the bits are cleared. The caller deletes the
 *   allocation record (before or after: cmaRelease never reads state.allocations).
 *
 * Not in scope: the debugfs files (model/cmaDebug.ts), activation (model/cmaActivate.ts),
 * declaration (model/boot/), the tracepoints and pr_debug lines, K6_1's failure line
 * ("cma_alloc: %s: alloc failed, req-size: %lu pages, ret: %d"; K4_9 prints none), vm events and
 * sysfs counters.
 */
import { assert } from '../src/core/assert.ts';
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import type { Pfn, Profile } from '../src/core/world.ts';
import { bitmapClear, bitmapFindNextZeroAreaOff, bitmapSet } from './bitmap.ts';
import { allocContigRange, freeContigRange } from './contig.ts';
import { type CmaArea, type ModelState, countBehaviour } from './state.ts';

/** -EBUSY and -ENOMEM as alloc_contig_range() returns them. */
const EBUSY = -16;
const ENOMEM = -12;

/** Why cma_alloc() returned NULL (docs/MODEL.md "Ops", cmaAlloc failure reasons). */
export type CmaAllocFailure =
  'zero-count' | 'area-failed' | 'oops' | 'too-large' | 'no-space' | 'ENOMEM';

export type CmaAllocResult = { pfn: Pfn } | { reason: CmaAllocFailure };

/**
 * Mirrors cma_bitmap_aligned_mask() — mm/cma.c, K4_9 and K6_1 (kernel-semantics.md §5.6): the
 * bitmap alignment mask for an allocation aligned to 2^align pages; 0 when one bit already covers
 * it.
 */
export function cmaBitmapAlignedMask(area: CmaArea, align: number): number {
  if (align <= area.orderPerBit) return 0;
  return 2 ** (align - area.orderPerBit) - 1;
}

/**
 * Mirrors cma_bitmap_aligned_offset() — mm/cma.c (kernel-semantics.md §5.6, §12.11; §9 P20):
 * bitmap_find_next_zero_area_off() wants the bits by which base_pfn sits *above* an aligned pfn,
 * i.e. base_pfn mod 2^align.
 *   K4_9, bug included: 0 when align ≤ order_per_bit, else
 *     (ALIGN(base_pfn, 1 << align) − base_pfn) >> order_per_bit = ((−base_pfn) mod 2^align) >> opb
 *   K6_1 (fixed after v4.9): (base_pfn & ((1UL << align) − 1)) >> order_per_bit
 * The two agree when base_pfn is aligned to 2^align — always so for align ≤ the K4_9 area
 * alignment max(MAX_ORDER−1, pageblock_order) — and K4_9 otherwise gives misaligned pfns (§12.11).
 */
export function cmaBitmapAlignedOffset(
  area: CmaArea,
  align: number,
  profile: Profile = 'K4_9',
): number {
  const alignPages = 2 ** align;
  switch (profile) {
    case 'K4_9': {
      if (align <= area.orderPerBit) return 0;
      const alignedBase = Math.ceil(area.basePfn / alignPages) * alignPages; // ALIGN(base_pfn, …)
      return Math.floor((alignedBase - area.basePfn) / 2 ** area.orderPerBit);
    }
    case 'K6_1':
      return Math.floor((area.basePfn % alignPages) / 2 ** area.orderPerBit);
  }
}

/**
 * Mirrors cma_bitmap_pages_to_bits() — mm/cma.c, K4_9 and K6_1 (kernel-semantics.md §5.6):
 * ALIGN(pages, 2^opb) >> opb, so a last partial chunk takes a whole bit (§12.20).
 */
export function cmaBitmapPagesToBits(area: CmaArea, pages: number): number {
  return Math.ceil(pages / 2 ** area.orderPerBit);
}

/**
 * Mirrors cma_bitmap_maxno() — mm/cma.h, K4_9 and K6_1 (kernel-semantics.md §5.1): count >> opb
 * bits.
 */
export function cmaBitmapMaxno(area: CmaArea): number {
  return Math.floor(area.count / 2 ** area.orderPerBit);
}

/**
 * Mirrors cma_clear_bitmap() — mm/cma.c, K4_9 and K6_1 (kernel-semantics.md §5.7): clears the bits
 * of [pfn, pfn + count); the first bit is floored, so a pfn inside a chunk clears that chunk.
 */
export function cmaClearBitmap(area: CmaArea, pfn: Pfn, count: number): void {
  assert(area.bitmap !== null, () => `cmaClearBitmap: area ${area.name} has no bitmap`);
  assert(pfn >= area.basePfn, () => `cmaClearBitmap: pfn ${pfn} below area ${area.name}`);
  const bitmapNo = Math.floor((pfn - area.basePfn) / 2 ** area.orderPerBit);
  bitmapClear(area.bitmap, bitmapNo, cmaBitmapPagesToBits(area, count));
}

/**
 * Mirrors cma_alloc(cma, count, align[, no_warn]) — mm/cma.c, K4_9 and K6_1 (kernel-semantics.md
 * §5.6, §12.5–§12.7, §12.10):
 *  1. NULL when the area failed activation (count 0; K6_1: or has no bitmap), count is 0, or the
 *     request needs more bits than the bitmap has — in that order, as the kernel tests them. In
 *     K4_9 an area after a failed one still has its count but no bitmap: the kernel dereferences
 *     NULL there ('oops').
 *  2. First fit: bitmap_find_next_zero_area_off() from `start`; none → NULL ('no-space').
 *  3. Set the bits, alloc_contig_range(pfn, pfn + count, MIGRATE_CMA) over exactly `count` pages
 *     (the tail of a last partial chunk stays free in the buddy while its bit is set).
 *  4. 0 → the first pfn. Otherwise clear the bits; -EBUSY → try again from
 *     bitmap_no + mask + 1; any other error (-ENOMEM from migration) → NULL.
 * The kernel's `for (;;)` ends only through the `bitmap_no >= bitmap_maxno` break; here the bound
 * is explicit: bitmap_no ≥ start and start = bitmap_no + mask + 1, so start strictly increases
 * and at most maxno + 1 windows are tried.
 */
export function cmaAlloc(
  state: ModelState,
  areaIndex: number,
  count: number,
  align: number,
): CmaAllocResult {
  const result = cmaAllocWindows(state, areaIndex, count, align);
  countBehaviour(state, 'pfn' in result ? 'cma.alloc.ok' : 'cma.alloc.fail');
  return result;
}

function cmaAllocWindows(
  state: ModelState,
  areaIndex: number,
  count: number,
  align: number,
): CmaAllocResult {
  const area = state.cmaAreas[areaIndex];
  assert(area !== undefined, () => `cmaAlloc: no CMA area ${areaIndex}`);
  assert(count >= 0 && align >= 0, () => `cmaAlloc: count ${count} align ${align}`);
  if (area.count === 0 || (area.bitmap === null && bitmapCheckedFirst(state))) {
    return { reason: 'area-failed' };
  }
  if (count === 0) return { reason: 'zero-count' };
  const mask = cmaBitmapAlignedMask(area, align);
  const offset = cmaBitmapAlignedOffset(area, align, state.world.profile);
  const maxno = cmaBitmapMaxno(area);
  const bitmapCount = cmaBitmapPagesToBits(area, count);
  if (bitmapCount > maxno) return { reason: 'too-large' };
  const bitmap = area.bitmap;
  if (bitmap === null) return { reason: 'oops' }; // bitmap_find_next_zero_area_off(NULL, ...)
  let start = 0;
  for (let window = 0; window <= maxno; window++) {
    const bitmapNo = bitmapFindNextZeroAreaOff(bitmap, maxno, start, bitmapCount, mask, offset);
    if (bitmapNo >= maxno) return { reason: 'no-space' };
    bitmapSet(bitmap, bitmapNo, bitmapCount);
    const pfn = area.basePfn + bitmapNo * 2 ** area.orderPerBit;
    const ret = allocContigRange(state, pfn, pfn + count, MIGRATE_CMA);
    if (ret === 0) return { pfn };
    cmaClearBitmap(area, pfn, count);
    if (ret !== EBUSY) return { reason: failureOf(state, ret) };
    countBehaviour(state, 'cma.ebusyRetry');
    const next = bitmapNo + mask + 1; // try again with a bit different memory target
    assert(next > start, () => `cmaAlloc: start ${start} did not grow (next ${next})`);
    start = next;
  }
  assert(
    false,
    () => `cmaAlloc: area ${area.name} tried more than maxno + 1 = ${maxno + 1} windows`,
  );
}

/**
 * Whether cma_alloc() tests `!cma->bitmap` with `!cma->count` at the top (§5.6, §12.10): K6_1
 * does (NULL, no message); K4_9 does not, and dereferences the NULL bitmap of an area that
 * follows a failed one once the other tests pass ('oops'). K6_1 never leaves such an area.
 */
function bitmapCheckedFirst(state: ModelState): boolean {
  switch (state.world.profile) {
    case 'K4_9':
      return false;
    case 'K6_1':
      return true;
  }
}

/** The non-EBUSY errors alloc_contig_range() can return in the model: only -ENOMEM (§12.7). */
function failureOf(state: ModelState, ret: number): CmaAllocFailure {
  assert(ret === ENOMEM, () => `cmaAlloc: alloc_contig_range returned ${ret}, expected -ENOMEM`);
  countBehaviour(state, 'cma.enomem');
  return 'ENOMEM';
}

/**
 * Mirrors cma_release(cma, pages, count) — mm/cma.c, K4_9 and K6_1 (kernel-semantics.md §5.7):
 * false when `pfn` lies outside [base_pfn, base_pfn + count) of the area (always so for a failed
 * area, count 0); otherwise free_contig_range() and cma_clear_bitmap(), true. Nothing checks that
 * the pages came from cma_alloc (the kernel does not either); VM_BUG_ON(pfn + count > end of area)
 * is asserted.
 */
export function cmaRelease(state: ModelState, areaIndex: number, pfn: Pfn, count: number): boolean {
  const area = state.cmaAreas[areaIndex];
  assert(area !== undefined, () => `cmaRelease: no CMA area ${areaIndex}`);
  if (pfn < area.basePfn || pfn >= area.basePfn + area.count) return false;
  assert(
    pfn + count <= area.basePfn + area.count,
    () =>
      `cmaRelease: [${pfn}, ${pfn + count}) runs` +
      ` past area ${area.name} [${area.basePfn}, ${area.basePfn + area.count})`,
  );
  freeContigRange(state, pfn, count);
  cmaClearBitmap(area, pfn, count);
  countBehaviour(state, 'cma.release');
  return true;
}
