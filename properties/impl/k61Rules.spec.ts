/**
 * impl under K6_1, rule by rule: each hand trace of k61Traces.ts (one per rule in which Linux
 * 6.1.20 differs from 4.9.45, kernel-semantics.md §9) replayed on impl, with the results, free
 * lists and pageblocks derived by hand there. impl/verify.ts runs after every op (Scenario).
 * The model is not consulted: model and impl agreeing on these is the corpus replay's job
 * (counterexamples/pass-k61-*.json).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from '../../src/core/migratetype.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { BuddyCore, ImplAllocator } from '../../impl/allocator.ts';
import {
  type HandTrace, bitmapOffset, bootToTail, claimAlike, cmaFirst, failedActivation,
  findSmallest, isolateSplit, isolateThp, noFragment, noFragmentOff, noMergeAcrossCma,
  pinMigrates, pinNoTarget, stealToTail,
} from './k61Traces.ts';
import { Scenario } from './scenario.ts';
import { decodeResult } from '../../src/core/result.ts';

/** BuddyCore recording the K6_1 isolation steps it takes (a hook override, as the zoo does). */
class IsolationSpyCore extends BuddyCore {
  readonly splits: [pfn: number, order: number, offset: number][] = [];
  readonly straddlers: [pfn: number, headPfn: number, pageCount: number][] = [];

  override splitFreePage(pfn: number, order: number, splitPfnOffset: number): number {
    this.splits.push([pfn, order, splitPfnOffset]);
    return super.splitFreePage(pfn, order, splitPfnOffset);
  }

  override migrateAcrossBoundaryK6_1(pfn: number, headPfn: number, pageCount: number): number {
    this.straddlers.push([pfn, headPfn, pageCount]);
    return super.migrateAcrossBoundaryK6_1(pfn, headPfn, pageCount);
  }
}

/** The trace on an impl whose core is an IsolationSpyCore; returns that core. */
function spyOn(trace: HandTrace): IsolationSpyCore {
  const allocator = new ImplAllocator('spy', (geometry) => new IsolationSpyCore(geometry));
  allocator.boot(parseWorld(trace.world));
  trace.ops.forEach((op, step) => allocator.apply(op, step));
  return allocator.core as IsolationSpyCore;
}

/** Boots the trace's world on impl and applies its ops; returns the scenario and the pfns. */
function replay(trace: HandTrace, ops: readonly Op[] = trace.ops): Scenario {
  const scenario = new Scenario(trace.world);
  for (const op of ops) scenario.apply(op);
  return scenario;
}

const pfns = (scenario: Scenario): (number | undefined)[] =>
  scenario.results.map((result) => result.pfn);

describe('K6_1 boot and merging (impl)', () => {
  it('frees boot memory to the list tails, so allocation starts at pfn 0 (P14)', () => {
    const scenario = replay(bootToTail, []);
    expect(scenario.list(3, 'M')).toEqual([0, 8, 16, 24, 32, 40, 48, 56]);
    scenario.apply(bootToTail.ops[0]);
    expect(pfns(scenario)).toEqual([0]);
  });

  it('never merges a MOVABLE block with a CMA buddy above pageblock order (P11)', () => {
    const scenario = replay(noMergeAcrossCma, []);
    expect(scenario.lists()).toEqual({
      '2 M': [32], '2 C': [36], '3 M': [0, 8, 16, 24, 40, 48, 56],
    });
    for (const op of noMergeAcrossCma.ops) scenario.apply(op);
    // The free's result names the pages it freed: #0's, at 32 (docs/MODEL.md "Ops").
    expect(pfns(scenario)).toEqual([32, 32]);
    expect(scenario.list(2, 'M')).toEqual([32]);
    expect(scenario.list(2, 'C')).toEqual([36]);
    expect(scenario.list(3, 'M')).not.toContain(32);
  });
});

describe('K6_1 __rmqueue and fallback (impl)', () => {
  it('takes CMA first once CMA holds more than half of the free pages (P5)', () => {
    const scenario = replay(cmaFirst);
    expect(pfns(scenario)).toEqual([0, 56]);
    expect(scenario.allocation(1).sourceList).toBe(4);
    const zone = scenario.snapshot().zones[0];
    expect([zone.nrFreePages, zone.nrFreeCmaPages]).toEqual([62, 31]);
  });

  it('steals the smallest fallback block for a MOVABLE request that may not steal (P6)', () => {
    const scenario = replay(findSmallest);
    expect(pfns(scenario)).toEqual([0, 8, 4, 16, 32, 48, 1]);
    expect(scenario.allocation(6).sourceList).toBe(MIGRATE_UNMOVABLE);
    expect(scenario.list(1, 'U')).toEqual([2]);
    expect(scenario.snapshot().pageblocks).toBe('UMMM');
  });

  it('moves a stolen pageblock to the list tails and takes the smallest moved block (P9)', () => {
    const scenario = replay(stealToTail);
    expect(pfns(scenario)).toEqual([0, 8, 12, 10, 16, 24, 32, 40, 48, 56, 2]);
    expect(scenario.list(0, 'M')).toEqual([9, 1]);
    expect(scenario.list(2, 'M')).toEqual([4]);
    expect(scenario.snapshot().pageblocks).toBe('MMMMMMMM');
    expect(scenario.allocation(10).sourceList).toBe(MIGRATE_UNMOVABLE);
  });

  it('claims a MOVABLE pageblock for UNMOVABLE on free + reserved pages (P7)', () => {
    const scenario = replay(claimAlike);
    expect(pfns(scenario)).toEqual([8, 16, 24, 32, 40, 48, 56, 5]);
    expect(scenario.snapshot().pageblocks[0]).toBe('U');
    expect(scenario.lists()).toEqual({ '1 U': [6] });
  });

  it('spares Normal from fragmenting while DMA32 has a whole pageblock (P10)', () => {
    const flagged = replay(noFragment);
    expect(pfns(flagged)).toEqual([32, 40, 48, 56, 60, 0]);
    expect(flagged.list(1, 'M', 1)).toEqual([62]);
    expect(flagged.snapshot().pageblocks).toBe('UUMMMMMMMMMMMMMM');
    // The same trace with no zone named Normal: no ALLOC_NOFRAGMENT, Normal fragments.
    const unflagged = replay(noFragmentOff);
    expect(pfns(unflagged)).toEqual([32, 40, 48, 56, 60, 62]);
    // Block 60 held 2 free and 2 LRU pages: 2 free + 0 alike = half → claimed.
    expect(unflagged.snapshot().pageblocks).toBe('MMMMMMMMMMMMMMMU');
    expect(unflagged.list(0, 'U', 1)).toEqual([63]);
  });
});

describe('K6_1 CMA (impl)', () => {
  it('gives a failed area to the buddy and activates the next one (P22)', () => {
    const scenario = replay(failedActivation, []);
    const snapshot = scenario.snapshot();
    expect(snapshot.cma.map((area) => [area.state, area.count])).toEqual([
      ['failed', 0], ['active', 8],
    ]);
    expect(snapshot.totalcmaPages).toBe(8);
    expect(snapshot.reserved).toEqual([]);
    expect(snapshot.zones.map((zone) => zone.managedPages)).toEqual([32, 32]);
    expect(scenario.list(3, 'M', 0)).toEqual([24, 0, 8, 16]);
    expect(scenario.list(3, 'M', 1)).toEqual([32, 40, 56]);
    expect(scenario.list(3, 'C', 1)).toEqual([48]);
    expect(snapshot.pageblocks).toBe('MMMMMMMMMMMMCCMM');
    for (const op of failedActivation.ops) scenario.apply(op);
    expect(scenario.results).toEqual([
      { ok: false, reason: 'area-failed' }, { ok: true, pfn: 48 },
    ]);
    expect(scenario.list(2, 'C', 1)).toEqual([52]);
  });

  it('reports the failed activation in the boot log', () => {
    const report = new ImplAllocator().boot(parseWorld(failedActivation.world));
    expect(report.messages).toContain('cma: CMA area A could not be activated');
    expect(report.messages).not.toContain('cma: CMA area B could not be activated');
  });

  it('aligns a window with the corrected bitmap offset, base mod 2^align (P20)', () => {
    expect(pfns(replay(bitmapOffset))).toEqual([8]);
  });

  it('isolates only the pageblocks of the window and splits the free block at its edge (P25)',
    () => {
      const scenario = replay(isolateSplit);
      expect(pfns(scenario)).toEqual([32]);
      expect(scenario.lists()).toEqual({
        '1 C': [34], '2 C': [36], '3 M': [0, 8, 16, 24], '3 C': [56, 48, 40],
      });
      expect(scenario.snapshot().pageblocks.slice(16)).toBe('CCCCCCCCCCCCCCCC');
      // K4_9's way (take the whole o3 block, free back [34, 40)) leaves the same lists.
      expect(spyOn(isolateSplit).splits).toEqual([[32, 3, 2]]);
    });

  it('migrates a THP crossing the window edge, then splits what it left (P25)', () => {
    const scenario = replay(isolateThp);
    expect(scenario.results).toEqual([
      { ok: true, pfn: 0 }, { ok: true, pfn: 56 }, { ok: true }, { ok: true, pfn: 32 },
      { ok: true, pfn: 56 }, { ok: true },
    ]);
    const thp = scenario.allocation(1);
    expect([thp.pfn, thp.sourceList, thp.frameToken]).toEqual([8, MIGRATE_MOVABLE, 3]);
    expect(scenario.list(1, 'C')).toEqual([58]);
    expect(scenario.list(2, 'C')).toEqual([60]);
    expect(scenario.snapshot().zones[0].nrFreeCmaPages).toBe(6);
    // Migrating it in the window's own migration would leave the same state: look at the steps.
    const core = spyOn(isolateThp);
    expect(core.straddlers).toEqual([[56, 56, 4]]);
    expect(core.splits).toEqual([[56, 2, 2]]);
  });
});

describe('K6_1 long-term pins (impl)', () => {
  it('migrates a page out of CMA before pinning it, with an UNMOVABLE request', () => {
    const scenario = replay(pinMigrates);
    expect(pfns(scenario)).toEqual([0, 56, undefined]);
    const pinned = scenario.allocation(1);
    expect([pinned.pfn, pinned.pinned, pinned.pinnedPfn]).toEqual([8, true, 8]);
    expect(scenario.snapshot().pageblocks).toBe('MMUUMMMMCCCCCCCC');
  });

  it('fails the pin with -ENOMEM when no page outside CMA is free, leaving it unpinned', () => {
    const scenario = replay(pinNoTarget);
    expect(scenario.results).toEqual([
      { ok: true, pfn: 0 }, { ok: true, pfn: 8 }, { ok: true, pfn: 24 },
      { ok: false, reason: 'ENOMEM' },
    ]);
    const page = scenario.allocation(2);
    expect([page.pfn, page.pinned]).toEqual([24, false]);
  });
});

describe('K6_1 has_unmovable_pages (impl; a cmaAlloc only isolates CMA pageblocks)', () => {
  // 64 pages, 8-page pageblocks, pfn 0 reserved, CMA on [56, 64). Then:
  //   alloc 0 M → 1, alloc 2 M → 4 (a THP): block 0 = reserved, LRU page, free 2..3, THP 4..7
  //   alloc 1 U → 8 (steals block 8): block 1 = U pages 8..9 (9 a tail: refcount 0), free 10..15
  const allocator = new ImplAllocator();
  allocator.boot(parseWorld({
    profile: 'K6_1', pages: 64, maxOrder: 3, pageblockOrder: 3, mobilityGroupingDisabled: false,
    reserved: [{ startPfn: 0, endPfn: 1 }], cma: [{ name: 'top', base: 56, size: 8, fixed: true }],
  }));
  const ops: Op[] = [
    { kind: 'alloc', order: 0, migratetype: 'MOVABLE' },
    { kind: 'alloc', order: 2, migratetype: 'MOVABLE' },
    { kind: 'alloc', order: 1, migratetype: 'UNMOVABLE' },
  ];
  const results = ops.map((op, step) => decodeResult(allocator.apply(op, step)).pfn);
  const core = allocator.core;

  it('sets up the pageblocks as intended', () => {
    expect(results).toEqual([1, 4, 8]);
  });

  it('lets only a CMA request isolate a CMA pageblock, without a scan (P27)', () => {
    expect(core.hasUnmovablePagesK6_1(56, 64, MIGRATE_CMA)).toBe(false);
    expect(core.hasUnmovablePagesK6_1(57, 64, MIGRATE_CMA)).toBe(false);
    expect(core.hasUnmovablePagesK6_1(56, 64, MIGRATE_MOVABLE)).toBe(true);
  });

  it('scans other pageblocks: reserved and unmovable in-use pages refuse (P28)', () => {
    expect(core.hasUnmovablePagesK6_1(0, 8, MIGRATE_MOVABLE)).toBe(true);
    expect(core.hasUnmovablePagesK6_1(8, 16, MIGRATE_MOVABLE)).toBe(true);
  });

  it('passes free pages, LRU pages, whole THPs and tail pages with no reference', () => {
    expect(core.hasUnmovablePagesK6_1(1, 8, MIGRATE_MOVABLE)).toBe(false);
    expect(core.hasUnmovablePagesK6_1(9, 16, MIGRATE_MOVABLE)).toBe(false);
  });
});
