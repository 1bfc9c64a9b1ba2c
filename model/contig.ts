/**
 * alloc_contig_range() and the helpers that take free pages out of the buddy — mm/page_alloc.c
 * and isolate_freepages_range() of mm/compaction.c, K4_9 and K6_1 (kernel-semantics.md §6.1–§6.3,
 * §6.5, §12.4, §12.13). The profiles differ in the isolated range (K4_9 the MAX_ORDER-aligned
 * superset, K6_1 pageblock granularity, §9 P25), in `ret` after migration (§9 P29) and in which
 * pageblocks __isolate_free_page() re-types; the rest is the same code.
 *
 * Pages taken out of the buddy here (isolated free pages, and on success the whole range) are
 * left with owner OWNER_NONE and buddyOrder -1: "allocated, owner not yet named". The caller
 * (cma_alloc's caller, model/apply.ts) names the owner. free_contig_range() gives pages back one
 * order-0 page at a time, as __free_page() does.
 *
 * Not in scope: watermarks (__isolate_free_page's order-0 check; the model has none), fatal
 * signals (-EINTR), lru_add_drain_all()/drain_all_pages() (nothing to drain with pcp off), the
 * page_owner/split_page bookkeeping of map_pages().
 */
import { assert, maybe } from '../src/core/assert.ts';
import {
  MIGRATE_MOVABLE,
  type Migratetype,
  isMigrateCma,
  isMigrateIsolate,
  migratetypeIsMergeable,
} from '../src/core/migratetype.ts';
import type { Pfn, PfnRange } from '../src/core/world.ts';
import { freePages } from './allocPages.ts';
import { accountFreepages, delFromFreeList } from './buddy.ts';
import {
  pfnValid,
  startIsolatePageRange,
  testPagesIsolated,
  undoIsolatePageRange,
} from './isolation.ts';
import { allocContigMigrateRange } from './migrate.ts';
import { getPageblockMigratetype, setPageblockMigratetype } from './pageblock.ts';
import {
  type ModelState,
  type Zone,
  countBehaviour,
  pageblockNrPages,
  zoneOfPfn,
} from './state.ts';

const EBUSY = -16;

/** max(MAX_ORDER_NR_PAGES, pageblock_nr_pages): the isolation unit of K4_9 (§6.2 step 1). */
function pfnMaxAlignPages(state: ModelState): number {
  return Math.max(1 << state.world.maxOrder, pageblockNrPages(state));
}

/** Mirrors pfn_max_align_down() — mm/page_alloc.c, K4_9 (kernel-semantics.md §6.2 step 1). */
export function pfnMaxAlignDown(state: ModelState, pfn: Pfn): Pfn {
  const unit = pfnMaxAlignPages(state);
  return pfn - (pfn % unit);
}

/** Mirrors pfn_max_align_up() — mm/page_alloc.c, K4_9 (kernel-semantics.md §6.2 step 1). */
export function pfnMaxAlignUp(state: ModelState, pfn: Pfn): Pfn {
  const unit = pfnMaxAlignPages(state);
  return Math.ceil(pfn / unit) * unit;
}

/**
 * Mirrors alloc_contig_range(start, end, migratetype[, gfp_mask]) — mm/page_alloc.c
 * (kernel-semantics.md §6.2 K4_9, §6.3 K6_1):
 *  1. isolate (isolationRange; failure: start_isolate_page_range undid itself, return it — K6_1
 *     goes to `done`, whose undo then finds nothing isolated);
 *  2. migrate the movable pages of [start, end) away (§12.5–§12.8); an error other than -EBUSY
 *     goes straight to `done`; otherwise `ret` is what retAfterMigration says (§9 P29);
 *  3. take the range out of the buddy from outer_start (takeIsolatedRange);
 *  4. done: undo_isolate_page_range(.., migratetype) — every isolated block gets the *caller's*
 *     type (§9 P26).
 * Returns 0, -EBUSY or -ENOMEM. The range must lie in one zone (the caller's duty; asserted).
 */
export function allocContigRange(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  mt: Migratetype,
): number {
  assert(startPfn < endPfn, () => `allocContigRange: empty range [${startPfn}, ${endPfn})`);
  assert(
    pfnValid(state, startPfn) && pfnValid(state, endPfn - 1),
    () => `allocContigRange: [${startPfn}, ${endPfn}) leaves memory`,
  );
  assert(
    zoneOfPfn(state, startPfn) === zoneOfPfn(state, endPfn - 1),
    () => `allocContigRange: [${startPfn}, ${endPfn}) spans zones`,
  );
  const isolation = isolationRange(state, startPfn, endPfn);
  const isolated = startIsolatePageRange(state, isolation.startPfn, isolation.endPfn, mt);
  if (isolated !== 0) return isolated;
  let ret = allocContigMigrateRange(state, startPfn, endPfn);
  if (ret === 0 || ret === EBUSY) {
    ret = takeIsolatedRange(state, startPfn, endPfn, retAfterMigration(state, ret));
  }
  undoIsolatePageRange(state, isolation.startPfn, isolation.endPfn, mt); // done:
  return ret;
}

/**
 * The range alloc_contig_range() hands to start/undo_isolate_page_range() (§9 P25): K4_9
 * [pfn_max_align_down(start), pfn_max_align_up(end)) — whole MAX_ORDER blocks; K6_1 [start, end)
 * itself, which the K6_1 isolation functions round to pageblocks (and guard at both edges with
 * isolate_single_pageblock()).
 */
function isolationRange(state: ModelState, startPfn: Pfn, endPfn: Pfn): PfnRange {
  switch (state.world.profile) {
    case 'K4_9':
      return { startPfn: pfnMaxAlignDown(state, startPfn), endPfn: pfnMaxAlignUp(state, endPfn) };
    case 'K6_1':
      return { startPfn, endPfn };
  }
}

/**
 * `ret` once migration returned 0 or -EBUSY (§6.2 quirk, §9 P29). K4_9 keeps it, so -EBUSY from
 * migration survives a successful take (the pages would then leak). K6_1 resets it to 0 ("be
 * sure to clear ret"). The model's migration never returns -EBUSY (pinned pages are skipped,
 * §12.5), so the difference cannot be observed; the code keeps each kernel's shape.
 */
function retAfterMigration(state: ModelState, ret: number): number {
  switch (state.world.profile) {
    case 'K4_9':
      return ret;
    case 'K6_1':
      return 0;
  }
}

/**
 * Steps 4–7 of alloc_contig_range() (K4_9 and K6_1, §6.2, §6.3, §12.13): find outer_start, test
 * that [outer_start, end) is isolated and free ("PFNs busy" → -EBUSY; K6_1 prints no line), take
 * it out with isolate_freepages_range() (0 → -EBUSY), then give back [outer_start, start) and
 * [end, outer_end) one order-0 page at a time; they land on ISOLATE lists. Returns `ret`
 * unchanged on success (retAfterMigration decided it).
 */
function takeIsolatedRange(state: ModelState, startPfn: Pfn, endPfn: Pfn, ret: number): number {
  const outerStart = findOuterStart(state, startPfn);
  if (testPagesIsolated(state, outerStart, endPfn) !== 0) {
    // pr_info_ratelimited("%s: [%lx, %lx) PFNs busy\n", "alloc_contig_range", outer_start, end)
    countBehaviour(state, 'contig.pfnsBusy');
    return EBUSY;
  }
  const outerEnd = isolateFreepagesRange(state, outerStart, endPfn);
  if (outerEnd === 0) return EBUSY;
  if (startPfn !== outerStart) freeContigRange(state, outerStart, startPfn - outerStart);
  if (endPfn !== outerEnd) freeContigRange(state, endPfn, outerEnd - endPfn);
  maybe(startPfn !== outerStart); // a free buddy covered `start`: its head part is given back
  maybe(endPfn !== outerEnd); // the last block taken ran past `end`
  return ret;
}

/**
 * outer_start of alloc_contig_range() (K4_9 and K6_1, §6.2 step 4): the head of the free buddy that
 * covers `start`, found by rounding `start` down to ever larger orders until a PageBuddy head
 * appears (or MAX_ORDER is reached: then `start`); a head whose block ends at or before `start`
 * does not cover it, so `start` again.
 */
function findOuterStart(state: ModelState, startPfn: Pfn): Pfn {
  let order = 0;
  let outerStart = startPfn;
  while (state.buddyOrder[outerStart] < 0) {
    if (++order >= state.world.maxOrder + 1) {
      // ++order >= MAX_ORDER
      outerStart = startPfn;
      break;
    }
    outerStart -= outerStart % (1 << order); // outer_start &= ~0UL << order
  }
  if (outerStart !== startPfn) {
    const headOrder = state.buddyOrder[outerStart];
    if (outerStart + (1 << headOrder) <= startPfn) outerStart = startPfn;
  }
  return outerStart;
}

/**
 * Mirrors __isolate_free_page(page, order) — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md
 * §4.8, §12.4): take the free head `pfn` of `order` off its list. Outside ISOLATE blocks the
 * pages leave vmstat, by the *block* type (the kernel's watermark check is not modelled: the
 * model has no watermarks, so this never fails). For order ≥ pageblock_order − 1, every pageblock
 * the block starts (`page < endpage` with endpage = page + 2^order − 1) that isolateRetypes()
 * allows becomes MOVABLE. Returns true (the kernel: 1 << order).
 */
export function isolateFreePage(state: ModelState, zone: Zone, pfn: Pfn, order: number): boolean {
  assert(
    state.buddyOrder[pfn] === order,
    () => `isolateFreePage: pfn ${pfn} is not a free head of` + ` order ${order}`,
  ); // BUG_ON(!PageBuddy(page))
  const mt = getPageblockMigratetype(state, pfn);
  if (!isMigrateIsolate(mt)) accountFreepages(zone, -(1 << order), mt);
  delFromFreeList(state, zone, pfn, order);
  if (order >= state.world.pageblockOrder - 1) {
    const endPage = pfn + (1 << order) - 1;
    for (let page = pfn; page < endPage; page += pageblockNrPages(state)) {
      const blockMt = getPageblockMigratetype(state, page);
      if (isolateRetypes(state, blockMt)) setPageblockMigratetype(state, page, MIGRATE_MOVABLE);
    }
  }
  return true;
}

/**
 * Which pageblocks __isolate_free_page() sets MOVABLE (§12.4): K4_9 those neither ISOLATE nor CMA
 * (HIGHATOMIC too); K6_1 only "normal" ones, migratetype_is_mergeable(). The same set in the
 * model, which has no HIGHATOMIC blocks.
 */
function isolateRetypes(state: ModelState, blockMt: Migratetype): boolean {
  switch (state.world.profile) {
    case 'K4_9':
      return !isMigrateIsolate(blockMt) && !isMigrateCma(blockMt);
    case 'K6_1':
      return migratetypeIsMergeable(blockMt);
  }
}

/** A free block taken by isolate_freepages_block(), as page_private records it. */
interface IsolatedBlock {
  pfn: Pfn;
  order: number;
}

/**
 * Mirrors isolate_freepages_range(cc, start, end) — mm/compaction.c, K4_9 and K6_1
 * (kernel-semantics.md §6.5, §12.13), strict mode:
 * walks pageblock-bounded chunks from `start`; each chunk must lie in the zone
 * (pageblock_pfn_to_page) and consist of free buddy heads met one after the other, each taken
 * with __isolate_free_page; a block may run past the chunk (and past `end`). Returns the pfn just
 * past the last block taken (≥ end), or 0 after giving back every page taken (release_freepages,
 * one order-0 page at a time). The zone is cc->zone, the zone of `start`.
 */
export function isolateFreepagesRange(state: ModelState, startPfn: Pfn, endPfn: Pfn): Pfn {
  const zone = zoneOfPfn(state, startPfn);
  const blockPages = pageblockNrPages(state);
  const freelist: IsolatedBlock[] = [];
  let pfn = startPfn;
  let blockStartPfn = Math.max(pfn - (pfn % blockPages), zone.startPfn);
  let blockEndPfn = pfn - (pfn % blockPages) + blockPages; // pageblock_end_pfn(pfn)
  while (pfn < endPfn) {
    // bound: each pass isolates ≥ 1 page or breaks
    blockEndPfn = Math.min(blockEndPfn, endPfn);
    if (pfn >= blockEndPfn) {
      // a block taken earlier ran past this chunk
      blockStartPfn = pfn - (pfn % blockPages);
      blockEndPfn = Math.min(blockStartPfn + blockPages, endPfn);
    }
    if (!pageblockPfnToPage(state, blockStartPfn, blockEndPfn, zone)) break;
    const isolated = isolateFreepagesBlock(state, zone, pfn, blockEndPfn, freelist);
    if (isolated === 0) break;
    pfn += isolated;
    blockStartPfn = blockEndPfn;
    blockEndPfn += blockPages;
  }
  if (pfn < endPfn) {
    releaseFreepages(state, freelist);
    return 0;
  }
  return pfn;
}

/**
 * pageblock_pfn_to_page(start, end, zone) — mm/page_alloc.c, K4_9: both ends of the chunk are
 * valid pfns of `zone`.
 */
function pageblockPfnToPage(state: ModelState, startPfn: Pfn, endPfn: Pfn, zone: Zone): boolean {
  if (!pfnValid(state, startPfn) || !pfnValid(state, endPfn - 1)) return false;
  return zoneOfPfn(state, startPfn) === zone && zoneOfPfn(state, endPfn - 1) === zone;
}

/**
 * isolate_freepages_block(cc, &start, end, freelist, strict = true) — mm/compaction.c, K4_9:
 * takes the free heads met from `startPfn`, jumping over each taken block; the first pfn that
 * is invalid or not a free head stops the scan, and in strict mode a scan that stopped before
 * `endPfn` returns 0 (the blocks already taken stay on `freelist` for the caller to release).
 * The model's page allocations are not compound (alloc_pages without __GFP_COMP), so the
 * PageCompound skip reduces to "not a free head".
 */
function isolateFreepagesBlock(
  state: ModelState,
  zone: Zone,
  startPfn: Pfn,
  endPfn: Pfn,
  freelist: IsolatedBlock[],
): number {
  let totalIsolated = 0;
  let blockPfn = startPfn;
  for (; blockPfn < endPfn; blockPfn++) {
    if (!pfnValid(state, blockPfn)) break; // isolate_fail, strict
    const order = state.buddyOrder[blockPfn];
    if (order < 0) break; // !PageBuddy(page): isolate_fail, strict
    if (!isolateFreePage(state, zone, blockPfn, order)) break;
    totalIsolated += 1 << order;
    freelist.push({ pfn: blockPfn, order });
    blockPfn += (1 << order) - 1; // advance to the end of the split page
  }
  blockPfn = Math.min(blockPfn, endPfn);
  return blockPfn < endPfn ? 0 : totalIsolated;
}

/**
 * map_pages() + release_freepages() — mm/compaction.c, K4_9: every taken block is split into
 * order-0 pages, list_add()ed onto a temporary list (so the list runs from the last page of the
 * last block down), and each is freed with __free_page() in that order: descending pfns.
 */
function releaseFreepages(state: ModelState, freelist: readonly IsolatedBlock[]): void {
  countBehaviour(state, 'contig.releaseFreepages');
  const pages: Pfn[] = [];
  for (const { pfn, order } of freelist) {
    for (let page = pfn; page < pfn + (1 << order); page++) pages.unshift(page);
  }
  for (const page of pages) freePages(state, page, 0);
}

/**
 * Mirrors free_contig_range(pfn, nr_pages) — mm/page_alloc.c, K4_9 and K6_1 (kernel-semantics.md
 * §6.5): __free_page() on each page, ascending, so each goes through __free_one_page at order 0
 * with its block's current type (ISOLATE inside an isolated range) and merges from there. The
 * kernel's WARN on pages whose refcount is not 1 is the double-free assert of freeOneBlock here.
 */
export function freeContigRange(state: ModelState, pfn: Pfn, count: number): void {
  assert(count >= 0, () => `freeContigRange: count ${count}`);
  if (count === 0) return;
  assert(
    pfnValid(state, pfn) && pfnValid(state, pfn + count - 1),
    () => `freeContigRange: [${pfn}, ${pfn + count}) leaves memory`,
  );
  for (let page = pfn; page < pfn + count; page++) freePages(state, page, 0);
}
