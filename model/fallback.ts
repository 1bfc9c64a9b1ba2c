/**
 * Migratetype fallback of mm/page_alloc.c, K4_9 (kernel-semantics.md §3.1, §4.1, §4.2, §4.5,
 * §4.6, §12.14, §12.15): what __rmqueue does when the requested type's lists are empty.
 *
 * K4_9 in one paragraph: a MOVABLE request first tries the CMA lists (__rmqueue_cma_fallback);
 * then every request takes the LARGEST free block of a fallback type (table order breaks ties at
 * one order), steals its pageblock(s) when the block is big enough or the request is not
 * MOVABLE, and splits the block onto the REQUESTED type's lists. CMA and ISOLATE lists are never
 * a fallback source (F2).
 *
 * Not in scope: HIGHATOMIC reserve/unreserve (§4.7), watermarks (§4.8), compaction's
 * only_stealable callers of find_suitable_fallback.
 */
import { assert } from '../src/core/assert.ts';
import {
  FALLBACKS, MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_RECLAIMABLE,
  MIGRATE_TYPES, MIGRATE_UNMOVABLE, type Migratetype, migratetypeLetter,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { delFromFreeList, expand, moveToFreeList, rmqueueSmallest } from './buddy.ts';
import { changePageblockRange, setPageblockMigratetype } from './pageblock.ts';
import { type ModelState, type Zone, countBehaviour } from './state.ts';

/** A block taken by __rmqueue: its head and the free list it was found on. */
export interface Rmqueued {
  pfn: Pfn;
  sourceList: Migratetype;
}

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
  return order >= Math.floor(pageblockOrder / 2)
    || startMt === MIGRATE_RECLAIMABLE
    || startMt === MIGRATE_UNMOVABLE
    || state.world.mobilityGroupingDisabled;
}

/**
 * Mirrors find_suitable_fallback(area, order, mt, only_stealable = false, &can_steal) —
 * mm/page_alloc.c, K4_9 (kernel-semantics.md §4.2 step 1a, §12.14). `nr_free` counts every list
 * of the order (CMA and ISOLATE too), so it is only an early skip; the first fallback type of the
 * table with a non-empty list at `order` wins.
 */
export function findSuitableFallback(
  state: ModelState, zone: Zone, order: number, startMt: Migratetype,
): { fallbackMt: Migratetype; canSteal: boolean } | null {
  assert(startMt < MIGRATE_PCPTYPES, `findSuitableFallback: migratetype ${startMt} has no`
    + ' fallbacks ("Never used" rows of fallbacks[][])');
  const area = zone.freeArea[order];
  assert(area !== undefined, `findSuitableFallback: order ${order} has no free_area`);
  if (area.nrFree === 0) return null;
  for (const fallbackMt of FALLBACKS[startMt]) {
    if (area.freeList[fallbackMt].length === 0) continue;
    return { fallbackMt, canSteal: canStealFallback(state, order, startMt) };
  }
  return null;
}

/**
 * Mirrors move_freepages() — mm/page_alloc.c, K4_9 (kernel-semantics.md §3.1, §12.15). Moves
 * every free head in [startPfn, endPfn) to the HEAD of the `mt` list of its order, scanning
 * ascending, so afterwards the highest moved block of each order is first; a head already on
 * that list moves to its head too. A block whose head is in range moves whole even when it ends
 * past endPfn. Returns the pages moved. Block bits and vmstat are the caller's business.
 * The kernel's end_page is inclusive; `endPfn` is exclusive, as every endPfn in cmacheck.
 */
export function moveFreepages(
  state: ModelState, zone: Zone, startPfn: Pfn, endPfn: Pfn, mt: Migratetype,
): number {
  assert(state.world.profile === 'K4_9', 'moveFreepages: K6_1 moves to the list tail (§9 P9);'
    + ' only K4_9 is implemented');
  assert(startPfn >= zone.startPfn, `moveFreepages: start ${startPfn} below zone ${zone.name}`);
  assert(endPfn <= zone.endPfn, `moveFreepages: end ${endPfn} past zone ${zone.name}`);
  assert(mt < MIGRATE_TYPES, `moveFreepages: migratetype ${mt} invalid`);
  let pagesMoved = 0;
  for (let pfn = startPfn; pfn < endPfn;) {
    const order = state.buddyOrder[pfn];
    if (order < 0) {
      pfn++;
      continue;
    }
    moveToFreeList(state, zone, pfn, order, mt, false);
    pfn += 1 << order;
    pagesMoved += 1 << order;
  }
  return pagesMoved;
}

/**
 * Mirrors move_freepages_block() — mm/page_alloc.c, K4_9 (kernel-semantics.md §3.1): moves the
 * free pages of the pageblock holding `pfn`. A block start outside the zone is clipped to `pfn`
 * itself; a block end outside the zone moves nothing (0). Does not change the block's bits.
 */
export function moveFreepagesBlock(
  state: ModelState, zone: Zone, pfn: Pfn, mt: Migratetype,
): number {
  const pageblockPages = 1 << state.world.pageblockOrder;
  const blockStartPfn = pfn & ~(pageblockPages - 1);
  const blockEndPfn = blockStartPfn + pageblockPages; // exclusive; the kernel tests end − 1
  const startPfn = zoneSpansPfn(zone, blockStartPfn) ? blockStartPfn : pfn;
  if (!zoneSpansPfn(zone, blockEndPfn - 1)) return 0;
  return moveFreepages(state, zone, startPfn, blockEndPfn, mt);
}

/** zone_spans_pfn() — include/linux/mmzone.h. */
function zoneSpansPfn(zone: Zone, pfn: Pfn): boolean {
  return zone.startPfn <= pfn && pfn < zone.endPfn;
}

/**
 * Mirrors steal_suitable_fallback() — mm/page_alloc.c, K4_9 (kernel-semantics.md §4.6 K4_9).
 * `pfn` is a free head on a fallback list. A block of at least pageblock order takes all its
 * pageblocks (`fallback.stealRange`). A smaller one drags every free page of its pageblock to the
 * head of `startMt`'s lists, and the block changes type only when those pages are at least half
 * of it, or when mobility grouping is disabled (`fallback.claim`).
 */
export function stealSuitableFallback(
  state: ModelState, zone: Zone, pfn: Pfn, startMt: Migratetype,
): void {
  assert(state.world.profile === 'K4_9', 'stealSuitableFallback: K6_1 counts movable pages and'
    + ' may steal one page (§9 P7); only K4_9 is implemented');
  const currentOrder = state.buddyOrder[pfn];
  assert(currentOrder >= 0, `stealSuitableFallback: pfn ${pfn} is not a free head`);
  assert(startMt < MIGRATE_PCPTYPES, `stealSuitableFallback: pfn ${pfn} start type ${startMt}`);
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
 * Mirrors __rmqueue_fallback() — mm/page_alloc.c, K4_9 (kernel-semantics.md §4.2): from maxOrder
 * DOWN to `order`, the first order with a suitable fallback list gives its head block (so the
 * LARGEST block is always split); steal when allowed; then split onto the `startMt` lists, even
 * if the block stays of another type (§12.20). Counts `fallback.<request>-><list>` by letter.
 * `sourceList` is the fallback list the block was found on (never CMA or ISOLATE).
 */
export function rmqueueFallback(
  state: ModelState, zone: Zone, order: number, startMt: Migratetype,
): Rmqueued | null {
  assert(state.world.profile === 'K4_9', 'rmqueueFallback: K6_1 may pick the smallest block'
    + ' (§9 P6); only K4_9 is implemented');
  assert(order >= 0 && order <= state.world.maxOrder, `rmqueueFallback: order ${order} invalid`);
  for (let currentOrder = state.world.maxOrder; currentOrder >= order; currentOrder--) {
    const suitable = findSuitableFallback(state, zone, currentOrder, startMt);
    if (suitable === null) continue;
    const { fallbackMt, canSteal } = suitable;
    const pfn = zone.freeArea[currentOrder].freeList[fallbackMt][0];
    if (canSteal) stealSuitableFallback(state, zone, pfn, startMt);
    // The steal may have moved `pfn` to a startMt list; list_del() takes it from wherever it is.
    delFromFreeList(state, zone, pfn, currentOrder);
    expand(state, zone, pfn, order, currentOrder, startMt);
    const edge = `${migratetypeLetter(startMt)}->${migratetypeLetter(fallbackMt)}`;
    countBehaviour(state, `fallback.${edge}`);
    return { pfn, sourceList: fallbackMt };
  }
  return null;
}

/**
 * Mirrors __rmqueue() — mm/page_alloc.c, K4_9 (kernel-semantics.md §4.2): the request's own
 * lists; then, for MOVABLE only, the CMA lists (__rmqueue_cma_fallback, `alloc.cmaFallback`) —
 * so CMA is used only once no MOVABLE block of a large enough order is free; then fallback.
 * UNMOVABLE and RECLAIMABLE requests never reach a CMA list (F1).
 */
export function rmqueue(
  state: ModelState, zone: Zone, order: number, mt: Migratetype,
): Rmqueued | null {
  assert(state.world.profile === 'K4_9', 'rmqueue: K6_1 may prefer CMA first (§9 P5); only K4_9'
    + ' is implemented');
  assert(mt < MIGRATE_PCPTYPES, `rmqueue: migratetype ${mt} is not a request type`);
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
