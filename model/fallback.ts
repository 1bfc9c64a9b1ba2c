/**
 * Migratetype fallback of mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §3.1, §4.1–§4.6,
 * §4.9, §12.14, §12.15): what __rmqueue does when the requested type's lists are empty.
 *
 * K4_9 in one paragraph: a MOVABLE request first tries the CMA lists (__rmqueue_cma_fallback);
 * then every request takes the LARGEST free block of a fallback type (table order breaks ties at
 * one order), steals its pageblock(s) when the block is big enough or the request is not
 * MOVABLE, and splits the block onto the REQUESTED type's lists. CMA and ISOLATE lists are never
 * a fallback source (F2).
 *
 * K6_1 in one paragraph (§9 P5–P10): a request with ALLOC_CMA (MOVABLE) takes CMA first when
 * more than half of the zone's free pages are CMA; then its own lists, then CMA; then
 * __rmqueue_fallback only MOVES pages — the largest fallback block, or for a MOVABLE request
 * that may not steal the block the SMALLEST one — to the TAIL of the requested type's lists
 * (the whole pageblock's free pages when allowed, claiming the block when free + alike pages
 * reach half of it, else that one block), and `goto retry` allocates from there. With
 * ALLOC_NOFRAGMENT, blocks below pageblock order are not taken in the first pass.
 *
 * Not in scope: HIGHATOMIC reserve/unreserve (§4.7), watermarks and their boost (§4.8),
 * compaction's only_stealable callers of find_suitable_fallback.
 */
import { assert } from '../src/core/assert.ts';
import {
  FALLBACKS,
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_RECLAIMABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  type Migratetype,
  migratetypeLetter,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { delFromFreeList, expand, moveToFreeList, rmqueueSmallest } from './buddy.ts';
import {
  changePageblockRange,
  getPageblockMigratetype,
  setPageblockMigratetype,
} from './pageblock.ts';
import { type ModelState, type Zone, countBehaviour, pageLru } from './state.ts';

/** A block taken by __rmqueue: its head and the free list it was found on. */
export interface Rmqueued {
  pfn: Pfn;
  sourceList: Migratetype;
}

/**
 * The alloc_flags bits __rmqueue reads — mm/internal.h: ALLOC_CMA (set for MOVABLE requests by
 * gfp_to_alloc_flags_cma, §1.5) and ALLOC_NOFRAGMENT (alloc_flags_nofragment, §4.9). K4_9's
 * __rmqueue reads neither (it goes by the migratetype; ALLOC_CMA only feeds watermarks there).
 */
export interface AllocFlags {
  cma: boolean;
  nofragment: boolean;
}

const NO_ALLOC_FLAGS: AllocFlags = { cma: false, nofragment: false };

/**
 * Mirrors can_steal_fallback() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §4.5).
 * May a request of `startMt` take over the pageblock of a fallback block of `order`? `order` is
 * the order of the free block considered, not the request's (§12.14). Only MOVABLE requests
 * meeting a small block (order < pageblockOrder / 2) are refused.
 */
export function canStealFallback(state: ModelState, order: number, startMt: Migratetype): boolean {
  const pageblockOrder = state.world.pageblockOrder;
  // The first test is redundant with the second; the kernel keeps it as the "whole block" case.
  if (order >= pageblockOrder) return true;
  return (
    order >= Math.floor(pageblockOrder / 2) ||
    startMt === MIGRATE_RECLAIMABLE ||
    startMt === MIGRATE_UNMOVABLE ||
    state.world.mobilityGroupingDisabled
  );
}

/**
 * Mirrors find_suitable_fallback(area, order, mt, only_stealable = false, &can_steal) —
 * mm/page_alloc.c, the same in K4_9 and K6_1 (kernel-semantics.md §4.2 step 1a, §12.14).
 * `nr_free` counts every list of the order (CMA and ISOLATE too), so it is only an early skip;
 * the first fallback type of the table with a non-empty list at `order` wins.
 */
export function findSuitableFallback(
  state: ModelState,
  zone: Zone,
  order: number,
  startMt: Migratetype,
): { fallbackMt: Migratetype; canSteal: boolean } | null {
  assert(
    startMt < MIGRATE_PCPTYPES,
    () =>
      `findSuitableFallback: migratetype ${startMt} has no` +
      ' fallbacks ("Never used" rows of fallbacks[][])',
  );
  const area = zone.freeArea[order];
  assert(area !== undefined, () => `findSuitableFallback: order ${order} has no free_area`);
  if (area.nrFree === 0) return null;
  for (const fallbackMt of FALLBACKS[startMt]) {
    if (area.freeList[fallbackMt].length === 0) continue;
    return { fallbackMt, canSteal: canStealFallback(state, order, startMt) };
  }
  return null;
}

/**
 * Mirrors move_freepages() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §3.1, §12.15).
 * Moves every free head in [startPfn, endPfn) to the `mt` list of its order, scanning ascending;
 * K4_9 list_move()s to the HEAD, so afterwards the highest moved block of each order is first (a
 * head already on that list moves to its head too); K6_1 move_to_free_list()s to the TAIL
 * (§9 P9), so the lowest comes first. A block whose head is in range moves whole even when it
 * ends past endPfn. Returns the pages moved. Block bits and vmstat are the caller's business;
 * K6_1's num_movable count is countMovablePages(). The kernel's end_page is inclusive; `endPfn`
 * is exclusive, as every endPfn in cmacheck.
 */
export function moveFreepages(
  state: ModelState,
  zone: Zone,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): number {
  assert(
    startPfn >= zone.startPfn,
    () => `moveFreepages: start ${startPfn} below zone ${zone.name}`,
  );
  assert(endPfn <= zone.endPfn, () => `moveFreepages: end ${endPfn} past zone ${zone.name}`);
  assert(mt < MIGRATE_TYPES, () => `moveFreepages: migratetype ${mt} invalid`);
  const tail = moveFreepagesToTail(state);
  let pagesMoved = 0;
  for (let pfn = startPfn; pfn < endPfn;) {
    const order = state.buddyOrder[pfn];
    if (order < 0) {
      pfn++;
      continue;
    }
    moveToFreeList(state, zone, pfn, order, mt, tail);
    pfn += 1 << order;
    pagesMoved += 1 << order;
  }
  return pagesMoved;
}

/** The list end move_freepages() moves to (§3.1, §9 P9): K4_9 list_move (head), K6_1 tail. */
function moveFreepagesToTail(state: ModelState): boolean {
  switch (state.world.profile) {
    case 'K4_9':
      return false;
    case 'K6_1':
      return true;
  }
}

/**
 * Mirrors move_freepages_block() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §3.1):
 * moves the free pages of the pageblock holding `pfn`. A block start outside the zone is clipped
 * to `pfn` itself; a block end outside the zone moves nothing (0). Does not change the block's
 * bits.
 */
export function moveFreepagesBlock(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  mt: Migratetype,
): number {
  const range = moveFreepagesBlockRange(state, zone, pfn);
  if (range === null) return 0;
  return moveFreepages(state, zone, range.startPfn, range.endPfn, mt);
}

/** The [start, end) move_freepages_block() scans, or null when the block end leaves the zone. */
function moveFreepagesBlockRange(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
): { startPfn: Pfn; endPfn: Pfn } | null {
  const pageblockPages = 1 << state.world.pageblockOrder;
  const blockStartPfn = pfn & ~(pageblockPages - 1);
  const blockEndPfn = blockStartPfn + pageblockPages; // exclusive; the kernel tests end − 1
  const startPfn = zoneSpansPfn(zone, blockStartPfn) ? blockStartPfn : pfn;
  if (!zoneSpansPfn(zone, blockEndPfn - 1)) return null;
  return { startPfn, endPfn: blockEndPfn };
}

/**
 * Mirrors the `*num_movable` count of move_freepages_block() — mm/page_alloc.c, K6_1
 * (kernel-semantics.md §3.1, §4.6 step 5): the pfns of the same range that are not in a free
 * buddy and are PageLRU || __PageMovable. The model's LRU pages are the pages of MOVABLE page
 * allocations (pageLru; an order > 0 one is a THP, whose every page reports its head's PageLRU),
 * pinned or not; nothing is __PageMovable. Moving free pages changes no owner, so counting
 * before or after the move is the same. 0 when the block end leaves the zone.
 */
export function countMovablePages(state: ModelState, zone: Zone, pfn: Pfn): number {
  const range = moveFreepagesBlockRange(state, zone, pfn);
  if (range === null) return 0;
  let movablePages = 0;
  for (let page = range.startPfn; page < range.endPfn; page++) {
    const allocation = state.allocations.get(state.owner[page]);
    if (allocation !== undefined && pageLru(allocation)) movablePages++;
  }
  return movablePages;
}

/** zone_spans_pfn() — include/linux/mmzone.h. */
function zoneSpansPfn(zone: Zone, pfn: Pfn): boolean {
  return zone.startPfn <= pfn && pfn < zone.endPfn;
}

/**
 * Mirrors steal_suitable_fallback() — mm/page_alloc.c (kernel-semantics.md §4.6): `pfn` is a
 * free head on a fallback list; `wholeBlock` is can_steal (K6_1 passes it; K4_9 only calls this
 * when it is true). The profiles differ in what they move, where, and how they decide to claim
 * the pageblock (§9 P7, P9).
 */
export function stealSuitableFallback(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  startMt: Migratetype,
  wholeBlock = true,
): void {
  const currentOrder = state.buddyOrder[pfn];
  assert(currentOrder >= 0, () => `stealSuitableFallback: pfn ${pfn} is not a free head`);
  assert(
    startMt < MIGRATE_PCPTYPES,
    () => `stealSuitableFallback: pfn ${pfn} start type ${startMt}`,
  );
  switch (state.world.profile) {
    case 'K4_9':
      assert(wholeBlock, () => `stealSuitableFallback: pfn ${pfn}: K4_9 steals only when it may`);
      return stealSuitableFallbackK4_9(state, zone, pfn, currentOrder, startMt);
    case 'K6_1':
      return stealSuitableFallbackK6_1(state, zone, pfn, currentOrder, startMt, wholeBlock);
  }
}

/**
 * steal_suitable_fallback(zone, page, start_type) — K4_9 (§4.6 K4_9). A block of at least
 * pageblock order takes all its pageblocks (`fallback.stealRange`). A smaller one drags every
 * free page of its pageblock to the head of `startMt`'s lists, and the block changes type only
 * when those pages are at least half of it, or when mobility grouping is disabled
 * (`fallback.claim`).
 */
function stealSuitableFallbackK4_9(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  currentOrder: number,
  startMt: Migratetype,
): void {
  const pageblockOrder = state.world.pageblockOrder;
  if (currentOrder >= pageblockOrder) {
    changePageblockRange(state, pfn, currentOrder, startMt);
    countBehaviour(state, 'fallback.stealRange');
    return;
  }
  const pagesMoved = moveFreepagesBlock(state, zone, pfn, startMt);
  if (pagesMoved >= 1 << (pageblockOrder - 1) || state.world.mobilityGroupingDisabled) {
    setPageblockMigratetype(state, pfn, startMt);
    countBehaviour(state, 'fallback.claim');
  }
}

/**
 * steal_suitable_fallback(zone, page, alloc_flags, start_type, whole_block) — K6_1 (§4.6 K6_1):
 *  - a HIGHATOMIC block: only the page moves (never in the model: no HIGHATOMIC blocks);
 *  - a block of at least pageblock order: all its pageblocks change type, then the page moves
 *    (`fallback.stealRange`);
 *  - (boost_watermark(): watermarks are not modelled;)
 *  - not whole_block: only the page moves (`fallback.singlePage`);
 *  - else every free page of the pageblock moves to the TAIL of `startMt`'s lists, and the block
 *    is claimed when free + alike ≥ half of it (or grouping is off) (`fallback.claim`); alike =
 *    the LRU pages for a MOVABLE request; for UNMOVABLE/RECLAIMABLE the pages neither free nor
 *    LRU when the block was MOVABLE, else 0. Nothing moved (block end outside the zone) → only
 *    the page moves.
 * "The page moves" = move_to_free_list(): the TAIL of `startMt`'s list of its order.
 */
function stealSuitableFallbackK6_1(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  currentOrder: number,
  startMt: Migratetype,
  wholeBlock: boolean,
): void {
  const pageblockOrder = state.world.pageblockOrder;
  const oldBlockType = getPageblockMigratetype(state, pfn);
  let singlePage = !wholeBlock || oldBlockType === MIGRATE_HIGHATOMIC;
  if (oldBlockType !== MIGRATE_HIGHATOMIC && currentOrder >= pageblockOrder) {
    changePageblockRange(state, pfn, currentOrder, startMt);
    countBehaviour(state, 'fallback.stealRange');
    singlePage = true;
  }
  if (!singlePage) {
    const freePages = moveFreepagesBlock(state, zone, pfn, startMt);
    const movablePages = countMovablePages(state, zone, pfn);
    const alikePages =
      startMt === MIGRATE_MOVABLE
        ? movablePages
        : oldBlockType === MIGRATE_MOVABLE
          ? (1 << pageblockOrder) - (freePages + movablePages)
          : 0;
    if (freePages === 0)
      singlePage = true; // moving the whole block fails at a zone edge
    else if (
      freePages + alikePages >= 1 << (pageblockOrder - 1) ||
      state.world.mobilityGroupingDisabled
    ) {
      setPageblockMigratetype(state, pfn, startMt);
      countBehaviour(state, 'fallback.claim');
    }
  }
  if (!singlePage) return;
  if (currentOrder < pageblockOrder) countBehaviour(state, 'fallback.singlePage');
  moveToFreeList(state, zone, pfn, currentOrder, startMt, true);
}

/**
 * Mirrors __rmqueue_fallback() — mm/page_alloc.c, K4_9 (kernel-semantics.md §4.2): from maxOrder
 * DOWN to `order`, the first order with a suitable fallback list gives its head block (so the
 * LARGEST block is always split); steal when allowed; then split onto the `startMt` lists, even
 * if the block stays of another type (§12.20). Counts `fallback.<request>-><list>` by letter.
 * `sourceList` is the fallback list the block was found on (never CMA or ISOLATE).
 */
export function rmqueueFallback(
  state: ModelState,
  zone: Zone,
  order: number,
  startMt: Migratetype,
): Rmqueued | null {
  assert(
    state.world.profile === 'K4_9',
    'rmqueueFallback: the K4_9 __rmqueue_fallback; K6_1' + ' has rmqueueFallbackK6_1 (§9 P6)',
  );
  assert(
    order >= 0 && order <= state.world.maxOrder,
    () => `rmqueueFallback: order ${order} invalid`,
  );
  for (let currentOrder = state.world.maxOrder; currentOrder >= order; currentOrder--) {
    const suitable = findSuitableFallback(state, zone, currentOrder, startMt);
    if (suitable === null) continue;
    const { fallbackMt, canSteal } = suitable;
    const pfn = zone.freeArea[currentOrder].freeList[fallbackMt][0];
    if (canSteal) stealSuitableFallback(state, zone, pfn, startMt);
    // The steal may have moved `pfn` to a startMt list; list_del() takes it from wherever it is.
    delFromFreeList(state, zone, pfn, currentOrder);
    expand(state, zone, pfn, order, currentOrder, startMt);
    countBehaviour(state, `fallback.${fallbackEdge(startMt, fallbackMt)}`);
    return { pfn, sourceList: fallbackMt };
  }
  return null;
}

/** `U->M`: a request of the first type served from a list of the second (behaviour names). */
function fallbackEdge(startMt: Migratetype, fallbackMt: Migratetype): string {
  return `${migratetypeLetter(startMt)}->${migratetypeLetter(fallbackMt)}`;
}

/**
 * Mirrors __rmqueue_fallback(zone, order, start_migratetype, alloc_flags) — mm/page_alloc.c,
 * K6_1 (kernel-semantics.md §4.3, §4.9; §9 P6, P10). Moves a block onto the `startMt` lists (the
 * caller's `goto retry` then allocates from there) and returns the fallback type it was found on
 * — the kernel returns true — or null (false); it allocates nothing itself.
 *  1. min_order = order, raised to pageblock order under ALLOC_NOFRAGMENT for small requests;
 *  2. from maxOrder DOWN to min_order, the first order with a suitable fallback list; but when
 *     the block may not be stolen whole, the request is MOVABLE and the block is larger than
 *     needed → find_smallest: from `order` UP, the first order with a suitable list
 *     (`fallback.findSmallest`) — a small split does no lasting harm to another block;
 *  3. do_steal: the head of that list goes to steal_suitable_fallback(whole_block = can_steal).
 * Counts `fallback.<request>-><list>` as K4_9 does, and `fallback.belowPageblock` for a block
 * under pageblock order (the case where the two profiles part ways, §9 P6–P9).
 */
export function rmqueueFallbackK6_1(
  state: ModelState,
  zone: Zone,
  order: number,
  startMt: Migratetype,
  flags: AllocFlags,
): Migratetype | null {
  assert(state.world.profile === 'K6_1', 'rmqueueFallbackK6_1: K6_1 only');
  assert(
    order >= 0 && order <= state.world.maxOrder,
    () => `rmqueueFallback: order ${order} invalid`,
  );
  const pageblockOrder = state.world.pageblockOrder;
  const minOrder = order < pageblockOrder && flags.nofragment ? pageblockOrder : order;
  for (let currentOrder = state.world.maxOrder; currentOrder >= minOrder; currentOrder--) {
    const suitable = findSuitableFallback(state, zone, currentOrder, startMt);
    if (suitable === null) continue;
    if (!suitable.canSteal && startMt === MIGRATE_MOVABLE && currentOrder > order) {
      countBehaviour(state, 'fallback.findSmallest');
      return doSteal(state, zone, findSmallest(state, zone, order, startMt), startMt);
    }
    return doSteal(state, zone, { currentOrder, ...suitable }, startMt);
  }
  return null;
}

interface FallbackChoice {
  currentOrder: number;
  fallbackMt: Migratetype;
  canSteal: boolean;
}

/**
 * The `find_smallest:` loop of __rmqueue_fallback() (K6_1): from `order` up, the first order
 * with a suitable fallback list, can_steal recomputed there. The largest-first loop already
 * found one, so the search cannot come back empty (the kernel's VM_BUG_ON, asserted).
 */
function findSmallest(
  state: ModelState,
  zone: Zone,
  order: number,
  startMt: Migratetype,
): FallbackChoice {
  for (let currentOrder = order; currentOrder <= state.world.maxOrder; currentOrder++) {
    const suitable = findSuitableFallback(state, zone, currentOrder, startMt);
    if (suitable !== null) return { currentOrder, ...suitable };
  }
  assert(
    false,
    () => `findSmallest: no fallback from order ${order} up although a larger one exists`,
  );
}

/** The `do_steal:` tail of __rmqueue_fallback() (K6_1): steal, count, name the list used. */
function doSteal(
  state: ModelState,
  zone: Zone,
  choice: FallbackChoice,
  startMt: Migratetype,
): Migratetype {
  const { currentOrder, fallbackMt, canSteal } = choice;
  const pfn = zone.freeArea[currentOrder].freeList[fallbackMt][0]; // get_page_from_free_area
  stealSuitableFallback(state, zone, pfn, startMt, canSteal);
  countBehaviour(state, `fallback.${fallbackEdge(startMt, fallbackMt)}`);
  if (currentOrder < state.world.pageblockOrder) countBehaviour(state, 'fallback.belowPageblock');
  return fallbackMt;
}

/**
 * Mirrors __rmqueue() — mm/page_alloc.c (kernel-semantics.md §4.2, §4.3; §9 P5): the profile's
 * order of lists for one zone. `flags` matter in K6_1 only (AllocFlags).
 */
export function rmqueue(
  state: ModelState,
  zone: Zone,
  order: number,
  mt: Migratetype,
  flags: AllocFlags = NO_ALLOC_FLAGS,
): Rmqueued | null {
  assert(mt < MIGRATE_PCPTYPES, () => `rmqueue: migratetype ${mt} is not a request type`);
  switch (state.world.profile) {
    case 'K4_9':
      return rmqueueK4_9(state, zone, order, mt);
    case 'K6_1':
      return rmqueueK6_1(state, zone, order, mt, flags);
  }
}

/**
 * __rmqueue(zone, order, migratetype) — K4_9 (§4.2): the request's own lists; then, for
 * MOVABLE only, the CMA lists (__rmqueue_cma_fallback, `alloc.cmaFallback`) — so CMA is used
 * only once no MOVABLE block of a large enough order is free; then fallback. UNMOVABLE and
 * RECLAIMABLE requests never reach a CMA list (F1).
 */
function rmqueueK4_9(
  state: ModelState,
  zone: Zone,
  order: number,
  mt: Migratetype,
): Rmqueued | null {
  const own = rmqueueSmallest(state, zone, order, mt);
  if (own !== null) return { pfn: own, sourceList: mt };
  if (mt === MIGRATE_MOVABLE) {
    const cma = rmqueueSmallest(state, zone, order, MIGRATE_CMA);
    if (cma !== null) {
      countBehaviour(state, 'alloc.cmaFallback');
      return { pfn: cma, sourceList: MIGRATE_CMA };
    }
  }
  return rmqueueFallback(state, zone, order, mt);
}

/**
 * __rmqueue(zone, order, migratetype, alloc_flags) — K6_1 (§4.3):
 *  1. ALLOC_CMA and NR_FREE_CMA_PAGES > NR_FREE_PAGES / 2 (integer division, zone counters):
 *     the CMA lists first ("balance movable allocations between regular and CMA areas",
 *     `alloc.cmaBalance`);
 *  2. retry: the request's own lists; then, with ALLOC_CMA, the CMA lists (`alloc.cmaFallback`);
 *  3. __rmqueue_fallback() moved a block onto the own lists → `goto retry`. Those lists were empty
 *     at every order ≥ `order`, so the retry takes the smallest moved block (asserted). Its
 *     source list is reported as the fallback list the steal took from, as in K4_9 (the kernel
 *     takes it off the request's own list, where the steal put it; accounting is the same).
 * UNMOVABLE and RECLAIMABLE requests never have ALLOC_CMA (F1).
 */
function rmqueueK6_1(
  state: ModelState,
  zone: Zone,
  order: number,
  mt: Migratetype,
  flags: AllocFlags,
): Rmqueued | null {
  assert(!flags.cma || mt === MIGRATE_MOVABLE, () => `rmqueue: ALLOC_CMA for migratetype ${mt}`);
  if (flags.cma && zone.nrFreeCmaPages > Math.floor(zone.nrFreePages / 2)) {
    const balanced = rmqueueSmallest(state, zone, order, MIGRATE_CMA);
    if (balanced !== null) {
      countBehaviour(state, 'alloc.cmaBalance');
      return { pfn: balanced, sourceList: MIGRATE_CMA };
    }
  }
  const own = rmqueueSmallest(state, zone, order, mt);
  if (own !== null) return { pfn: own, sourceList: mt };
  if (flags.cma) {
    const cma = rmqueueSmallest(state, zone, order, MIGRATE_CMA);
    if (cma !== null) {
      countBehaviour(state, 'alloc.cmaFallback');
      return { pfn: cma, sourceList: MIGRATE_CMA };
    }
  }
  const fallbackMt = rmqueueFallbackK6_1(state, zone, order, mt, flags);
  if (fallbackMt === null) return null;
  const retried = rmqueueSmallest(state, zone, order, mt); // goto retry
  assert(
    retried !== null,
    () => `rmqueue: retry after a fallback steal found no order-${order} block`,
  );
  return { pfn: retried, sourceList: fallbackMt };
}
