/**
 * The page allocator's entry points, as ops and migration use them (docs/MODEL.md "Ops"):
 * __alloc_pages → get_page_from_freelist → buffered_rmqueue → __rmqueue, and __free_pages →
 * __free_one_page, with pcp lists off, no watermarks, no HIGHATOMIC (kernel-semantics.md §2.5,
 * §2.7, §12.16, §12.17).
 *
 * Not in scope: who owns the pages. allocPages() leaves `owner` and the allocation table to its
 * caller, which records the allocation; freePages() makes every page OWNER_NONE.
 */
import { assert } from '../src/core/assert.ts';
import {
  MIGRATE_CMA, MIGRATE_UNMOVABLE, type Migratetype, type RequestMigratetype,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { accountFreepages, freeOneBlock } from './buddy.ts';
import { rmqueue } from './fallback.ts';
import { getPageblockMigratetype } from './pageblock.ts';
import { type ModelState, type Zone, zoneOfPfn } from './state.ts';

export interface AllocatedPages {
  pfn: Pfn;
  /** The free list the block was taken from (the fallback list when fallback served it). */
  sourceList: Migratetype;
  zone: Zone;
  /** The migratetype the request was served as (UNMOVABLE when mobility grouping is off). */
  migratetype: RequestMigratetype;
}

/**
 * Mirrors __alloc_pages_nodemask() → get_page_from_freelist() → buffered_rmqueue() —
 * mm/page_alloc.c, K4_9, pcp off (kernel-semantics.md §1.5, §2.3 items 4-5, §2.7, §12.9, §12.16).
 * With mobility grouping disabled every request is UNMOVABLE (gfpflags_to_migratetype). The
 * zonelist is walked from the highest zone down and, without watermarks, the first zone whose
 * __rmqueue succeeds serves the request (its fallback included, before any lower zone is tried).
 * buffered_rmqueue then subtracts 2^order from NR_FREE_PAGES, and from NR_FREE_CMA_PAGES when
 * the page's cached pcp type is CMA — which happens exactly when it came off a CMA list.
 */
export function allocPages(
  state: ModelState, order: number, requestMt: RequestMigratetype,
): AllocatedPages | null {
  assert(order >= 0 && order <= state.world.maxOrder, `allocPages: order ${order} outside`
    + ` 0..${state.world.maxOrder}`);
  const migratetype: RequestMigratetype = state.world.mobilityGroupingDisabled
    ? MIGRATE_UNMOVABLE
    : requestMt;
  for (let index = state.zones.length - 1; index >= 0; index--) {
    const zone = state.zones[index];
    const taken = rmqueue(state, zone, order, migratetype);
    if (taken === null) continue;
    accountFreepages(zone, -(1 << order), pcppageMigratetype(taken.sourceList, migratetype));
    return { pfn: taken.pfn, sourceList: taken.sourceList, zone, migratetype };
  }
  return null;
}

/**
 * The type set_pcppage_migratetype() caches in the page (K4_9): the list type for
 * __rmqueue_smallest (the request's own type or CMA), the request's type after a fallback.
 */
function pcppageMigratetype(sourceList: Migratetype, migratetype: RequestMigratetype): Migratetype {
  return sourceList === MIGRATE_CMA ? MIGRATE_CMA : migratetype;
}

/**
 * Mirrors __free_pages() → free_hot_cold_page() / __free_pages_ok() → free_one_page() —
 * mm/page_alloc.c, K4_9, pcp off (kernel-semantics.md §2.5, §12.17): every path hands
 * __free_one_page the current type of the pageblock holding the first page (ISOLATE included),
 * in the zone of that page.
 */
export function freePages(state: ModelState, pfn: Pfn, order: number): void {
  assert(pfn >= 0 && pfn < state.world.pages, `freePages: pfn ${pfn} outside memory`);
  assert(order >= 0 && order <= state.world.maxOrder, `freePages: pfn ${pfn} order ${order}`);
  const mt = getPageblockMigratetype(state, pfn);
  freeOneBlock(state, zoneOfPfn(state, pfn), pfn, order, mt);
}
