/**
 * The reference model's state: plain data, JSON-shaped except for the allocation table (a Map,
 * still structuredClone-able), no classes, no caches (STYLE G4). Every model function takes the
 * state as its first argument and mutates it; the caller owns copies.
 *
 * Scope: one node, 1..4 zones, pcp lists off (every free reaches __free_one_page at once, as
 * zone_pcp_disable() would make it), no watermarks, no HIGHATOMIC reserve, no guard pages.
 */
import type { Behaviours, BootReport } from '../src/core/allocator.ts';
import { MIGRATE_MOVABLE, type Migratetype } from '../src/core/migratetype.ts';
import type { AllocationKind } from '../src/core/op.ts';
import type { CmaAreaState } from '../src/core/snapshot.ts';
import type { Pfn, World } from '../src/core/world.ts';

/** struct free_area: one list per migratetype, head first, and nr_free (blocks of this order). */
export interface FreeArea {
  freeList: Pfn[][];
  nrFree: number;
}

/** struct zone, reduced to what the allocator paths read and write. */
export interface Zone {
  index: number;
  name: string;
  startPfn: Pfn;
  endPfn: Pfn;
  /** free_area[0..maxOrder]. */
  freeArea: FreeArea[];
  /** vmstat NR_FREE_PAGES / NR_FREE_CMA_PAGES: follow the *list* type at free and alloc time. */
  nrFreePages: number;
  nrFreeCmaPages: number;
  nrIsolatePageblock: number;
  managedPages: number;
}

/** A live allocation, named by the index of the op that created it. */
export interface Allocation {
  id: number;
  kind: AllocationKind;
  pfn: Pfn;
  pageCount: number;
  /** Buddy order of a page allocation; -1 for CMA and DMA ranges. */
  order: number;
  /** Requested migratetype (pages) or MIGRATE_CMA (cma, dma). */
  migratetype: Migratetype;
  /** The free list the block came from (pages); -1 otherwise. */
  sourceList: Migratetype | -1;
  /** CMA area index (cma, dma); -1 otherwise. */
  area: number;
  pinned: boolean;
  pinnedPfn: Pfn;
  /** Last token written by a `write` op; 0 = never. The frames hold what was really copied. */
  token: number;
}

/** struct cma (K4_9: no name field; the name here is for reports and the K6 debugfs dir). */
export interface CmaArea {
  name: string;
  basePfn: Pfn;
  /** cma->count: pages; set to 0 by a failed activation. */
  count: number;
  /** The count cma_init_reserved_mem registered (kept for reports and invariants). */
  declaredCount: number;
  orderPerBit: number;
  /** One entry per bit, true = allocated; null before activation and after a failed one. */
  bitmap: boolean[] | null;
  state: CmaAreaState;
}

/** Per-pfn owner markers besides allocation ids (which are ≥ 0). */
export const OWNER_NONE = -1;
export const OWNER_RESERVED = -2;

export interface ModelState {
  world: World;
  zones: Zone[];
  /** Pageblock bitmap, migratetype bits only (K4_9: ISOLATE is stored as a type, §1.4). */
  pageblockMigratetype: Migratetype[];
  /** page_private of a PageBuddy head: its order; -1 for every pfn that is not a free head. */
  buddyOrder: number[];
  /** Allocation id holding each pfn; OWNER_NONE when free (in the buddy); OWNER_RESERVED for
   *  PageReserved pages (memblock reservations and CMA areas not activated). */
  owner: number[];
  /** The data a user last wrote to each page frame (0 = nothing); migration copies it. */
  frameToken: number[];
  allocations: Map<number, Allocation>;
  cmaAreas: CmaArea[];
  totalcmaPages: number;
  /** dma_contiguous_default_area as an area index. */
  defaultArea: number | null;
  /** dev->cma_area per world device. */
  deviceAreas: (number | null)[];
  /** Declarations and kernel log lines; activation appends its own lines. */
  bootReport: BootReport;
  stats: Behaviours;
}

/** Mirrors pageblock_nr_pages — include/linux/pageblock-flags.h. */
export function pageblockNrPages(state: ModelState): number {
  return 1 << state.world.pageblockOrder;
}

/** Mirrors page_zone(pfn_to_page(pfn)) — include/linux/mm.h (zones are contiguous spans). */
export function zoneOfPfn(state: ModelState, pfn: Pfn): Zone {
  const zone = state.zones.find((z) => z.startPfn <= pfn && pfn < z.endPfn);
  if (zone === undefined) throw new RangeError(`pfn ${pfn} lies in no zone`);
  return zone;
}

/** Counts a behaviour reached (campaign coverage report). No kernel counterpart. */
export function countBehaviour(state: ModelState, name: string, by = 1): void {
  state.stats[name] = (state.stats[name] ?? 0) + by;
}

/** Records a maximum (names start with `max.`). No kernel counterpart. */
export function recordMax(state: ModelState, name: string, value: number): void {
  if (value > (state.stats[name] ?? 0)) state.stats[name] = value;
}

/**
 * Mirrors PageLRU() of an allocation's pages, as the K6_1 scans read it (move_freepages'
 * num_movable, has_unmovable_pages, isolate_single_pageblock; docs/MODEL.md "K6_1"): a MOVABLE page
 * allocation is user memory on the LRU, pinned or not; an order > 0 one is a THP (see
 * pageCompound), whose every page reports its head's flag. Kernel allocations (UNMOVABLE,
 * RECLAIMABLE) and CMA/DMA ranges are not on the LRU.
 */
export function pageLru(allocation: Allocation): boolean {
  return allocation.kind === 'pages' && allocation.migratetype === MIGRATE_MOVABLE;
}

/**
 * Mirrors PageCompound() of an allocation's pages (K6_1 readers): a MOVABLE page allocation of
 * order > 0 is taken to be a THP (compound, on the LRU) — the kind of user memory that order
 * stands for, and what migrating it as one unit (§12.8) already assumes. UNMOVABLE/RECLAIMABLE
 * allocations are alloc_pages() without __GFP_COMP, and CMA/DMA ranges are order-0 pages: not
 * compound.
 */
export function pageCompound(allocation: Allocation): boolean {
  return pageLru(allocation) && allocation.order > 0;
}
