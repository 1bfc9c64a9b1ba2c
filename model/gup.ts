/**
 * Long-term pinning — mm/gup.c (kernel-semantics.md §1.5, §12.5; docs/MODEL.md "Ops", `pin`):
 * get_user_pages() / pin_user_pages() with FOLL_LONGTERM on a page allocation, e.g. a buffer
 * handed to a device. A pinned page can no longer be migrated.
 *
 * K4_9 pins the page where it is, CMA pageblock or not; a later cma_alloc over it migrates the
 * other pages and fails that window with -EBUSY (§12.5). K6_1 (mm/gup.c of v6.1.20) first moves
 * a page that may not be pinned long-term out of the way: __gup_longterm_locked() →
 * check_and_migrate_movable_pages(). In the model that is a page in a CMA pageblock (there is no
 * ZONE_MOVABLE, zero page or device memory).
 *
 * Not in scope: the pin count (a pin is a flag here: pinning twice is one pin), FOLL_PIN without
 * FOLL_LONGTERM, hugetlb, device-coherent pages, the re-fault of __get_user_pages_locked().
 */
import { MIGRATE_UNMOVABLE, isMigrateCma, isMigrateIsolate } from '../src/core/migratetype.ts';
import { migrateAllocation } from './migrate.ts';
import { getPageblockMigratetype } from './pageblock.ts';
import { type Allocation, type ModelState, countBehaviour } from './state.ts';

/** The outcome of a long-term pin: done, or -ENOMEM from migrating the page out of CMA. */
export type PinResult = 'pinned' | 'ENOMEM';

/**
 * Mirrors __gup_longterm_locked(…, FOLL_LONGTERM | FOLL_PIN) — mm/gup.c (kernel-semantics.md
 * §12.5; not a §9 row: docs/MODEL.md "K6_1" records it): K4_9 pins in place; K6_1 runs
 * check_and_migrate_movable_pages() first and pins wherever the page then is. On -ENOMEM the
 * page is not pinned and stays where it was (migrate_longterm_unpinnable_pages() unpins it).
 */
export function pinUserPages(state: ModelState, allocation: Allocation): PinResult {
  switch (state.world.profile) {
    case 'K4_9':
      break;
    case 'K6_1':
      if (!checkAndMigrateMovablePages(state, allocation)) return 'ENOMEM';
      break;
  }
  allocation.pinned = true;
  allocation.pinnedPfn = allocation.pfn;
  return 'pinned';
}

/**
 * Mirrors check_and_migrate_movable_pages() → collect_longterm_unpinnable_pages() →
 * migrate_longterm_unpinnable_pages() — mm/gup.c, K6_1. A page that folio_is_longterm_pinnable()
 * refuses is migrated with migrate_pages(alloc_migration_target, GFP_USER | __GFP_NOWARN). The
 * pin runs inside memalloc_pin_save(), so current_gfp_context() strips __GFP_MOVABLE from the
 * target request (even a THP's GFP_TRANSHUGE): the target is an UNMOVABLE request — never CMA
 * (no ALLOC_CMA), placed with the UNMOVABLE lists and fallback (`pin.migrated`). True when the
 * page may now be pinned; false on -ENOMEM (`pin.enomem`). The `goto again` re-pin then finds
 * the new page pinnable: UNMOVABLE requests never get CMA pages (F1).
 */
export function checkAndMigrateMovablePages(state: ModelState, allocation: Allocation): boolean {
  if (folioIsLongtermPinnable(state, allocation)) return true;
  if (!migrateAllocation(state, allocation, MIGRATE_UNMOVABLE)) {
    countBehaviour(state, 'pin.enomem');
    return false;
  }
  countBehaviour(state, 'pin.migrated');
  return true;
}

/**
 * Mirrors folio_is_longterm_pinnable() → is_longterm_pinnable_page() — include/linux/mm.h, K6_1:
 * false when the pageblock of the folio's head page is CMA or ISOLATE (and for ZONE_MOVABLE and
 * device-coherent pages, which the model does not have). A page allocation of order > 0 is one
 * folio (a THP, state.ts pageCompound) or, for kernel allocations, pages that never sit in CMA
 * blocks (F1), so the head's block decides.
 */
export function folioIsLongtermPinnable(state: ModelState, allocation: Allocation): boolean {
  const mt = getPageblockMigratetype(state, allocation.pfn);
  return !isMigrateCma(mt) && !isMigrateIsolate(mt);
}
