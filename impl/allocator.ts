/**
 * impl/allocator.ts — ImplAllocator, the optimized implementation behind the Allocator
 * interface (src/core/allocator.ts). Mirrors model/allocator.ts: it boots the world, turns
 * ops into kernel calls on a BuddyCore (impl/core.ts: the kernel state and every kernel step
 * as a method) and keeps the op-level records — handles, pins, data tokens — in the core's
 * allocation table (docs/MODEL.md "Ops"). Profiles K4_9 and K6_1 (kernel-semantics.md §9,
 * docs/MODEL.md "K6_1"): one BuddyCore class runs both, so a bug-zoo mutant breaks both. The
 * K6_1 rules are `…K6_1` methods beside the K4_9 ones, chosen by `core.isK6_1` in the step that
 * differs — never inside the K4_9 fast path: the allocation entry is chosen per op
 * (getPageFromFreelist()), and the free path is shared, its K6_1 merge rule in the rare part
 * from pageblockOrder up (mayMergeAbovePageblock()). The low-level K4_9 fast path for
 * benchmarks is `core.allocPages(order, mt)` / `core.freePages(pfn, order)`, reachable as
 * `core` after boot.
 *
 * The apply layer allocates nothing: a result is a number (src/core/result.ts; an object per op
 * took about a third of the time per op on bench/differential.ts). Op fields are read once, a page
 * allocation's record is the 8-byte entry of its handle (impl/allocations.ts), and assertion
 * messages are built only when they fail. What remains per op is mostly the buddy's own memory
 * traffic.
 *
 * Building a bug-zoo mutant (zoo/, one file each). Every kernel step impl takes is a method of
 * BuddyCore (import it from here); a mutant subclasses it, overrides ONE method to break one
 * kernel rule, and hands a factory to the ImplAllocator constructor (zoo/wrongFreeList.ts):
 *
 *   class NoIsolateAccountingCore extends BuddyCore {
 *     // set_migratetype_isolate() leaves the isolated pages counted in NR_FREE_PAGES.
 *     override modZoneFreepageState(
 *       zone: number, pageCount: number, migratetype: number, site: VmstatSite,
 *     ): void {
 *       if (site === VMSTAT_SET_ISOLATE) return;
 *       super.modZoneFreepageState(zone, pageCount, migratetype, site);
 *     }
 *   }
 *   export const noIsolateAccounting: Mutant = { name: 'no-isolate-accounting', ...,
 *     create: () => new ImplAllocator('zoo:no-isolate-accounting',
 *       (geometry) => new NoIsolateAccountingCore(geometry)) };
 *
 * The steps, by kernel function (method — file; K6_1-only steps after a `/`):
 *   get_page_from_freelist             getPageFromFreelist (the profile's entry): allocPages /
 *                                      allocPagesK6_1 (ALLOC_NOFRAGMENT pass) — buddy.ts
 *   __rmqueue, __rmqueue_smallest      rmqueue / rmqueueK6_1 (CMA first), rmqueueSmallest
 *                                      — buddy.ts
 *   expand                             expand — buddy.ts
 *   __free_pages, __free_one_page      freePages (the type it frees with), freeOneBlock,
 *                                      mayMergeAbovePageblock (the merge decision from
 *                                      pageblockOrder up: page_is_buddy's zone test + the
 *                                      ISOLATE max_order trick / mergeableAbovePageblockK6_1;
 *                                      below it only the buddy's order mark decides),
 *                                      buddyMergeLikely (tail placement, rule T) /
 *                                      freePagesToTail, putbackIsolatedPage (FPI_TO_TAIL)
 *                                      — buddy.ts
 *   __mod_zone_freepage_state          modZoneFreepageState(zone, pages, mt, site): one hook,
 *                                      `site` = VMSTAT_FREE_ONE_PAGE, _BUFFERED_RMQUEUE,
 *                                      _SET_ISOLATE, _UNSET_ISOLATE, _ISOLATE_FREE_PAGE — buddy.ts
 *   __rmqueue_cma_fallback             rmqueueCmaFallback (who may use CMA) — buddy.ts
 *   __rmqueue_fallback and its choices rmqueueFallback / rmqueueFallbackK6_1,
 *                                      findSuitableFallback, canStealFallback,
 *                                      stealSuitableFallback / stealSuitableFallbackK6_1,
 *                                      shouldClaimPageblock (the claim decision),
 *                                      changePageblockRange, moveFreepagesBlock,
 *                                      moveFreepages (head / tail, LRU count), pageIsLru
 *                                      — fallback.ts
 *   page isolation                     startIsolatePageRange (/ …K6_1), undoIsolatePageRange,
 *                                      setMigratetypeIsolate / setMigratetypeIsolateK6_1,
 *                                      unsetMigratetypeIsolate (/ …K6_1), isolateFreePage,
 *                                      hasUnmovablePages / hasUnmovablePagesK6_1,
 *                                      testPagesIsolated / isolateSinglePageblockK6_1,
 *                                      scanAcrossBoundaryK6_1, migrateAcrossBoundaryK6_1,
 *                                      splitFreePage — isolation.ts
 *   migration                          migrateRange, isMigratable, unmapAndMove,
 *                                      moveAllocation, migratePageCopy (the data copy) /
 *                                      pinUserPages, checkAndMigrateMovablePages,
 *                                      folioIsLongtermPinnable (mm/gup.c) — migrate.ts
 *   alloc/free_contig_range            allocContigRange (/ …K6_1), findOuterStart,
 *                                      isolateFreepagesRange, freeContigRange — contig.ts
 *   cma_bitmap_* helpers               cmaBitmapAlignedMask, cmaBitmapAlignedOffset,
 *                                      cmaBitmapPagesToBits, cmaBitmapMaxno — cma.ts
 *   cma_alloc, cma_release             cmaAlloc, cmaSetBitmap, cmaClearBitmap, cmaRelease — cma.ts
 *   cma_activate_area                  cmaActivateArea / cmaActivateAreaK6_1,
 *                                      cmaPageblockInZone (the zone check),
 *                                      initCmaReservedPageblock / freeReservedPage — cma.ts
 * Every step calls the others through `this`, so an override is seen by every caller. The op
 * layer (a handle's kind check, pins, write/check tokens, dma sizes) is ImplAllocator's own:
 * override allocOp, freeOp, cmaAllocOp, cmaReleaseOp, dmaAllocOp, pinOp, writeOp or checkOp in
 * a subclass that passes its name to super. Hot-path hooks (expand, buddyMergeLikely,
 * modZoneFreepageState) are small so that V8 inlines them; keep an override small too, or the
 * campaign against that mutant runs slower (never wrong). properties/impl/hooks.spec.ts builds
 * five such mutants and shows the invariants catch them.
 *
 * State copy (the bounded explorer): saveState() / restoreState() copy every mutable array of
 * the core; the boot report, the world and the reserved ranges never change after boot.
 */
import type { Allocator, Behaviours, BootReport } from '../src/core/allocator.ts';
import { AssertionError, assert } from '../src/core/assert.ts';
import {
  FALLBACKS, MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_TYPES,
  MIGRATE_UNMOVABLE, migratetypeLetter,
} from '../src/core/migratetype.ts';
import type { RequestMigratetypeName } from '../src/core/migratetype.ts';
import type { Op } from '../src/core/op.ts';
import {
  RESULT_OK, type ResultCode, failure, isOk, resultAt,
} from '../src/core/result.ts';
import type { Snapshot } from '../src/core/snapshot.ts';
import { type PfnRange, SUPPORTED_PROFILES, type World } from '../src/core/world.ts';
import { limits } from '../src/core/limits.ts';
import { declareLayout } from '../model/boot/layout.ts';
import { type AllocationTable, KIND_CMA, KIND_DMA, KIND_PAGES } from './allocations.ts';
import { type CoreFactory, bootFromLayout, createBuddyCore } from './boot.ts';
import { STAT } from './buddy.ts';
import type { BuddyCore, CoreState } from './core.ts';
import { buildSnapshot, buildStepView } from './snapshot.ts';
import { verify } from './verify.ts';

export { BuddyCore } from './core.ts';
export type { CoreFactory } from './boot.ts';

/** The result codes (src/core/result.ts) of the ops' failures. */
const ENOMEM = failure('ENOMEM');
const NO_AREA = failure('no-area');
const NOT_IN_AREA = failure('not-in-area');
const DATA_MISMATCH = failure('data-mismatch');

/** A copy of an ImplAllocator's mutable state (saveState()); opaque to callers. */
export interface ImplState {
  readonly core: CoreState;
}

/** What boot() fixes for the life of the instance. */
interface Booted {
  world: World;
  report: BootReport;
  reserved: PfnRange[];
  activationFailures: number;
}

export class ImplAllocator implements Allocator {
  private booted: Booted | null = null;
  /** The core of the booted world; null before boot() (kept apart: apply reads it per op). */
  private bootedCore: BuddyCore | null = null;

  /**
   * `createCore` builds the kernel state at boot: BuddyCore, or in the bug zoo (zoo/) a
   * subclass that breaks one kernel rule.
   */
  constructor(
    readonly name: string = 'impl',
    private readonly createCore: CoreFactory = createBuddyCore,
  ) {}

  boot(world: World): BootReport {
    const profile = world.profile;
    assert(SUPPORTED_PROFILES.includes(profile), `ImplAllocator: no profile ${profile}`);
    const layout = declareLayout(world);
    const booted = bootFromLayout(world, layout, this.createCore);
    this.bootedCore = booted.core;
    this.booted = {
      world,
      report: {
        messages: [...layout.messages, ...booted.messages],
        declarations: layout.declarations.map((declaration) => ({ ...declaration })),
        defaultArea: layout.defaultArea,
        deviceAreas: [...layout.deviceAreas],
      },
      reserved: booted.reserved,
      activationFailures: booted.activationFailures,
    };
    return this.booted.report;
  }

  /** The kernel state (fast path, hooks), for benchmarks, tests and the zoo. */
  get core(): BuddyCore {
    assert(this.bootedCore !== null, 'ImplAllocator: boot() first');
    return this.bootedCore;
  }

  apply(op: Op, step: number): ResultCode {
    const core = this.bootedCore;
    if (core === null) throw new AssertionError('ImplAllocator: boot() first');
    switch (op.kind) {
      case 'alloc': return this.allocOp(core, op.order, op.migratetype, step);
      case 'free': return this.freeOp(core, op.target);
      case 'cmaAlloc': return this.cmaAllocOp(core, op.area, op.count, op.align, KIND_CMA, step);
      case 'cmaRelease': return this.cmaReleaseOp(core, op.target, KIND_CMA);
      case 'dmaAlloc': return this.dmaAllocOp(core, op.device, op.size, step);
      case 'dmaFree': return this.cmaReleaseOp(core, op.target, KIND_DMA);
      case 'pin': return this.pinOp(core, op.target, true);
      case 'unpin': return this.pinOp(core, op.target, false);
      case 'write': return this.writeOp(core, op.target, step);
      case 'check': return this.checkOp(core, op.target);
      default: return assertNever(op);
    }
  }

  snapshot(): Snapshot {
    const { world, reserved } = this.state();
    return buildSnapshot({ world, core: this.core, reserved });
  }

  stepView(allocationId: number, into: number[]): number[] {
    const { world, reserved } = this.state();
    return buildStepView({ world, core: this.core, reserved }, allocationId, into);
  }

  behaviours(): Behaviours {
    const { activationFailures } = this.state();
    const stats = this.core.stats;
    const behaviours: Behaviours = {};
    FALLBACKS.forEach((fallbacks, requested) => {
      for (const fallback of fallbacks) {
        const key = `fallback.${migratetypeLetter(requested)}->${migratetypeLetter(fallback)}`;
        behaviours[key] = stats[STAT.fallback + requested * MIGRATE_TYPES + fallback];
      }
    });
    Object.assign(behaviours, {
      'fallback.claim': stats[STAT.claim],
      'fallback.stealRange': stats[STAT.stealRange],
      'alloc.cmaFallback': stats[STAT.cmaFallback],
      'cma.alloc.ok': stats[STAT.cmaAllocOk],
      'cma.alloc.fail': stats[STAT.cmaAllocFail],
      'cma.ebusyRetry': stats[STAT.ebusyRetry],
      'cma.enomem': stats[STAT.enomem],
      'migrate.pages': stats[STAT.migratePages],
      'max.splitDepth': highestBit(this.core.splitDepths),
      'max.mergeDepth': highestBit(this.core.mergeDepths),
      'boot.activationFailed': activationFailures,
    });
    return behaviours;
  }

  /** O(pages) consistency checks of the raw state (impl/verify.ts); empty when consistent. */
  verify(): string[] {
    return verify({ core: this.core, reserved: this.state().reserved });
  }

  /**
   * A copy of everything apply() can change: restoreState() of it, then the same ops, gives
   * the same results, snapshots and behaviours as the original run (for the explorer).
   */
  saveState(): ImplState {
    return { core: this.core.saveState() };
  }

  /** Puts back a saveState() copy, of this instance or another booted on the same world. */
  restoreState(state: ImplState): void {
    this.core.restoreState(state.core);
  }

  /**
   * Bytes of impl state per page: the per-pfn and per-pageblock arrays plus the list sentinels
   * and per-zone counters (the allocation records are per live allocation: recordBytes()).
   */
  stateBytes(): { perPage: number; total: number; records: number } {
    const core = this.core;
    const arrays = [
      core.next, core.prev, core.freeOrder, core.blockInfo, core.zoneStart, core.zoneEnd,
      core.listBase, core.vmStat, core.nrIsolatePageblock, core.managedPages,
      core.stats,
    ];
    const total = arrays.reduce((sum, array) => sum + array.byteLength, 0);
    return { perPage: total / core.pages, total, records: core.table.byteLength() };
  }

  /** alloc: __alloc_pages() with the gfp's migratetype (§1.5, §12.9). */
  protected allocOp(
    core: BuddyCore, order: number, name: RequestMigratetypeName, step: number,
  ): ResultCode {
    const migratetype = core.mobilityGroupingDisabled
      ? MIGRATE_UNMOVABLE : requestMigratetype(name);
    core.lastSourceList = migratetype;
    const pfn = core.getPageFromFreelist(order, migratetype);
    if (pfn < 0) return ENOMEM;
    core.table.create(step, KIND_PAGES, pfn, 1 << order, order, migratetype,
      core.lastSourceList, -1);
    return resultAt(pfn);
  }

  /** free: __free_pages(page, order); a pin goes with the allocation. */
  protected freeOp(core: BuddyCore, target: number): ResultCode {
    const table = core.table;
    checkTarget(table, target, KIND_PAGES);
    const pfn = table.pfnOf(target);
    const order = table.orderOf(target);
    table.release(target);
    core.freePages(pfn, order);
    return resultAt(pfn);
  }

  /** cmaAlloc / dmaAlloc: cma_alloc() on cma_areas[area], recorded as `kind`. */
  protected cmaAllocOp(
    core: BuddyCore, areaIndex: number, count: number, align: number, kind: number,
    step: number,
  ): ResultCode {
    const area = core.areas[areaIndex];
    if (area === undefined) return this.cmaFailed(core, NO_AREA);
    const result = core.cmaAlloc(area, count, align);
    if (!isOk(result)) {
      if (result === ENOMEM) core.stats[STAT.enomem]++;
      return this.cmaFailed(core, result);
    }
    core.stats[STAT.cmaAllocOk]++;
    // The code of a success is its first pfn (src/core/result.ts).
    core.table.create(step, kind, result, count, -1, MIGRATE_CMA, -1, areaIndex);
    return result;
  }

  private cmaFailed(core: BuddyCore, result: ResultCode): ResultCode {
    core.stats[STAT.cmaAllocFail]++;
    return result;
  }

  /**
   * dmaAlloc: dma_alloc_from_contiguous() K4_9 (§7.7): the device's area or the default one,
   * count = ceil(size / PAGE_SIZE), align = min(get_order(size), CONFIG_CMA_ALIGNMENT).
   */
  protected dmaAllocOp(
    core: BuddyCore, device: number, size: number, step: number,
  ): ResultCode {
    const { report, world } = this.state();
    const area = report.deviceAreas[device] ?? report.defaultArea;
    if (area === null) return this.cmaFailed(core, NO_AREA);
    const count = Math.ceil(size / limits.pageSize);
    const align = Math.min(getOrder(size), world.kconfig.cmaAlignment);
    return this.cmaAllocOp(core, area, count, align, KIND_DMA, step);
  }

  /** cmaRelease / dmaFree: cma_release(area, pfn, count) (§5.7). */
  protected cmaReleaseOp(core: BuddyCore, target: number, kind: number): ResultCode {
    const table = core.table;
    checkTarget(table, target, kind);
    const area = core.areas[table.areaOf(target)];
    const pfn = table.pfnOf(target);
    const count = table.pageCountOf(target);
    table.release(target);
    return core.cmaRelease(area, pfn, count) ? RESULT_OK : NOT_IN_AREA;
  }

  /**
   * pin / unpin: a long-term pin stops migration (§12.5); idempotent. K6_1 first migrates a
   * page out of a CMA pageblock (BuddyCore.pinUserPages()); when that finds no target the pin
   * fails with -ENOMEM.
   */
  protected pinOp(core: BuddyCore, target: number, pinned: boolean): ResultCode {
    const table = core.table;
    checkTarget(table, target, KIND_PAGES);
    if (!pinned) {
      table.setPinned(target, false);
      return RESULT_OK;
    }
    return core.pinUserPages(target) ? RESULT_OK : ENOMEM;
  }

  /** write: token = step + 1 in the allocation and each of its frames. */
  protected writeOp(core: BuddyCore, target: number, step: number): ResultCode {
    checkTarget(core.table, target, -1);
    core.table.write(target, step + 1);
    return RESULT_OK;
  }

  /** check: every frame holds the allocation's token; never-written memory has none. */
  protected checkOp(core: BuddyCore, target: number): ResultCode {
    const table = core.table;
    checkTarget(table, target, -1);
    const token = table.tokenOf(target);
    return token === 0 || table.frameToken(target) === token ? RESULT_OK : DATA_MISMATCH;
  }

  private state(): Booted {
    assert(this.booted !== null, 'ImplAllocator: boot() first');
    return this.booted;
  }
}

/**
 * gfpflags_to_migratetype() of a trace's name. Speed: compares with the interned literals
 * instead of REQUEST_MIGRATETYPE_NAMES.indexOf(), a builtin call per op.
 */
function requestMigratetype(name: RequestMigratetypeName): number {
  if (name === 'MOVABLE') return MIGRATE_MOVABLE;
  return name === 'UNMOVABLE' ? MIGRATE_UNMOVABLE : MIGRATE_RECLAIMABLE;
}

/**
 * Asserts that `target` is a live allocation of `kind` (-1: any kind); the harness resolved it.
 * Reads only the handle's record (impl/allocations.ts).
 */
function checkTarget(table: AllocationTable, target: number, kind: number): void {
  if (!table.isLive(target) || (kind >= 0 && table.kindOf(target) !== kind)) {
    badTarget(table, target, kind);
  }
}

function badTarget(table: AllocationTable, target: number, kind: number): never {
  assert(table.isLive(target), `ImplAllocator: target ${target} is not a live allocation`);
  throw new AssertionError(`ImplAllocator: target ${target} has kind ${table.kindOf(target)},`
    + ` op needs ${kind}`);
}

/** The highest set bit of a depth mask (impl/buddy.ts splitDepths), 0 for an empty mask. */
function highestBit(mask: number): number {
  return mask === 0 ? 0 : 31 - Math.clz32(mask);
}

/** get_order(size): the smallest order whose pages hold `size` bytes. */
export function getOrder(size: number): number {
  const pageCount = Math.ceil(size / limits.pageSize);
  let order = 0;
  while (2 ** order < pageCount) order++;
  return order;
}

function assertNever(op: never): never {
  throw new Error(`ImplAllocator: unknown op ${JSON.stringify(op)}`);
}
