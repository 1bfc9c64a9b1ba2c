/**
 * Pageblock isolation — mm/page_isolation.c and has_unmovable_pages() (mm/page_alloc.c K4_9,
 * mm/page_isolation.c K6_1), kernel-semantics.md §6.3, §6.5, §12.2, §12.3. An isolated
 * pageblock has type MIGRATE_ISOLATE (K4_9 and K6_1 keep it in the migratetype bits, so the
 * caller supplies the type to restore), its free pages sit on ISOLATE lists, which nothing
 * allocates from, and they are not counted in vmstat.
 *
 * K4_9 isolates whole pageblocks of a MAX_ORDER-aligned range handed in by alloc_contig_range.
 * K6_1 (§9 P25–P28) isolates [pageblock_start(start), pageblock_align(end)) itself: the first and
 * last blocks through isolate_single_pageblock(), which splits a free buddy straddling the range
 * edge and migrates a THP straddling it first; set_migratetype_isolate() refuses an isolated
 * block (-EBUSY) and a CMA block unless the request is for CMA, scans MOVABLE blocks too, and
 * moves free pages to the list TAIL.
 *
 * Valid pfns are [0, pages): memory has no holes, so __first_valid_page() of a block is its first
 * pfn when that lies in memory, and pfn_to_online_page() is pfn_valid(). There is no
 * memory-isolate notifier (no balloon driver): the `pages_found` count handed to K4_9's
 * has_unmovable_pages() is 0. drain_all_pages() has nothing to drain with pcp off.
 *
 * Not in scope: memory hotplug (offline_pages, MEMORY_OFFLINE, hwpoison), hugetlb, K6_18's
 * isolate bit.
 */
import { assert } from '../src/core/assert.ts';
import {
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  type Migratetype,
  isMigrateCma,
  isMigrateIsolate,
} from '../src/core/migratetype.ts';
import type { Pfn } from '../src/core/world.ts';
import { freePages } from './allocPages.ts';
import {
  accountFreepages,
  delFromFreeList,
  findBuddyPfn,
  freeOneBlock,
  pageIsBuddy,
} from './buddy.ts';
import { isolateFreePage } from './contig.ts';
import { moveFreepagesBlock } from './fallback.ts';
import { allocContigMigrateRange } from './migrate.ts';
import { getPageblockMigratetype, setPageblockMigratetype } from './pageblock.ts';
import {
  type Allocation,
  type ModelState,
  OWNER_NONE,
  OWNER_RESERVED,
  type Zone,
  countBehaviour,
  pageCompound,
  pageLru,
  pageblockNrPages,
  zoneOfPfn,
} from './state.ts';

const EBUSY = -16;

/**
 * Mirrors pfn_valid() — include/linux/mmzone.h, K4_9 and K6_1 (docs/MODEL.md "Scope";
 * kernel-semantics.md §2.2): memory is [0, pages) with no holes.
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
 * kernel's first test (zone_idx == ZONE_MOVABLE) never holds. (A THP's tails have refcount 0 as
 * well, so reading order > 0 MOVABLE allocations as THPs, as K6_1 does, changes nothing here.)
 */
export function hasUnmovablePages(state: ModelState, zone: Zone, pfn: Pfn): boolean {
  assert(zoneOfPfn(state, pfn) === zone, () => `hasUnmovablePages: pfn ${pfn} not in ${zone.name}`);
  const mt = getPageblockMigratetype(state, pfn);
  if (mt === MIGRATE_MOVABLE || mt === MIGRATE_CMA) return false;
  const pageCount = pageblockNrPages(state);
  for (let iter = 0; iter < pageCount; iter++) {
    const check = pfn + iter;
    const owner = state.owner[check];
    if (owner === OWNER_NONE) {
      // refcount 0
      if (state.buddyOrder[check] >= 0) iter += (1 << state.buddyOrder[check]) - 1;
      continue;
    }
    if (owner === OWNER_RESERVED) return true; // PageReserved: refcount 1, not on the LRU
    const allocation = ownerAllocation(state, check);
    const isTailPage = allocation.kind === 'pages' && check !== allocation.pfn;
    if (isTailPage) continue; // refcount 0 without __GFP_COMP
    const onLru = allocation.kind === 'pages' && allocation.migratetype === MIGRATE_MOVABLE;
    if (!onLru) return true; // found 1 > count 0
  }
  return false;
}

/** The live allocation holding `pfn` (its owner must be an allocation id). */
function ownerAllocation(state: ModelState, pfn: Pfn): Allocation {
  const allocation = state.allocations.get(state.owner[pfn]);
  assert(allocation !== undefined, () => `isolation: pfn ${pfn} owner ${state.owner[pfn]} unknown`);
  return allocation;
}

/**
 * Mirrors has_unmovable_pages(start_pfn, end_pfn, migratetype, flags = 0) — mm/page_isolation.c,
 * K6_1 (kernel-semantics.md §6.5; §9 P27, P28): true when [start, end), inside one pageblock, may
 * not be isolated. A CMA block is isolatable only for a CMA request (so gigantic-page and
 * offlining users can never take CMA blocks). Every other block is scanned: PageReserved → no;
 * a THP (pageCompound) → skipped to its end when its head is on the LRU; refcount 0 (a free
 * buddy by its order, a non-compound allocation's tail) → skipped; PageLRU → fine; anything else
 * (kernel allocations, CMA/DMA range pages) → no.
 */
export function hasUnmovablePagesK6_1(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): boolean {
  const blockPages = pageblockNrPages(state);
  assert(
    startPfn < endPfn &&
      Math.floor(startPfn / blockPages) === Math.floor((endPfn - 1) / blockPages),
    () => `hasUnmovablePages: [${startPfn}, ${endPfn})` + ' is not inside one pageblock',
  );
  if (isMigrateCma(getPageblockMigratetype(state, startPfn))) return !isMigrateCma(mt);
  for (let pfn = startPfn; pfn < endPfn; pfn++) {
    const owner = state.owner[pfn];
    if (owner === OWNER_RESERVED) return true;
    if (owner === OWNER_NONE) {
      // refcount 0
      if (state.buddyOrder[pfn] >= 0) pfn += (1 << state.buddyOrder[pfn]) - 1;
      continue;
    }
    const allocation = ownerAllocation(state, pfn);
    if (pageCompound(allocation)) {
      // PageTransCompound; its head is PageLRU
      pfn = allocation.pfn + allocation.pageCount - 1;
      continue;
    }
    if (allocation.kind === 'pages' && pfn !== allocation.pfn) continue; // refcount 0
    if (pageLru(allocation)) continue;
    return true;
  }
  return false;
}

/**
 * Mirrors set_migratetype_isolate() — mm/page_isolation.c (kernel-semantics.md §6.5): unless the
 * block may not be isolated, remember its type, set it ISOLATE, nr_isolate_pageblock++, move its
 * free pages to the ISOLATE lists (move_freepages_block: the head in K4_9, the tail in K6_1) and
 * take them out of vmstat by the *old block type* (__mod_zone_freepage_state(zone, -nr_pages,
 * migratetype)). 0 or -EBUSY.
 *   K4_9 (page, skip_hwpoisoned): the block test is has_unmovable_pages() of the whole block; no
 *        "already isolated" check (re-isolating would count twice; callers never do, asserted).
 *   K6_1 (page, migratetype, flags, start_pfn, end_pfn): an isolated block → -EBUSY; the test is
 *        has_unmovable_pages() of the block ∩ [start, end) for the caller's migratetype.
 * `mt`, `startPfn` and `endPfn` are read by K6_1 only; K4_9 callers leave them out.
 */
export function setMigratetypeIsolate(
  state: ModelState,
  pfn: Pfn,
  mt: Migratetype = MIGRATE_MOVABLE,
  startPfn: Pfn = pfn,
  endPfn: Pfn = pfn + pageblockNrPages(state),
): number {
  assert(
    pfn % pageblockNrPages(state) === 0,
    () => `setMigratetypeIsolate: pfn ${pfn} not a block`,
  );
  const zone = zoneOfPfn(state, pfn);
  const migratetype = getPageblockMigratetype(state, pfn);
  if (isolationRefused(state, zone, pfn, mt, startPfn, endPfn)) return EBUSY;
  assert(
    !isMigrateIsolate(migratetype),
    () => `setMigratetypeIsolate: block ${pfn} already isolated`,
  );
  setPageblockMigratetype(state, pfn, MIGRATE_ISOLATE);
  zone.nrIsolatePageblock++;
  const pageCount = moveFreepagesBlock(state, zone, pfn, MIGRATE_ISOLATE);
  accountFreepages(zone, -pageCount, migratetype);
  return 0;
}

/**
 * The tests before set_migratetype_isolate() changes anything (§6.5; §9 P27, P28): K4_9 only
 * has_unmovable_pages() of the block; K6_1 first "already isolated" (`isolate.alreadyIsolated`),
 * then has_unmovable_pages() of the block ∩ [start, end). Counts `isolate.unmovable` on refusal.
 */
function isolationRefused(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  mt: Migratetype,
  startPfn: Pfn,
  endPfn: Pfn,
): boolean {
  switch (state.world.profile) {
    case 'K4_9':
      if (!hasUnmovablePages(state, zone, pfn)) return false;
      break;
    case 'K6_1': {
      if (isMigrateIsolate(getPageblockMigratetype(state, pfn))) {
        countBehaviour(state, 'isolate.alreadyIsolated');
        return true;
      }
      const checkStart = Math.max(pfn, startPfn);
      const checkEnd = Math.min(pfn + pageblockNrPages(state), endPfn);
      if (!hasUnmovablePagesK6_1(state, checkStart, checkEnd, mt)) return false;
      break;
    }
  }
  countBehaviour(state, 'isolate.unmovable');
  return true;
}

/**
 * Mirrors unset_migratetype_isolate(page, migratetype) — mm/page_isolation.c (kernel-semantics.md
 * §6.5, §12.3). Nothing happens unless the block is ISOLATE. Special path (unsetMergeCandidate):
 * the block's first page is a free buddy that could merge with a non-isolated buddy; it is taken
 * out with __isolate_free_page(), the type restored, and freed again so that it merges
 * (putbackIsolatedPage). Otherwise move_freepages_block(.., migratetype) (the head in K4_9, the
 * tail in K6_1) and count the pages back in vmstat. nr_isolate_pageblock-- before the re-free, as
 * K4_9 does under zone->lock (K6_1 decrements after it; nothing in between reads the count).
 */
export function unsetMigratetypeIsolate(state: ModelState, pfn: Pfn, mt: Migratetype): void {
  assert(
    !isMigrateIsolate(mt),
    () => `unsetMigratetypeIsolate: block ${pfn}: restore type ISOLATE`,
  );
  const zone = zoneOfPfn(state, pfn);
  if (getPageblockMigratetype(state, pfn) !== MIGRATE_ISOLATE) return;
  const order = state.buddyOrder[pfn];
  let isolatedPage = false;
  if (unsetMergeCandidate(state, zone, pfn, order)) {
    isolatedPage = isolateFreePage(state, zone, pfn, order);
  }
  if (!isolatedPage) {
    const pageCount = moveFreepagesBlock(state, zone, pfn, mt);
    accountFreepages(zone, pageCount, mt);
  }
  setPageblockMigratetype(state, pfn, mt);
  zone.nrIsolatePageblock--;
  assert(zone.nrIsolatePageblock >= 0, () => `unsetMigratetypeIsolate: ${zone.name} count < 0`);
  if (isolatedPage) {
    countBehaviour(state, 'isolate.undoMerge');
    putbackIsolatedPage(state, zone, pfn, order, mt);
  }
}

/**
 * The special-path test of unset_migratetype_isolate() (§6.5, §12.3): is the block's first page a
 * free buddy of `order` worth taking out and freeing again?
 *   K4_9: order ≥ pageblock_order and the pageblock of its buddy at that order is not ISOLATE —
 *         the buddy need not be free. A buddy past the end of memory: pfn_valid_within() is 1
 *         without CONFIG_HOLES_IN_ZONE, and no pageblock there was ever isolated, so it counts as
 *         "not ISOLATE".
 *   K6_1: pageblock_order ≤ order < MAX_ORDER − 1, and find_buddy_page_pfn() finds the buddy
 *         free, of the same order and zone, in a block that is not ISOLATE.
 */
function unsetMergeCandidate(state: ModelState, zone: Zone, pfn: Pfn, order: number): boolean {
  if (order < state.world.pageblockOrder) return false; // also: not a free head (order -1)
  const buddyPfn = findBuddyPfn(pfn, order);
  switch (state.world.profile) {
    case 'K4_9':
      return (
        !pfnValid(state, buddyPfn) || !isMigrateIsolate(getPageblockMigratetype(state, buddyPfn))
      );
    case 'K6_1':
      return (
        order < state.world.maxOrder &&
        pageIsBuddy(state, zone, buddyPfn, order) &&
        !isMigrateIsolate(getPageblockMigratetype(state, buddyPfn))
      );
  }
}

/**
 * How unset_migratetype_isolate() frees the buddy it took out (§6.5): K4_9 post_alloc_hook() +
 * __free_pages() (the block's restored type, rule T); K6_1 __putback_isolated_page(page, order,
 * migratetype) = __free_one_page(.., FPI_TO_TAIL).
 */
function putbackIsolatedPage(
  state: ModelState,
  zone: Zone,
  pfn: Pfn,
  order: number,
  mt: Migratetype,
): void {
  switch (state.world.profile) {
    case 'K4_9':
      return freePages(state, pfn, order);
    case 'K6_1':
      return freeOneBlock(state, zone, pfn, order, mt, 'toTail');
  }
}

/**
 * Mirrors start_isolate_page_range(start, end, migratetype, …) — mm/page_isolation.c
 * (kernel-semantics.md §6.5; §9 P25). 0 or -EBUSY; on failure nothing stays isolated.
 *   K4_9 (start, end, migratetype, false): both ends pageblock-aligned (BUG_ON); isolate each
 *        pageblock ascending; on the first failure un-isolate the earlier ones with `mt`.
 *   K6_1 (start, end, migratetype, 0, gfp): startIsolatePageRangeK6_1.
 */
export function startIsolatePageRange(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): number {
  switch (state.world.profile) {
    case 'K4_9':
      return startIsolatePageRangeK4_9(state, startPfn, endPfn, mt);
    case 'K6_1':
      return startIsolatePageRangeK6_1(state, startPfn, endPfn, mt);
  }
}

/** start_isolate_page_range(start, end, migratetype, false) — K4_9 (§6.5). */
function startIsolatePageRangeK4_9(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): number {
  const blockPages = pageblockNrPages(state);
  assert(startPfn % blockPages === 0, () => `startIsolatePageRange: start ${startPfn} not aligned`);
  assert(endPfn % blockPages === 0, () => `startIsolatePageRange: end ${endPfn} not aligned`);
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
 * start_isolate_page_range() — K6_1 (§6.3 step 1, §6.5): isolation at pageblock granularity over
 * [pageblock_start(start), pageblock_align(end)). The first block, then the last (skipped when it
 * is the first), through isolate_single_pageblock(); a failure of the last un-isolates the first.
 * Then the middle blocks ascending, each tested against [start, end); a failure un-isolates
 * everything done so far.
 */
function startIsolatePageRangeK6_1(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): number {
  const blockPages = pageblockNrPages(state);
  const isolateStart = startPfn - (startPfn % blockPages); // pageblock_start_pfn
  const isolateEnd = Math.ceil(endPfn / blockPages) * blockPages; // pageblock_align
  let ret = isolateSinglePageblock(state, isolateStart, false, false, mt);
  if (ret !== 0) return ret;
  const skipIsolation = isolateStart === isolateEnd - blockPages;
  ret = isolateSinglePageblock(state, isolateEnd, true, skipIsolation, mt);
  if (ret !== 0) {
    unsetMigratetypeIsolate(state, isolateStart, mt);
    return ret;
  }
  for (let pfn = isolateStart + blockPages; pfn < isolateEnd - blockPages; pfn += blockPages) {
    const page = firstValidPage(state, pfn, blockPages);
    if (page === null || setMigratetypeIsolate(state, page, mt, startPfn, endPfn) === 0) continue;
    undoIsolatePageRange(state, isolateStart, pfn, mt);
    unsetMigratetypeIsolate(state, isolateEnd - blockPages, mt);
    return EBUSY;
  }
  return 0;
}

/**
 * Mirrors isolate_single_pageblock(boundary_pfn, flags, gfp, isolate_before, skip_isolation,
 * migratetype) — mm/page_isolation.c, K6_1 (kernel-semantics.md §6.5): isolates the pageblock
 * just before (isolate_before) or just after `boundaryPfn` (unless skip_isolation: it already
 * is), then makes sure nothing crosses the boundary: scanning from the MAX_ORDER-aligned start
 * (or the zone start) up to the boundary, a free buddy crossing it is split there
 * (split_free_page()), and a THP crossing it is first migrated away (migrateStraddlingCompound),
 * then the free block it leaves is split. No scan when the pfn across the boundary is not in
 * memory. A THP that cannot be migrated fails the isolation: the block is un-isolated, -EBUSY.
 */
export function isolateSinglePageblock(
  state: ModelState,
  boundaryPfn: Pfn,
  isolateBefore: boolean,
  skipIsolation: boolean,
  mt: Migratetype,
): number {
  const blockPages = pageblockNrPages(state);
  assert(
    boundaryPfn % blockPages === 0,
    () => `isolateSinglePageblock: ${boundaryPfn} not aligned`,
  );
  const isolatePageblock = isolateBefore ? boundaryPfn - blockPages : boundaryPfn;
  const zone = zoneOfPfn(state, isolatePageblock);
  const maxOrderPages = 1 << state.world.maxOrder; // MAX_ORDER_NR_PAGES
  const scanStart = Math.max(isolatePageblock - (isolatePageblock % maxOrderPages), zone.startPfn);
  if (skipIsolation) {
    assert(
      isMigrateIsolate(getPageblockMigratetype(state, isolatePageblock)),
      () => `isolateSinglePageblock: block ${isolatePageblock} skipped but not isolated`,
    );
  } else {
    const ret = setMigratetypeIsolate(
      state,
      isolatePageblock,
      mt,
      isolatePageblock,
      isolatePageblock + blockPages,
    );
    if (ret !== 0) return ret;
  }
  if (!pfnValid(state, isolateBefore ? boundaryPfn : boundaryPfn - 1)) return 0;
  if (boundaryClear(state, scanStart, boundaryPfn)) return 0;
  if (!skipIsolation) unsetMigratetypeIsolate(state, isolatePageblock, mt); // failed:
  return EBUSY;
}

/**
 * The scan loop of isolate_single_pageblock() (K6_1): from `pfn` to the boundary, step over free
 * buddies (splitting one that crosses the boundary), over THPs that end before it, and page by
 * page over everything else; a THP that crosses the boundary is migrated and the scan goes on
 * from the free block it left. False when such a THP cannot be migrated (`goto failed`).
 */
function boundaryClear(state: ModelState, pfn: Pfn, boundaryPfn: Pfn): boolean {
  while (pfn < boundaryPfn) {
    // bound: pfn grows, or a split/migration makes the next pass grow it
    const order = state.buddyOrder[pfn];
    if (order >= 0) {
      if (pfn + (1 << order) > boundaryPfn) {
        splitFreePage(state, pfn, order, boundaryPfn - pfn);
        countBehaviour(state, 'isolate.splitFreePage');
      }
      pfn += 1 << order;
      continue;
    }
    const allocation = state.allocations.get(state.owner[pfn]);
    if (allocation === undefined || !pageCompound(allocation)) {
      pfn++;
      continue;
    }
    if (allocation.pfn + allocation.pageCount <= boundaryPfn) {
      pfn = allocation.pfn + allocation.pageCount;
      continue;
    }
    const freedPfn = migrateStraddlingCompound(state, allocation, pfn);
    if (freedPfn === null) return false;
    pfn = freedPfn;
  }
  return true;
}

/**
 * The PageCompound branch of isolate_single_pageblock() (K6_1) for a THP (PageLRU) that crosses
 * the boundary, `pfn` being its head: isolate its head's pageblock with that block's own type
 * unless already isolated, __alloc_contig_migrate_range() over the THP, restore the block; then
 * find the free buddy that now covers `pfn` (rounding down to ever larger orders, as
 * alloc_contig_range's outer_start does). Returns that buddy's head, or null on failure (the
 * isolation refused, migration failed — a pinned THP is skipped and stays — or no buddy found).
 */
function migrateStraddlingCompound(
  state: ModelState,
  allocation: Allocation,
  pfn: Pfn,
): Pfn | null {
  const headPfn = allocation.pfn;
  const endPfn = headPfn + allocation.pageCount;
  const pageMt = getPageblockMigratetype(state, pfn);
  const isolatePage = !isMigrateIsolate(pageMt);
  if (isolatePage && setMigratetypeIsolate(state, headPfn, pageMt, headPfn, endPfn) !== 0) {
    return null;
  }
  const ret = allocContigMigrateRange(state, headPfn, endPfn);
  if (isolatePage) unsetMigratetypeIsolate(state, headPfn, pageMt);
  if (ret !== 0) return null;
  countBehaviour(state, 'isolate.migrateStraddler');
  let outerPfn = pfn;
  for (let order = 0; state.buddyOrder[outerPfn] < 0;) {
    if (++order >= state.world.maxOrder + 1) return null; // ++order >= MAX_ORDER
    outerPfn -= outerPfn % (1 << order);
  }
  return outerPfn;
}

/**
 * Mirrors split_free_page(free_page, order, split_pfn_offset) — mm/page_alloc.c, K6_1
 * (kernel-semantics.md §6.3 step 1): takes the free buddy `pfn` of `order` off its list (out of
 * vmstat by its first block's type, unless ISOLATE) and frees it again in naturally aligned pieces
 * that end exactly at `pfn + splitPfnOffset`, each through __free_one_page with its own
 * pageblock's type — so pieces of differently typed blocks land on their own lists (they may merge
 * back where the merge rules allow). Nothing to do for offset 0. The kernel's -ENOENT "free page
 * changed" cannot happen with atomic operations (asserted).
 */
export function splitFreePage(
  state: ModelState,
  pfn: Pfn,
  order: number,
  splitPfnOffset: number,
): void {
  if (splitPfnOffset === 0) return;
  assert(
    state.buddyOrder[pfn] === order,
    () => `splitFreePage: pfn ${pfn} is no free head of order` + ` ${order}`,
  );
  assert(splitPfnOffset < 1 << order, () => `splitFreePage: offset ${splitPfnOffset} ≥ 2^${order}`);
  const zone = zoneOfPfn(state, pfn);
  const mt = getPageblockMigratetype(state, pfn);
  if (!isMigrateIsolate(mt)) accountFreepages(zone, -(1 << order), mt);
  delFromFreeList(state, zone, pfn, order);
  let offset = splitPfnOffset;
  for (let piece = pfn; piece < pfn + (1 << order);) {
    const alignOrder = piece === 0 ? order : ctz(piece);
    const pieceOrder = Math.min(alignOrder, 31 - Math.clz32(offset)); // min(__ffs, __fls)
    freeOneBlock(state, zone, piece, pieceOrder, getPageblockMigratetype(state, piece));
    piece += 1 << pieceOrder;
    offset -= 1 << pieceOrder;
    if (offset === 0) offset = (1 << order) - (piece - pfn); // now the second part
  }
}

/** __ffs(): index of the lowest set bit of a positive pfn. */
function ctz(pfn: Pfn): number {
  return 31 - Math.clz32(pfn & -pfn);
}

/**
 * Mirrors undo_isolate_page_range(start, end, migratetype) — mm/page_isolation.c
 * (kernel-semantics.md §6.5, §9 P26): every ISOLATE block of the range gets the caller's `mt`,
 * whatever it was before (K4_9 and K6_1 alike). K4_9 takes pageblock-aligned ends; K6_1 aligns
 * [start, end) outwards to pageblocks itself.
 */
export function undoIsolatePageRange(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): void {
  const blockPages = pageblockNrPages(state);
  let isolateStart = startPfn;
  let isolateEnd = endPfn;
  switch (state.world.profile) {
    case 'K4_9':
      assert(
        startPfn % blockPages === 0,
        () => `undoIsolatePageRange: start ${startPfn} not aligned`,
      );
      assert(endPfn % blockPages === 0, () => `undoIsolatePageRange: end ${endPfn} not aligned`);
      break;
    case 'K6_1':
      isolateStart = startPfn - (startPfn % blockPages);
      isolateEnd = Math.ceil(endPfn / blockPages) * blockPages;
      break;
  }
  for (let pfn = isolateStart; pfn < isolateEnd; pfn += blockPages) {
    const page = firstValidPage(state, pfn, blockPages);
    if (page === null || getPageblockMigratetype(state, page) !== MIGRATE_ISOLATE) continue;
    unsetMigratetypeIsolate(state, page, mt);
  }
}

/**
 * Mirrors test_pages_isolated(start, end, false) — mm/page_isolation.c, K4_9 and K6_1
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
