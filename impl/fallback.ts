/**
 * impl/fallback.ts — migratetype fallback and moving free pages between lists: FallbackLayer,
 * the second layer of BuddyCore (impl/core.ts). Mirrors model/fallback.ts and, in the kernel,
 * __rmqueue_fallback(), find_suitable_fallback(), can_steal_fallback(),
 * steal_suitable_fallback(), change_pageblock_range(), move_freepages_block() and
 * move_freepages() — mm/page_alloc.c v4.9.45 (kernel-semantics.md §3.1, §4.1, §4.2, §4.5,
 * §4.6 K4_9, §12.14, §12.15).
 *
 * Off the hot path (the C yardstick's workload falls back about once per 10^4 ops), so this
 * file favours plain kernel-shaped loops over tricks; it allocates nothing either.
 * K6_1 differs in every method here (§9 switches P6, P7, P9): "find smallest", counting
 * movable pages, tail insertion. Only K4_9 is implemented.
 */
import {
  FALLBACKS, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE,
} from '../src/core/migratetype.ts';
import { BuddyLayer, STAT } from './buddy.ts';

export abstract class FallbackLayer extends BuddyLayer {
  /**
   * Mirrors __rmqueue_fallback() K4_9 (§4.2): from maxOrder down to `order`, the head of the
   * first non-empty fallback list; steal its pageblock(s) when can_steal_fallback() allows,
   * then split it onto the *requested* type's lists. The caller accounts it with the pcp type
   * = requested type. Returns the pfn, or -1.
   */
  rmqueueFallback(zone: number, order: number, startMigratetype: number): number {
    for (let current = this.maxOrder; current >= order; current--) {
      const fallbackMigratetype = this.findSuitableFallback(zone, current, startMigratetype);
      if (fallbackMigratetype < 0) continue;
      const pfn = this.next[this.listHead(zone, current, fallbackMigratetype)];
      if (this.canStealFallback(current, startMigratetype)) {
        this.stealSuitableFallback(zone, pfn, startMigratetype);
      }
      // The block may have moved to the head of a startMigratetype list; list_del() finds it.
      this.delFromFreeList(zone, pfn, current);
      if (current > order) this.expand(zone, pfn, order, current, startMigratetype);
      this.stats[STAT.fallback + startMigratetype * MIGRATE_TYPES + fallbackMigratetype]++;
      // sourceList: the list the block was found on (find_suitable_fallback()'s answer).
      this.lastSourceList = fallbackMigratetype;
      return pfn;
    }
    return -1;
  }

  /**
   * Mirrors find_suitable_fallback(only_stealable = false) K4_9 (§4.2, §12.14): -1 when
   * nr_free of `order` is 0 (every type), else the first fallbacks[] entry with a non-empty
   * list at `order`, else -1.
   */
  findSuitableFallback(zone: number, order: number, migratetype: number): number {
    if (this.nrFreeBlocks(zone, order) === 0) return -1;
    for (const fallbackMigratetype of FALLBACKS[migratetype]) {
      const head = this.listHead(zone, order, fallbackMigratetype);
      if (this.next[head] !== head) return fallbackMigratetype;
    }
    return -1;
  }

  /**
   * Mirrors can_steal_fallback() (§4.5): may the whole pageblock be taken? `order` is the order
   * of the fallback block considered, not the request's.
   */
  canStealFallback(order: number, startMigratetype: number): boolean {
    const pageblockOrder = this.pageblockOrder;
    if (order >= pageblockOrder) return true;
    return order >= pageblockOrder >> 1
      || startMigratetype === MIGRATE_RECLAIMABLE
      || startMigratetype === MIGRATE_UNMOVABLE
      || this.mobilityGroupingDisabled;
  }

  /**
   * Mirrors steal_suitable_fallback() K4_9 (§4.6): a block of order >= pageblockOrder re-types
   * all its pageblocks; a smaller one moves every free page of its pageblock to the head of the
   * requested type's lists and claims the pageblock when shouldClaimPageblock() says so.
   */
  stealSuitableFallback(zone: number, pfn: number, startMigratetype: number): void {
    const currentOrder = this.freeOrder[pfn];
    if (currentOrder >= this.pageblockOrder) {
      this.changePageblockRange(pfn, currentOrder, startMigratetype);
      this.stats[STAT.stealRange]++;
      return;
    }
    const pagesMoved = this.moveFreepagesBlock(zone, pfn, startMigratetype);
    if (this.shouldClaimPageblock(pagesMoved)) {
      this.setPageblockMigratetype(pfn, startMigratetype);
      this.stats[STAT.claim]++;
    }
  }

  /**
   * steal_suitable_fallback()'s claim decision K4_9 (§4.6 step 4, switch P7): "Claim the whole
   * block if over half of it is free" — pages moved >= 2^(pageblockOrder - 1) — or always
   * when mobility grouping is disabled.
   */
  shouldClaimPageblock(pagesMoved: number): boolean {
    // Called only below pageblockOrder, so pageblockOrder >= 1 and the shift is defined.
    return pagesMoved >= 1 << (this.pageblockOrder - 1) || this.mobilityGroupingDisabled;
  }

  /** Mirrors change_pageblock_range(): the 2^(order - pageblockOrder) pageblocks from `pfn`. */
  changePageblockRange(pfn: number, order: number, migratetype: number): void {
    const pageblockPages = 1 << this.pageblockOrder;
    const blockCount = 1 << (order - this.pageblockOrder);
    for (let index = 0; index < blockCount; index++) {
      this.setPageblockMigratetype(pfn + index * pageblockPages, migratetype);
    }
  }

  /**
   * Mirrors move_freepages_block() K4_9 (§3.1): the pageblock holding `pfn`, start clipped to
   * `pfn` when the block starts outside the zone, nothing when it ends outside. Returns pages
   * moved. Block bits and vmstat are the caller's business.
   */
  moveFreepagesBlock(zone: number, pfn: number, migratetype: number): number {
    const pageblockPages = 1 << this.pageblockOrder;
    const blockStart = pfn & ~(pageblockPages - 1);
    const blockLast = blockStart + pageblockPages - 1;
    const zoneStart = this.zoneStart[zone];
    const zoneEnd = this.zoneEnd[zone];
    const scanStart = blockStart >= zoneStart && blockStart < zoneEnd ? blockStart : pfn;
    if (blockLast < zoneStart || blockLast >= zoneEnd) return 0;
    return this.moveFreepages(zone, scanStart, blockLast, migratetype);
  }

  /**
   * Mirrors move_freepages() K4_9 (§3.1, §12.15): ascending over [startPfn, lastPfn], every free
   * head goes to the head of the `migratetype` list of its order and the scan jumps over it;
   * other pages are stepped one by one.
   */
  moveFreepages(zone: number, startPfn: number, lastPfn: number, migratetype: number): number {
    const freeOrder = this.freeOrder;
    let pagesMoved = 0;
    let pfn = startPfn;
    while (pfn <= lastPfn) {
      const order = freeOrder[pfn];
      if (order < 0) {
        pfn++;
        continue;
      }
      this.moveToFreeListHead(zone, pfn, migratetype);
      pfn += 1 << order;
      pagesMoved += 1 << order;
    }
    return pagesMoved;
  }
}
