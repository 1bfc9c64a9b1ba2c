/**
 * The canonical, JSON-serialisable view of a whole allocator state. Model and impl each export
 * one; equal states give deep-equal snapshots (the agreement contract of DESIGN.md). Invariants
 * read only snapshots, so they apply to any implementation plugged into the harness.
 */
import type { Migratetype } from './migratetype.ts';
import type { AllocationKind } from './op.ts';
import type { Pfn, PfnRange, Profile } from './world.ts';

export interface ZoneSnapshot {
  name: string;
  startPfn: Pfn;
  endPfn: Pfn;
  /** zone->managed_pages: pages handed to the buddy allocator at boot or CMA activation. */
  managedPages: number;
  /** free_area[order].free_list[migratetype]: head pfns, list head first. */
  freeLists: Pfn[][][];
  /** free_area[order].nr_free: blocks (not pages) on all lists of that order. */
  nrFree: number[];
  /** vmstat NR_FREE_PAGES and NR_FREE_CMA_PAGES. */
  nrFreePages: number;
  nrFreeCmaPages: number;
  nrIsolatePageblock: number;
}

export interface AllocationSnapshot {
  /** Handle: the index of the op that created the allocation. */
  id: number;
  kind: AllocationKind;
  pfn: Pfn;
  pageCount: number;
  /** Buddy order of a page allocation; -1 for CMA and DMA ranges. */
  order: number;
  /** Requested migratetype of a page allocation; MIGRATE_CMA for CMA and DMA ranges. */
  migratetype: Migratetype;
  /** Free list type the block was taken from (a page allocation); -1 for CMA and DMA ranges. */
  sourceList: Migratetype | -1;
  /** CMA area index (CMA and DMA ranges); -1 for page allocations. */
  area: number;
  pinned: boolean;
  /** The pfn the allocation had when pinned, -1 when not pinned. */
  pinnedPfn: Pfn;
  /** Data token last written by a `write` op (0 = never written). */
  token: number;
  /** Token read back from the allocation's page frames: the common value, or -1 if they differ;
   *  0 when `token` is 0 (never-written memory holds a previous owner's data, which no op sees). */
  frameToken: number;
}

export type CmaAreaState = 'active' | 'failed' | 'inactive';

export interface CmaAreaSnapshot {
  name: string;
  basePfn: Pfn;
  /** cma->count in pages (0 after a failed activation). */
  count: number;
  /** Pages reserved for the area at declaration (cma_init_reserved_mem's count). */
  declaredCount: number;
  orderPerBit: number;
  /** active: bitmap and pageblocks live; failed: cma_activate_area failed; inactive: never activated. */
  state: CmaAreaState;
  /** The bitmap as the debugfs `bitmap` file shows it: u32 words, bit i of the area = bit i%32 of word i/32. */
  bitmap: number[];
  /** debugfs `used`: set bits << order_per_bit. */
  used: number;
  /** debugfs `maxchunk`: longest clear run in pages; null when reading it never returns (K4_9, order_per_bit > 0). */
  maxchunk: number | null;
}

export interface Snapshot {
  profile: Profile;
  pages: number;
  maxOrder: number;
  pageblockOrder: number;
  zones: ZoneSnapshot[];
  /** One letter per pageblock (U M E H C I), pfn order. */
  pageblocks: string;
  /** Pages held by neither the buddy nor an allocation: memblock reservations, unactivated CMA. */
  reserved: PfnRange[];
  /** Live allocations, sorted by id. */
  allocations: AllocationSnapshot[];
  cma: CmaAreaSnapshot[];
  totalcmaPages: number;
}
