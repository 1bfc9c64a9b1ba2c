/**
 * impl/boot.ts — boot after the declaration phase: memmap init, free_all_bootmem() and
 * cma_init_reserved_areas(). Mirrors model/boot/boot.ts and, in the kernel, memmap_init_zone()
 * (all pageblocks MOVABLE, all pages reserved), free_low_memory_core_early() →
 * __free_pages_memory() → __free_pages_boot_core() (mm/nobootmem.c, mm/page_alloc.c),
 * cma_init_reserved_areas() → cma_activate_area() (mm/cma.c) and
 * init_cma_reserved_pageblock() — v4.9.45, kernel-semantics.md §5.5 K4_9, §7.1, §7.8, §12.10,
 * §12.12; docs/MODEL.md "Boot" steps 6-8. Steps 1-5 are model/boot/layout.ts's Layout, shared.
 */
import { assert } from '../src/core/assert.ts';
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import type { PfnRange, World } from '../src/core/world.ts';
import type { Layout, RegisteredArea } from '../model/boot/layout.ts';
import { BuddyCore, type BuddyGeometry } from './buddy.ts';
import { type CmaArea, cmaBitmapMaxno } from './cma.ts';

export interface BootedState {
  core: BuddyCore;
  areas: CmaArea[];
  /** Pages held by neither the buddy nor an allocation, as maximal runs in pfn order. */
  reserved: PfnRange[];
  /** Areas whose cma_activate_area() failed (K4_9: 0 or 1). */
  activationFailures: number;
}

/** Builds the buddy allocator of a world: BuddyCore, or a bug-zoo subclass of it. */
export type CoreFactory = (geometry: BuddyGeometry) => BuddyCore;

export const createBuddyCore: CoreFactory = (geometry) => new BuddyCore(geometry);

/** Boot steps 6-8 on a resolved layout. */
export function bootFromLayout(world: World, layout: Layout, createCore: CoreFactory = createBuddyCore): BootedState {
  const core = createCore(world);
  const reservedRuns = mergeRanges(layout.reserved, world.pages);
  freeAllBootmem(core, reservedRuns);
  const areas = layout.areas.map(newArea);
  const activated = new Uint8Array(world.pages >> world.pageblockOrder);
  const activationFailures = cmaInitReservedAreas(core, areas, activated);
  return {
    core, areas, activationFailures,
    reserved: subtractActivated(reservedRuns, activated, world.pageblockOrder),
  };
}

function newArea(registered: RegisteredArea): CmaArea {
  return {
    name: registered.name,
    basePfn: registered.basePfn,
    count: registered.count,
    declaredCount: registered.count,
    orderPerBit: registered.orderPerBit,
    state: 'inactive',
    bitmap: new Uint32Array(0),
  };
}

/**
 * Mirrors free_low_memory_core_early() → __free_memory_core() K4_9 (§7.8, §12.12): each free
 * range (memory minus memblock.reserved, ascending) in chunks of min(maxOrder, ctz(pfn))
 * (maxOrder at pfn 0), lowered until the chunk fits; each chunk counts into the managed pages
 * of its first page's zone and goes through __free_pages(), so rule T applies.
 */
export function freeAllBootmem(core: BuddyCore, reservedRuns: readonly PfnRange[]): void {
  let rangeStart = 0;
  for (const run of [...reservedRuns, { startPfn: core.pages, endPfn: core.pages }]) {
    freePagesMemory(core, rangeStart, run.startPfn);
    rangeStart = Math.max(rangeStart, run.endPfn);
  }
}

/**
 * Mirrors __free_pages_memory(start, end). DEVIATION (docs/MODEL.md "Boot" 7): the range is cut
 * at zone boundaries first; the kernel ignores zones here, which only works because real zone
 * boundaries are MAX_ORDER aligned, while cmacheck worlds only align them to pageblocks.
 */
function freePagesMemory(core: BuddyCore, startPfn: number, endPfn: number): void {
  for (let pfn = startPfn; pfn < endPfn;) {
    const end = Math.min(endPfn, core.zoneEnd[core.zoneOf(pfn)]);
    freeChunks(core, pfn, end);
    pfn = end;
  }
}

function freeChunks(core: BuddyCore, startPfn: number, endPfn: number): void {
  let pfn = startPfn;
  while (pfn < endPfn) {
    let order = pfn === 0 ? core.maxOrder : Math.min(core.maxOrder, 31 - Math.clz32(pfn & -pfn));
    while (pfn + (1 << order) > endPfn) order--;
    core.managedPages[core.zoneOf(pfn)] += 1 << order;
    core.freePages(pfn, order);
    pfn += 1 << order;
  }
}

/**
 * Mirrors cma_init_reserved_areas() K4_9 (§5.5, §12.10): activate the areas in registration
 * order and stop at the first failure; the areas after it stay 'inactive' (count kept, bitmap
 * NULL). Marks activated pageblocks in `activated`. Returns the number of failures (0 or 1).
 */
function cmaInitReservedAreas(core: BuddyCore, areas: CmaArea[], activated: Uint8Array): number {
  for (const area of areas) {
    if (!cmaActivateArea(core, area, activated)) return 1;
  }
  return 0;
}

/**
 * Mirrors cma_activate_area() K4_9: a zeroed bitmap; then pageblock by pageblock, every pfn
 * must lie in the zone of base_pfn, else the area fails (bitmap freed, count = 0, no message)
 * with its earlier pageblocks already CMA in the buddy. A pfn beyond memory has no zone: it
 * fails the check too (the kernel only WARNs on !pfn_valid and then reads a bogus zone).
 */
function cmaActivateArea(core: BuddyCore, area: CmaArea, activated: Uint8Array): boolean {
  const pageblockPages = 1 << core.pageblockOrder;
  const blockCount = Math.floor(area.count / pageblockPages);
  // The kernel's unsigned do-while would wrap on 0 blocks; cma_init_reserved_mem() rejects it.
  assert(blockCount > 0, `cma_activate_area: area ${area.name} is smaller than a pageblock`);
  area.bitmap = new Uint32Array(Math.ceil(cmaBitmapMaxno(area) / 32));
  const zone = area.basePfn < core.pages ? core.zoneOf(area.basePfn) : -1;
  const zoneStart = zone >= 0 ? core.zoneStart[zone] : 0;
  const zoneEnd = zone >= 0 ? core.zoneEnd[zone] : 0;
  for (let block = 0; block < blockCount; block++) {
    const blockPfn = area.basePfn + block * pageblockPages;
    if (blockPfn < zoneStart || blockPfn + pageblockPages > zoneEnd) {
      area.bitmap = new Uint32Array(0);
      area.count = 0;
      area.state = 'failed';
      return false;
    }
    initCmaReservedPageblock(core, blockPfn);
    activated[blockPfn >> core.pageblockOrder] = 1;
  }
  area.state = 'active';
  return true;
}

/**
 * Mirrors init_cma_reserved_pageblock() K4_9: type CMA, free the pageblock with
 * __free_pages(page, pageblock_order) (pageblockOrder <= maxOrder in every world, so the
 * MAX_ORDER-chunk branch never runs), managed pages += pageblock.
 */
function initCmaReservedPageblock(core: BuddyCore, pfn: number): void {
  core.setPageblockMigratetype(pfn, MIGRATE_CMA);
  core.freePages(pfn, core.pageblockOrder);
  core.managedPages[core.zoneOf(pfn)] += 1 << core.pageblockOrder;
}

/** memblock's view of reserved: the union of the ranges, as sorted maximal runs in [0, pages). */
export function mergeRanges(ranges: readonly PfnRange[], pages: number): PfnRange[] {
  const sorted = ranges
    .map((range) => ({
      startPfn: Math.max(0, range.startPfn), endPfn: Math.min(pages, range.endPfn),
    }))
    .filter((range) => range.startPfn < range.endPfn)
    .sort((a, b) => a.startPfn - b.startPfn);
  const runs: PfnRange[] = [];
  for (const range of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && range.startPfn <= last.endPfn) {
      last.endPfn = Math.max(last.endPfn, range.endPfn);
    } else {
      runs.push({ ...range });
    }
  }
  return runs;
}

/** The reserved runs without the pageblocks that CMA activation gave to the buddy. */
function subtractActivated(
  runs: readonly PfnRange[], activated: Uint8Array, pageblockOrder: number,
): PfnRange[] {
  const result: PfnRange[] = [];
  for (const run of runs) {
    let runStart = -1;
    for (let pfn = run.startPfn; pfn <= run.endPfn; pfn++) {
      const reserved = pfn < run.endPfn && activated[pfn >> pageblockOrder] === 0;
      if (reserved && runStart < 0) runStart = pfn;
      if (!reserved && runStart >= 0) {
        result.push({ startPfn: runStart, endPfn: pfn });
        runStart = -1;
      }
    }
  }
  return result;
}
