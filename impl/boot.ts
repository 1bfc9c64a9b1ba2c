/**
 * impl/boot.ts — boot after the declaration phase: memmap init, free_all_bootmem() and
 * cma_init_reserved_areas(). Mirrors model/boot/boot.ts and, in the kernel, memmap_init_zone()
 * (all pageblocks MOVABLE, all pages reserved), free_low_memory_core_early() →
 * __free_pages_memory() → __free_pages_boot_core() (mm/nobootmem.c, mm/page_alloc.c),
 * cma_init_reserved_areas() (mm/cma.c; a BuddyCore method, impl/cma.ts) — v4.9.45,
 * kernel-semantics.md §5.5 K4_9, §7.1, §7.8, §12.10, §12.12; docs/MODEL.md "Boot" steps 6-8.
 * K6_1 (v6.1.20): memblock_free_all() frees to the list tails, and activation goes on past a
 * failed area, whose pages join the buddy (§5.5 K6_1).
 * Steps 1-5 are model/boot/layout.ts's Layout, shared.
 */
import type { PfnRange, World } from '../src/core/world.ts';
import type { Layout, RegisteredArea } from '../model/boot/layout.ts';
import type { BuddyGeometry } from './buddy.ts';
import type { CmaArea } from './cma.ts';
import { BuddyCore } from './core.ts';

export interface BootedState {
  core: BuddyCore;
  /** Pages held by neither the buddy nor an allocation, as maximal runs in pfn order. */
  reserved: PfnRange[];
  /** Areas whose cma_activate_area() failed (K4_9: 0 or 1). */
  activationFailures: number;
  /** Kernel log lines of activation, after the declaration phase's (K6_1 prints failures). */
  messages: string[];
}

/** Builds the buddy allocator of a world: BuddyCore, or a bug-zoo subclass of it. */
export type CoreFactory = (geometry: BuddyGeometry) => BuddyCore;

export const createBuddyCore: CoreFactory = (geometry) => new BuddyCore(geometry);

/**
 * Boot steps 6-8 on a resolved layout: memmap init (the core's constructor), free_all_bootmem,
 * cma_init_reserved_areas (BuddyCore.cmaInitReservedAreas, impl/cma.ts).
 */
export function bootFromLayout(
  world: World, layout: Layout, createCore: CoreFactory = createBuddyCore,
): BootedState {
  const core = createCore(world);
  const reservedRuns = mergeRanges(layout.reserved, world.pages);
  freeAllBootmem(core, reservedRuns);
  core.areas.push(...layout.areas.map(newArea));
  const activated = new Uint8Array(world.pages >> world.pageblockOrder);
  const activationFailures = core.cmaInitReservedAreas(activated);
  // K6_1 cma_activate_area(): pr_err("CMA area %s could not be activated\n"), area by area.
  const messages = core.isK6_1
    ? core.areas.filter((area) => area.state === 'failed')
      .map((area) => `cma: CMA area ${area.name} could not be activated`)
    : [];
  return {
    core, activationFailures, messages,
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
 * of its first page's zone and goes through __free_pages(), so rule T applies. K6_1
 * (memblock_free_all() → __free_pages_core()) frees each chunk with FPI_TO_TAIL (switch P14).
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
    if (core.isK6_1) core.freePagesToTail(pfn, order);
    else core.freePages(pfn, order);
    pfn += 1 << order;
  }
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
