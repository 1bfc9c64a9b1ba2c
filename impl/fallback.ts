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
 * K6_1 (§4.3, §4.6 K6_1, §3.1; switches P6, P7, P9, P10): __rmqueue_fallback() only moves
 * pages (rmqueueFallbackK6_1, "find smallest" for a MOVABLE request that may not steal, the
 * ALLOC_NOFRAGMENT floor), steal_suitable_fallback() claims on free + alike pages
 * (stealSuitableFallbackK6_1, with move_freepages()'s count of LRU pages), and every move goes
 * to the list tail. The shared steps (findSuitableFallback, canStealFallback,
 * shouldClaimPageblock, changePageblockRange, moveFreepagesBlock, moveFreepages) serve both.
 */
import { assert } from '../src/core/assert.ts';
import {
  FALLBACKS, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
} from '../src/core/migratetype.ts';
import { KIND_PAGES } from './allocations.ts';
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
   * Mirrors __rmqueue_fallback() K6_1 (§4.3): from maxOrder down to `order` — to pageblockOrder
   * under ALLOC_NOFRAGMENT — the first order with a fallback list; a MOVABLE request that may
   * not steal that block (and could use a smaller one) looks for the smallest order with a
   * fallback instead ("find_smallest"); the head of that list goes through
   * steal_suitable_fallback(), which moves it (maybe with its pageblock's free pages) to the
   * tail of the request's lists, where __rmqueue()'s retry finds it. Returns the fallback
   * migratetype (the kernel returns true), or -1 (false).
   */
  rmqueueFallbackK6_1(
    zone: number, order: number, startMigratetype: number, noFragment: boolean,
  ): number {
    const minOrder = noFragment && order < this.pageblockOrder ? this.pageblockOrder : order;
    for (let current = this.maxOrder; current >= minOrder; current--) {
      let fallbackMigratetype = this.findSuitableFallback(zone, current, startMigratetype);
      if (fallbackMigratetype < 0) continue;
      let stealOrder = current;
      let canSteal = this.canStealFallback(current, startMigratetype);
      if (!canSteal && startMigratetype === MIGRATE_MOVABLE && current > order) {
        // find_smallest: the loop above found one at `current`, so this one ends by then.
        stealOrder = order;
        for (;;) {
          fallbackMigratetype = this.findSuitableFallback(zone, stealOrder, startMigratetype);
          if (fallbackMigratetype >= 0) break;
          stealOrder++;
          assert(stealOrder <= this.maxOrder, '__rmqueue_fallback: find_smallest found nothing');
        }
        canSteal = this.canStealFallback(stealOrder, startMigratetype);
      }
      const pfn = this.next[this.listHead(zone, stealOrder, fallbackMigratetype)];
      this.stealSuitableFallbackK6_1(zone, pfn, startMigratetype, canSteal);
      this.stats[STAT.fallback + startMigratetype * MIGRATE_TYPES + fallbackMigratetype]++;
      return fallbackMigratetype;
    }
    return -1;
  }

  /**
   * Mirrors steal_suitable_fallback(zone, page, alloc_flags, start_type, whole_block) K6_1
   * (§4.6 K6_1; watermark boosting is not modelled): a block of order >= pageblockOrder
   * re-types its pageblocks; otherwise, when whole_block, every free page of the pageblock
   * moves to the tail of the requested type's lists and the pageblock is claimed when its free
   * pages plus the "alike" in-use ones reach half of it. In every other case (HIGHATOMIC block,
   * order >= pageblockOrder, !whole_block, nothing moved at a zone edge) only the block itself
   * moves to the tail of the requested type's list of its order (`single_page`).
   */
  stealSuitableFallbackK6_1(
    zone: number, pfn: number, startMigratetype: number, wholeBlock: boolean,
  ): void {
    const currentOrder = this.freeOrder[pfn];
    const oldBlockMigratetype = this.pageblockMigratetype(pfn);
    if (oldBlockMigratetype !== MIGRATE_HIGHATOMIC && currentOrder >= this.pageblockOrder) {
      this.changePageblockRange(pfn, currentOrder, startMigratetype);
      this.stats[STAT.stealRange]++;
    } else if (oldBlockMigratetype !== MIGRATE_HIGHATOMIC && wholeBlock) {
      const freePages = this.moveFreepagesBlock(zone, pfn, startMigratetype);
      const movablePages = this.movablePages;
      let alikePages = 0;
      if (startMigratetype === MIGRATE_MOVABLE) {
        alikePages = movablePages;
      } else if (oldBlockMigratetype === MIGRATE_MOVABLE) {
        // U/E falling back to a MOVABLE block: every non-free, non-LRU page counts as alike.
        alikePages = (1 << this.pageblockOrder) - (freePages + movablePages);
      }
      if (freePages !== 0) {
        if (this.shouldClaimPageblock(freePages + alikePages)) {
          this.setPageblockMigratetype(pfn, startMigratetype);
          this.stats[STAT.claim]++;
        }
        return;
      }
    }
    this.moveToFreeListTail(zone, pfn, startMigratetype);
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
   * steal_suitable_fallback()'s claim decision (§4.6, switch P7): K4_9 "Claim the whole block if
   * over half of it is free" — pages moved >= 2^(pageblockOrder - 1); K6_1 passes free + alike
   * pages instead — or always when mobility grouping is disabled.
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
   * Mirrors move_freepages_block() (§3.1, same in K4_9 and K6_1): the pageblock holding `pfn`,
   * start clipped to `pfn` when the block starts outside the zone, nothing when it ends outside
   * (then K6_1's num_movable is 0 too). Returns pages moved. Block bits and vmstat are the
   * caller's business.
   */
  moveFreepagesBlock(zone: number, pfn: number, migratetype: number): number {
    const pageblockPages = 1 << this.pageblockOrder;
    const blockStart = pfn & ~(pageblockPages - 1);
    const blockLast = blockStart + pageblockPages - 1;
    const zoneStart = this.zoneStart[zone];
    const zoneEnd = this.zoneEnd[zone];
    const scanStart = blockStart >= zoneStart && blockStart < zoneEnd ? blockStart : pfn;
    this.movablePages = 0;
    if (blockLast < zoneStart || blockLast >= zoneEnd) return 0;
    return this.moveFreepages(zone, scanStart, blockLast, migratetype);
  }

  /**
   * Mirrors move_freepages() (§3.1, §12.15): ascending over [startPfn, lastPfn], every free head
   * goes to the `migratetype` list of its order — K4_9 at its head (list_move()), K6_1 at its
   * tail (move_to_free_list(), switch P9) — and the scan jumps over it; other pages are stepped
   * one by one, K6_1 counting those on an LRU list into movablePages (`num_movable`: pages of
   * MOVABLE page allocations, a THP's tail pages reporting their head's PageLRU; docs/MODEL.md
   * "K6_1", THPs).
   */
  moveFreepages(zone: number, startPfn: number, lastPfn: number, migratetype: number): number {
    const freeOrder = this.freeOrder;
    const toTail = this.isK6_1;
    let pagesMoved = 0;
    let movablePages = 0;
    let pfn = startPfn;
    while (pfn <= lastPfn) {
      const order = freeOrder[pfn];
      if (order < 0) {
        if (toTail && this.pageIsLru(pfn)) movablePages++;
        pfn++;
        continue;
      }
      if (toTail) this.moveToFreeListTail(zone, pfn, migratetype);
      else this.moveToFreeListHead(zone, pfn, migratetype);
      pfn += 1 << order;
      pagesMoved += 1 << order;
    }
    this.movablePages = movablePages;
    return pagesMoved;
  }

  /**
   * PageLRU(page) || __PageMovable(page) for an in-use pfn: it belongs to a MOVABLE page
   * allocation (anonymous or file memory, on an LRU list whether pinned or not). UNMOVABLE and
   * RECLAIMABLE allocations, CMA/DMA ranges and reserved pages are on no LRU list.
   */
  pageIsLru(pfn: number): boolean {
    const table = this.table;
    const id = table.ownerAt(pfn);
    return id >= 0 && table.kindOf(id) === KIND_PAGES
      && table.migratetypeOf(id) === MIGRATE_MOVABLE;
  }
}
