/**
 * CMA activation at core_initcall time (kernel-semantics.md §5.5, §12.10; §9 P22): each
 * registered area gets its bitmap and its pageblocks enter the buddy as MIGRATE_CMA. The
 * profiles differ in what a failure costs: K4_9 stops at the first failed area and leaves the
 * blocks it already initialised as CMA; K6_1 checks the whole area before touching it, gives a
 * failed area's pages to the buddy as ordinary memory, and goes on with the next area.
 */
import { MIGRATE_CMA } from '../src/core/migratetype.ts';
import { freePages } from './allocPages.ts';
import { setPageblockMigratetype } from './pageblock.ts';
import { type CmaArea, type ModelState, OWNER_NONE, countBehaviour, zoneOfPfn } from './state.ts';

const EINVAL = -22;

/**
 * Mirrors cma_init_reserved_areas() — mm/cma.c: activates areas in registration order.
 *   K4_9: stops at the first failure; the areas after it keep their count but never get a
 *         bitmap (state 'inactive': a later cma_alloc on them would dereference NULL, §12.10).
 *   K6_1: every area is attempted; cma_activate_area() returns nothing (failures are printed).
 * Counts `boot.activationFailed` per failed area.
 */
export function cmaInitReservedAreas(state: ModelState): void {
  for (const area of state.cmaAreas) {
    if (cmaActivateArea(state, area) === 0) continue;
    countBehaviour(state, 'boot.activationFailed');
    if (state.world.profile === 'K4_9') return;
  }
}

/** Mirrors cma_activate_area() — mm/cma.c (§5.5): 0 or -EINVAL, per profile. */
export function cmaActivateArea(state: ModelState, area: CmaArea): number {
  switch (state.world.profile) {
    case 'K4_9':
      return cmaActivateAreaK4_9(state, area);
    case 'K6_1':
      return cmaActivateAreaK6_1(state, area);
  }
}

/**
 * Is `pfn` a valid pfn in `zone`? DEVIATION (both profiles): the kernel only WARNs on an invalid
 * pfn (an area past the end of memory) and then reads a garbage zone; the model treats any
 * invalid pfn like a zone mismatch: the activation fails.
 */
function pfnInZone(state: ModelState, pfn: number, zoneIndex: number | null): boolean {
  return zoneIndex !== null && pfn < state.world.pages && zoneOfPfn(state, pfn).index === zoneIndex;
}

/** The zone of base_pfn, or null when base_pfn is past memory (see pfnInZone). */
function zoneIndexOfBase(state: ModelState, area: CmaArea): number | null {
  return area.basePfn < state.world.pages ? zoneOfPfn(state, area.basePfn).index : null;
}

/**
 * cma_activate_area() — K4_9. Walks the area pageblock by pageblock; every pfn of a block must lie
 * in the zone of base_pfn, checked *before* that block is initialised, so on a zone change the
 * blocks already done stay CMA in the buddy and the rest stay reserved. On failure: bitmap freed,
 * count = 0, -EINVAL, no message in K4_9; totalcma_pages is not reduced.
 */
function cmaActivateAreaK4_9(state: ModelState, area: CmaArea): number {
  const blockPages = 1 << state.world.pageblockOrder;
  const zoneIndex = zoneIndexOfBase(state, area);
  for (let blockPfn = area.basePfn; blockPfn < area.basePfn + area.count; blockPfn += blockPages) {
    for (let pfn = blockPfn; pfn < blockPfn + blockPages; pfn++) {
      if (pfnInZone(state, pfn, zoneIndex)) continue;
      area.bitmap = null;
      area.count = 0;
      area.state = 'failed';
      return EINVAL;
    }
    initCmaReservedPageblock(state, blockPfn);
  }
  area.bitmap = new Array<boolean>(area.count >> area.orderPerBit).fill(false);
  area.state = 'active';
  return 0;
}

/**
 * cma_activate_area() — K6_1. Bitmap first; then every pfn of the area must lie in the zone of
 * base_pfn, checked for the whole area before any block is touched; then every block is
 * initialised. On failure (`not_in_zone:`): bitmap freed, every page of the area handed to the
 * buddy as ordinary memory with free_reserved_page() (reserve_pages_on_error is never set for
 * these areas), totalcma_pages −= count, count = 0, pr_err "CMA area %s could not be activated".
 */
function cmaActivateAreaK6_1(state: ModelState, area: CmaArea): number {
  const blockPages = 1 << state.world.pageblockOrder;
  const zoneIndex = zoneIndexOfBase(state, area);
  for (let pfn = area.basePfn; pfn < area.basePfn + area.count; pfn++) {
    if (pfnInZone(state, pfn, zoneIndex)) continue;
    // DEVIATION: pages past the end of memory do not exist in the model; only real ones are freed.
    for (
      let page = area.basePfn;
      page < Math.min(area.basePfn + area.count, state.world.pages);
      page++
    )
      freeReservedPage(state, page);
    state.totalcmaPages -= area.count;
    area.bitmap = null;
    area.count = 0;
    area.state = 'failed';
    state.bootReport.messages.push(`cma: CMA area ${area.name} could not be activated`);
    return EINVAL;
  }
  for (let blockPfn = area.basePfn; blockPfn < area.basePfn + area.count; blockPfn += blockPages) {
    initCmaReservedPageblock(state, blockPfn);
  }
  area.bitmap = new Array<boolean>(area.count >> area.orderPerBit).fill(false);
  area.state = 'active';
  return 0;
}

/**
 * Mirrors free_reserved_page() — include/linux/mm.h, K6_1 (§5.5 K6_1 step 4): ClearPageReserved,
 * __free_page() — an order-0 free with its pageblock's type (MOVABLE from memmap init: a failed
 * K6_1 area never touched its blocks), merging and placed by rule T — and
 * adjust_managed_page_count(+1) for the page's zone.
 */
export function freeReservedPage(state: ModelState, pfn: number): void {
  state.owner[pfn] = OWNER_NONE;
  freePages(state, pfn, 0);
  zoneOfPfn(state, pfn).managedPages += 1;
}

/**
 * Mirrors init_cma_reserved_pageblock() — mm/page_alloc.c, K4_9 and K6_1: clear PageReserved, set
 * the block MIGRATE_CMA, free it as one order-pageblock_order block through __free_pages (so it
 * merges and is placed by the normal free path), then adjust_managed_page_count(+pageblock_nr_
 * pages) (K6_1 also zone->cma_pages, which nothing in the model reads). pageblockOrder ≤
 * maxOrder is a world rule, so K4_9's PB ≥ MAX_ORDER branch cannot arise.
 */
export function initCmaReservedPageblock(state: ModelState, blockPfn: number): void {
  const order = state.world.pageblockOrder;
  for (let pfn = blockPfn; pfn < blockPfn + (1 << order); pfn++) state.owner[pfn] = OWNER_NONE;
  setPageblockMigratetype(state, blockPfn, MIGRATE_CMA);
  freePages(state, blockPfn, order);
  zoneOfPfn(state, blockPfn).managedPages += 1 << order;
}
