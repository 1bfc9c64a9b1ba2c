/**
 * CMA activation at core_initcall time (kernel-semantics.md §5.5, §12.10): each registered area
 * gets its bitmap and its pageblocks enter the buddy as MIGRATE_CMA.
 */
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import { freePages } from './allocPages.ts';
import { setPageblockMigratetype } from './pageblock.ts';
import { type CmaArea, type ModelState, OWNER_NONE, zoneOfPfn } from './state.ts';

/**
 * Mirrors cma_init_reserved_areas() — mm/cma.c, K4_9: activates areas in registration order and
 * stops at the first failure; the areas after it keep their count but never get a bitmap
 * (state 'inactive': a later cma_alloc on them would dereference NULL, §12.10).
 */
export function cmaInitReservedAreas(state: ModelState): void {
  for (const area of state.cmaAreas) {
    if (cmaActivateArea(state, area) !== 0) {
      state.stats['boot.activationFailed'] = (state.stats['boot.activationFailed'] ?? 0) + 1;
      return;
    }
  }
}

/**
 * Mirrors cma_activate_area() — mm/cma.c, K4_9. Walks the area pageblock by pageblock; every pfn
 * of a block must lie in the zone of base_pfn, checked *before* that block is initialised, so on
 * a zone change the blocks already done stay CMA in the buddy and the rest stay reserved. On
 * failure: bitmap freed, count = 0, -EINVAL, no message in K4_9; totalcma_pages is not reduced.
 */
export function cmaActivateArea(state: ModelState, area: CmaArea): number {
  const blockPages = 1 << state.world.pageblockOrder;
  // DEVIATION: K4_9 only WARNs on an invalid pfn (an area past the end of memory, which
  // cma_declare_contiguous never checks) and then reads a garbage zone; the model treats any
  // invalid pfn like a zone mismatch: the activation fails.
  const valid = (pfn: number): boolean => pfn < state.world.pages;
  const zone = valid(area.basePfn) ? zoneOfPfn(state, area.basePfn) : null;
  for (let blockPfn = area.basePfn; blockPfn < area.basePfn + area.count; blockPfn += blockPages) {
    for (let pfn = blockPfn; pfn < blockPfn + blockPages; pfn++) {
      if (zone === null || !valid(pfn) || zoneOfPfn(state, pfn) !== zone) {
        area.bitmap = null;
        area.count = 0;
        area.state = 'failed';
        return -22; // -EINVAL
      }
    }
    initCmaReservedPageblock(state, blockPfn);
  }
  area.bitmap = new Array<boolean>(area.count >> area.orderPerBit).fill(false);
  area.state = 'active';
  return 0;
}

/**
 * Mirrors init_cma_reserved_pageblock() — mm/page_alloc.c, K4_9: clear PageReserved, set the
 * block MIGRATE_CMA, free it as one order-pageblock_order block through __free_pages (so it merges
 * and is placed by the normal free path), then adjust_managed_page_count(+pageblock_nr_pages).
 * pageblockOrder ≤ maxOrder is a world rule, so the PB ≥ MAX_ORDER branch cannot arise.
 */
export function initCmaReservedPageblock(state: ModelState, blockPfn: number): void {
  const order = state.world.pageblockOrder;
  for (let pfn = blockPfn; pfn < blockPfn + (1 << order); pfn++) state.owner[pfn] = OWNER_NONE;
  setPageblockMigratetype(state, blockPfn, MIGRATE_CMA);
  freePages(state, blockPfn, order);
  zoneOfPfn(state, blockPfn).managedPages += 1 << order;
}
