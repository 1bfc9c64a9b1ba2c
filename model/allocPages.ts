/**
 * The page allocator's entry points, as ops and migration use them (docs/MODEL.md "Ops"):
 * __alloc_pages → get_page_from_freelist → buffered_rmqueue (K4_9) / rmqueue_buddy (K6_1) →
 * __rmqueue, and __free_pages → __free_one_page, with pcp lists off, no watermarks, no
 * HIGHATOMIC (kernel-semantics.md §1.5, §2.5, §2.7, §4.9, §12.16, §12.17).
 *
 * Not in scope: who owns the pages. allocPages() leaves `owner` and the allocation table to its
 * caller, which records the allocation; freePages() makes every page OWNER_NONE.
 */
import { assert } from '../src/core/assert.ts';
import {
  MIGRATE_CMA,
  MIGRATE_MOVABLE,
  MIGRATE_UNMOVABLE,
  type Migratetype,
  type RequestMigratetype,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { type FpiFlags, accountFreepages, freeOneBlock } from './buddy.ts';
import { type AllocFlags, type Rmqueued, rmqueue } from './fallback.ts';
import { getPageblockMigratetype } from './pageblock.ts';
import { type ModelState, type Zone, countBehaviour, zoneOfPfn } from './state.ts';

export interface AllocatedPages {
  pfn: Pfn;
  /** The free list the block was taken from (the fallback list when fallback served it — in
   *  K6_1 the list __rmqueue_fallback moved it from before the retry took it). */
  sourceList: Migratetype;
  zone: Zone;
  /** The migratetype the request was served as (UNMOVABLE when mobility grouping is off). */
  migratetype: RequestMigratetype;
}

/**
 * Mirrors __alloc_pages_nodemask() → get_page_from_freelist() (K4_9) / __alloc_pages() →
 * get_page_from_freelist() (K6_1) — mm/page_alloc.c, pcp off (kernel-semantics.md §1.5, §2.3
 * items 4-5, §2.7, §4.9, §12.9, §12.16). With mobility grouping disabled every request is
 * UNMOVABLE (gfpflags_to_migratetype / gfp_migratetype). The zonelist is walked from the highest
 * zone down and, without watermarks, the first zone whose __rmqueue succeeds serves the request
 * (its fallback included, before any lower zone is tried) — in K6_1 first with the
 * ALLOC_NOFRAGMENT of allocFlagsNofragment(), and if no zone serves it, once more without (§9
 * P10). The caller then subtracts 2^order from NR_FREE_PAGES, and from NR_FREE_CMA_PAGES when the
 * page's cached pcp type is CMA — which happens exactly when it came off a CMA list.
 */
export function allocPages(
  state: ModelState,
  order: number,
  requestMt: RequestMigratetype,
): AllocatedPages | null {
  assert(
    order >= 0 && order <= state.world.maxOrder,
    () => `allocPages: order ${order} outside` + ` 0..${state.world.maxOrder}`,
  );
  const migratetype: RequestMigratetype = state.world.mobilityGroupingDisabled
    ? MIGRATE_UNMOVABLE
    : requestMt;
  const flags = allocFlags(state, migratetype);
  for (let pass = 0; pass < 2; pass++) {
    // the second pass is get_page_from_freelist's retry
    const taken = getPageFromFreelist(state, order, migratetype, flags);
    if (taken !== null) return { ...taken, migratetype };
    if (!flags.nofragment) return null;
    flags.nofragment = false; // "If avoiding fragmentation, reset and try again."
    countBehaviour(state, 'alloc.nofragmentRetry');
  }
  assert(false, 'allocPages: a pass without ALLOC_NOFRAGMENT returned above');
}

/** One walk of the zonelist, highest zone first; vmstat is taken from the serving zone. */
function getPageFromFreelist(
  state: ModelState,
  order: number,
  migratetype: RequestMigratetype,
  flags: AllocFlags,
): { pfn: Pfn; sourceList: Migratetype; zone: Zone } | null {
  for (let index = state.zones.length - 1; index >= 0; index--) {
    const zone = state.zones[index];
    const taken: Rmqueued | null = rmqueue(state, zone, order, migratetype, flags);
    if (taken === null) continue;
    accountFreepages(zone, -(1 << order), pcppageMigratetype(taken.sourceList, migratetype));
    return { pfn: taken.pfn, sourceList: taken.sourceList, zone };
  }
  return null;
}

/**
 * The alloc_flags __rmqueue reads (§1.5, §4.9; §9 P5, P10). K4_9: none (its __rmqueue goes by
 * the migratetype). K6_1: ALLOC_CMA iff the request is MOVABLE (gfp_to_alloc_flags_cma(), after
 * grouping is applied), ALLOC_NOFRAGMENT from alloc_flags_nofragment().
 */
function allocFlags(state: ModelState, migratetype: RequestMigratetype): AllocFlags {
  switch (state.world.profile) {
    case 'K4_9':
      return { cma: false, nofragment: false };
    case 'K6_1':
      return { cma: migratetype === MIGRATE_MOVABLE, nofragment: allocFlagsNofragment(state) };
  }
}

/**
 * Mirrors alloc_flags_nofragment(preferred_zone, gfp) — mm/page_alloc.c, K6_1 (§4.9): set when
 * the preferred zone (the highest of the world: requests are GFP_USER-like and reach ZONE_NORMAL)
 * is ZONE_NORMAL. The model reads zone identity from names: ZONE_NORMAL is the zone named
 * 'Normal'. The populated-ZONE_DMA32 test exists only for nr_online_nodes > 1; on one node the
 * kernel assumes DMA32 is populated ("assume on UMA that if Normal is populated then so is
 * DMA32"), and so does the model. With one zone the flag changes nothing observable: the first
 * pass only refuses small fallback blocks, and the retry then repeats __rmqueue unrestricted on
 * an unchanged zone.
 */
export function allocFlagsNofragment(state: ModelState): boolean {
  const preferred = state.zones[state.zones.length - 1];
  return preferred.name === 'Normal';
}

/**
 * The type set_pcppage_migratetype() caches in the page: the list type for __rmqueue_smallest
 * (the request's own type or CMA), the request's type after a fallback (K4_9 sets it so in
 * __rmqueue_fallback; K6_1's retry takes the block off the request's own list).
 */
function pcppageMigratetype(sourceList: Migratetype, migratetype: RequestMigratetype): Migratetype {
  return sourceList === MIGRATE_CMA ? MIGRATE_CMA : migratetype;
}

/**
 * Mirrors __free_pages() → free_hot_cold_page() / __free_pages_ok() → free_one_page() —
 * mm/page_alloc.c, K4_9 and K6_1, pcp off (kernel-semantics.md §2.5, §12.17): every path hands
 * __free_one_page the current type of the pageblock holding the first page (ISOLATE included),
 * in the zone of that page. `fpi` is __free_pages_ok()'s fpi_flags (K6_1: FPI_TO_TAIL from
 * __free_pages_core at boot, §7.8).
 */
export function freePages(
  state: ModelState,
  pfn: Pfn,
  order: number,
  fpi: FpiFlags = 'none',
): void {
  assert(pfn >= 0 && pfn < state.world.pages, () => `freePages: pfn ${pfn} outside memory`);
  assert(order >= 0 && order <= state.world.maxOrder, () => `freePages: pfn ${pfn} order ${order}`);
  const mt = getPageblockMigratetype(state, pfn);
  freeOneBlock(state, zoneOfPfn(state, pfn), pfn, order, mt, fpi);
}
