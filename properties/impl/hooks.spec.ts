/**
 * The bug-zoo hooks of impl (impl/allocator.ts's header): a subclass of BuddyCore that overrides
 * one kernel step is seen by every layer that calls the step, and the harness's invariants
 * catch it. Each case builds its mutant the documented way and derives the expected state by
 * hand from the kernel rules (comments); the unbroken impl runs the same ops beside it.
 * Item 1 of the counters issue is the first two cases: counter drift planted at one accounting
 * point makes the `counters` invariant fire.
 * Does not cover: the zoo's mutants themselves (zoo/, the next issue).
 */
import { describe, expect, it } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import { MIGRATE_CMA, MIGRATE_MOVABLE } from '../../src/core/migratetype.ts';
import type { Op } from '../../src/core/op.ts';
import type { InvariantId } from '../../src/core/violation.ts';
import type { World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { checkInvariants } from '../../src/invariants/index.ts';
import { BuddyCore, type CoreFactory, ImplAllocator } from '../../impl/allocator.ts';
import type { BuddyGeometry } from '../../impl/buddy.ts';
import {
  VMSTAT_FREE_ONE_PAGE, VMSTAT_SET_ISOLATE, type VmstatSite,
} from '../../impl/buddy.ts';
import type { CmaArea } from '../../impl/cma.ts';
import { decodeResult } from '../../src/core/result.ts';

/** 64 pages, orders 0..3, pageblocks of 4; the K4_9 CMA unit is 2^max(3, 2) = 8 pages. */
const TOP_HALF_WORLD = {
  pages: 64, maxOrder: 3, pageblockOrder: 2,
  cma: [{ name: 'c', base: 32, size: 32, fixed: true }],
};

/** Boots `world` on impl and on a mutant built by `factory`; applies ops to both. */
class Pair {
  readonly impl = new ImplAllocator();
  readonly mutant: ImplAllocator;
  readonly world: World;

  constructor(world: Record<string, unknown>, factory: CoreFactory) {
    this.world = parseWorld(world);
    this.mutant = new ImplAllocator('zoo:test', factory);
    this.impl.boot(this.world);
    this.mutant.boot(this.world);
  }

  /** Applies `op` as step `step` on both; returns [impl's result, the mutant's]. */
  apply(op: Op, step: number): [OpResult, OpResult] {
    return [decodeResult(this.impl.apply(op, step)), decodeResult(this.mutant.apply(op, step))];
  }

  /** The ids of the invariants that fire on each side now. */
  firing(): [InvariantId[], InvariantId[]] {
    const context = { world: this.world, step: 0, op: null, result: null, targetBefore: null };
    const ids = (allocator: ImplAllocator) => [...new Set(
      checkInvariants(allocator.snapshot(), context, allocator.name).map((v) => v.id),
    )];
    return [ids(this.impl), ids(this.mutant)];
  }
}

/** set_migratetype_isolate() leaves the isolated pages counted in NR_FREE_PAGES. */
class IsolatedCountedFree extends BuddyCore {
  override modZoneFreepageState(
    zone: number, pageCount: number, migratetype: number, site: VmstatSite,
  ): void {
    if (site === VMSTAT_SET_ISOLATE) return;
    super.modZoneFreepageState(zone, pageCount, migratetype, site);
  }
}

/** __free_one_page() counts freed CMA pages in NR_FREE_PAGES only, not NR_FREE_CMA_PAGES. */
class CmaFreeNotCounted extends BuddyCore {
  override modZoneFreepageState(
    zone: number, pageCount: number, migratetype: number, site: VmstatSite,
  ): void {
    const counted = site === VMSTAT_FREE_ONE_PAGE && migratetype === MIGRATE_CMA
      ? MIGRATE_MOVABLE : migratetype;
    super.modZoneFreepageState(zone, pageCount, counted, site);
  }
}

/** Migration moves the allocation but not its contents (migrate_page_copy() skipped). */
class NoMigrateCopy extends BuddyCore {
  override migratePageCopy(): void {}
}

/** cma_bitmap_aligned_offset() returning 0: the v4.10 fix of the offset, applied too broadly. */
class ZeroBitmapOffset extends BuddyCore {
  override cmaBitmapAlignedOffset(_area: CmaArea, _alignOrder: number): number {
    return 0;
  }
}

/** cma_activate_area() without its zone check: an area spanning zones is activated. */
class NoActivationZoneCheck extends BuddyCore {
  override cmaPageblockInZone(): boolean {
    return true;
  }
}

const factory = (Core: new (geometry: BuddyGeometry) => BuddyCore): CoreFactory =>
  (geometry) => new Core(geometry);

describe('impl hooks: a one-method mutant is seen by the kernel code that calls the step', () => {
  it('counts isolated pages as free when set_migratetype_isolate skips its accounting', () => {
    const pair = new Pair(TOP_HALF_WORLD, factory(IsolatedCountedFree));
    // Boot: all 64 pages free, the area's 32 on CMA lists (order-3 blocks 56, 48, 40, 32).
    // cmaAlloc 8 pages: bit 0 -> pfn 32; isolation of [32, 40) moves the order-3 block 32
    // (it covers both pageblocks) to ISOLATE: -8 from NR_FREE_PAGES and NR_FREE_CMA_PAGES,
    // which the mutant skips. The block is then taken inside ISOLATE blocks (no accounting)
    // and the undo moves nothing back. Kernel: 56 / 24; mutant: 64 / 32.
    expect(pair.apply({ kind: 'cmaAlloc', area: 0, count: 8, align: 0 }, 0))
      .toEqual([{ ok: true, pfn: 32 }, { ok: true, pfn: 32 }]);
    const [impl, mutant] = [pair.impl.snapshot().zones[0], pair.mutant.snapshot().zones[0]];
    expect([impl.nrFreePages, impl.nrFreeCmaPages]).toEqual([56, 24]);
    expect([mutant.nrFreePages, mutant.nrFreeCmaPages]).toEqual([64, 32]);
    expect(pair.firing()).toEqual([[], ['counters']]);
  });

  it('leaves NR_FREE_CMA_PAGES short when __free_one_page skips it for CMA pages', () => {
    const pair = new Pair(TOP_HALF_WORLD, factory(CmaFreeNotCounted));
    // Activation frees the area's eight pageblocks through __free_pages() as CMA: 32 pages
    // that the mutant counts in NR_FREE_PAGES only.
    expect(pair.impl.snapshot().zones[0].nrFreeCmaPages).toBe(32);
    expect(pair.mutant.snapshot().zones[0].nrFreeCmaPages).toBe(0);
    expect(pair.firing()).toEqual([[], ['counters']]);
  });

  it('loses the data of a migrated allocation when the page copy is skipped', () => {
    const pair = new Pair(TOP_HALF_WORLD, factory(NoMigrateCopy));
    // 0-3: MOVABLE order 3 take the MOVABLE blocks 24, 16, 8, 0; 4: the MOVABLE lists are
    // empty, __rmqueue_cma_fallback takes the CMA head 56. 5: write token 6 to #4. 6: free #3
    // (pfn 0 back on the MOVABLE list). 7: cmaAlloc 32 pages: [32, 64) is isolated and #4 at
    // 56 migrates to the MOVABLE block 0; the window is then free: pfn 32. 8: check #4.
    const ops: Op[] = [
      ...[0, 1, 2, 3, 4].map((): Op => ({ kind: 'alloc', order: 3, migratetype: 'MOVABLE' })),
      { kind: 'write', target: 4 }, { kind: 'free', target: 3 },
      { kind: 'cmaAlloc', area: 0, count: 32, align: 0 }, { kind: 'check', target: 4 },
    ];
    const results = ops.map((op, step) => pair.apply(op, step));
    expect(results.slice(0, 5).map(([impl]) => impl.pfn)).toEqual([24, 16, 8, 0, 56]);
    expect(results[7]).toEqual([{ ok: true, pfn: 32 }, { ok: true, pfn: 32 }]);
    expect(pair.mutant.snapshot().allocations.find((a) => a.id === 4)?.pfn).toBe(0);
    expect(results[8]).toEqual([{ ok: true }, { ok: false, reason: 'data-mismatch' }]);
    expect(pair.firing()).toEqual([[], ['data-preserved']]);
  });

  it('changes where cma_alloc fits a large alignment when the offset helper changes', () => {
    const pair = new Pair(TOP_HALF_WORLD, factory(ZeroBitmapOffset));
    // align 6 (64 pages), order_per_bit 0: mask 63. K4_9 offset = ALIGN(32, 64) - 32 = 32:
    // index ALIGN(0 + 32, 64) - 32 = 32, end 40 > maxno 32: no space. Offset 0: index 0, pfn 32.
    expect(pair.apply({ kind: 'cmaAlloc', area: 0, count: 8, align: 6 }, 0))
      .toEqual([{ ok: false, reason: 'no-space' }, { ok: true, pfn: 32 }]);
  });

  it('activates an area that spans two zones when the activation zone check is gone', () => {
    // As in cma.spec.ts: 'span' [32, 48) crosses the zone boundary at 40. The kernel fails it
    // at pageblock 40 (32 and 36 stay CMA) and never activates 'late'; the mutant activates
    // both, so CMA pageblocks lie in two zones.
    const world = {
      ...TOP_HALF_WORLD,
      cma: [
        { name: 'span', base: 32, size: 16, fixed: true },
        { name: 'late', base: 56, size: 8, fixed: true },
      ],
      zones: [
        { name: 'DMA32', startPfn: 0, endPfn: 40 }, { name: 'Normal', startPfn: 40, endPfn: 64 },
      ],
    };
    const pair = new Pair(world, factory(NoActivationZoneCheck));
    expect(pair.impl.snapshot().pageblocks).toBe('MMMMMMMMCCMMMMMM');
    expect(pair.mutant.snapshot().pageblocks).toBe('MMMMMMMMCCCCMMCC');
    expect(pair.mutant.snapshot().cma.map((area) => area.state)).toEqual(['active', 'active']);
    const [implFiring, mutantFiring] = pair.firing();
    expect(implFiring).toEqual([]);
    expect(mutantFiring).toContain('cma-one-zone');
  });
});
