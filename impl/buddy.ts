/**
 * impl/buddy.ts — the zones' free lists, split and merge. Mirrors model/buddy.ts
 * (rmqueueSmallest, expand, freeOneBlock, addToFreeList) and, in the kernel,
 * __rmqueue_smallest(), expand(), __free_one_page(), __free_pages() with pcp off and
 * buffered_rmqueue()'s accounting — mm/page_alloc.c v4.9.45 (kernel-semantics.md §2, §12.1,
 * §12.17). The fallback half of __rmqueue() lives in impl/fallback.ts.
 *
 * Not in scope: pcp lists, guard pages, HIGHATOMIC, watermarks (docs/MODEL.md "Scope").
 *
 * State layout (STYLE G15; every array is sized once at boot, nothing is allocated per op):
 * - `next`/`prev` are Int32Arrays indexed by pfn: the intrusive doubly linked free lists of the
 *   kernel's page->lru. Indices >= pages are list sentinels, one per (zone, order, migratetype),
 *   so lists are circular and list_del() needs neither the list head nor a branch (as the C
 *   yardstick). While a page is allocated its two slots are unused by the lists, so
 *   impl/allocations.ts keeps the owner slot in `next` and the data token in `prev` (8 B/page).
 * - `freeOrder` (Int8Array by pfn) is PageBuddy + page_private: the order of a free block's head
 *   page, -1 for every other page (1 B/page). The list a head is on is never stored: no kernel
 *   path reads it, and the snapshot walks the lists.
 * - `blockInfo` (Uint8Array by pageblock) packs the pageblock's migratetype bits (low 3 bits)
 *   and its zone (the bits above), so __free_pages() gets both with one load (1 B/pageblock).
 * Total: 9 bytes per page plus 1 byte per pageblock (impl/allocator.ts stateBytes()).
 *
 * Counters: free_area[].nr_free and the vmstat pair NR_FREE_PAGES / NR_FREE_CMA_PAGES are
 * *derived* from the lists when read (the snapshot walks every list anyway). nr_free counts the
 * blocks on an order's lists by definition (each list_add/list_del of a buddy pairs with its
 * ++/--). For the vmstat pair, with pcp and guard pages off every K4_9 path modelled here
 * changes them by exactly the pages it puts on or takes off non-ISOLATE (resp. CMA) lists —
 * §8.1 I10, §12.18: frees and allocations account by list type, isolation moves a CMA block's
 * pages (all on CMA lists, I7) to ISOLATE lists and back, __isolate_free_page() runs only
 * inside ISOLATE blocks, steals move only between U/M/E lists, and no merge joins CMA and
 * non-CMA (areas are MAX_ORDER aligned). DEVIATION: the kernel updates the three counters per
 * operation; here that cost a fifth of the yardstick run (three typed-array read-modify-writes
 * per op), and a path that broke the equalities would show as a model/impl disagreement.
 *
 * V8 notes (the hot path is allocPages/freePages; each measured with bench/yardstick.ts):
 * - fields assigned in the constructor are `declare`d: a class field declaration would first
 *   define them as undefined and generalize their representation, costing map checks;
 * - constants used on the hot path are module-private `const`s, which V8 folds; an exported or
 *   imported binding is a runtime load (a getter call under tsx);
 * - integer fields are stored `| 0`, so a world computed with doubles (2 ** 18) still gives
 *   small-integer fields instead of float compares on every pfn;
 * - the common case of allocPages (the highest zone's own lists) and the whole of freePages are
 *   small enough for V8 to inline; the rest of __rmqueue is out of line in allocPagesSlow;
 * - zone-range and isolation checks of the merge loop run only from pageblockOrder up (below
 *   it a buddy shares the pageblock, hence the zone), saving three loads per free.
 */
import { assert } from '../src/core/assert.ts';
import * as shared from '../src/core/migratetype.ts';
import { rmqueueFallback } from './fallback.ts';

const MIGRATE_UNMOVABLE = 0;
const MIGRATE_MOVABLE = 1;
const MIGRATE_PCPTYPES = 3;
const MIGRATE_CMA = 4;
const MIGRATE_ISOLATE = 5;
const MIGRATE_TYPES = 6;
assert(MIGRATE_UNMOVABLE === shared.MIGRATE_UNMOVABLE, 'impl/buddy.ts: MIGRATE_UNMOVABLE');
assert(MIGRATE_MOVABLE === shared.MIGRATE_MOVABLE, 'impl/buddy.ts: MIGRATE_MOVABLE');
assert(MIGRATE_PCPTYPES === shared.MIGRATE_PCPTYPES, 'impl/buddy.ts: MIGRATE_PCPTYPES');
assert(MIGRATE_CMA === shared.MIGRATE_CMA, 'impl/buddy.ts: MIGRATE_CMA');
assert(MIGRATE_ISOLATE === shared.MIGRATE_ISOLATE, 'impl/buddy.ts: MIGRATE_ISOLATE');
assert(MIGRATE_TYPES === shared.MIGRATE_TYPES, 'impl/buddy.ts: MIGRATE_TYPES');

/** log2 of the list slots per order: MIGRATE_TYPES (6) rounded up to 8, so a slot is a shift. */
const LIST_SHIFT = 3;
/** blockInfo: the zone above the 3 migratetype bits. */
const BLOCK_ZONE_SHIFT = 3;
const BLOCK_TYPE_MASK = (1 << BLOCK_ZONE_SHIFT) - 1;
assert(1 << LIST_SHIFT >= MIGRATE_TYPES, 'LIST_SHIFT must leave a slot for every migratetype');

export interface ZoneSpan {
  startPfn: number;
  endPfn: number;
}

export interface BuddyGeometry {
  pages: number;
  maxOrder: number;
  pageblockOrder: number;
  zones: readonly ZoneSpan[];
  /** page_group_by_mobility_disabled (§1.4 rule 4, §12.9). */
  mobilityGroupingDisabled: boolean;
}

export class BuddyCore {
  declare readonly pages: number;
  declare readonly maxOrder: number;
  declare readonly pageblockOrder: number;
  declare readonly zoneCount: number;
  declare readonly mobilityGroupingDisabled: boolean;
  declare readonly next: Int32Array;
  declare readonly prev: Int32Array;
  declare readonly freeOrder: Int8Array;
  /** Per pageblock: migratetype | zone << BLOCK_ZONE_SHIFT. */
  declare readonly blockInfo: Uint8Array;
  declare readonly zoneStart: Int32Array;
  declare readonly zoneEnd: Int32Array;
  /** Sentinel of (zone, order 0, migratetype 0); list (z, o, mt) is listBase[z] + (o << 3) + mt. */
  declare readonly listBase: Int32Array;
  declare readonly nrIsolatePageblock: Int32Array;
  declare readonly managedPages: Int32Array;
  /** [requested * MIGRATE_TYPES + fallback]: __rmqueue_fallback() takes (behaviours). */
  declare readonly fallbackCounts: Int32Array;
  /**
   * The free list type the last allocation took its block from, written by the paths that
   * take another list than the requested one: a caller that needs it sets it to the requested
   * type first (the fast path then leaves it alone).
   */
  declare lastSourceList: number;
  declare cmaFallbackCount: number;
  declare claimCount: number;
  declare stealRangeCount: number;
  declare splitDepthMax: number;
  declare mergeDepthMax: number;

  constructor(geometry: BuddyGeometry) {
    const { pages, maxOrder, pageblockOrder, zones } = geometry;
    assert(pageblockOrder <= maxOrder, `BuddyCore: pageblockOrder ${pageblockOrder} > maxOrder`);
    assert(pages % (1 << pageblockOrder) === 0, `BuddyCore: ${pages} pages not in pageblocks`);
    const zonesMax = 255 >> BLOCK_ZONE_SHIFT;
    assert(zones.length >= 1 && zones.length <= zonesMax, `BuddyCore: ${zones.length} zones`);
    // Speed: `| 0` makes V8 store these as small integers even when the world computed them as
    // doubles (2 ** 18 is one); a double field turns every compare with a pfn into a conversion.
    this.pages = pages | 0;
    this.maxOrder = maxOrder | 0;
    this.pageblockOrder = pageblockOrder | 0;
    this.zoneCount = zones.length | 0;
    this.mobilityGroupingDisabled = geometry.mobilityGroupingDisabled;
    const listStride = (maxOrder + 1) << LIST_SHIFT;
    const listSlots = zones.length * listStride;
    this.next = new Int32Array(pages + listSlots).fill(-1);
    this.prev = new Int32Array(pages + listSlots).fill(-1);
    this.freeOrder = new Int8Array(pages).fill(-1);
    const blocks = pages >> pageblockOrder;
    this.blockInfo = new Uint8Array(blocks);
    this.zoneStart = new Int32Array(zones.length);
    this.zoneEnd = new Int32Array(zones.length);
    // Speed: a typed-array load here measured faster than pages + zone * stride.
    this.listBase = new Int32Array(zones.length);
    zones.forEach((zone, index) => {
      this.listBase[index] = pages + index * listStride;
      this.zoneStart[index] = zone.startPfn;
      this.zoneEnd[index] = zone.endPfn;
      // memmap_init_zone(): every pageblock starts MIGRATE_MOVABLE (§1.4 rule 5, §12.9).
      const info = (index << BLOCK_ZONE_SHIFT) | MIGRATE_MOVABLE;
      this.blockInfo.fill(info, zone.startPfn >> pageblockOrder, zone.endPfn >> pageblockOrder);
    });
    for (let slot = pages; slot < pages + listSlots; slot++) {
      this.next[slot] = slot;
      this.prev[slot] = slot;
    }
    this.nrIsolatePageblock = new Int32Array(zones.length);
    this.managedPages = new Int32Array(zones.length);
    this.fallbackCounts = new Int32Array(MIGRATE_TYPES * MIGRATE_TYPES);
    this.lastSourceList = -1;
    this.cmaFallbackCount = 0;
    this.claimCount = 0;
    this.stealRangeCount = 0;
    this.splitDepthMax = 0;
    this.mergeDepthMax = 0;
  }

  /** The sentinel of zone->free_area[order].free_list[migratetype]. */
  listHead(zone: number, order: number, migratetype: number): number {
    return this.listBase[zone] + (order << LIST_SHIFT) + migratetype;
  }

  /** page_zone(): the zone of the pageblock holding `pfn`. */
  zoneOf(pfn: number): number {
    return this.blockInfo[pfn >> this.pageblockOrder] >> BLOCK_ZONE_SHIFT;
  }

  /** get_pageblock_migratetype(). */
  pageblockMigratetype(pfn: number): number {
    return this.blockInfo[pfn >> this.pageblockOrder] & BLOCK_TYPE_MASK;
  }

  /** The migratetype of every pageblock, in pfn order. */
  pageblockMigratetypes(): number[] {
    return Array.from(this.blockInfo, (info) => info & BLOCK_TYPE_MASK);
  }

  /**
   * Mirrors set_pageblock_migratetype() — mm/page_alloc.c (§1.4 rule 1): with mobility grouping
   * disabled a PCP type is stored as UNMOVABLE.
   */
  setPageblockMigratetype(pfn: number, migratetype: number): void {
    const stored = this.mobilityGroupingDisabled && migratetype < MIGRATE_PCPTYPES
      ? MIGRATE_UNMOVABLE : migratetype;
    const block = pfn >> this.pageblockOrder;
    this.blockInfo[block] = (this.blockInfo[block] & ~BLOCK_TYPE_MASK) | stored;
  }

  /**
   * free_area[order].nr_free of `zone`, derived: the blocks on that order's lists, which is what
   * the kernel's counter counts (every list_add/list_del of a buddy pairs with its ++/--).
   */
  nrFreeBlocks(zone: number, order: number): number {
    let blocks = 0;
    for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
      blocks += this.blocksOnList(this.listHead(zone, order, migratetype));
    }
    return blocks;
  }

  /** The length of one free list (O(blocks)). */
  blocksOnList(head: number): number {
    let blocks = 0;
    for (let pfn = this.next[head]; pfn !== head; pfn = this.next[pfn]) blocks++;
    return blocks;
  }

  /**
   * vmstat NR_FREE_PAGES of `zone`, derived: the pages on its free lists but the ISOLATE ones
   * (kernel-semantics.md §8.1 I10 with pcp and guard pages off; see the header).
   */
  nrFreePages(zone: number): number {
    let pages = 0;
    for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
      if (migratetype !== MIGRATE_ISOLATE) pages += this.freePagesOnList(zone, migratetype);
    }
    return pages;
  }

  /** vmstat NR_FREE_CMA_PAGES of `zone`, derived: the pages on its CMA lists (§12.18). */
  nrFreeCmaPages(zone: number): number {
    return this.freePagesOnList(zone, MIGRATE_CMA);
  }

  /** Pages in the free blocks on the `migratetype` lists of `zone`, every order (O(blocks)). */
  freePagesOnList(zone: number, migratetype: number): number {
    let pages = 0;
    for (let order = 0; order <= this.maxOrder; order++) {
      pages += this.blocksOnList(this.listHead(zone, order, migratetype)) << order;
    }
    return pages;
  }

  /** list_add(): insert a free head at the head of its list; set_page_order(). */
  addToFreeList(zone: number, pfn: number, order: number, migratetype: number): void {
    const next = this.next;
    const head = this.listBase[zone] + (order << LIST_SHIFT) + migratetype;
    const first = next[head];
    next[pfn] = first;
    this.prev[pfn] = head;
    this.prev[first] = pfn;
    next[head] = pfn;
    this.freeOrder[pfn] = order;
  }

  /** list_add_tail(): as addToFreeList, at the tail (rule T). */
  addToFreeListTail(zone: number, pfn: number, order: number, migratetype: number): void {
    const prev = this.prev;
    const head = this.listBase[zone] + (order << LIST_SHIFT) + migratetype;
    const last = prev[head];
    this.next[pfn] = head;
    prev[pfn] = last;
    this.next[last] = pfn;
    prev[head] = pfn;
    this.freeOrder[pfn] = order;
  }

  /** list_del() + rmv_page_order(): take a free head off whatever list holds it. */
  delFromFreeList(zone: number, pfn: number): void {
    const next = this.next;
    const prev = this.prev;
    const after = next[pfn];
    const before = prev[pfn];
    next[before] = after;
    prev[after] = before;
    this.freeOrder[pfn] = -1;
  }

  /** list_move(): a free head to the head of another list of the same order (§12.15). */
  moveToFreeListHead(zone: number, pfn: number, migratetype: number): void {
    const order = this.freeOrder[pfn];
    this.delFromFreeList(zone, pfn);
    this.addToFreeList(zone, pfn, order, migratetype);
  }

  /**
   * Mirrors get_page_from_freelist() over the node's zonelist, highest zone first (§12.16),
   * and buffered_rmqueue() → __rmqueue() (K4_9, §4.2). `migratetype` is already the gfp's
   * (UNMOVABLE when mobility grouping is disabled). Returns the pfn, or -1.
   * Speed: the first step of the highest zone (its own lists) is tried here, the rest of the
   * walk is allocPagesSlow, so that the common case inlines into the caller.
   */
  allocPages(order: number, migratetype: number): number {
    const zone = this.zoneCount - 1;
    const pfn = this.rmqueueSmallest(zone, order, migratetype);
    if (pfn >= 0) return pfn;
    return this.allocPagesSlow(zone, order, migratetype);
  }

  /** allocPages once the highest zone's own lists failed: the rest of __rmqueue, lower zones. */
  private allocPagesSlow(highestZone: number, order: number, migratetype: number): number {
    const pfn = this.rmqueueAfterSmallest(highestZone, order, migratetype);
    if (pfn >= 0) return pfn;
    for (let zone = highestZone - 1; zone >= 0; zone--) {
      const lowerPfn = this.rmqueue(zone, order, migratetype);
      if (lowerPfn >= 0) return lowerPfn;
    }
    return -1;
  }

  /**
   * Mirrors __rmqueue() — K4_9 (§4.2): own lists, then CMA for MOVABLE
   * (__rmqueue_cma_fallback), then __rmqueue_fallback(). K6_1 puts the "more than half of free
   * memory is CMA" step first (§4.3, switch P5).
   */
  rmqueue(zone: number, order: number, migratetype: number): number {
    const pfn = this.rmqueueSmallest(zone, order, migratetype);
    if (pfn >= 0) return pfn;
    return this.rmqueueAfterSmallest(zone, order, migratetype);
  }

  /** __rmqueue() once __rmqueue_smallest(migratetype) found nothing. */
  private rmqueueAfterSmallest(zone: number, order: number, migratetype: number): number {
    if (migratetype === MIGRATE_MOVABLE) {
      const pfn = this.rmqueueSmallest(zone, order, MIGRATE_CMA);
      if (pfn >= 0) {
        this.cmaFallbackCount++;
        this.lastSourceList = MIGRATE_CMA;
        return pfn;
      }
    }
    return rmqueueFallback(this, zone, order, migratetype);
  }

  /**
   * Mirrors __rmqueue_smallest() — same loop in every profile (§2.3): the head of the smallest
   * non-empty `migratetype` list at or above `order`, split by expand() (inlined: upper halves
   * to the head of the list of their order, high to low, so the caller keeps the lowest pages).
   * buffered_rmqueue()'s __mod_zone_freepage_state(-(1 << order), migratetype) is derived.
   */
  rmqueueSmallest(zone: number, order: number, migratetype: number): number {
    // Hot path: locals instead of repeated this.* loads; the sentinel test replaces list_empty().
    const next = this.next;
    const maxOrder = this.maxOrder;
    const base = this.listBase[zone] + migratetype;
    for (let current = order; current <= maxOrder; current++) {
      const head = base + (current << LIST_SHIFT);
      const pfn = next[head];
      if (pfn === head) continue;
      const after = next[pfn];
      next[head] = after;
      this.prev[after] = head;
      this.freeOrder[pfn] = -1;
      if (current > order) this.expand(zone, pfn, order, current, migratetype);
      return pfn;
    }
    return -1;
  }

  /** Mirrors expand() (§2.3): upper halves to the list heads, high to low. */
  expand(zone: number, pfn: number, low: number, high: number, migratetype: number): void {
    if (high - low > this.splitDepthMax) this.splitDepthMax = high - low;
    for (let half = high - 1; half >= low; half--) {
      this.addToFreeList(zone, pfn + (1 << half), half, migratetype);
    }
  }

  /**
   * Mirrors __free_pages() with pcp off (§2.5, §12.17): every path hands __free_one_page() the
   * current type of the pageblock holding the first page.
   */
  freePages(pfn: number, order: number): void {
    const info = this.blockInfo[pfn >> this.pageblockOrder];
    this.freeOneBlock(info >> BLOCK_ZONE_SHIFT, pfn, order, info & BLOCK_TYPE_MASK);
  }

  /**
   * Mirrors __free_one_page() — K4_9 (§2.4, §12.1): merge with free buddies of equal order in
   * the same zone up to maxOrder (at orders >= pageblockOrder not across ISOLATE and
   * non-ISOLATE while the zone has isolated pageblocks: the max_order trick), then insert at
   * the head, or at the tail by rule T. The vmstat update is derived (see the header).
   * K6_1 stops above pageblockOrder when either type is not mergeable (§9 switch P11).
   */
  freeOneBlock(zone: number, pfn: number, order: number, migratetype: number): void {
    const freeOrder = this.freeOrder;
    const maxOrder = this.maxOrder;
    const pageblockOrder = this.pageblockOrder;
    let current = order;
    while (current < maxOrder) {
      const buddy = pfn ^ (1 << current);
      // Speed: below pageblockOrder a buddy shares the pageblock, hence memory, zone and type;
      // from there up the zone test also keeps the read below inside memory.
      if (current >= pageblockOrder && this.mergeStopsAbovePageblock(zone, buddy, migratetype)) {
        break;
      }
      if (freeOrder[buddy] !== current) break;
      this.delFromFreeList(zone, buddy);
      pfn &= buddy;
      current++;
      if (current - order > this.mergeDepthMax) this.mergeDepthMax = current - order;
    }
    if (current < maxOrder - 1 && this.higherBuddyIsFree(pfn, current)) {
      this.addToFreeListTail(zone, pfn, current, migratetype);
    } else {
      this.addToFreeList(zone, pfn, current, migratetype);
    }
  }

  /**
   * The checks of __free_one_page() K4_9 that only bite from pageblockOrder up: page_is_buddy()'s
   * zone test (a buddy outside the zone, or past the end of memory, is no buddy; no holes) and
   * the max_order trick (while the zone has isolated pageblocks, an ISOLATE block and a
   * non-ISOLATE one of another type never merge).
   */
  private mergeStopsAbovePageblock(zone: number, buddy: number, migratetype: number): boolean {
    if (buddy < this.zoneStart[zone] || buddy >= this.zoneEnd[zone]) return true;
    if (this.nrIsolatePageblock[zone] === 0) return false;
    const buddyMigratetype = this.pageblockMigratetype(buddy);
    return migratetype !== buddyMigratetype
      && (migratetype === MIGRATE_ISOLATE || buddyMigratetype === MIGRATE_ISOLATE);
  }

  /**
   * Rule T of __free_one_page() K4_9 (§2.4, §12.1): with the merged block at `pfn` of `order`,
   * is the buddy of its order+1 parent (`combined`) a free block of order+1 in combined's zone?
   * Then the block goes to the tail, as it is likely to merge soon.
   */
  private higherBuddyIsFree(pfn: number, order: number): boolean {
    const combined = pfn & ~(1 << order);
    const higherBuddy = combined ^ (1 << (order + 1));
    // Speed: up to order + 2 <= pageblockOrder both lie in one pageblock (memory, one zone).
    if (order + 2 <= this.pageblockOrder) return this.freeOrder[higherBuddy] === order + 1;
    if (higherBuddy >= this.pages || this.freeOrder[higherBuddy] !== order + 1) return false;
    return this.zoneOf(higherBuddy) === this.zoneOf(combined);
  }
}
