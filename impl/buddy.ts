/**
 * impl/buddy.ts — the zones' free lists, split and merge: BuddyLayer, the first layer of
 * BuddyCore (impl/core.ts). Mirrors model/buddy.ts (rmqueueSmallest, expand, freeOneBlock,
 * addToFreeList) and, in the kernel, __rmqueue_smallest(), expand(), __free_one_page(),
 * __free_pages() with pcp off, buffered_rmqueue() and __mod_zone_freepage_state() —
 * mm/page_alloc.c v4.9.45 (kernel-semantics.md §2, §12.1, §12.17). The fallback half of
 * __rmqueue() is the next layer, impl/fallback.ts.
 *
 * K6_1 (mm/page_alloc.c v6.1.20): get_page_from_freelist() with ALLOC_NOFRAGMENT and
 * __rmqueue()'s CMA-first balance (allocPagesK6_1, rmqueueK6_1, switches P5, P10), no merge
 * above pageblockOrder with a non-mergeable type (mergeableAbovePageblockK6_1, P11),
 * FPI_TO_TAIL frees (freePagesToTail, putbackIsolatedPage, P14) and list tails for moves
 * (moveToFreeListTail, P9). __rmqueue_smallest(), expand(), rule T and the free path are the
 * same in both, so allocPages()/freePages() — the hot path — carry no profile test.
 *
 * Not in scope: pcp lists, guard pages, HIGHATOMIC, watermarks (docs/MODEL.md "Scope").
 *
 * State layout (STYLE G15; every array is sized once at boot, nothing is allocated per op):
 * - `next`/`prev` are Int32Arrays indexed by pfn: the intrusive doubly linked free lists of the
 *   kernel's page->lru. Indices >= pages are list sentinels, one per (zone, order, migratetype),
 *   so lists are circular and list_del() needs neither the list head nor a branch (as the C
 *   yardstick). While a page is allocated its two slots are unused by the lists, so
 *   impl/allocations.ts (`table`) keeps the owner handle in `next` and the data token in `prev`.
 * - `freeOrder` (Int8Array by pfn) is PageBuddy + page_private: the order of a free block's head
 *   page, -1 for every other page (1 B/page). The list a head is on is never stored: no kernel
 *   path reads it, and the snapshot walks the lists.
 * - `blockInfo` (Uint8Array by pageblock) packs the pageblock's migratetype bits (low 3 bits)
 *   and its zone (the bits above), so __free_pages() gets both with one load (1 B/pageblock).
 * - free_area[order].nr_free lives in `next` too, in slot NR_FREE_SLOT of the sentinels of
 *   (zone, order): LIST_SHIFT rounds 6 list slots up to 8, and a list op already holds `next`
 *   and the cache line of that order's heads (a separate array cost 7% of the yardstick). It is
 *   kept with every list add and del of a buddy as the kernel does (list_move() leaves it).
 * - `vmStat` (Int32Array by zone * 2 + item) is the zone's vm_stat[NR_FREE_PAGES] and
 *   vm_stat[NR_FREE_CMA_PAGES], moved once per operation at the kernel's accounting points,
 *   each a call of modZoneFreepageState() naming its site: __free_one_page() (+, not for
 *   ISOLATE), buffered_rmqueue() (-, by the pcp type: the list taken from, or the requested
 *   type after a fallback), set/unset_migratetype_isolate() (the pages moved, by the old /
 *   restored block type) and __isolate_free_page() (-, by the block type, not for ISOLATE) —
 *   kernel-semantics.md §2.3 item 5, §2.4, §6.5. They follow the *list* type (§8.1 I10), which
 *   is what the `counters` invariant recomputes from the lists.
 * - `stats` (Float64Array) are the behaviour counters (impl/allocator.ts behaviours()), one
 *   array so that a state copy cannot miss one; the split and merge depths reached, counted
 *   on the hot path, are bit masks in two small-integer fields (an OR, no compare).
 * Total: 9 bytes per page plus 1 byte per pageblock (impl/allocator.ts stateBytes()).
 *
 * V8 notes (the hot path is allocPages/freePages; each measured with bench/yardstick.ts):
 * - fields assigned in the constructor are `declare`d: a class field declaration would first
 *   define them as undefined and generalize their representation, costing map checks;
 * - hot-path constants are file-local `const enum`s, which esbuild writes as literals; a
 *   module `const` costs a context load and a TDZ check per use in the bytecode;
 * - integer fields are stored `| 0`, so a world computed with doubles (2 ** 18) still gives
 *   small-integer fields instead of float compares on every pfn;
 * - TurboFan inlines at most 920 bytes of bytecode into one function, all levels together,
 *   and a callee that does not fit stays a call; a call inside the merge loop or expand()
 *   costs a third of the yardstick. So the list ops of __rmqueue_smallest(), expand() and
 *   __free_one_page() are written out in them (as the 4.9 kernel does), the hooks those call
 *   are small, and the rare parts (the slow half of __rmqueue, merge checks from
 *   pageblockOrder up, rule T near maxOrder) are separate methods that may stay calls;
 * - a small monomorphic method inlines like a function, so the hooks cost nothing while only
 *   BuddyCore runs;
 * - zone-range and isolation checks of the merge loop run only from pageblockOrder up (below
 *   it a buddy shares the pageblock, hence the zone), saving three loads per free.
 */
import { assert } from '../src/core/assert.ts';
import * as shared from '../src/core/migratetype.ts';
import type { Profile } from '../src/core/world.ts';
import { AllocationTable } from './allocations.ts';

/**
 * Constants of the hot path as file-local const enums: esbuild writes each use as a literal,
 * where a module `const` costs a context-slot load and a TDZ check — 4-6 bytes of bytecode per
 * use, counted against TurboFan's inlining budget (see the V8 notes above).
 */
const enum Mt { UNMOVABLE = 0, MOVABLE = 1, PCPTYPES = 3, CMA = 4, ISOLATE = 5, TYPES = 6 }
const enum Layout {
  /** log2 of the list slots per order: MIGRATE_TYPES (6) rounded up to 8, a slot is a shift. */
  LIST_SHIFT = 3,
  /** The sentinel slot of (zone, order) that holds free_area[order].nr_free (the header). */
  NR_FREE_SLOT = 6,
  /** blockInfo: the zone above the 3 migratetype bits. */
  BLOCK_ZONE_SHIFT = 3,
  BLOCK_TYPE_MASK = 7,
}
const enum Site { FREE_ONE_PAGE = 0, BUFFERED_RMQUEUE = 1 }
assert(Mt.UNMOVABLE === shared.MIGRATE_UNMOVABLE, 'impl/buddy.ts: MIGRATE_UNMOVABLE');
assert(Mt.MOVABLE === shared.MIGRATE_MOVABLE, 'impl/buddy.ts: MIGRATE_MOVABLE');
assert(Mt.PCPTYPES === shared.MIGRATE_PCPTYPES, 'impl/buddy.ts: MIGRATE_PCPTYPES');
assert(Mt.CMA === shared.MIGRATE_CMA, 'impl/buddy.ts: MIGRATE_CMA');
assert(Mt.ISOLATE === shared.MIGRATE_ISOLATE, 'impl/buddy.ts: MIGRATE_ISOLATE');
assert(Mt.TYPES === shared.MIGRATE_TYPES, 'impl/buddy.ts: MIGRATE_TYPES');
assert(Layout.NR_FREE_SLOT >= Mt.TYPES && Layout.NR_FREE_SLOT < 1 << Layout.LIST_SHIFT,
  'LIST_SHIFT must leave a slot for every migratetype and one for nr_free');
assert(Layout.BLOCK_TYPE_MASK === (1 << Layout.BLOCK_ZONE_SHIFT) - 1, 'BLOCK_TYPE_MASK');

/** enum zone_stat_item: the two vm_stat entries kept per zone, `vmStat[zone * 2 + item]`. */
export const NR_FREE_PAGES = 0;
export const NR_FREE_CMA_PAGES = 1;

/**
 * The kernel's __mod_zone_freepage_state() call sites, passed to modZoneFreepageState() so that
 * a bug-zoo mutant can break one accounting point and leave the others alone.
 */
export const VMSTAT_FREE_ONE_PAGE = 0;
export const VMSTAT_BUFFERED_RMQUEUE = 1;
export const VMSTAT_SET_ISOLATE = 2;
export const VMSTAT_UNSET_ISOLATE = 3;
export const VMSTAT_ISOLATE_FREE_PAGE = 4;
/** K6_1 split_free_page(): the split block leaves vmstat by its head's pageblock type. */
export const VMSTAT_SPLIT_FREE_PAGE = 5;
/** One of the VMSTAT_* call sites. */
export type VmstatSite = number;
assert(Site.FREE_ONE_PAGE === VMSTAT_FREE_ONE_PAGE, 'impl/buddy.ts: VMSTAT_FREE_ONE_PAGE');
assert(Site.BUFFERED_RMQUEUE === VMSTAT_BUFFERED_RMQUEUE, 'impl/buddy.ts: BUFFERED_RMQUEUE');

/** Indices into `stats`, the behaviour counters; `fallback` starts a MIGRATE_TYPES^2 block. */
export const STAT = {
  cmaFallback: 0, claim: 1, stealRange: 2, migratePages: 3, cmaAllocOk: 4, cmaAllocFail: 5,
  ebusyRetry: 6, enomem: 7, fallback: 8,
} as const;

/**
 * Lays the mutable per-page and per-zone arrays out in one ArrayBuffer: a bump allocator, each
 * array aligned to its element size (Float64 first, then Int32, then bytes).
 */
class Arena {
  readonly buffer: ArrayBuffer;
  private offset = 0;

  constructor(geometry: BuddyGeometry) {
    const { pages, maxOrder, pageblockOrder, zones } = geometry;
    const listSlots = zones.length * ((maxOrder + 1) << Layout.LIST_SHIFT);
    const int32s = 2 * (pages + listSlots) + 4 * zones.length;
    const bytes = 8 * (STAT.fallback + Mt.TYPES * Mt.TYPES) + 4 * int32s + pages
      + (pages >> pageblockOrder);
    this.buffer = new ArrayBuffer(bytes);
  }

  float64(length: number): Float64Array {
    return new Float64Array(this.buffer, this.take(length * 8), length);
  }

  int32(length: number): Int32Array {
    return new Int32Array(this.buffer, this.take(length * 4), length);
  }

  int8(length: number): Int8Array {
    return new Int8Array(this.buffer, this.take(length), length);
  }

  uint8(length: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(length), length);
  }

  private take(bytes: number): number {
    const at = this.offset;
    this.offset += bytes;
    assert(this.offset <= this.buffer.byteLength, 'Arena: the layout outgrew its buffer');
    return at;
  }
}

export interface ZoneSpan {
  startPfn: number;
  endPfn: number;
  /** The zone's name; K6_1's ALLOC_NOFRAGMENT reads whether the highest one is `Normal`. */
  name?: string;
}

export interface BuddyGeometry {
  profile: Profile;
  pages: number;
  maxOrder: number;
  pageblockOrder: number;
  zones: readonly ZoneSpan[];
  /** page_group_by_mobility_disabled (§1.4 rule 4, §12.9). */
  mobilityGroupingDisabled: boolean;
}

export abstract class BuddyLayer {
  declare readonly profile: Profile;
  declare readonly pages: number;
  declare readonly maxOrder: number;
  declare readonly pageblockOrder: number;
  declare readonly zoneCount: number;
  declare readonly mobilityGroupingDisabled: boolean;
  declare readonly next: Int32Array;
  declare readonly prev: Int32Array;
  declare readonly freeOrder: Int8Array;
  /** Per pageblock: migratetype | zone << Layout.BLOCK_ZONE_SHIFT. */
  declare readonly blockInfo: Uint8Array;
  declare readonly zoneStart: Int32Array;
  declare readonly zoneEnd: Int32Array;
  /** Sentinel of (zone, order 0, migratetype 0); list (z, o, mt) is listBase[z] + (o << 3) + mt. */
  declare readonly listBase: Int32Array;
  /** vm_stat[NR_FREE_PAGES] and vm_stat[NR_FREE_CMA_PAGES] of each zone, at zone * 2 + item. */
  declare readonly vmStat: Int32Array;
  declare readonly nrIsolatePageblock: Int32Array;
  declare readonly managedPages: Int32Array;
  /** Behaviour counters, indexed by STAT (fallbacks at STAT.fallback + req * 6 + fallback). */
  declare readonly stats: Float64Array;
  /** Bit d set: an expand() split a block d orders down (max.splitDepth is the highest bit). */
  declare splitDepths: number;
  /** Bit d set: a __free_one_page() merged d times (max.mergeDepth is the highest bit). */
  declare mergeDepths: number;
  /**
   * One ArrayBuffer under every array above that ops change (stats, next, prev, vmStat,
   * nrIsolatePageblock, managedPages, freeOrder, blockInfo are views of it), so a state copy
   * is one slice() (BuddyCore.saveState(), impl/core.ts).
   */
  declare readonly state: ArrayBuffer;
  /** `state` as bytes (kept: a state copy then creates no view). */
  declare readonly stateBytes: Uint8Array;
  /** The owners, pins and data of allocated frames (the struct pages of in-use memory). */
  declare readonly table: AllocationTable;
  /**
   * The free list type the last allocation took its block from, written by the paths that
   * take another list than the requested one: a caller that needs it sets it to the requested
   * type first (the fast path then leaves it alone). Transient: read right after allocPages().
   */
  declare lastSourceList: number;
  /** The world's profile is K6_1: the K6_1 rules of every layer apply (§9). */
  declare readonly isK6_1: boolean;
  /**
   * K6_1 alloc_flags_nofragment(): every request starts with ALLOC_NOFRAGMENT when its
   * preferred zone — the highest zone here — is ZONE_NORMAL, the zone named `Normal`
   * (docs/MODEL.md "K6_1", zone identity by name).
   */
  declare readonly allocNofragment: boolean;
  /**
   * move_freepages()'s `num_movable` out-parameter (K6_1): in-use pages on an LRU list among
   * the pages the last moveFreepages() scanned. Transient, like lastSourceList.
   */
  declare movablePages: number;

  constructor(geometry: BuddyGeometry) {
    const { pages, maxOrder, pageblockOrder, zones } = geometry;
    assert(pageblockOrder <= maxOrder, `BuddyCore: pageblockOrder ${pageblockOrder} > maxOrder`);
    assert(pages % (1 << pageblockOrder) === 0, `BuddyCore: ${pages} pages not in pageblocks`);
    const zonesMax = 255 >> Layout.BLOCK_ZONE_SHIFT;
    assert(zones.length >= 1 && zones.length <= zonesMax, `BuddyCore: ${zones.length} zones`);
    this.profile = geometry.profile;
    // Speed: `| 0` makes V8 store these as small integers even when the world computed them as
    // doubles (2 ** 18 is one); a double field turns every compare with a pfn into a conversion.
    this.pages = pages | 0;
    this.maxOrder = maxOrder | 0;
    this.pageblockOrder = pageblockOrder | 0;
    this.zoneCount = zones.length | 0;
    this.mobilityGroupingDisabled = geometry.mobilityGroupingDisabled;
    this.isK6_1 = geometry.profile === 'K6_1';
    this.allocNofragment = this.isK6_1 && zones[zones.length - 1].name === 'Normal';
    this.movablePages = 0;
    const listStride = (maxOrder + 1) << Layout.LIST_SHIFT;
    const listSlots = zones.length * listStride;
    const arena = new Arena(geometry);
    this.state = arena.buffer;
    this.stateBytes = new Uint8Array(arena.buffer);
    this.stats = arena.float64(STAT.fallback + Mt.TYPES * Mt.TYPES);
    this.next = arena.int32(pages + listSlots).fill(-1);
    this.prev = arena.int32(pages + listSlots).fill(-1);
    this.vmStat = arena.int32(zones.length * 2);
    this.nrIsolatePageblock = arena.int32(zones.length);
    this.managedPages = arena.int32(zones.length);
    this.freeOrder = arena.int8(pages).fill(-1);
    this.blockInfo = arena.uint8(pages >> pageblockOrder);
    this.zoneStart = new Int32Array(zones.length);
    this.zoneEnd = new Int32Array(zones.length);
    // Speed: a typed-array load here measured faster than pages + zone * stride.
    this.listBase = new Int32Array(zones.length);
    zones.forEach((zone, index) => {
      this.listBase[index] = pages + index * listStride;
      this.zoneStart[index] = zone.startPfn;
      this.zoneEnd[index] = zone.endPfn;
      // memmap_init_zone(): every pageblock starts MIGRATE_MOVABLE (§1.4 rule 5, §12.9).
      const info = (index << Layout.BLOCK_ZONE_SHIFT) | Mt.MOVABLE;
      this.blockInfo.fill(info, zone.startPfn >> pageblockOrder, zone.endPfn >> pageblockOrder);
    });
    // Every list starts empty (its sentinel points at itself); every nr_free at 0.
    for (let slot = pages; slot < pages + listSlots; slot++) {
      const isNrFree = (slot - pages) % (1 << Layout.LIST_SHIFT) === Layout.NR_FREE_SLOT;
      this.next[slot] = isNrFree ? 0 : slot;
      this.prev[slot] = slot;
    }
    this.table = new AllocationTable(this.next, this.prev, this.maxOrder);
    this.lastSourceList = -1;
    this.splitDepths = 0;
    this.mergeDepths = 0;
  }

  /** The sentinel of zone->free_area[order].free_list[migratetype]. */
  listHead(zone: number, order: number, migratetype: number): number {
    return this.listBase[zone] + (order << Layout.LIST_SHIFT) + migratetype;
  }

  /** page_zone(): the zone of the pageblock holding `pfn`. */
  zoneOf(pfn: number): number {
    return this.blockInfo[pfn >> this.pageblockOrder] >> Layout.BLOCK_ZONE_SHIFT;
  }

  /** get_pageblock_migratetype(). */
  pageblockMigratetype(pfn: number): number {
    return this.blockInfo[pfn >> this.pageblockOrder] & Layout.BLOCK_TYPE_MASK;
  }

  /** The migratetype of every pageblock, in pfn order. */
  pageblockMigratetypes(): number[] {
    return Array.from(this.blockInfo, (info) => info & Layout.BLOCK_TYPE_MASK);
  }

  /**
   * Mirrors set_pageblock_migratetype() — mm/page_alloc.c (§1.4 rule 1): with mobility grouping
   * disabled a PCP type is stored as UNMOVABLE.
   */
  setPageblockMigratetype(pfn: number, migratetype: number): void {
    const stored = this.mobilityGroupingDisabled && migratetype < Mt.PCPTYPES
      ? Mt.UNMOVABLE : migratetype;
    const block = pfn >> this.pageblockOrder;
    this.blockInfo[block] = (this.blockInfo[block] & ~Layout.BLOCK_TYPE_MASK) | stored;
  }

  /** free_area[order].nr_free of `zone`: blocks on all that order's lists. */
  nrFreeBlocks(zone: number, order: number): number {
    return this.next[this.listBase[zone] + (order << Layout.LIST_SHIFT) + Layout.NR_FREE_SLOT];
  }

  /** zone_page_state(zone, NR_FREE_PAGES). */
  nrFreePages(zone: number): number {
    return this.vmStat[(zone << 1) + NR_FREE_PAGES];
  }

  /** zone_page_state(zone, NR_FREE_CMA_PAGES). */
  nrFreeCmaPages(zone: number): number {
    return this.vmStat[(zone << 1) + NR_FREE_CMA_PAGES];
  }

  /**
   * Mirrors __mod_zone_freepage_state() — include/linux/vmstat.h, K4_9: NR_FREE_PAGES moves by
   * `pageCount` (negative on allocation), NR_FREE_CMA_PAGES too when `migratetype` is CMA.
   * The `if (!is_migrate_isolate(mt))` guards stay at the call sites, as in the kernel; `site`
   * names the caller (VMSTAT_*), for bug-zoo overrides only.
   */
  modZoneFreepageState(
    zone: number, pageCount: number, migratetype: number, _site: VmstatSite,
  ): void {
    const vmStat = this.vmStat;
    vmStat[zone << 1] += pageCount;
    if (migratetype === Mt.CMA) vmStat[(zone << 1) + 1] += pageCount;
  }

  /**
   * list_del() + nr_free-- + rmv_page_order(): the free head `pfn` of `order` off whatever list
   * holds it (the caller knows the order, as __free_one_page() does).
   */
  delFromFreeList(zone: number, pfn: number, order: number): void {
    const next = this.next;
    const prev = this.prev;
    const after = next[pfn];
    const before = prev[pfn];
    next[before] = after;
    prev[after] = before;
    next[this.listBase[zone] + (order << Layout.LIST_SHIFT) + Layout.NR_FREE_SLOT]--;
    this.freeOrder[pfn] = -1;
  }

  /** list_move(): a free head to the head of another list of its order; nr_free unchanged. */
  moveToFreeListHead(zone: number, pfn: number, migratetype: number): void {
    this.moveToFreeList(zone, pfn, migratetype, false);
  }

  /**
   * move_to_free_list() K6_1 (list_move_tail()): a free head to the tail of another list of its
   * order; nr_free unchanged (§3.1: K6_1 moves free pages to the tail, switch P9).
   */
  moveToFreeListTail(zone: number, pfn: number, migratetype: number): void {
    this.moveToFreeList(zone, pfn, migratetype, true);
  }

  /** list_del() then __list_add() after the list head, or before it for the tail. */
  private moveToFreeList(zone: number, pfn: number, migratetype: number, toTail: boolean): void {
    const next = this.next;
    const prev = this.prev;
    next[prev[pfn]] = next[pfn];
    prev[next[pfn]] = prev[pfn];
    const head = this.listBase[zone] + (this.freeOrder[pfn] << Layout.LIST_SHIFT) + migratetype;
    const before = toTail ? prev[head] : head;
    const after = toTail ? head : next[head];
    next[pfn] = after;
    prev[pfn] = before;
    next[before] = pfn;
    prev[after] = pfn;
  }

  /**
   * The allocation entry of the world's profile — __alloc_pages() → get_page_from_freelist():
   * K4_9 allocPages() (the fast path, which benchmarks call directly), K6_1 allocPagesK6_1().
   * A caller that reads lastSourceList sets it to `migratetype` first. Returns the pfn, or -1.
   */
  getPageFromFreelist(order: number, migratetype: number): number {
    return this.isK6_1
      ? this.allocPagesK6_1(order, migratetype)
      : this.allocPages(order, migratetype);
  }

  /**
   * Mirrors get_page_from_freelist() — K6_1 (§4.9, switch P10): the zones from the highest
   * down, each through rmqueue_buddy() → __rmqueue() K6_1 (rmqueueK6_1) with its accounting;
   * a first pass with ALLOC_NOFRAGMENT when the preferred zone is Normal, and if no zone can
   * serve the request, the whole walk again without it ("reset and try again").
   * lastSourceList: the list the block came from (the fallback list after a steal, docs/MODEL.md
   * "K6_1"). Returns the pfn, or -1.
   */
  allocPagesK6_1(order: number, migratetype: number): number {
    let noFragment = this.allocNofragment;
    for (;;) {
      for (let zone = this.zoneCount - 1; zone >= 0; zone--) {
        const pfn = this.rmqueueK6_1(zone, order, migratetype, noFragment);
        if (pfn < 0) continue;
        // rmqueue_buddy(): accounted by get_pcppage_migratetype(), the list
        // __rmqueue_smallest() took the block off: CMA, or the requested type.
        const pcpMigratetype = this.lastSourceList === Mt.CMA ? Mt.CMA : migratetype;
        this.modZoneFreepageState(zone, -(1 << order), pcpMigratetype, Site.BUFFERED_RMQUEUE);
        return pfn;
      }
      if (!noFragment) return -1;
      noFragment = false;
    }
  }

  /**
   * Mirrors __rmqueue() — K6_1 (§4.3, switch P5): with ALLOC_CMA (a MOVABLE request) and more
   * than half of the zone's free pages on CMA lists, the CMA lists first; then (`retry:`) the
   * request's own lists, the CMA lists for ALLOC_CMA, and __rmqueue_fallback(), which only
   * moves free pages onto the request's lists, so that the retry takes them.
   */
  rmqueueK6_1(zone: number, order: number, migratetype: number, noFragment: boolean): number {
    const vmStat = this.vmStat;
    // zone_page_state(NR_FREE_CMA_PAGES) > zone_page_state(NR_FREE_PAGES) / 2, unsigned.
    if (vmStat[(zone << 1) + 1] > Math.floor(vmStat[zone << 1] / 2)) {
      const pfn = this.rmqueueCmaFallback(zone, order, migratetype);
      if (pfn >= 0) {
        this.lastSourceList = Mt.CMA;
        return pfn;
      }
    }
    let sourceList = migratetype;
    // Bound: a fallback that returns true moved a free block of order >= `order` onto the
    // request's lists, so the retry after it cannot fail; at most one fallback per call.
    for (let attempt = 0; attempt < 2; attempt++) {
      let pfn = this.rmqueueSmallest(zone, order, migratetype);
      if (pfn >= 0) {
        this.lastSourceList = sourceList;
        return pfn;
      }
      assert(attempt === 0, `__rmqueue K6_1: the retry after a fallback found no order ${order}`);
      pfn = this.rmqueueCmaFallback(zone, order, migratetype);
      if (pfn >= 0) {
        this.stats[STAT.cmaFallback]++;
        this.lastSourceList = Mt.CMA;
        return pfn;
      }
      sourceList = this.rmqueueFallbackK6_1(zone, order, migratetype, noFragment);
      if (sourceList < 0) return -1;
    }
    return -1;
  }

  /**
   * __rmqueue_fallback() K6_1: impl/fallback.ts. Returns the fallback migratetype it stole
   * from (the kernel's `true`), or -1 (`false`).
   */
  abstract rmqueueFallbackK6_1(
    zone: number, order: number, startMigratetype: number, noFragment: boolean,
  ): number;

  /**
   * Mirrors get_page_from_freelist() over the node's zonelist, highest zone first (§12.16),
   * and buffered_rmqueue() → __rmqueue() (K4_9, §4.2) with its accounting. `migratetype` is
   * already the gfp's (UNMOVABLE when mobility grouping is disabled). Returns the pfn, or -1.
   * Speed: the first step of the highest zone (its own lists) is tried here, the rest of the
   * walk is allocPagesSlow, so that the common case inlines into the caller.
   */
  allocPages(order: number, migratetype: number): number {
    const zone = this.zoneCount - 1;
    const pfn = this.rmqueueSmallest(zone, order, migratetype);
    if (pfn < 0) return this.allocPagesSlow(zone, order, migratetype);
    // buffered_rmqueue(): the pcp type of a page off its own type's list is that type.
    this.modZoneFreepageState(zone, -(1 << order), migratetype, Site.BUFFERED_RMQUEUE);
    return pfn;
  }

  /** allocPages once the highest zone's own lists failed: the rest of __rmqueue, lower zones. */
  allocPagesSlow(highestZone: number, order: number, migratetype: number): number {
    this.lastSourceList = migratetype;
    for (let zone = highestZone; zone >= 0; zone--) {
      const pfn = zone === highestZone
        ? this.rmqueueAfterSmallest(zone, order, migratetype)
        : this.rmqueue(zone, order, migratetype);
      if (pfn < 0) continue;
      // set_pcppage_migratetype(): CMA off a CMA list; the requested type after a fallback.
      const pcpMigratetype = this.lastSourceList === Mt.CMA ? Mt.CMA : migratetype;
      this.modZoneFreepageState(zone, -(1 << order), pcpMigratetype, Site.BUFFERED_RMQUEUE);
      return pfn;
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
  rmqueueAfterSmallest(zone: number, order: number, migratetype: number): number {
    const pfn = this.rmqueueCmaFallback(zone, order, migratetype);
    if (pfn >= 0) {
      this.stats[STAT.cmaFallback]++;
      this.lastSourceList = Mt.CMA;
      return pfn;
    }
    return this.rmqueueFallback(zone, order, migratetype);
  }

  /**
   * Mirrors __rmqueue_cma_fallback() — K4_9 (§4.2 step 2) with __rmqueue()'s test around it:
   * only a MOVABLE request may take pages off the CMA lists (§4.10 F1). Returns the pfn or -1.
   */
  rmqueueCmaFallback(zone: number, order: number, migratetype: number): number {
    if (migratetype !== Mt.MOVABLE) return -1;
    return this.rmqueueSmallest(zone, order, Mt.CMA);
  }

  /** __rmqueue_fallback(): impl/fallback.ts. */
  abstract rmqueueFallback(zone: number, order: number, startMigratetype: number): number;

  /**
   * Mirrors __rmqueue_smallest() — same loop in every profile (§2.3): the head of the smallest
   * non-empty `migratetype` list at or above `order`, split by expand(), so the caller keeps the
   * lowest pages. Accounting is the caller's (buffered_rmqueue()).
   */
  rmqueueSmallest(zone: number, order: number, migratetype: number): number {
    // Hot path: locals instead of repeated this.* loads; the sentinel test replaces list_empty().
    const next = this.next;
    const maxOrder = this.maxOrder;
    const base = this.listBase[zone] + migratetype;
    for (let current = order; current <= maxOrder; current++) {
      const head = base + (current << Layout.LIST_SHIFT);
      const pfn = next[head];
      if (pfn === head) continue;
      const after = next[pfn];
      next[head] = after;
      this.prev[after] = head;
      this.freeOrder[pfn] = -1;
      next[head - migratetype + Layout.NR_FREE_SLOT]--;
      if (current > order) this.expand(zone, pfn, order, current, migratetype);
      return pfn;
    }
    return -1;
  }

  /**
   * Mirrors expand() (§2.3): the block `pfn` of order `high` is off its list; its upper halves
   * go to the head of the `migratetype` list of their order, high to low, each with
   * list_add() + nr_free++ + set_page_order() written out as in the kernel.
   */
  expand(zone: number, pfn: number, low: number, high: number, migratetype: number): void {
    this.splitDepths |= 1 << (high - low);
    const next = this.next;
    const prev = this.prev;
    const base = this.listBase[zone] + migratetype;
    for (let half = high - 1; half >= low; half--) {
      const upper = pfn + (1 << half);
      const head = base + (half << Layout.LIST_SHIFT);
      const first = next[head];
      next[upper] = first;
      prev[upper] = head;
      prev[first] = upper;
      next[head] = upper;
      next[head - migratetype + Layout.NR_FREE_SLOT]++;
      this.freeOrder[upper] = half;
    }
  }

  /**
   * Mirrors __free_pages() with pcp off (§2.5, §12.17): every path hands __free_one_page() the
   * current type of the pageblock holding the first page.
   */
  freePages(pfn: number, order: number): void {
    const info = this.blockInfo[pfn >> this.pageblockOrder];
    const zone = info >> Layout.BLOCK_ZONE_SHIFT;
    this.freeOneBlock(zone, pfn, order, info & Layout.BLOCK_TYPE_MASK);
  }

  /**
   * Mirrors __free_one_page() — K4_9 (§2.4, §12.1): count the pages free (not on ISOLATE
   * lists); merge with the buddy while page_is_buddy() holds — below pageblockOrder that is the
   * buddy's order mark alone (it shares the pageblock, hence memory, zone and type), from there
   * up also mayMergeAbovePageblock(); then insert at the tail when buddyMergeLikely(), else at
   * the head. The list ops are written out as in the kernel (list_del() + nr_free-- +
   * rmv_page_order() per merge; list_add[_tail]() + nr_free++ + set_page_order() at the end).
   * K6_1 stops above pageblockOrder when either type is not mergeable (§9 switch P11).
   */
  freeOneBlock(zone: number, pfn: number, order: number, migratetype: number): void {
    if (migratetype !== Mt.ISOLATE) {
      this.modZoneFreepageState(zone, 1 << order, migratetype, Site.FREE_ONE_PAGE);
    }
    const next = this.next;
    const prev = this.prev;
    const freeOrder = this.freeOrder;
    const zoneBase = this.listBase[zone];
    const pageblockOrder = this.pageblockOrder;
    let current = order;
    while (current < this.maxOrder) {
      const buddy = pfn ^ (1 << current);
      if (current >= pageblockOrder && !this.mayMergeAbovePageblock(zone, buddy, migratetype)) {
        break;
      }
      if (freeOrder[buddy] !== current) break;
      const after = next[buddy];
      const before = prev[buddy];
      next[before] = after;
      prev[after] = before;
      next[zoneBase + (current << Layout.LIST_SHIFT) + Layout.NR_FREE_SLOT]--;
      freeOrder[buddy] = -1;
      pfn &= buddy;
      current++;
    }
    this.mergeDepths |= 1 << (current - order);
    // list_add() and list_add_tail() are both __list_add(new, prev, next): after the head, or
    // before it (rule T).
    const head = zoneBase + (current << Layout.LIST_SHIFT) + migratetype;
    const tail = this.buddyMergeLikely(zone, pfn, current);
    const before = tail ? prev[head] : head;
    const after = tail ? head : next[head];
    next[pfn] = after;
    prev[pfn] = before;
    next[before] = pfn;
    prev[after] = pfn;
    next[head - migratetype + Layout.NR_FREE_SLOT]++;
    freeOrder[pfn] = current;
  }

  /**
   * The merge decision of __free_one_page() K4_9 from pageblockOrder up, where a buddy may lie
   * in another pageblock (the caller then tests its order mark): page_is_buddy()'s zone test
   * (§2.2: a buddy outside the zone, or past the end of memory, is no buddy; no holes) and the
   * max_order trick (while the zone has isolated pageblocks, an ISOLATE block and a
   * non-ISOLATE one of another type never merge, §2.4). K6_1's switch P11 would go here.
   */
  mayMergeAbovePageblock(zone: number, buddy: number, migratetype: number): boolean {
    if (buddy < this.zoneStart[zone] || buddy >= this.zoneEnd[zone]) return false;
    if (this.isK6_1) return this.mergeableAbovePageblockK6_1(buddy, migratetype);
    if (this.nrIsolatePageblock[zone] === 0) return true;
    const buddyMigratetype = this.pageblockMigratetype(buddy);
    return migratetype === buddyMigratetype
      || (migratetype !== Mt.ISOLATE && buddyMigratetype !== Mt.ISOLATE);
  }

  /**
   * __free_one_page() K6_1 from pageblockOrder up (§2.4, switch P11): a buddy in a pageblock of
   * another type merges only when both types are mergeable (migratetype_is_mergeable(): U, M,
   * E), so CMA, HIGHATOMIC and ISOLATE blocks never merge with another type; no zone-isolation
   * condition any more.
   */
  mergeableAbovePageblockK6_1(buddy: number, migratetype: number): boolean {
    const buddyMigratetype = this.pageblockMigratetype(buddy);
    return migratetype === buddyMigratetype
      || (migratetype < Mt.PCPTYPES && buddyMigratetype < Mt.PCPTYPES);
  }

  /**
   * Mirrors __free_pages_ok(page, order, FPI_TO_TAIL) — K6_1 __free_pages_core() at boot (§7.8,
   * switch P14): __free_pages() whose merged block goes to the tail of its list whatever rule T
   * says. The one difference is the insertion point and nothing runs in between, so this frees
   * normally and then moves the merged block to its list's tail (keeping freeOneBlock's hot
   * path free of an FPI flag).
   */
  freePagesToTail(pfn: number, order: number): void {
    this.freePages(pfn, order);
    this.moveMergedBlockToTail(pfn, order);
  }

  /**
   * Mirrors __putback_isolated_page(page, order, mt) — K6_1: __free_one_page() with
   * FPI_TO_TAIL, as freePagesToTail() does.
   */
  putbackIsolatedPage(pfn: number, order: number, migratetype: number): void {
    const zone = this.zoneOf(pfn);
    this.freeOneBlock(zone, pfn, order, migratetype);
    this.moveMergedBlockToTail(pfn, order);
  }

  /**
   * FPI_TO_TAIL after the fact: the free block that now holds `pfn` (freed at `order`, maybe
   * merged upward) goes to the tail of the list it is on. The free just inserted it at the head
   * or the tail (rule T), so one of its links is its list's sentinel (index >= pages).
   */
  private moveMergedBlockToTail(pfn: number, order: number): void {
    let head = pfn;
    let merged = order;
    while (this.freeOrder[head] !== merged) {
      merged++;
      assert(merged <= this.maxOrder, `FPI_TO_TAIL: pfn ${pfn} is in no free block`);
      head = pfn & ~((1 << merged) - 1);
    }
    const next = this.next;
    const prev = this.prev;
    if (next[head] >= this.pages) return;
    const sentinel = prev[head];
    assert(sentinel >= this.pages, `FPI_TO_TAIL: block ${head} is neither head nor tail`);
    const after = next[head];
    next[sentinel] = after;
    prev[after] = sentinel;
    const last = prev[sentinel];
    next[head] = sentinel;
    prev[head] = last;
    next[last] = head;
    prev[sentinel] = head;
  }

  /**
   * The head/tail placement of __free_one_page() K4_9, rule T (§2.4, §12.1; K6_1 names it
   * buddy_merge_likely()): below order MAX_ORDER - 2, with the merged block at `pfn` of `order`,
   * is the buddy of its order+1 parent (`combined`) a free block of order+1 in combined's zone?
   * Then the block goes to the tail, as it is likely to merge soon.
   */
  buddyMergeLikely(_zone: number, pfn: number, order: number): boolean {
    const higherBuddy = (pfn & ~(1 << order)) ^ (2 << order);
    // Speed: up to order + 2 <= pageblockOrder both lie in one pageblock (memory, one zone),
    // and order < maxOrder - 1 follows from pageblockOrder <= maxOrder.
    if (order + 2 <= this.pageblockOrder) return this.freeOrder[higherBuddy] === order + 1;
    return this.higherBuddyIsFree(pfn, order, higherBuddy);
  }

  /** buddyMergeLikely() from pageblockOrder - 1 up (rare; kept out of the inlined path). */
  private higherBuddyIsFree(pfn: number, order: number, higherBuddy: number): boolean {
    if (order >= this.maxOrder - 1 || higherBuddy >= this.pages) return false;
    if (this.freeOrder[higherBuddy] !== order + 1) return false;
    return this.zoneOf(higherBuddy) === this.zoneOf(pfn & ~(1 << order));
  }
}
