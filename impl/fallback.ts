/**
 * impl/fallback.ts — migratetype fallback and moving free pages between lists. Mirrors
 * model/fallback.ts and, in the kernel, __rmqueue_fallback(), find_suitable_fallback(),
 * can_steal_fallback(), steal_suitable_fallback(), change_pageblock_range(),
 * move_freepages_block() and move_freepages() — mm/page_alloc.c v4.9.45 (kernel-semantics.md
 * §3.1, §4.1, §4.2, §4.5, §4.6 K4_9, §12.14, §12.15).
 *
 * Off the hot path (the C yardstick's workload falls back about once per 10^4 ops), so this
 * file favours plain kernel-shaped loops over tricks; it allocates nothing either.
 * K6_1 differs in every function here (§9 switches P6, P7, P9): "find smallest", counting
 * movable pages, tail insertion. Only K4_9 is implemented.
 */
import {
  FALLBACKS, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE,
} from '../src/core/migratetype.ts';
import type { BuddyCore } from './buddy.ts';

/**
 * Mirrors __rmqueue_fallback() K4_9 (§4.2): from maxOrder down to `order`, the head of the
 * first non-empty fallback list; steal its pageblock(s) when can_steal_fallback() allows, then
 * split it onto the *requested* type's lists. Accounts like buddy.rmqueueSmallest with the
 * pcp type = requested type. Returns the pfn, or -1.
 */
export function rmqueueFallback(
  core: BuddyCore, zone: number, order: number, startMigratetype: number,
): number {
  for (let current = core.maxOrder; current >= order; current--) {
    const fallbackMigratetype = findSuitableFallback(core, zone, current, startMigratetype);
    if (fallbackMigratetype < 0) continue;
    const pfn = core.next[core.listHead(zone, current, fallbackMigratetype)];
    if (canStealFallback(core, current, startMigratetype)) {
      stealSuitableFallback(core, zone, pfn, startMigratetype);
    }
    // The block may have moved to the head of a startMigratetype list; list_del() finds it.
    core.delFromFreeList(zone, pfn);
    if (current > order) core.expand(zone, pfn, order, current, startMigratetype);
    // buffered_rmqueue()'s __mod_zone_freepage_state(-(1 << order), start type): derived.
    core.fallbackCounts[startMigratetype * MIGRATE_TYPES + fallbackMigratetype]++;
    // sourceList: the list the block was found on (find_suitable_fallback()'s answer).
    core.lastSourceList = fallbackMigratetype;
    return pfn;
  }
  return -1;
}

/**
 * Mirrors find_suitable_fallback(only_stealable = false) K4_9 (§4.2, §12.14): the first
 * fallbacks[] entry with a non-empty list at `order`, else -1. The kernel first returns -1 when
 * nr_free is 0, an early exit that cannot change the answer (impl derives nr_free, buddy.ts).
 */
export function findSuitableFallback(
  core: BuddyCore, zone: number, order: number, migratetype: number,
): number {
  for (const fallbackMigratetype of FALLBACKS[migratetype]) {
    const head = core.listHead(zone, order, fallbackMigratetype);
    if (core.next[head] !== head) return fallbackMigratetype;
  }
  return -1;
}

/**
 * Mirrors can_steal_fallback() (§4.5): may the whole pageblock be taken? `order` is the order
 * of the fallback block considered, not the request's.
 */
export function canStealFallback(
  core: BuddyCore, order: number, startMigratetype: number,
): boolean {
  const pageblockOrder = core.pageblockOrder;
  if (order >= pageblockOrder) return true;
  return order >= pageblockOrder >> 1
    || startMigratetype === MIGRATE_RECLAIMABLE
    || startMigratetype === MIGRATE_UNMOVABLE
    || core.mobilityGroupingDisabled;
}

/**
 * Mirrors steal_suitable_fallback() K4_9 (§4.6): a block of order >= pageblockOrder re-types all
 * its pageblocks; a smaller one moves every free page of its pageblock to the head of the
 * requested type's lists and claims the pageblock when at least half of it was free.
 */
export function stealSuitableFallback(
  core: BuddyCore, zone: number, pfn: number, startMigratetype: number,
): void {
  const currentOrder = core.freeOrder[pfn];
  const pageblockOrder = core.pageblockOrder;
  if (currentOrder >= pageblockOrder) {
    changePageblockRange(core, pfn, currentOrder, startMigratetype);
    core.stealRangeCount++;
    return;
  }
  // currentOrder < pageblockOrder here, so pageblockOrder >= 1 and the shift is defined.
  const pagesMoved = moveFreepagesBlock(core, zone, pfn, startMigratetype);
  if (pagesMoved >= 1 << (pageblockOrder - 1) || core.mobilityGroupingDisabled) {
    core.setPageblockMigratetype(pfn, startMigratetype);
    core.claimCount++;
  }
}

/** Mirrors change_pageblock_range(): the 2^(order - pageblockOrder) pageblocks from `pfn`. */
export function changePageblockRange(
  core: BuddyCore, pfn: number, order: number, migratetype: number,
): void {
  const pageblockPages = 1 << core.pageblockOrder;
  const blockCount = 1 << (order - core.pageblockOrder);
  for (let index = 0; index < blockCount; index++) {
    core.setPageblockMigratetype(pfn + index * pageblockPages, migratetype);
  }
}

/**
 * Mirrors move_freepages_block() K4_9 (§3.1): the pageblock holding `pfn`, start clipped to
 * `pfn` when the block starts outside the zone, nothing when it ends outside. Returns pages
 * moved. Block bits are the caller's business.
 */
export function moveFreepagesBlock(
  core: BuddyCore, zone: number, pfn: number, migratetype: number,
): number {
  const pageblockPages = 1 << core.pageblockOrder;
  const blockStart = pfn & ~(pageblockPages - 1);
  const blockLast = blockStart + pageblockPages - 1;
  const zoneStart = core.zoneStart[zone];
  const zoneEnd = core.zoneEnd[zone];
  const scanStart = blockStart >= zoneStart && blockStart < zoneEnd ? blockStart : pfn;
  if (blockLast < zoneStart || blockLast >= zoneEnd) return 0;
  return moveFreepages(core, zone, scanStart, blockLast, migratetype);
}

/**
 * Mirrors move_freepages() K4_9 (§3.1, §12.15): ascending over [startPfn, lastPfn], every free
 * head goes to the head of the `migratetype` list of its order and the scan jumps over it;
 * other pages are stepped one by one.
 */
export function moveFreepages(
  core: BuddyCore, zone: number, startPfn: number, lastPfn: number, migratetype: number,
): number {
  const freeOrder = core.freeOrder;
  let pagesMoved = 0;
  let pfn = startPfn;
  while (pfn <= lastPfn) {
    const order = freeOrder[pfn];
    if (order < 0) {
      pfn++;
      continue;
    }
    core.moveToFreeListHead(zone, pfn, migratetype);
    pfn += 1 << order;
    pagesMoved += 1 << order;
  }
  return pagesMoved;
}
