/**
 * impl/cma.ts — CMA areas: bitmap arithmetic, cma_alloc() and cma_release(). Mirrors
 * model/cma.ts and, in the kernel, cma_bitmap_aligned_mask(), cma_bitmap_aligned_offset(),
 * cma_bitmap_pages_to_bits(), cma_clear_bitmap(), cma_alloc(), cma_release() (mm/cma.c
 * v4.9.45) and the debugfs `used`/`maxchunk` readers (mm/cma_debug.c) — kernel-semantics.md
 * §5.1, §5.6, §5.7, §5.8, §12.10, §12.11.
 *
 * Bitmaps are Uint32Array words with word-level search (impl/bitmap.ts).
 */
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import type { CmaAreaState } from '../src/core/snapshot.ts';
import type { Profile } from '../src/core/world.ts';
import type { AllocationTable } from './allocations.ts';
import {
  bitmapClear, bitmapSet, bitmapWeight, findNextZeroAreaOff, longestZeroRun,
} from './bitmap.ts';
import type { BuddyCore } from './buddy.ts';
import { allocContigRange, freeContigRange } from './contig.ts';
import { EBUSY } from './isolation.ts';
import type { MigrateCounters } from './migrate.ts';

/** One entry of cma_areas[]. */
export interface CmaArea {
  name: string;
  basePfn: number;
  /** cma->count: 0 after a failed activation. */
  count: number;
  /** The count cma_init_reserved_mem() registered. */
  declaredCount: number;
  orderPerBit: number;
  state: CmaAreaState;
  /** The bitmap of an active area (cma_bitmap_maxno bits); empty otherwise (NULL or freed). */
  bitmap: Uint32Array;
}

export interface CmaCounters extends MigrateCounters {
  allocOk: number;
  allocFail: number;
  ebusyRetry: number;
  enomem: number;
}

/** Why cma_alloc() returned NULL (docs/MODEL.md "Ops"), or the pfn it returned. */
export type CmaAllocResult =
  | { ok: true; pfn: number }
  | { ok: false; reason: CmaFailure };

export type CmaFailure =
  'area-failed' | 'zero-count' | 'too-large' | 'oops' | 'no-space' | 'ENOMEM';

/** cma_bitmap_maxno(): bits in the area's bitmap. */
export function cmaBitmapMaxno(area: CmaArea): number {
  return Math.floor(area.count / 2 ** area.orderPerBit);
}

/** Mirrors cma_bitmap_aligned_mask(). */
export function cmaBitmapAlignedMask(area: CmaArea, alignOrder: number): number {
  if (alignOrder <= area.orderPerBit) return 0;
  return 2 ** (alignOrder - area.orderPerBit) - 1;
}

/**
 * Mirrors cma_bitmap_aligned_offset() — K4_9 keeps the pre-4.10 formula
 * (ALIGN(base, 2^align) - base) >> order_per_bit, i.e. (-base) mod 2^align (§5.6, §12.11);
 * from v4.10 on (K6_1) it is (base & (2^align - 1)) >> order_per_bit (switch P20).
 */
export function cmaBitmapAlignedOffset(
  area: CmaArea, alignOrder: number, profile: Profile,
): number {
  if (alignOrder <= area.orderPerBit) return 0;
  const alignPages = 2 ** alignOrder;
  const offsetPages = profile === 'K4_9'
    ? Math.ceil(area.basePfn / alignPages) * alignPages - area.basePfn
    : area.basePfn % alignPages;
  return Math.floor(offsetPages / 2 ** area.orderPerBit);
}

/** Mirrors cma_bitmap_pages_to_bits(): ceil(pages / 2^order_per_bit). */
export function cmaBitmapPagesToBits(area: CmaArea, pages: number): number {
  return Math.ceil(pages / 2 ** area.orderPerBit);
}

/** The context cma_alloc() works in. */
export interface CmaContext {
  core: BuddyCore;
  table: AllocationTable;
  counters: CmaCounters;
  profile: Profile;
}

/**
 * Mirrors cma_alloc(cma, count, align) K4_9 (§5.6): first fit in the bitmap; set the bits,
 * alloc_contig_range(pfn, pfn + count, MIGRATE_CMA); on -EBUSY clear them and retry from
 * bitmap_no + mask + 1; any other error stops. An area after a failed one has count != 0 and a
 * NULL bitmap: K4_9 would dereference it (§12.10), reported as 'oops' with nothing changed.
 * On success the caller records the allocation (its frames are out of the buddy allocator).
 */
export function cmaAlloc(
  context: CmaContext, area: CmaArea, count: number, align: number,
): CmaAllocResult {
  if (area.count === 0) return { ok: false, reason: 'area-failed' };
  if (count === 0) return { ok: false, reason: 'zero-count' };
  const mask = cmaBitmapAlignedMask(area, align);
  const offset = cmaBitmapAlignedOffset(area, align, context.profile);
  const maxno = cmaBitmapMaxno(area);
  const bitCount = cmaBitmapPagesToBits(area, count);
  if (bitCount > maxno) return { ok: false, reason: 'too-large' };
  if (area.state !== 'active') return { ok: false, reason: 'oops' };
  let start = 0;
  for (;;) {
    const bitmapNo = findNextZeroAreaOff(area.bitmap, maxno, start, bitCount, mask, offset);
    if (bitmapNo >= maxno) return { ok: false, reason: 'no-space' };
    bitmapSet(area.bitmap, bitmapNo, bitCount);
    const pfn = area.basePfn + bitmapNo * 2 ** area.orderPerBit;
    const { core, table, counters } = context;
    const ret = allocContigRange(core, table, pfn, pfn + count, MIGRATE_CMA, counters);
    if (ret === 0) return { ok: true, pfn };
    cmaClearBitmap(area, pfn, count);
    if (ret !== -EBUSY) return { ok: false, reason: 'ENOMEM' };
    counters.ebusyRetry++;
    // Progress: start strictly increases, and the search fails once it passes maxno.
    start = bitmapNo + mask + 1;
  }
}

/** Mirrors cma_clear_bitmap(): the chunk holding `pfn` and as many as `count` pages need. */
export function cmaClearBitmap(area: CmaArea, pfn: number, count: number): void {
  const bitmapNo = Math.floor((pfn - area.basePfn) / 2 ** area.orderPerBit);
  bitmapClear(area.bitmap, bitmapNo, cmaBitmapPagesToBits(area, count));
}

/**
 * Mirrors cma_release() K4_9 (§5.7): false for a pfn outside the area; else
 * free_contig_range(pfn, count) and clear the bits. The caller forgets the allocation first.
 */
export function cmaRelease(core: BuddyCore, area: CmaArea, pfn: number, count: number): boolean {
  if (pfn < area.basePfn || pfn >= area.basePfn + area.count) return false;
  freeContigRange(core, pfn, count);
  cmaClearBitmap(area, pfn, count);
  return true;
}

/** debugfs `used` (cma_used_get()): set bits << order_per_bit. */
export function cmaUsedPages(area: CmaArea): number {
  if (area.state !== 'active') return 0;
  return bitmapWeight(area.bitmap, cmaBitmapMaxno(area)) * 2 ** area.orderPerBit;
}

/**
 * debugfs `maxchunk` (cma_maxchunk_get()), null when the read never returns: K4_9's loop ends
 * on `start >= cma->count` (pages) while find_next_zero_bit() stops at maxno (bits), so with
 * order_per_bit > 0 it spins (§5.8; K6_1 fixed the bound). A failed area has count 0 and
 * reads 0. An inactive area has a NULL bitmap: the read oopses and returns nothing either.
 */
export function cmaMaxchunk(area: CmaArea, profile: Profile): number | null {
  if (area.state === 'failed') return 0;
  if (area.state === 'inactive') return null;
  if (profile === 'K4_9' && area.orderPerBit > 0) return null;
  return longestZeroRun(area.bitmap, cmaBitmapMaxno(area)) * 2 ** area.orderPerBit;
}
