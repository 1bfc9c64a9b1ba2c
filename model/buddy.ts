/**
 * The buddy allocator core of mm/page_alloc.c (kernel-semantics.md §2.1–§2.5, §12.1, §12.17–19):
 * free lists, buddy arithmetic, splitting (expand) and merging (__free_one_page).
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
  MIGRATE_TYPES, type Migratetype, isMigrateCma, isMigrateIsolate,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { getPageblockMigratetype } from './pageblock.ts';
import {
  type ModelState, OWNER_NONE, OWNER_RESERVED, type Zone, recordMax, zoneOfPfn,
} from './state.ts';

/**
 * Mirrors __find_buddy_index() — mm/internal.h, K4_9 (kernel-semantics.md §2.1). The kernel works
 * on the index inside the MAX_ORDER block; for order < MAX_ORDER the result is the same pfn.
 */
export function findBuddyPfn(pfn: Pfn, order: number): Pfn {
  return pfn ^ (1 << order);
}

/**
 * Mirrors page_is_buddy() — mm/page_alloc.c, K4_9 (kernel-semantics.md §2.2): may a block of
 * `order` in `zone` merge with `buddyPfn`? The buddy must be a valid pfn (memory has no holes;
 * a pfn past the last page is never a free buddy, §12.1), a free head of exactly `order`, and in
 * the same zone — the check that stops merging across zone boundaries.
 */
export function pageIsBuddy(state: ModelState, zone: Zone, buddyPfn: Pfn, order: number): boolean {
  if (buddyPfn < 0 || buddyPfn >= state.world.pages) return false;
  if (state.buddyOrder[buddyPfn] !== order) return false;
  return zoneOfPfn(state, buddyPfn).index === zone.index;
}

/**
 * Mirrors list_del()'s implicit knowledge of the list holding page->lru — mm/page_alloc.c, K4_9
 * (kernel-semantics.md §1.3): which free list holds the free head `pfn` of `order`. The kernel
 * needs no search (the entry knows its neighbours); the model searches so that callers need not
 * remember the list type.
 */
export function freeListTypeOf(zone: Zone, pfn: Pfn, order: number): Migratetype {
  const area = zone.freeArea[order];
  assert(area !== undefined, `freeListTypeOf: pfn ${pfn} order ${order} has no free_area`);
  const mt = area.freeList.findIndex((list) => list.includes(pfn));
  assert(mt >= 0, `freeListTypeOf: pfn ${pfn} order ${order} is on no list of ${zone.name}`);
  return mt as Migratetype;
}

/**
 * Mirrors set_page_order() + list_add()/list_add_tail() + nr_free++ — mm/page_alloc.c, K4_9
 * (kernel-semantics.md §2.3 step 3, §2.4 end). No vmstat accounting: callers account.
 */
export function addToFreeList(
  state: ModelState, zone: Zone, pfn: Pfn, order: number, mt: Migratetype, tail: boolean,
): void {
  assert(order >= 0 && order <= state.world.maxOrder, `addToFreeList: pfn ${pfn} order ${order}`);
  assert(pfn % (1 << order) === 0, `addToFreeList: pfn ${pfn} not aligned to order ${order}`);
  assert(zone.startPfn <= pfn, `addToFreeList: pfn ${pfn} below zone ${zone.name}`);
  assert(pfn + (1 << order) <= zone.endPfn, `addToFreeList: pfn ${pfn} order ${order} leaves zone`);
  assert(mt < MIGRATE_TYPES, `addToFreeList: pfn ${pfn} migratetype ${mt} invalid`);
  assert(state.buddyOrder[pfn] === -1, `addToFreeList: pfn ${pfn} is already a free head`);
  assert(state.owner[pfn] === OWNER_NONE, `addToFreeList: pfn ${pfn} is owned by`
    + ` ${state.owner[pfn]}`);
  const list = zone.freeArea[order].freeList[mt];
  if (tail) list.push(pfn);
  else list.unshift(pfn);
  state.buddyOrder[pfn] = order;
  zone.freeArea[order].nrFree++;
}

/**
 * Mirrors list_del() + rmv_page_order() + nr_free-- — mm/page_alloc.c, K4_9 (§2.3 step 2): takes
 * the free head `pfn` of `order` off whatever list holds it. No vmstat accounting.
 */
export function delFromFreeList(state: ModelState, zone: Zone, pfn: Pfn, order: number): void {
  assert(state.buddyOrder[pfn] === order, `delFromFreeList: pfn ${pfn} is not a free head of order`
    + ` ${order} (buddyOrder ${state.buddyOrder[pfn]})`);
  const list = zone.freeArea[order].freeList[freeListTypeOf(zone, pfn, order)];
  list.splice(list.indexOf(pfn), 1);
  state.buddyOrder[pfn] = -1;
  zone.freeArea[order].nrFree--;
  assert(zone.freeArea[order].nrFree >= 0, `delFromFreeList: nr_free of order ${order} < 0`);
}

/**
 * Mirrors list_move()/list_move_tail() of a free head — mm/page_alloc.c, K4_9 (move_freepages,
 * kernel-semantics.md §3.1): the block changes list, not order; nr_free and vmstat unchanged.
 */
export function moveToFreeList(
  state: ModelState, zone: Zone, pfn: Pfn, order: number, mt: Migratetype, tail: boolean,
): void {
  assert(state.buddyOrder[pfn] === order, `moveToFreeList: pfn ${pfn} is not a free head of order`
    + ` ${order} (buddyOrder ${state.buddyOrder[pfn]})`);
  assert(mt < MIGRATE_TYPES, `moveToFreeList: pfn ${pfn} migratetype ${mt} invalid`);
  const from = zone.freeArea[order].freeList[freeListTypeOf(zone, pfn, order)];
  from.splice(from.indexOf(pfn), 1);
  const to = zone.freeArea[order].freeList[mt];
  if (tail) to.push(pfn);
  else to.unshift(pfn);
}

/**
 * Mirrors __mod_zone_freepage_state() — include/linux/vmstat.h, K4_9 — together with its callers'
 * `if (!is_migrate_isolate(mt))` guard (kernel-semantics.md §2.4): pages on ISOLATE lists are not
 * free in vmstat. NR_FREE_PAGES moves by `pageCount` (negative on allocation), NR_FREE_CMA_PAGES
 * too when the list type is CMA.
 */
export function accountFreepages(zone: Zone, pageCount: number, mt: Migratetype): void {
  if (isMigrateIsolate(mt)) return;
  zone.nrFreePages += pageCount;
  if (isMigrateCma(mt)) zone.nrFreeCmaPages += pageCount;
  assert(zone.nrFreePages >= 0, `accountFreepages: ${zone.name} NR_FREE_PAGES < 0`);
  assert(zone.nrFreeCmaPages >= 0, `accountFreepages: ${zone.name} NR_FREE_CMA_PAGES < 0`);
}

/**
 * Mirrors expand() — mm/page_alloc.c, K4_9 (kernel-semantics.md §2.3 step 3). The block `pfn` of
 * order `high` is already off its list; its upper halves go, largest first, to the HEAD of the
 * `mt` lists and the caller keeps the lowest 2^low pages — so repeated order-0 allocations out of
 * one block hand out ascending pfns. Records the deepest split as `max.splitDepth`.
 */
export function expand(
  state: ModelState, zone: Zone, pfn: Pfn, low: number, high: number, mt: Migratetype,
): void {
  assert(low >= 0 && low <= high, `expand: pfn ${pfn} low ${low} high ${high}`);
  assert(high <= state.world.maxOrder, `expand: pfn ${pfn} order ${high} > maxOrder`);
  assert(pfn % (1 << high) === 0, `expand: pfn ${pfn} not aligned to order ${high}`);
  assert(state.buddyOrder[pfn] === -1, `expand: pfn ${pfn} is still a free head`);
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
  state: ModelState, zone: Zone, order: number, mt: Migratetype,
): Pfn | null {
  assert(order >= 0 && order <= state.world.maxOrder, `rmqueueSmallest: order ${order} invalid`);
  assert(mt < MIGRATE_TYPES, `rmqueueSmallest: migratetype ${mt} invalid`);
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
 * Mirrors __free_one_page() — mm/page_alloc.c, K4_9 (kernel-semantics.md §2.4, §12.1, §12.19).
 * `mt` is the list type the caller chose (the pageblock's type with pcp off, §12.17).
 *  1. Accounting first, unless `mt` is ISOLATE.
 *  2. Merge with free buddies of the same order and zone, whatever their list, up to
 *     min(maxOrder, pageblockOrder); above that, one order at a time (the `max_order` trick),
 *     refusing an ISOLATE/non-ISOLATE pair only while the zone has isolated blocks. So blocks of
 *     different non-ISOLATE types (CMA included) do merge above pageblock order in K4_9.
 *  3. Rule T: the merged block goes to the tail of `mt`'s list when its parent's buddy is a free
 *     block of the next order (a merge is likely soon), else to the head.
 * Every page of the block becomes OWNER_NONE.
 */
export function freeOneBlock(
  state: ModelState, zone: Zone, pfn: Pfn, order: number, mt: Migratetype,
): void {
  assert(state.world.profile === 'K4_9', `freeOneBlock: profile ${state.world.profile} merges`
    + ' differently above pageblock order (§9 P11); only K4_9 is implemented');
  assert(order >= 0 && order <= state.world.maxOrder, `freeOneBlock: pfn ${pfn} order ${order}`);
  assert(pfn % (1 << order) === 0, `freeOneBlock: pfn ${pfn} not aligned to order ${order}`);
  assert(zone.startPfn <= pfn, `freeOneBlock: pfn ${pfn} below zone ${zone.name}`);
  assert(pfn + (1 << order) <= zone.endPfn, `freeOneBlock: pfn ${pfn} order ${order} leaves zone`);
  assert(mt < MIGRATE_TYPES, `freeOneBlock: pfn ${pfn} migratetype ${mt} invalid`);
  assertNotFreeNorReserved(state, pfn, order);
  if (!isMigrateIsolate(mt)) accountFreepages(zone, 1 << order, mt);
  for (let page = pfn; page < pfn + (1 << order); page++) state.owner[page] = OWNER_NONE;
  const merged = mergeBuddies(state, zone, pfn, order, mt);
  recordMax(state, 'max.mergeDepth', merged.order - order);
  const tail = buddyMergeLikely(state, merged.pfn, merged.order, merged.buddyPfn);
  maybe(tail);
  addToFreeList(state, zone, merged.pfn, merged.order, mt, tail);
}

/** Double-free and reserved-page guard (the kernel's free_pages_check / bad_page, §8.2). */
function assertNotFreeNorReserved(state: ModelState, pfn: Pfn, order: number): void {
  for (let page = pfn; page < pfn + (1 << order); page++) {
    assert(state.buddyOrder[page] === -1, `freeOneBlock: pfn ${page} of block ${pfn} order`
      + ` ${order} is already a free head (double free)`);
    assert(state.owner[page] !== OWNER_RESERVED, `freeOneBlock: pfn ${page} of block ${pfn}`
      + ` order ${order} is PageReserved`);
  }
}

interface Merged {
  pfn: Pfn;
  order: number;
  /** buddy_idx at done_merging: the last buddy examined, -1 when none was (§12.1). */
  buddyPfn: Pfn;
}

/**
 * The merge loop of __free_one_page() (K4_9), `continue_merging` to `done_merging`.
 * `mergeLimit` is the kernel's `max_order`: min(MAX_ORDER, pageblock_order + 1) at first, so the
 * cheap loop merges up to pageblock order; each further order needs one pass through the ISOLATE
 * check below, which costs nothing unless the zone has isolated pageblocks.
 */
function mergeBuddies(
  state: ModelState, zone: Zone, pfn: Pfn, order: number, mt: Migratetype,
): Merged {
  const kernelMaxOrder = state.world.maxOrder + 1; // MAX_ORDER, exclusive
  let buddyPfn = -1;
  let mergeLimit = Math.min(kernelMaxOrder, state.world.pageblockOrder + 1);
  for (; ; mergeLimit++) { // ends: mergeLimit reaches kernelMaxOrder
    while (order < mergeLimit - 1) {
      buddyPfn = findBuddyPfn(pfn, order);
      if (!pageIsBuddy(state, zone, buddyPfn, order)) return { pfn, order, buddyPfn };
      maybe(freeListTypeOf(zone, buddyPfn, order) !== mt); // any list type merges (§12.19)
      delFromFreeList(state, zone, buddyPfn, order);
      pfn = pfn & buddyPfn;
      order++;
    }
    if (mergeLimit >= kernelMaxOrder) return { pfn, order, buddyPfn };
    // Here order ≥ pageblock order: keep free pages of an isolated block apart from the rest.
    if (zone.nrIsolatePageblock > 0) {
      buddyPfn = findBuddyPfn(pfn, order);
      if (isolationForbidsMerge(state, mt, buddyPfn)) return { pfn, order, buddyPfn };
    }
  }
}

/**
 * `migratetype != buddy_mt && (is_migrate_isolate(migratetype) || is_migrate_isolate(buddy_mt))`
 * of __free_one_page() (K4_9). A buddy past the end of memory is not checked: page_is_buddy()
 * refuses that same buddy on the next pass, so merging stops there either way.
 */
function isolationForbidsMerge(state: ModelState, mt: Migratetype, buddyPfn: Pfn): boolean {
  if (buddyPfn >= state.world.pages) return false;
  const buddyMt = getPageblockMigratetype(state, buddyPfn);
  return mt !== buddyMt && (isMigrateIsolate(mt) || isMigrateIsolate(buddyMt));
}

/**
 * Rule T of __free_one_page() (K4_9; buddy_merge_likely() in later kernels), §2.4 and §12.1: only
 * when `order < MAX_ORDER − 2`; uses the last buddy examined; the zone check of
 * page_is_buddy(higher_page, higher_buddy, order + 1) is made for `combined`, not for the freed
 * block. pfn_valid_within(buddy) is 1 without CONFIG_HOLES_IN_ZONE (no holes here), so a buddy
 * past the end of memory still leads to the order+1 test.
 */
function buddyMergeLikely(state: ModelState, pfn: Pfn, order: number, buddyPfn: Pfn): boolean {
  if (order >= state.world.maxOrder + 1 - 2) return false;
  assert(buddyPfn >= 0, `freeOneBlock: pfn ${pfn} order ${order} stopped with no buddy examined`);
  assert(findBuddyPfn(pfn, order) === buddyPfn, `freeOneBlock: pfn ${pfn} order ${order}: last`
    + ` buddy ${buddyPfn} is not of the final order`);
  const combinedPfn = buddyPfn & pfn;
  const higherBuddyPfn = findBuddyPfn(combinedPfn, order + 1);
  return pageIsBuddy(state, zoneOfPfn(state, combinedPfn), higherBuddyPfn, order + 1);
}
