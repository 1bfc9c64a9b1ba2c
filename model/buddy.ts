/**
 * The buddy allocator core of mm/page_alloc.c (kernel-semantics.md §2.1–§2.5, §12.1, §12.17–19):
 * free lists, buddy arithmetic, splitting (expand) and merging (__free_one_page). The same code
 * in K4_9 and K6_1 except two switches of __free_one_page: which buddies may merge at or above
 * pageblock order (§9 P11, mergeForbiddenAbovePageblock) and K6_1's FPI_TO_TAIL (§9 P14).
 *
 * Free lists are `zone.freeArea[order].freeList[mt]` arrays with the list HEAD AT INDEX 0:
 * list_add = unshift, list_add_tail = push, the allocator takes index 0 (list_first_entry).
 * `state.buddyOrder[pfn]` is page_private of a PageBuddy head (-1 for every other pfn) and
 * `state.owner[pfn]` is OWNER_NONE for every page of a free block.
 *
 * Not in scope: pcp lists (off, docs/MODEL.md), guard pages (§8.4), HIGHATOMIC reserves, vmstat
 * accounting on allocation (K4_9 does it in buffered_rmqueue: model/allocPages.ts).
 */
import { assert, maybe } from '../src/core/assert.ts';
import {
  MIGRATE_TYPES,
  type Migratetype,
  isMigrateCma,
  isMigrateIsolate,
  migratetypeIsMergeable,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { getPageblockMigratetype } from './pageblock.ts';
import {
  type ModelState,
  OWNER_NONE,
  OWNER_RESERVED,
  type Zone,
  recordMax,
  zoneOfPfn,
} from './state.ts';

/**
 * Mirrors __find_buddy_index() — mm/internal.h, K4_9 and K6_1 (kernel-semantics.md §2.1). The
 * kernel works on the index inside the MAX_ORDER block; for order < MAX_ORDER the result is the
 * same pfn.
 */
export function findBuddyPfn(pfn: Pfn, order: number): Pfn {
  return pfn ^ (1 << order);
}

/**
 * Mirrors page_is_buddy() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §2.2): may a block
 * of `order` in `zone` merge with `buddyPfn`? The buddy must be a valid pfn (memory has no holes;
 * a pfn past the last page is never a free buddy, §12.1), a free head of exactly `order`, and in
 * the same zone — the check that stops merging across zone boundaries.
 */
export function pageIsBuddy(state: ModelState, zone: Zone, buddyPfn: Pfn, order: number): boolean {
  if (buddyPfn < 0 || buddyPfn >= state.world.pages) return false;
  if (state.buddyOrder[buddyPfn] !== order) return false;
  return zoneOfPfn(state, buddyPfn).index === zone.index;
}

/**
 * Mirrors list_del()'s implicit knowledge of the list holding page->lru — mm/page_alloc.c, K4_9 and
 * K6_1 (kernel-semantics.md §1.3): which free list holds the free head `pfn` of `order`. The kernel
 * needs no search (the entry knows its neighbours); the model searches so that callers need not
 * remember the list type.
 */
export function freeListTypeOf(zone: Zone, pfn: Pfn, order: number): Migratetype {
  const area = zone.freeArea[order];
  assert(area !== undefined, () => `freeListTypeOf: pfn ${pfn} order ${order} has no free_area`);
  const mt = area.freeList.findIndex((list) => list.includes(pfn));
  assert(mt >= 0, () => `freeListTypeOf: pfn ${pfn} order ${order} is on no list of ${zone.name}`);
  return mt as Migratetype;
}

/**
 * Mirrors set_page_order() + list_add()/list_add_tail() + nr_free++ — mm/page_alloc.c, K4_9 and
 * K6_1 (kernel-semantics.md §2.3 step 3, §2.4 end). No vmstat accounting: callers account.
 */
export function addToFreeList(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  order: number,
  mt: Migratetype,
  tail: boolean,
): void {
  assert(
    order >= 0 && order <= state.world.maxOrder,
    () => `addToFreeList: pfn ${pfn} order ${order}`,
  );
  assert(pfn % (1 << order) === 0, () => `addToFreeList: pfn ${pfn} not aligned to order ${order}`);
  assert(zone.startPfn <= pfn, () => `addToFreeList: pfn ${pfn} below zone ${zone.name}`);
  assert(
    pfn + (1 << order) <= zone.endPfn,
    () => `addToFreeList: pfn ${pfn} order ${order} leaves zone`,
  );
  assert(mt < MIGRATE_TYPES, () => `addToFreeList: pfn ${pfn} migratetype ${mt} invalid`);
  assert(state.buddyOrder[pfn] === -1, () => `addToFreeList: pfn ${pfn} is already a free head`);
  assert(
    state.owner[pfn] === OWNER_NONE,
    () => `addToFreeList: pfn ${pfn} is owned by` + ` ${state.owner[pfn]}`,
  );
  const list = zone.freeArea[order].freeList[mt];
  if (tail) list.push(pfn);
  else list.unshift(pfn);
  state.buddyOrder[pfn] = order;
  zone.freeArea[order].nrFree++;
}

/**
 * Mirrors list_del() + rmv_page_order() + nr_free-- — mm/page_alloc.c, K4_9 and K6_1 (§2.3 step 2):
 * takes the free head `pfn` of `order` off whatever list holds it. No vmstat accounting.
 */
export function delFromFreeList(state: ModelState, zone: Zone, pfn: Pfn, order: number): void {
  assert(
    state.buddyOrder[pfn] === order,
    () =>
      `delFromFreeList: pfn ${pfn} is not a free head of order` +
      ` ${order} (buddyOrder ${state.buddyOrder[pfn]})`,
  );
  const list = zone.freeArea[order].freeList[freeListTypeOf(zone, pfn, order)];
  list.splice(list.indexOf(pfn), 1);
  state.buddyOrder[pfn] = -1;
  zone.freeArea[order].nrFree--;
  assert(zone.freeArea[order].nrFree >= 0, () => `delFromFreeList: nr_free of order ${order} < 0`);
}

/**
 * Mirrors list_move()/list_move_tail() of a free head — mm/page_alloc.c, K4_9 and K6_1
 * (move_freepages, kernel-semantics.md §3.1): the block changes list, not order; nr_free and vmstat
 * unchanged.
 */
export function moveToFreeList(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  order: number,
  mt: Migratetype,
  tail: boolean,
): void {
  assert(
    state.buddyOrder[pfn] === order,
    () =>
      `moveToFreeList: pfn ${pfn} is not a free head of order` +
      ` ${order} (buddyOrder ${state.buddyOrder[pfn]})`,
  );
  assert(mt < MIGRATE_TYPES, () => `moveToFreeList: pfn ${pfn} migratetype ${mt} invalid`);
  const from = zone.freeArea[order].freeList[freeListTypeOf(zone, pfn, order)];
  from.splice(from.indexOf(pfn), 1);
  const to = zone.freeArea[order].freeList[mt];
  if (tail) to.push(pfn);
  else to.unshift(pfn);
}

/**
 * Mirrors __mod_zone_freepage_state() — include/linux/vmstat.h, K4_9 and K6_1 — together with its
 * callers' `if (!is_migrate_isolate(mt))` guard (kernel-semantics.md §2.4): pages on ISOLATE lists
 * are not free in vmstat. NR_FREE_PAGES moves by `pageCount` (negative on allocation),
 * NR_FREE_CMA_PAGES too when the list type is CMA.
 */
export function accountFreepages(zone: Zone, pageCount: number, mt: Migratetype): void {
  if (isMigrateIsolate(mt)) return;
  zone.nrFreePages += pageCount;
  if (isMigrateCma(mt)) zone.nrFreeCmaPages += pageCount;
  assert(zone.nrFreePages >= 0, () => `accountFreepages: ${zone.name} NR_FREE_PAGES < 0`);
  assert(zone.nrFreeCmaPages >= 0, () => `accountFreepages: ${zone.name} NR_FREE_CMA_PAGES < 0`);
}

/**
 * Mirrors expand() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §2.3 step 3). The block
 * `pfn` of order `high` is already off its list; its upper halves go, largest first, to the HEAD of
 * the `mt` lists and the caller keeps the lowest 2^low pages — so repeated order-0 allocations out
 * of one block hand out ascending pfns. Records the deepest split as `max.splitDepth`.
 */
export function expand(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  low: number,
  high: number,
  mt: Migratetype,
): void {
  assert(low >= 0 && low <= high, () => `expand: pfn ${pfn} low ${low} high ${high}`);
  assert(high <= state.world.maxOrder, () => `expand: pfn ${pfn} order ${high} > maxOrder`);
  assert(pfn % (1 << high) === 0, () => `expand: pfn ${pfn} not aligned to order ${high}`);
  assert(state.buddyOrder[pfn] === -1, () => `expand: pfn ${pfn} is still a free head`);
  recordMax(state, 'max.splitDepth', high - low);
  for (let order = high - 1; order >= low; order--) {
    // VM_BUG_ON_PAGE(bad_range(zone, &page[size])) holds via addToFreeList's zone asserts.
    addToFreeList(state, zone, pfn + (1 << order), order, mt, false);
  }
}

/**
 * Mirrors __rmqueue_smallest() — mm/page_alloc.c; the same loop in K4_9, K6_1, K6_18
 * (kernel-semantics.md §2.3). Takes the head of the smallest non-empty `mt` list at or above
 * `order`, splits it with expand() onto `mt` lists and returns its pfn, or null. No vmstat
 * accounting and no owner change: the caller (allocPages) does both.
 */
export function rmqueueSmallest(
  state: ModelState,
  zone: Zone,
  order: number,
  mt: Migratetype,
): Pfn | null {
  assert(
    order >= 0 && order <= state.world.maxOrder,
    () => `rmqueueSmallest: order ${order} invalid`,
  );
  assert(mt < MIGRATE_TYPES, () => `rmqueueSmallest: migratetype ${mt} invalid`);
  for (let currentOrder = order; currentOrder <= state.world.maxOrder; currentOrder++) {
    const pfn = zone.freeArea[currentOrder].freeList[mt][0];
    if (pfn === undefined) continue;
    delFromFreeList(state, zone, pfn, currentOrder);
    expand(state, zone, pfn, order, currentOrder, mt);
    return pfn;
  }
  return null;
}

/**
 * __free_one_page()'s fpi_flags (mm/page_alloc.c, K6_1): FPI_TO_TAIL puts the merged block at the
 * list tail whatever rule T says. K4_9 has no fpi_flags: every caller passes 'none'.
 */
export type FpiFlags = 'none' | 'toTail';

/**
 * Mirrors __free_one_page() — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md §2.4, §12.1,
 * §12.19). `mt` is the list type the caller chose (the pageblock's type with pcp off, §12.17).
 *  1. Accounting first, unless `mt` is ISOLATE.
 *  2. Merge with free buddies of the same order and zone, whatever their list, up to
 *     pageblock order; at and above it the profile decides (mergeForbiddenAbovePageblock, §9
 *     P11): K4_9 refuses only an ISOLATE/non-ISOLATE pair while the zone has isolated blocks,
 *     so CMA merges with MOVABLE there; K6_1 refuses any pair of different types unless both
 *     are mergeable (UNMOVABLE, MOVABLE, RECLAIMABLE).
 *  3. Placement: FPI_TO_TAIL (K6_1 only) → tail; otherwise rule T (K4_9 inline, K6_1
 *     buddy_merge_likely(), the same test): tail when its parent's buddy is a free block of the
 *     next order (a merge is likely soon), else head. No page shuffling (§2.4 (b) is off).
 * Every page of the block becomes OWNER_NONE.
 */
export function freeOneBlock(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  order: number,
  mt: Migratetype,
  fpi: FpiFlags = 'none',
): void {
  assert(
    order >= 0 && order <= state.world.maxOrder,
    () => `freeOneBlock: pfn ${pfn} order ${order}`,
  );
  assert(pfn % (1 << order) === 0, () => `freeOneBlock: pfn ${pfn} not aligned to order ${order}`);
  assert(zone.startPfn <= pfn, () => `freeOneBlock: pfn ${pfn} below zone ${zone.name}`);
  assert(
    pfn + (1 << order) <= zone.endPfn,
    () => `freeOneBlock: pfn ${pfn} order ${order} leaves zone`,
  );
  assert(mt < MIGRATE_TYPES, () => `freeOneBlock: pfn ${pfn} migratetype ${mt} invalid`);
  assert(
    fpi === 'none' || state.world.profile !== 'K4_9',
    () => `freeOneBlock: pfn ${pfn}: K4_9 has` + ' no FPI_TO_TAIL',
  );
  assertNotFreeNorReserved(state, pfn, order);
  if (!isMigrateIsolate(mt)) accountFreepages(zone, 1 << order, mt);
  for (let page = pfn; page < pfn + (1 << order); page++) state.owner[page] = OWNER_NONE;
  const merged = mergeBuddies(state, zone, pfn, order, mt);
  recordMax(state, 'max.mergeDepth', merged.order - order);
  const tail =
    fpi === 'toTail' || buddyMergeLikely(state, merged.pfn, merged.order, merged.buddyPfn);
  maybe(tail);
  addToFreeList(state, zone, merged.pfn, merged.order, mt, tail);
}

/** Double-free and reserved-page guard (the kernel's free_pages_check / bad_page, §8.2). */
function assertNotFreeNorReserved(state: ModelState, pfn: Pfn, order: number): void {
  for (let page = pfn; page < pfn + (1 << order); page++) {
    assert(
      state.buddyOrder[page] === -1,
      () =>
        `freeOneBlock: pfn ${page} of block ${pfn} order` +
        ` ${order} is already a free head (double free)`,
    );
    assert(
      state.owner[page] !== OWNER_RESERVED,
      () => `freeOneBlock: pfn ${page} of block ${pfn}` + ` order ${order} is PageReserved`,
    );
  }
}

interface Merged {
  pfn: Pfn;
  order: number;
  /** buddy_idx (K4_9) / buddy_pfn (K6_1) at done_merging: the last buddy examined, -1 when
   *  none was (§12.1). */
  buddyPfn: Pfn;
}

/**
 * The merge loop of __free_one_page(), `continue_merging` to `done_merging`: while order <
 * MAX_ORDER − 1, stop at a buddy that is not a free block of this order in this zone, or — at
 * or above pageblock order — whose pageblock the profile keeps apart; else unlink it and go up.
 *
 * K4_9 writes this as two loops (the `max_order` trick: merge freely up to pageblock order, then
 * one order at a time through the ISOLATE check); K6_1 as one loop that tests the buddy first.
 * Both stop at the same order with the same last buddy, so one loop serves both profiles: only
 * the test differs (§9 P11).
 */
function mergeBuddies(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  order: number,
  mt: Migratetype,
): Merged {
  let buddyPfn = -1;
  while (order < state.world.maxOrder) {
    // ends: order grows by one per merge
    buddyPfn = findBuddyPfn(pfn, order);
    if (!pageIsBuddy(state, zone, buddyPfn, order)) break;
    if (
      order >= state.world.pageblockOrder &&
      mergeForbiddenAbovePageblock(state, zone, mt, buddyPfn)
    )
      break;
    // maybe(the buddy's list type !== mt): any list type merges below pageblock order. Not
    // evaluated: finding the list is a scan of every list of this order, and
    // delFromFreeList() below does it anyway.
    delFromFreeList(state, zone, buddyPfn, order);
    pfn = pfn & buddyPfn;
    order++;
  }
  return { pfn, order, buddyPfn };
}

/**
 * The `order >= pageblock_order` test of __free_one_page() — mm/page_alloc.c (§2.4, §9 P11): may
 * a block freed as `mt` merge with the free buddy `buddyPfn` whose pageblock type is read now?
 *   K4_9: `max_order` trick — only while the zone has isolated pageblocks, refuse when exactly
 *         one side is ISOLATE; blocks of different non-ISOLATE types (CMA included) merge.
 *   K6_1: refuse when the types differ and either is not migratetype_is_mergeable() — so CMA,
 *         HIGHATOMIC and ISOLATE never merge with another type above pageblock order.
 */
function mergeForbiddenAbovePageblock(
  state: ModelState,
  zone: Zone,
  mt: Migratetype,
  buddyPfn: Pfn,
): boolean {
  const buddyMt = getPageblockMigratetype(state, buddyPfn);
  switch (state.world.profile) {
    case 'K4_9':
      return (
        zone.nrIsolatePageblock > 0 &&
        mt !== buddyMt &&
        (isMigrateIsolate(mt) || isMigrateIsolate(buddyMt))
      );
    case 'K6_1':
      return mt !== buddyMt && (!migratetypeIsMergeable(mt) || !migratetypeIsMergeable(buddyMt));
  }
}

/**
 * Rule T of __free_one_page() (K4_9) = buddy_merge_likely() (K6_1), §2.4 and §12.1: only when
 * `order < MAX_ORDER − 2`; uses the last buddy examined; the zone check of
 * page_is_buddy(higher_page, higher_buddy, order + 1) is made for `combined`, not for the freed
 * block. pfn_valid_within(buddy) is 1 without CONFIG_HOLES_IN_ZONE (no holes here), so a buddy
 * past the end of memory still leads to the order+1 test (K6_1 does not test it at all).
 */
function buddyMergeLikely(state: ModelState, pfn: Pfn, order: number, buddyPfn: Pfn): boolean {
  if (order >= state.world.maxOrder + 1 - 2) return false;
  assert(
    buddyPfn >= 0,
    () => `freeOneBlock: pfn ${pfn} order ${order} stopped with no buddy examined`,
  );
  assert(
    findBuddyPfn(pfn, order) === buddyPfn,
    () =>
      `freeOneBlock: pfn ${pfn} order ${order}: last` +
      ` buddy ${buddyPfn} is not of the final order`,
  );
  const combinedPfn = buddyPfn & pfn;
  const higherBuddyPfn = findBuddyPfn(combinedPfn, order + 1);
  return pageIsBuddy(state, zoneOfPfn(state, combinedPfn), higherBuddyPfn, order + 1);
}
