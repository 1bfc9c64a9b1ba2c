/**
 * impl/cma.ts — CMA areas: CmaLayer, the last layer of BuddyCore (impl/core.ts): bitmap
 * arithmetic, cma_alloc(), cma_release() and activation. Mirrors model/cma.ts and
 * model/cmaActivate.ts and, in the kernel, cma_bitmap_aligned_mask(),
 * cma_bitmap_aligned_offset(), cma_bitmap_pages_to_bits(), cma_clear_bitmap(), cma_alloc(),
 * cma_release(), cma_init_reserved_areas(), cma_activate_area() (mm/cma.c v4.9.45),
 * init_cma_reserved_pageblock() (mm/page_alloc.c) and the debugfs `used`/`maxchunk` readers
 * (mm/cma_debug.c) — kernel-semantics.md §5.1, §5.5–§5.8, §12.10, §12.11. K6_1 (mm/cma.c
 * v6.1.20): the corrected bitmap offset (P20), cma_alloc() testing the bitmap, and activation
 * that checks the whole area first and gives a failed one to the buddy (P22).
 *
 * Bitmaps are Uint32Array words with word-level search (impl/bitmap.ts).
 */
import { assert } from '../src/core/assert.ts';
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import { type ResultCode, failure, resultAt } from '../src/core/result.ts';
import type { CmaAreaState } from '../src/core/snapshot.ts';
import type { Profile } from '../src/core/world.ts';
import {
  bitmapClear, bitmapSet, bitmapWeight, findNextZeroAreaOff, longestZeroRun,
} from './bitmap.ts';
import { type BuddyGeometry, STAT } from './buddy.ts';
import { ContigLayer } from './contig.ts';
import { EBUSY } from './isolation.ts';

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

export type CmaFailure =
  'area-failed' | 'zero-count' | 'too-large' | 'oops' | 'no-space' | 'ENOMEM';

/** Why cma_alloc() returned NULL (docs/MODEL.md "Ops"), as result codes. */
const FAILED: { readonly [reason in CmaFailure]: ResultCode } = {
  'area-failed': failure('area-failed'),
  'zero-count': failure('zero-count'),
  'too-large': failure('too-large'),
  'oops': failure('oops'),
  'no-space': failure('no-space'),
  'ENOMEM': failure('ENOMEM'),
};

export abstract class CmaLayer extends ContigLayer {
  /** cma_areas[], in registration order (filled at boot, impl/boot.ts). */
  declare readonly areas: CmaArea[];

  constructor(geometry: BuddyGeometry) {
    super(geometry);
    this.areas = [];
  }

  /** cma_bitmap_maxno(): bits in the area's bitmap. */
  cmaBitmapMaxno(area: CmaArea): number {
    return Math.floor(area.count / 2 ** area.orderPerBit);
  }

  /** Mirrors cma_bitmap_aligned_mask(). */
  cmaBitmapAlignedMask(area: CmaArea, alignOrder: number): number {
    if (alignOrder <= area.orderPerBit) return 0;
    return 2 ** (alignOrder - area.orderPerBit) - 1;
  }

  /**
   * Mirrors cma_bitmap_aligned_offset() — K4_9 keeps the pre-4.10 formula
   * (ALIGN(base, 2^align) - base) >> order_per_bit, i.e. (-base) mod 2^align (§5.6, §12.11);
   * from v4.10 on (K6_1) it is (base & (2^align - 1)) >> order_per_bit (switch P20).
   */
  cmaBitmapAlignedOffset(area: CmaArea, alignOrder: number): number {
    if (alignOrder <= area.orderPerBit) return 0;
    const alignPages = 2 ** alignOrder;
    const offsetPages = this.profile === 'K4_9'
      ? Math.ceil(area.basePfn / alignPages) * alignPages - area.basePfn
      : area.basePfn % alignPages;
    return Math.floor(offsetPages / 2 ** area.orderPerBit);
  }

  /** Mirrors cma_bitmap_pages_to_bits(): ceil(pages / 2^order_per_bit). */
  cmaBitmapPagesToBits(area: CmaArea, pages: number): number {
    return Math.ceil(pages / 2 ** area.orderPerBit);
  }

  /**
   * Mirrors cma_alloc(cma, count, align) K4_9 (§5.6): first fit in the bitmap; set the bits,
   * alloc_contig_range(pfn, pfn + count, MIGRATE_CMA); on -EBUSY clear them and retry from
   * bitmap_no + mask + 1; any other error stops. An area after a failed one has count != 0 and
   * a NULL bitmap: K4_9 would dereference it (§12.10), reported as 'oops' with nothing changed.
   * On success the caller records the allocation (its frames are out of the buddy allocator).
   * Returns the result code (src/core/result.ts): the first pfn, or the failure.
   */
  cmaAlloc(area: CmaArea, count: number, align: number): ResultCode {
    if (area.count === 0) return FAILED['area-failed'];
    // K6_1 also tests the bitmap first (`!cma->bitmap`), so no area oopses (§5.6).
    if (this.isK6_1 && area.state !== 'active') return FAILED['area-failed'];
    if (count === 0) return FAILED['zero-count'];
    const mask = this.cmaBitmapAlignedMask(area, align);
    const offset = this.cmaBitmapAlignedOffset(area, align);
    const maxno = this.cmaBitmapMaxno(area);
    const bitCount = this.cmaBitmapPagesToBits(area, count);
    if (bitCount > maxno) return FAILED['too-large'];
    if (area.state !== 'active') return FAILED.oops;
    let start = 0;
    for (;;) {
      const bitmapNo = findNextZeroAreaOff(area.bitmap, maxno, start, bitCount, mask, offset);
      if (bitmapNo >= maxno) return FAILED['no-space'];
      this.cmaSetBitmap(area, bitmapNo, bitCount);
      const pfn = area.basePfn + bitmapNo * 2 ** area.orderPerBit;
      const ret = this.allocContigRange(pfn, pfn + count, MIGRATE_CMA);
      if (ret === 0) return resultAt(pfn);
      this.cmaClearBitmap(area, pfn, count);
      if (ret !== -EBUSY) return FAILED.ENOMEM;
      this.stats[STAT.ebusyRetry]++;
      // Progress: start strictly increases, and the search fails once it passes maxno.
      start = bitmapNo + mask + 1;
    }
  }

  /** The bitmap_set() of cma_alloc(): bits [bitmapNo, bitmapNo + bitCount) under cma->lock. */
  cmaSetBitmap(area: CmaArea, bitmapNo: number, bitCount: number): void {
    bitmapSet(area.bitmap, bitmapNo, bitCount);
  }

  /** Mirrors cma_clear_bitmap(): the chunk holding `pfn` and as many as `count` pages need. */
  cmaClearBitmap(area: CmaArea, pfn: number, count: number): void {
    const bitmapNo = Math.floor((pfn - area.basePfn) / 2 ** area.orderPerBit);
    bitmapClear(area.bitmap, bitmapNo, this.cmaBitmapPagesToBits(area, count));
  }

  /**
   * Mirrors cma_release() K4_9 (§5.7): false for a pfn outside the area; else
   * free_contig_range(pfn, count) and clear the bits. The caller forgets the allocation first.
   */
  cmaRelease(area: CmaArea, pfn: number, count: number): boolean {
    if (pfn < area.basePfn || pfn >= area.basePfn + area.count) return false;
    this.freeContigRange(pfn, count);
    this.cmaClearBitmap(area, pfn, count);
    return true;
  }

  /**
   * Mirrors cma_init_reserved_areas() K4_9 (§5.5, §12.10): activate the areas in registration
   * order and stop at the first failure; the areas after it stay 'inactive' (count kept,
   * bitmap NULL). Marks activated pageblocks in `activated`. Returns the failures (0 or 1).
   */
  cmaInitReservedAreas(activated: Uint8Array): number {
    if (this.isK6_1) return this.cmaInitReservedAreasK6_1(activated);
    for (const area of this.areas) {
      if (!this.cmaActivateArea(area, activated)) return 1;
    }
    return 0;
  }

  /**
   * Mirrors cma_init_reserved_areas() K6_1 (§5.5 K6_1, switch P22): every area is attempted,
   * whatever became of the ones before. Marks in `activated` the pageblocks given to the buddy
   * (as CMA, or as ordinary memory by a failed area). Returns the number of failed areas.
   */
  cmaInitReservedAreasK6_1(activated: Uint8Array): number {
    let failures = 0;
    for (const area of this.areas) {
      if (!this.cmaActivateAreaK6_1(area, activated)) failures++;
    }
    return failures;
  }

  /**
   * Mirrors cma_activate_area() K6_1: a zeroed bitmap; every pfn of the area checked against
   * the zone of base_pfn before any pageblock is touched (cmaPageblockInZone() per pageblock:
   * areas and zones are pageblock-aligned); then every pageblock activated. On failure the
   * bitmap is freed and each page of the area goes to the buddy as ordinary memory with
   * free_reserved_page() — an order-0 __free_page() with its pageblock's type (MOVABLE from
   * memmap init) and managed pages + 1 — count = 0; the caller logs "CMA area %s could not be
   * activated". DEVIATION (docs/MODEL.md "K6_1"): pages past the end of memory do not exist
   * here; only the real ones are freed.
   */
  cmaActivateAreaK6_1(area: CmaArea, activated: Uint8Array): boolean {
    const pageblockPages = 1 << this.pageblockOrder;
    const zone = area.basePfn < this.pages ? this.zoneOf(area.basePfn) : -1;
    const endPfn = area.basePfn + area.count;
    for (let blockPfn = area.basePfn; blockPfn < endPfn; blockPfn += pageblockPages) {
      if (this.cmaPageblockInZone(zone, blockPfn)) continue;
      for (let pfn = area.basePfn; pfn < Math.min(endPfn, this.pages); pfn++) {
        this.freeReservedPage(pfn);
        activated[pfn >> this.pageblockOrder] = 1;
      }
      area.bitmap = new Uint32Array(0);
      area.count = 0;
      area.state = 'failed';
      return false;
    }
    area.bitmap = new Uint32Array(Math.ceil(this.cmaBitmapMaxno(area) / 32));
    for (let blockPfn = area.basePfn; blockPfn < endPfn; blockPfn += pageblockPages) {
      this.initCmaReservedPageblock(blockPfn);
      activated[blockPfn >> this.pageblockOrder] = 1;
    }
    area.state = 'active';
    return true;
  }

  /**
   * Mirrors free_reserved_page() — include/linux/mm.h: ClearPageReserved, __free_page() (an
   * order-0 free with the pageblock's type, rule T placing it), adjust_managed_page_count(+1).
   */
  freeReservedPage(pfn: number): void {
    this.freePages(pfn, 0);
    this.managedPages[this.zoneOf(pfn)] += 1;
  }

  /**
   * Mirrors cma_activate_area() K4_9: a zeroed bitmap; then pageblock by pageblock, the zone
   * check, else the area fails (bitmap freed, count = 0, no message) with its earlier
   * pageblocks already CMA in the buddy; each passing pageblock is activated at once.
   */
  cmaActivateArea(area: CmaArea, activated: Uint8Array): boolean {
    const pageblockPages = 1 << this.pageblockOrder;
    const blockCount = Math.floor(area.count / pageblockPages);
    // The kernel's unsigned do-while would wrap on 0 blocks; cma_init_reserved_mem() rejects it.
    assert(blockCount > 0, `cma_activate_area: area ${area.name} is smaller than a pageblock`);
    area.bitmap = new Uint32Array(Math.ceil(this.cmaBitmapMaxno(area) / 32));
    const zone = area.basePfn < this.pages ? this.zoneOf(area.basePfn) : -1;
    for (let block = 0; block < blockCount; block++) {
      const blockPfn = area.basePfn + block * pageblockPages;
      if (!this.cmaPageblockInZone(zone, blockPfn)) {
        area.bitmap = new Uint32Array(0);
        area.count = 0;
        area.state = 'failed';
        return false;
      }
      this.initCmaReservedPageblock(blockPfn);
      activated[blockPfn >> this.pageblockOrder] = 1;
    }
    area.state = 'active';
    return true;
  }

  /**
   * cma_activate_area()'s zone check: every pfn of the pageblock lies in `zone`, the zone of
   * base_pfn (-1 when base_pfn is past memory). A pfn beyond memory has no zone: it fails the
   * check too (the kernel only WARNs on !pfn_valid and then reads a bogus zone).
   */
  cmaPageblockInZone(zone: number, blockPfn: number): boolean {
    if (zone < 0) return false;
    return blockPfn >= this.zoneStart[zone]
      && blockPfn + (1 << this.pageblockOrder) <= this.zoneEnd[zone];
  }

  /**
   * Mirrors init_cma_reserved_pageblock() K4_9: type CMA, free the pageblock with
   * __free_pages(page, pageblock_order) (pageblockOrder <= maxOrder in every world, so the
   * MAX_ORDER-chunk branch never runs), managed pages += pageblock.
   */
  initCmaReservedPageblock(pfn: number): void {
    this.setPageblockMigratetype(pfn, MIGRATE_CMA);
    this.freePages(pfn, this.pageblockOrder);
    this.managedPages[this.zoneOf(pfn)] += 1 << this.pageblockOrder;
  }
}

/** debugfs `used` (cma_used_get()): set bits << order_per_bit. */
export function cmaUsedPages(area: CmaArea): number {
  if (area.state !== 'active') return 0;
  const maxno = Math.floor(area.count / 2 ** area.orderPerBit);
  return bitmapWeight(area.bitmap, maxno) * 2 ** area.orderPerBit;
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
  const maxno = Math.floor(area.count / 2 ** area.orderPerBit);
  return longestZeroRun(area.bitmap, maxno) * 2 ** area.orderPerBit;
}
