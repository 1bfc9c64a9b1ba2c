/**
 * Hand-built snapshots of tiny K4_9 worlds for the invariant suites, and helpers that corrupt
 * copies of them. Each snapshot is derived step by step in its comment from the kernel rules
 * (kernel-semantics.md §2–§7, §12), so that "every invariant holds" on it is a claim about the
 * kernel, not about the model or impl; the lead also runs the suites on real snapshots.
 *
 * Every builder returns a fresh object: invariants memoise per snapshot object
 * (src/invariants/coverage.ts), so tests corrupt copies (`mutate`), never a shared value.
 */
import { MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_TYPES } from '../../src/core/migratetype.ts';
import type {
  AllocationSnapshot, CmaAreaSnapshot, Snapshot, ZoneSnapshot,
} from '../../src/core/snapshot.ts';
import type { CheckContext } from '../../src/core/violation.ts';
import { DEFAULT_KCONFIG, type Pfn, type World, type ZoneSpec } from '../../src/core/world.ts';

const U = 0;
const M = 1;
const C = MIGRATE_CMA;

/** A world with the given geometry and nothing declared (the snapshots carry their layout). */
export function tinyWorld(name: string, zones: ZoneSpec[]): World {
  return {
    name, profile: 'K4_9', pages: 32, maxOrder: 3, pageblockOrder: 2, zones,
    reserved: [], cmdline: '', reservedMemory: [], cma: [], devices: [],
    kconfig: { ...DEFAULT_KCONFIG }, dmaLimitPfn: 32, pcp: 'off',
    mobilityGroupingDisabled: false,
  };
}

export function baseWorld(): World {
  const world = tinyWorld('base-32', [{ name: 'Normal', startPfn: 0, endPfn: 32 }]);
  world.reserved = [{ startPfn: 0, endPfn: 4 }];
  world.cma = [
    { name: 'cma0', base: 16, size: 8, limit: 0, alignment: 0, orderPerBit: 0, fixed: true },
    { name: 'cma1', base: 24, size: 8, limit: 0, alignment: 0, orderPerBit: 1, fixed: true },
  ];
  return world;
}

/** freeLists[order][migratetype] for orders 0..maxOrder, all empty. */
function emptyFreeLists(maxOrder: number): Pfn[][][] {
  const lists = (): Pfn[][] => Array.from({ length: MIGRATE_TYPES }, () => []);
  return Array.from({ length: maxOrder + 1 }, lists);
}

function pagesAllocation(id: number, pfn: Pfn, order: number, migratetype: 0 | 1 | 2,
  sourceList: number): AllocationSnapshot {
  return {
    id, kind: 'pages', pfn, pageCount: 1 << order, order, migratetype,
    sourceList: sourceList as AllocationSnapshot['sourceList'], area: -1,
    pinned: false, pinnedPfn: -1, token: 0, frameToken: 0,
  };
}

function rangeAllocation(id: number, kind: 'cma' | 'dma', area: number, pfn: Pfn,
  pageCount: number): AllocationSnapshot {
  return {
    id, kind, pfn, pageCount, order: -1, migratetype: C, sourceList: -1, area,
    pinned: false, pinnedPfn: -1, token: 0, frameToken: 0,
  };
}

/**
 * The base: 32 pages, maxOrder 3 (blocks of up to 8 pages), pageblockOrder 2 (pageblocks of 4,
 * so merges above pageblock order exist), one zone, pfns 0..3 reserved (kernel image), two CMA
 * areas of 8 pages: cma0 at 16 (order_per_bit 0) and cma1 at 24 (order_per_bit 1). K4_9 aligns
 * areas to max(MAX_ORDER-1, PB) = 8 pages (§5.1), so both are legal.
 *
 * Boot (§7.8, §5.5): free_all_bootmem frees [4, 16): order 2 at 4 (ctz 2) and order 3 at 8, both
 * MOVABLE, at the list head (rule T: o ≥ MAX_ORDER-2 → head). Activation frees each CMA
 * pageblock at order 2 with type CMA; 20 merges with 16, 28 with 24 (the K4_9 loop goes past
 * PB since no block is isolated): CMA order 3 = [24, 16]. managed = 12 + 16 = 28.
 * Trace:
 *   0 alloc order 0 UNMOVABLE: no U pages; fallback from order 3 down finds MOVABLE 8, order ≥ PB
 *     so pageblocks 2–3 become U; expand onto U lists: 12 (o2), 10 (o1), 9 (o0); → 8 from M.
 *   1 alloc order 1 MOVABLE: M order 2 [4] → 4, expand 6 (o1) to M; → 4 from M.
 *   2 cmaAlloc cma0 count 2: bits 0–1, alloc_contig_range(16, 18) isolates [16, 24), takes
 *     block 16 (o3), frees 18..23 back (ISOLATE: 18 o1, 20 o2); undo: 18 moves to CMA; 20 (o2 ≥
 *     PB, buddy 16's block not isolated) is re-freed, stays o2 (16 is held) → CMA o1 [18],
 *     o2 [20].
 *   3 dmaAlloc size 12 KiB on cma1: count 3, align min(get_order, 8) = 2 → mask 1; bits 0–1
 *     (2 chunks of 2 pages) → pfns 24..26; 27 and 28..31 come back: CMA o0 [27], o2 [28, 20].
 *     Pfn 27 is free although chunk 1's bit is set (§12.20).
 *   4 alloc order 0 MOVABLE: M o1 [6] → 6, expand 7 (o0) to M.   5 alloc order 0 MOVABLE → 7.
 *   6 alloc order 1 MOVABLE: M lists empty → __rmqueue_cma_fallback: CMA o1 [18] → 18 from CMA.
 *   7 write #6 → token 8.   8 pin #6 → pinnedPfn 18.
 * Final: U o0 [9], o1 [10], o2 [12]; CMA o0 [27], o2 [28, 20]. Free 7 + 9 = 16 pages, 9 CMA.
 * Pageblocks M M U U C C C C. cma0 bitmap 0b11 (used 2, maxchunk 6); cma1 maxno 4, bitmap
 * 0b11 (used 2 << 1 = 4, maxchunk null: K4_9 hangs with order_per_bit 1).
 */
export function baseSnapshot(): Snapshot {
  const freeLists = emptyFreeLists(3);
  freeLists[0][U] = [9];
  freeLists[1][U] = [10];
  freeLists[2][U] = [12];
  freeLists[0][C] = [27];
  freeLists[2][C] = [28, 20];
  const zone: ZoneSnapshot = {
    name: 'Normal', startPfn: 0, endPfn: 32, managedPages: 28, freeLists,
    nrFree: [2, 1, 3, 0], nrFreePages: 16, nrFreeCmaPages: 9, nrIsolatePageblock: 0,
  };
  const pinned = pagesAllocation(6, 18, 1, M, C);
  Object.assign(pinned, { pinned: true, pinnedPfn: 18, token: 8, frameToken: 8 });
  return {
    profile: 'K4_9', pages: 32, maxOrder: 3, pageblockOrder: 2,
    zones: [zone],
    pageblocks: 'MMUUCCCC',
    reserved: [{ startPfn: 0, endPfn: 4 }],
    allocations: [
      pagesAllocation(0, 8, 0, U, M),
      pagesAllocation(1, 4, 1, M, M),
      rangeAllocation(2, 'cma', 0, 16, 2),
      rangeAllocation(3, 'dma', 1, 24, 3),
      pagesAllocation(4, 6, 0, M, M),
      pagesAllocation(5, 7, 0, M, M),
      pinned,
    ],
    cma: [
      cmaArea('cma0', 16, 8, 0, 'active', [0b11], 2, 6),
      cmaArea('cma1', 24, 8, 1, 'active', [0b11], 4, null),
    ],
    totalcmaPages: 16,
  };
}

function cmaArea(name: string, basePfn: Pfn, count: number, orderPerBit: number,
  state: CmaAreaSnapshot['state'], bitmap: number[], used: number,
  maxchunk: number | null): CmaAreaSnapshot {
  return { name, basePfn, count, declaredCount: count, orderPerBit, state, bitmap, used, maxchunk };
}

export function failedAreaWorld(): World {
  const world = tinyWorld('failed-area-32', [
    { name: 'DMA32', startPfn: 0, endPfn: 16 },
    { name: 'Normal', startPfn: 16, endPfn: 32 },
  ]);
  world.cma = [
    { name: 'span', base: 8, size: 16, limit: 0, alignment: 0, orderPerBit: 0, fixed: true },
  ];
  return world;
}

/**
 * Two zones, DMA32 [0, 16) and Normal [16, 32), and one CMA area 'span' declared at [8, 24),
 * across the boundary (8-page aligned, so cma_init_reserved_mem accepts it). No ops.
 * Boot: free_all_bootmem frees [0, 8) as one order-3 block (pfn 0 → MAXO) in DMA32 and [24, 32)
 * as order 3 in Normal, both MOVABLE. cma_activate_area (K4_9, §5.5): pageblock 8 is in base's
 * zone → CMA, freed at order 2; pageblock 12 too, and merges with 8 into CMA order 3 at 8;
 * pageblock 16 lies in Normal → failure: count 0, bitmap freed, no message; pageblocks 16 and 20
 * stay reserved and MOVABLE; totalcma_pages keeps the 16 declared pages (§12.10).
 * managed: DMA32 8 + 8 = 16, Normal 8; reserved [16, 24).
 */
export function failedAreaSnapshot(): Snapshot {
  const dma32 = emptyFreeLists(3);
  dma32[3][M] = [0];
  dma32[3][C] = [8];
  const normal = emptyFreeLists(3);
  normal[3][M] = [24];
  return {
    profile: 'K4_9', pages: 32, maxOrder: 3, pageblockOrder: 2,
    zones: [
      {
        name: 'DMA32', startPfn: 0, endPfn: 16, managedPages: 16, freeLists: dma32,
        nrFree: [0, 0, 0, 2], nrFreePages: 16, nrFreeCmaPages: 8, nrIsolatePageblock: 0,
      },
      {
        name: 'Normal', startPfn: 16, endPfn: 32, managedPages: 8, freeLists: normal,
        nrFree: [0, 0, 0, 1], nrFreePages: 8, nrFreeCmaPages: 0, nrIsolatePageblock: 0,
      },
    ],
    pageblocks: 'MMCCMMMM',
    reserved: [{ startPfn: 16, endPfn: 24 }],
    allocations: [],
    cma: [{
      name: 'span', basePfn: 8, count: 0, declaredCount: 16, orderPerBit: 0, state: 'failed',
      bitmap: [], used: 0, maxchunk: 0,
    }],
    totalcmaPages: 16,
  };
}

/** The context of a step that is neither a release nor anything the invariants look at. */
export function quietContext(world: World, step = 9): CheckContext {
  return { world, step, op: null, result: null, targetBefore: null };
}

/** A structuredClone of `snapshot`, changed by `change`. */
export function mutate(snapshot: Snapshot, change: (copy: Snapshot) => void): Snapshot {
  const copy = structuredClone(snapshot);
  change(copy);
  return copy;
}

export function allocationById(snapshot: Snapshot, id: number): AllocationSnapshot {
  const allocation = snapshot.allocations.find((a) => a.id === id);
  if (allocation === undefined) throw new RangeError(`no allocation #${id}`);
  return allocation;
}

export function removeAllocation(snapshot: Snapshot, id: number): AllocationSnapshot {
  const allocation = allocationById(snapshot, id);
  snapshot.allocations = snapshot.allocations.filter((a) => a !== allocation);
  return allocation;
}

export interface ListedBlock {
  zone: number;
  order: number;
  migratetype: number;
}

/** Takes the free block with head `pfn` off its list (the first list that names it). */
export function removeFreeBlock(snapshot: Snapshot, pfn: Pfn): ListedBlock {
  for (const [zone, { freeLists }] of snapshot.zones.entries()) {
    for (const [order, lists] of freeLists.entries()) {
      for (const [migratetype, list] of lists.entries()) {
        const at = list.indexOf(pfn);
        if (at < 0) continue;
        list.splice(at, 1);
        return { zone, order, migratetype };
      }
    }
  }
  throw new RangeError(`no free block at pfn ${pfn}`);
}

/** Puts a free block at the head of a list, as __free_one_page does by default. */
export function addFreeBlock(snapshot: Snapshot, block: ListedBlock & { pfn: Pfn }): void {
  snapshot.zones[block.zone].freeLists[block.order][block.migratetype].unshift(block.pfn);
}

export function setPageblock(snapshot: Snapshot, pageblock: number, letter: string): void {
  const letters = [...snapshot.pageblocks];
  letters[pageblock] = letter;
  snapshot.pageblocks = letters.join('');
}

/**
 * Recomputes the zone counters from the lists and pageblocks, so that a corruption aimed at
 * another invariant does not also trip `counters`.
 */
export function recount(snapshot: Snapshot): void {
  for (const zone of snapshot.zones) {
    zone.nrFree = zone.freeLists.map((lists) => lists.reduce((sum, list) => sum + list.length, 0));
    let free = 0;
    let cma = 0;
    zone.freeLists.forEach((lists, order) => lists.forEach((list, migratetype) => {
      if (migratetype !== MIGRATE_ISOLATE) free += list.length << order;
      if (migratetype === MIGRATE_CMA) cma += list.length << order;
    }));
    zone.nrFreePages = free;
    zone.nrFreeCmaPages = cma;
    const first = zone.startPfn >> snapshot.pageblockOrder;
    const end = zone.endPfn >> snapshot.pageblockOrder;
    zone.nrIsolatePageblock = [...snapshot.pageblocks.slice(first, end)]
      .filter((letter) => letter === 'I').length;
  }
}
