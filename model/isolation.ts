/**
 * Pageblock isolation — mm/page_isolation.c and has_unmovable_pages() in mm/page_alloc.c, K4_9
 * (kernel-semantics.md §6.5, §12.2, §12.3). An isolated pageblock has type MIGRATE_ISOLATE (K4_9
 * keeps it in the migratetype bits, so the caller supplies the type to restore), its free pages
 * sit on ISOLATE lists, which nothing allocates from, and they are not counted in vmstat.
 *
 * Valid pfns are [0, pages): memory has no holes, so __first_valid_page() of a block is its first
 * pfn when that lies in memory. There is no memory-isolate notifier (no balloon driver): the
 * `pages_found` count handed to has_unmovable_pages() is 0. drain_all_pages() has nothing to
 * drain with pcp off.
 *
 * Not in scope: memory hotplug (offline_pages, skip_hwpoisoned_pages), K6_x's
 * isolate_single_pageblock and "already isolated" check, K6_18's isolate bit.
 */
import { assert } from '../src/core/assert.ts';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, type Migratetype, isMigrateIsolate,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { freePages } from './allocPages.ts';
import { accountFreepages, findBuddyPfn } from './buddy.ts';
import { isolateFreePage } from './contig.ts';
import { moveFreepagesBlock } from './fallback.ts';
import { getPageblockMigratetype, setPageblockMigratetype } from './pageblock.ts';
import {
  type ModelState, OWNER_NONE, OWNER_RESERVED, type Zone, countBehaviour, pageblockNrPages,
  zoneOfPfn,
} from './state.ts';

const EBUSY = -16;

/**
 * Mirrors pfn_valid() — include/linux/mmzone.h, K4_9 (docs/MODEL.md "Scope"; kernel-semantics.md
 * §2.2): memory is [0, pages) with no holes.
 */
export function pfnValid(state: ModelState, pfn: Pfn): boolean {
  return pfn >= 0 && pfn < state.world.pages;
}

/** __first_valid_page(pfn, nr_pages) — mm/page_isolation.c, K4_9; null when none is valid. */
function firstValidPage(state: ModelState, pfn: Pfn, pageCount: number): Pfn | null {
  for (let page = pfn; page < pfn + pageCount; page++) {
    if (pfnValid(state, page)) return page;
  }
  return null;
}

/**
 * Mirrors has_unmovable_pages(zone, page, count = 0, skip_hwpoisoned = false) — mm/page_alloc.c,
 * K4_9 (kernel-semantics.md §6.5): true when the pageblock at `pfn` may not be isolated. MOVABLE
 * and CMA blocks are isolatable without a scan (§9 P27, P28). Other blocks are scanned: a page with
 * refcount 0 is skipped (a free buddy by its whole order; so are the tail pages of a non-compound
 * high-order allocation, whose refcount is 0); any other page that is not on the LRU counts as
 * found, and one found page (> count 0) makes the block unisolatable. The model's LRU pages are the
 * heads of MOVABLE page allocations, pinned or not; reserved pages, UNMOVABLE/RECLAIMABLE heads and
 * CMA/DMA range pages (each refcount 1) are not on the LRU. The model has no ZONE_MOVABLE, so the
 * kernel's first test (zone_idx == ZONE_MOVABLE) never holds.
 */
export function hasUnmovablePages(state: ModelState, zone: Zone, pfn: Pfn): boolean {
  assert(zoneOfPfn(state, pfn) === zone, `hasUnmovablePages: pfn ${pfn} not in ${zone.name}`);
  const mt = getPageblockMigratetype(state, pfn);
  if (mt === MIGRATE_MOVABLE || mt === MIGRATE_CMA) return false;
  const pageCount = pageblockNrPages(state);
  for (let iter = 0; iter < pageCount; iter++) {
    const check = pfn + iter;
    const owner = state.owner[check];
    if (owner === OWNER_NONE) { // refcount 0
      if (state.buddyOrder[check] >= 0) iter += (1 << state.buddyOrder[check]) - 1;
      continue;
    }
    if (owner === OWNER_RESERVED) return true; // PageReserved: refcount 1, not on the LRU
    const allocation = state.allocations.get(owner);
    assert(allocation !== undefined, `hasUnmovablePages: pfn ${check} owner ${owner} unknown`);
    const isTailPage = allocation.kind === 'pages' && check !== allocation.pfn;
    if (isTailPage) continue; // refcount 0 without __GFP_COMP
    const onLru = allocation.kind === 'pages' && allocation.migratetype === MIGRATE_MOVABLE;
    if (!onLru) return true; // found 1 > count 0
  }
  return false;
}

/**
 * Mirrors set_migratetype_isolate(page, skip_hwpoisoned = false) — mm/page_isolation.c, K4_9
 * (kernel-semantics.md §6.5): unless has_unmovable_pages(), remember the block's type, set it
 * ISOLATE, nr_isolate_pageblock++, move its free pages to the head of the ISOLATE lists
 * (move_freepages_block) and take them out of vmstat by the *old block type*
 * (__mod_zone_freepage_state(zone, -nr_pages, migratetype)). 0 or -EBUSY. K4_9 has no "already
 * isolated" check (re-isolating would count twice); callers never do it, which is asserted here.
 */
export function setMigratetypeIsolate(state: ModelState, pfn: Pfn): number {
  assert(pfn % pageblockNrPages(state) === 0, `setMigratetypeIsolate: pfn ${pfn} not a block`);
  const zone = zoneOfPfn(state, pfn);
  if (hasUnmovablePages(state, zone, pfn)) {
    countBehaviour(state, 'isolate.unmovable');
    return EBUSY;
  }
  const migratetype = getPageblockMigratetype(state, pfn);
  assert(!isMigrateIsolate(migratetype), `setMigratetypeIsolate: block ${pfn} already isolated`);
  setPageblockMigratetype(state, pfn, MIGRATE_ISOLATE);
  zone.nrIsolatePageblock++;
  const pageCount = moveFreepagesBlock(state, zone, pfn, MIGRATE_ISOLATE);
  accountFreepages(zone, -pageCount, migratetype);
  return 0;
}

/**
 * Mirrors unset_migratetype_isolate(page, migratetype) — mm/page_isolation.c, K4_9
 * (kernel-semantics.md §6.5, §12.3). Nothing happens unless the block is ISOLATE. Special path:
 * when the block's first page is a free buddy of order ≥ pageblock_order whose buddy's pageblock is
 * not ISOLATE (the buddy need not be free), take it out with __isolate_free_page(), restore the
 * type, and free it again (post_alloc_hook + __free_pages), so it merges with that buddy and rule T
 * places it. Otherwise move_freepages_block(.., migratetype) (head insertion) and count the pages
 * back in vmstat. nr_isolate_pageblock-- before the re-free, as the kernel does under zone->lock. A
 * buddy past the end of memory: pfn_valid_within() is 1 without CONFIG_HOLES_IN_ZONE, and no
 * pageblock there was ever isolated, so it counts as "not ISOLATE" (the special path).
 */
export function unsetMigratetypeIsolate(state: ModelState, pfn: Pfn, mt: Migratetype): void {
  assert(!isMigrateIsolate(mt), `unsetMigratetypeIsolate: block ${pfn}: restore type ISOLATE`);
  const zone = zoneOfPfn(state, pfn);
  if (getPageblockMigratetype(state, pfn) !== MIGRATE_ISOLATE) return;
  const order = state.buddyOrder[pfn];
  let isolatedPage = false;
  if (order >= state.world.pageblockOrder) {
    const buddyPfn = findBuddyPfn(pfn, order);
    const buddyIsolated = pfnValid(state, buddyPfn)
      && isMigrateIsolate(getPageblockMigratetype(state, buddyPfn));
    if (!buddyIsolated) isolatedPage = isolateFreePage(state, zone, pfn, order);
  }
  if (!isolatedPage) {
    const pageCount = moveFreepagesBlock(state, zone, pfn, mt);
    accountFreepages(zone, pageCount, mt);
  }
  setPageblockMigratetype(state, pfn, mt);
  zone.nrIsolatePageblock--;
  assert(zone.nrIsolatePageblock >= 0, `unsetMigratetypeIsolate: ${zone.name} count < 0`);
  if (isolatedPage) {
    countBehaviour(state, 'isolate.undoMerge');
    freePages(state, pfn, order);
  }
}

/**
 * Mirrors start_isolate_page_range(start, end, migratetype, false) — mm/page_isolation.c, K4_9
 * (kernel-semantics.md §6.5): isolate each pageblock of [start, end) ascending; on the first
 * failure un-isolate the earlier ones with `mt` and return -EBUSY. Both ends must be
 * pageblock-aligned (BUG_ON).
 */
export function startIsolatePageRange(
  state: ModelState, startPfn: Pfn, endPfn: Pfn, mt: Migratetype,
): number {
  const blockPages = pageblockNrPages(state);
  assert(startPfn % blockPages === 0, `startIsolatePageRange: start ${startPfn} not aligned`);
  assert(endPfn % blockPages === 0, `startIsolatePageRange: end ${endPfn} not aligned`);
  for (let pfn = startPfn; pfn < endPfn; pfn += blockPages) {
    const page = firstValidPage(state, pfn, blockPages);
    if (page === null || setMigratetypeIsolate(state, page) === 0) continue;
    for (let undoPfn = startPfn; undoPfn < pfn; undoPfn += blockPages) {
      unsetMigratetypeIsolate(state, undoPfn, mt);
    }
    return EBUSY;
  }
  return 0;
}

/**
 * Mirrors undo_isolate_page_range(start, end, migratetype) — mm/page_isolation.c, K4_9
 * (kernel-semantics.md §6.5, §9 P26): every ISOLATE block of [start, end) gets the caller's `mt`,
 * whatever it was before.
 */
export function undoIsolatePageRange(
  state: ModelState, startPfn: Pfn, endPfn: Pfn, mt: Migratetype,
): void {
  const blockPages = pageblockNrPages(state);
  assert(startPfn % blockPages === 0, `undoIsolatePageRange: start ${startPfn} not aligned`);
  assert(endPfn % blockPages === 0, `undoIsolatePageRange: end ${endPfn} not aligned`);
  for (let pfn = startPfn; pfn < endPfn; pfn += blockPages) {
    const page = firstValidPage(state, pfn, blockPages);
    if (page === null || getPageblockMigratetype(state, page) !== MIGRATE_ISOLATE) continue;
    unsetMigratetypeIsolate(state, page, mt);
  }
}

/**
 * Mirrors test_pages_isolated(start, end, false) — mm/page_isolation.c, K4_9
 * (kernel-semantics.md §6.5, §12.13):
 * (1) stepping by pageblock_nr_pages from the possibly unaligned `start`, the block of each
 * step's first valid pfn must be ISOLATE; (2) walking from `start`, every page must be covered by
 * a free buddy (skipping 2^order at each head). The walk does not check which list the buddies
 * are on. 0 or -EBUSY.
 */
export function testPagesIsolated(state: ModelState, startPfn: Pfn, endPfn: Pfn): number {
  const blockPages = pageblockNrPages(state);
  let pfn = startPfn;
  for (; pfn < endPfn; pfn += blockPages) {
    const page = firstValidPage(state, pfn, blockPages);
    if (page !== null && getPageblockMigratetype(state, page) !== MIGRATE_ISOLATE) break;
  }
  if (pfn < endPfn || firstValidPage(state, startPfn, endPfn - startPfn) === null) return EBUSY;
  return testPageIsolatedInPageblock(state, startPfn, endPfn) < endPfn ? EBUSY : 0;
}

/**
 * __test_page_isolated_in_pageblock() — mm/page_isolation.c, K4_9: the first pfn of
 * [pfn, end) that is neither invalid nor covered by a free buddy met on the walk (or ≥ end).
 */
function testPageIsolatedInPageblock(state: ModelState, pfn: Pfn, endPfn: Pfn): Pfn {
  while (pfn < endPfn) {
    if (!pfnValid(state, pfn)) {
      pfn++;
      continue;
    }
    const order = state.buddyOrder[pfn];
    if (order < 0) break; // in use (or a free block's interior reached unaligned): busy
    pfn += 1 << order;
  }
  return pfn;
}
