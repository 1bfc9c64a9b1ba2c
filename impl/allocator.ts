/**
 * impl/allocator.ts — ImplAllocator, the optimized implementation behind the Allocator
 * interface (src/core/allocator.ts). Mirrors model/allocator.ts: it holds the state and
 * dispatches ops to the kernel-shaped functions of impl/*.ts (docs/MODEL.md "Ops"); the op
 * semantics live there, the records of who owns what live in impl/allocations.ts.
 *
 * The low-level fast path for benchmarks is BuddyCore (impl/buddy.ts): allocPages(order, mt)
 * and freePages(pfn, order), reachable as `core` after boot.
 * Profile K4_9 only; the K6_1 switch points are marked in each file (§9).
 */
import type {
  Allocator, Behaviours, BootReport, OpResult,
} from '../src/core/allocator.ts';
import { assert } from '../src/core/assert.ts';
import {
  FALLBACKS, MIGRATE_CMA, MIGRATE_TYPES, MIGRATE_UNMOVABLE, migratetypeLetter,
  requestMigratetypeFromName,
} from '../src/core/migratetype.ts';
import type { RequestMigratetypeName } from '../src/core/migratetype.ts';
import type { Op } from '../src/core/op.ts';
import type { Snapshot } from '../src/core/snapshot.ts';
import type { PfnRange, World } from '../src/core/world.ts';
import { limits } from '../src/core/limits.ts';
import { declareLayout } from '../model/boot/layout.ts';
import { AllocationTable, KIND_CMA, KIND_DMA, KIND_PAGES } from './allocations.ts';
import { type CoreFactory, bootFromLayout, createBuddyCore } from './boot.ts';
import type { BuddyCore } from './buddy.ts';
import { type CmaArea, type CmaCounters, cmaAlloc, cmaRelease } from './cma.ts';
import { buildSnapshot } from './snapshot.ts';
import { verify } from './verify.ts';

const OK: OpResult = { ok: true };

interface Booted {
  world: World;
  report: BootReport;
  core: BuddyCore;
  table: AllocationTable;
  areas: CmaArea[];
  reserved: PfnRange[];
  activationFailures: number;
  counters: CmaCounters;
}

export class ImplAllocator implements Allocator {
  private state: Booted | null = null;

  /**
   * `createCore` builds the buddy allocator at boot: BuddyCore, or in the bug zoo (zoo/) a
   * subclass that breaks one kernel rule.
   */
  constructor(
    readonly name: string = 'impl',
    private readonly createCore: CoreFactory = createBuddyCore,
  ) {}

  boot(world: World): BootReport {
    const profile = world.profile;
    assert(profile === 'K4_9', `ImplAllocator: impl runs profile K4_9 only, got ${profile}`);
    const layout = declareLayout(world);
    const booted = bootFromLayout(world, layout, this.createCore);
    this.state = {
      world,
      report: {
        messages: [...layout.messages],
        declarations: layout.declarations.map((declaration) => ({ ...declaration })),
        defaultArea: layout.defaultArea,
        deviceAreas: [...layout.deviceAreas],
      },
      core: booted.core,
      table: new AllocationTable(booted.core.next, booted.core.prev),
      areas: booted.areas,
      reserved: booted.reserved,
      activationFailures: booted.activationFailures,
      counters: { allocOk: 0, allocFail: 0, ebusyRetry: 0, enomem: 0, migratePages: 0 },
    };
    return this.state.report;
  }

  /** The low-level allocator (fast path), for benchmarks and tests. */
  get core(): BuddyCore {
    return this.booted().core;
  }

  apply(op: Op, step: number): OpResult {
    const state = this.booted();
    switch (op.kind) {
      case 'alloc': return this.allocPages(state, op.order, op.migratetype, step);
      case 'free': return this.freePages(state, op.target);
      case 'cmaAlloc': return this.cmaAlloc(state, op.area, op.count, op.align, KIND_CMA, step);
      case 'cmaRelease': return this.cmaRelease(state, op.target, KIND_CMA);
      case 'dmaAlloc': return this.dmaAlloc(state, op.device, op.size, step);
      case 'dmaFree': return this.cmaRelease(state, op.target, KIND_DMA);
      case 'pin': return this.pin(state, op.target, true);
      case 'unpin': return this.pin(state, op.target, false);
      case 'write': return this.write(state, op.target, step);
      case 'check': return this.check(state, op.target);
      default: return assertNever(op);
    }
  }

  snapshot(): Snapshot {
    const { world, core, table, areas, reserved } = this.booted();
    return buildSnapshot({ world, core, table, areas, reserved });
  }

  behaviours(): Behaviours {
    const { core, counters, activationFailures } = this.booted();
    const behaviours: Behaviours = {};
    FALLBACKS.forEach((fallbacks, requested) => {
      for (const fallback of fallbacks) {
        const key = `fallback.${migratetypeLetter(requested)}->${migratetypeLetter(fallback)}`;
        behaviours[key] = core.fallbackCounts[requested * MIGRATE_TYPES + fallback];
      }
    });
    Object.assign(behaviours, {
      'fallback.claim': core.claimCount,
      'fallback.stealRange': core.stealRangeCount,
      'alloc.cmaFallback': core.cmaFallbackCount,
      'cma.alloc.ok': counters.allocOk,
      'cma.alloc.fail': counters.allocFail,
      'cma.ebusyRetry': counters.ebusyRetry,
      'cma.enomem': counters.enomem,
      'migrate.pages': counters.migratePages,
      'max.splitDepth': core.splitDepthMax,
      'max.mergeDepth': core.mergeDepthMax,
      'boot.activationFailed': activationFailures,
    });
    return behaviours;
  }

  /** O(pages) consistency checks of the raw state (impl/verify.ts); empty when consistent. */
  verify(): string[] {
    const { core, table, areas, reserved } = this.booted();
    return verify({ core, table, areas, reserved });
  }

  /**
   * Bytes of impl state per page: the per-pfn and per-pageblock arrays plus the list sentinels
   * and per-zone counters (the allocation records are per live allocation: recordBytes()).
   */
  stateBytes(): { perPage: number; total: number; records: number } {
    const { core, table } = this.booted();
    const arrays = [
      core.next, core.prev, core.freeOrder, core.blockInfo, core.zoneStart, core.zoneEnd,
      core.nrIsolatePageblock,
      core.managedPages, core.fallbackCounts,
    ];
    const total = arrays.reduce((sum, array) => sum + array.byteLength, 0);
    return { perPage: total / core.pages, total, records: table.byteLength() };
  }

  /** alloc: __alloc_pages() with the gfp's migratetype (§1.5, §12.9). */
  private allocPages(
    state: Booted, order: number, name: RequestMigratetypeName, step: number,
  ): OpResult {
    const { core, table } = state;
    const migratetype = core.mobilityGroupingDisabled
      ? MIGRATE_UNMOVABLE : requestMigratetypeFromName(name);
    core.lastSourceList = migratetype;
    const pfn = core.allocPages(order, migratetype);
    if (pfn < 0) return { ok: false, reason: 'ENOMEM' };
    table.create({
      id: step, kind: KIND_PAGES, pfn, pageCount: 1 << order, order, migratetype,
      sourceList: core.lastSourceList, area: -1,
    });
    return { ok: true, pfn };
  }

  /** free: __free_pages(page, order); a pin goes with the allocation. */
  private freePages(state: Booted, target: number): OpResult {
    const slot = targetSlot(state, target, KIND_PAGES);
    const pfn = state.table.pfn[slot];
    const order = state.table.order[slot];
    state.table.release(slot);
    state.core.freePages(pfn, order);
    return OK;
  }

  /** cmaAlloc / dmaAlloc: cma_alloc() on cma_areas[area], recorded as `kind`. */
  private cmaAlloc(
    state: Booted, areaIndex: number, count: number, align: number, kind: number, step: number,
  ): OpResult {
    const area = state.areas[areaIndex];
    if (area === undefined) return this.cmaFailed(state, 'no-area');
    const { core, table, counters, world } = state;
    const result = cmaAlloc({ core, table, counters, profile: world.profile }, area, count, align);
    if (!result.ok) return this.cmaFailed(state, result.reason);
    counters.allocOk++;
    table.create({
      id: step, kind, pfn: result.pfn, pageCount: count, order: -1, migratetype: MIGRATE_CMA,
      sourceList: -1, area: areaIndex,
    });
    return { ok: true, pfn: result.pfn };
  }

  private cmaFailed(state: Booted, reason: string): OpResult {
    state.counters.allocFail++;
    if (reason === 'ENOMEM') state.counters.enomem++;
    return { ok: false, reason };
  }

  /**
   * dmaAlloc: dma_alloc_from_contiguous() K4_9 (§7.7): the device's area or the default one,
   * count = ceil(size / PAGE_SIZE), align = min(get_order(size), CONFIG_CMA_ALIGNMENT).
   */
  private dmaAlloc(state: Booted, device: number, size: number, step: number): OpResult {
    const area = state.report.deviceAreas[device] ?? state.report.defaultArea;
    if (area === null) return this.cmaFailed(state, 'no-area');
    const count = Math.ceil(size / limits.pageSize);
    const align = Math.min(getOrder(size), state.world.kconfig.cmaAlignment);
    return this.cmaAlloc(state, area, count, align, KIND_DMA, step);
  }

  /** cmaRelease / dmaFree: cma_release(area, pfn, count) (§5.7). */
  private cmaRelease(state: Booted, target: number, kind: number): OpResult {
    const { table, areas, core } = state;
    const slot = targetSlot(state, target, kind);
    const area = areas[table.area[slot]];
    const pfn = table.pfn[slot];
    const count = table.pageCount[slot];
    table.release(slot);
    return { ok: cmaRelease(core, area, pfn, count) };
  }

  /** pin / unpin: a long-term pin stops migration (§12.5); idempotent. */
  private pin(state: Booted, target: number, pinned: boolean): OpResult {
    const { table } = state;
    const slot = targetSlot(state, target, KIND_PAGES);
    if (pinned && table.pinned[slot] === 0) table.pinnedPfn[slot] = table.pfn[slot];
    if (!pinned) table.pinnedPfn[slot] = -1;
    table.pinned[slot] = pinned ? 1 : 0;
    return OK;
  }

  /** write: token = step + 1 in the allocation and each of its frames. */
  private write(state: Booted, target: number, step: number): OpResult {
    state.table.write(targetSlot(state, target, -1), step + 1);
    return OK;
  }

  /** check: every frame holds the allocation's token. */
  private check(state: Booted, target: number): OpResult {
    const { table } = state;
    const slot = targetSlot(state, target, -1);
    if (table.frameToken(slot) === table.token[slot]) return OK;
    return { ok: false, reason: 'data-mismatch' };
  }

  private booted(): Booted {
    assert(this.state !== null, 'ImplAllocator: boot() first');
    return this.state;
  }
}

/** The slot of a live allocation `target` of `kind` (-1: any kind); the harness resolved it. */
function targetSlot(state: Booted, target: number, kind: number): number {
  const slot = state.table.slotOf(target);
  assert(slot >= 0, `ImplAllocator: target ${target} is not a live allocation`);
  assert(kind < 0 || state.table.kind[slot] === kind, `ImplAllocator: target ${target} has kind`
    + ` ${state.table.kind[slot]}, op needs ${kind}`);
  return slot;
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
