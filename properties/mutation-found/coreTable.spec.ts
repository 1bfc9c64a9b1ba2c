/**
 * The op layer's bookkeeping, through the Allocator interface only (apply, snapshot, saveState /
 * restoreState, stateBytes): handles, the live-allocation table and its copies.
 *
 * - Handles are op indices (docs/MODEL.md "Ops": a new allocation's handle is its step), so a
 *   trace whose ops sit at steps 600, 603, 606, ... (the others skipped) must give the same
 *   results and snapshots on impl as on the model. impl keeps its records in a map indexed by
 *   handle that grows with the largest step (impl/allocations.ts), and no trace of the mutation
 *   test set reached a step past 512 before this one.
 * - restoreState() gives back the saved state exactly: the snapshot right after a restore equals
 *   the snapshot at the save, on both sides, after ops that wrote data and grew impl's table past
 *   its first 64 handles and 16 extras slots and changed a CMA bitmap (or, restoring into a fresh
 *   impl, from a grown table into a small one; or into a table whose extras grew while its
 *   handle map kept its size).
 *   The model's copy must not share the frames' data (model/allocator.ts frameToken), impl's
 *   restore must re-size its table (AllocationTable.restoreFrom()).
 * - impl refuses a state saved from a core of another world (BuddyCore.restoreState()).
 * - stateBytes(): impl's records follow the live allocations: a released range gives its extras
 *   slot back, so allocating and releasing a range a thousand times, then 16 written
 *   allocations live at once, keep the first 16 slots.
 *
 * Found by mutation testing: the sorted path of the old liveSlotsById() had no coverage; restore
 * into a table of another size, the model's frame-token copy and the world check of a restore
 * survived; so did a release that kept its extras slot (impl/allocations.ts, records by handle).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import { EXTRAS_BYTES, HANDLE_BYTES } from '../../impl/allocations.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { UNDER_STRYKER } from './differential.ts';
import { edgeTraceArbitrary } from './coreWorlds.ts';
import type { Forkable } from '../support/forkable.ts';
import { RESULT_OK, decodeResult, isOk } from '../../src/core/result.ts';

/** The step of the i-th op of a sparse trace: past 512, three apart. */
function sparseStep(index: number): number {
  return 600 + 3 * index;
}

describe('handles are steps: a sparse trace far past step 512', () => {
  const runs = UNDER_STRYKER ? 10 : 15;
  it(`gives impl the model's results and snapshots (seed 512, ${runs} runs per profile)`, () => {
    for (const profile of ['K4_9', 'K6_1'] as const) {
      fc.assert(fc.property(edgeTraceArbitrary(profile, 80), ({ world, ops }) => {
        const model = new ModelAllocator();
        const impl = new ImplAllocator();
        model.boot(world);
        impl.boot(world);
        ops.forEach((op, index) => {
          const sparse: Op = 'target' in op ? { ...op, target: sparseStep(op.target) } : op;
          const step = sparseStep(index);
          expect(decodeResult(impl.apply(sparse, step)), `step ${step}`)
            .toEqual(decodeResult(model.apply(sparse, step)));
          if (index % 8 === 7) expect(impl.snapshot()).toEqual(model.snapshot());
        });
        expect(impl.snapshot()).toEqual(model.snapshot());
        expect(impl.verify()).toEqual([]);
      }), { seed: 512, numRuns: runs });
    }
  });
});

/** 256 pages, orders 0..4, pageblocks of 16, one zone, a CMA area on [192, 256). */
const WORLD = parseWorld({
  pages: 256, maxOrder: 4, pageblockOrder: 4,
  cma: [{ name: 'cma0', base: 192, size: 64, fixed: true }],
});

/** `count` order-0 MOVABLE allocations from `step` on, each written (token step + 1). */
function allocateAndWrite(allocator: Forkable, step: number, count: number): number {
  let at = step;
  for (let i = 0; i < count; i++) {
    const allocated = allocator.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, at);
    expect(isOk(allocated)).toBe(true);
    allocator.apply({ kind: 'write', target: at }, at + 1);
    at += 2;
  }
  return at;
}

const SIDES: readonly { name: string; create: () => Forkable }[] = [
  { name: 'model', create: () => new ModelAllocator() },
  { name: 'impl', create: () => new ImplAllocator() },
];

describe('restoreState() gives back the saved state', () => {
  for (const { name, create } of SIDES) {
    it(`${name}: after writes and 100 more allocations, the saved snapshot again`, () => {
      const allocator = create();
      allocator.boot(WORLD);
      const range = allocator.apply({ kind: 'cmaAlloc', area: 0, count: 5, align: 0 }, 0);
      expect(isOk(range)).toBe(true);
      const step = allocateAndWrite(allocator, 1, 10);
      const saved = allocator.saveState() as never;
      const expected = allocator.snapshot();
      // Rewrite the saved allocations' frames, move the CMA range (bitmap bits), then grow well
      // past 64 live allocations.
      for (let id = 1; id < 21; id += 2) allocator.apply({ kind: 'write', target: id }, step + id);
      allocator.apply({ kind: 'cmaRelease', target: 0 }, step + 21);
      expect(isOk(allocator.apply({ kind: 'cmaAlloc', area: 0, count: 9, align: 3 }, step + 22)))
        .toBe(true);
      allocateAndWrite(allocator, step + 23, 100);
      allocator.restoreState(saved);
      expect(allocator.snapshot()).toEqual(expected);
      expect(allocator.apply({ kind: 'check', target: 1 }, 10_000)).toBe(RESULT_OK);
    });
  }

  it('impl: a state saved after 100 allocations, restored into a freshly booted impl', () => {
    const original = new ImplAllocator();
    original.boot(WORLD);
    allocateAndWrite(original, 0, 100);
    const saved = original.saveState();
    const fresh = new ImplAllocator();
    fresh.boot(WORLD);
    fresh.restoreState(saved);
    expect(fresh.snapshot()).toEqual(original.snapshot());
    expect(fresh.verify()).toEqual([]);
  });

  it('impl: into a table whose extras grew since the save while its handle map did not', () => {
    // 60 allocations freed at once, never written (no extras), take the steps to 119; ten
    // more stay live and written (10 of the first 16 extras; steps up to 139: a handle map for
    // ids below 256). 55 more after the save (steps below 256) grow the extras to 128 slots
    // but not the handle map.
    const impl = new ImplAllocator();
    impl.boot(WORLD);
    for (let i = 0; i < 60; i++) {
      impl.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, 2 * i);
      impl.apply({ kind: 'free', target: 2 * i }, 2 * i + 1);
    }
    const step = allocateAndWrite(impl, 120, 10);
    const saved = impl.saveState();
    const expected = impl.snapshot();
    allocateAndWrite(impl, step, 55);
    impl.restoreState(saved);
    expect(impl.snapshot()).toEqual(expected);
    expect(impl.verify()).toEqual([]);
  });

  it('impl refuses a state saved on another world', () => {
    // Half the memory, the same number of CMA areas: the arrays do not match.
    const small = new ImplAllocator();
    small.boot(parseWorld({
      pages: 128, maxOrder: 4, pageblockOrder: 4,
      cma: [{ name: 'cma0', base: 64, size: 64, fixed: true }],
    }));
    const other = new ImplAllocator();
    other.boot(WORLD);
    expect(() => other.restoreState(small.saveState())).toThrow(/another world/);
    // Same memory, one CMA area more: the areas do not match.
    const withAreas = new ImplAllocator();
    withAreas.boot(parseWorld({
      pages: 256, maxOrder: 4, pageblockOrder: 4,
      cma: [
        { name: 'cma0', base: 192, size: 64, fixed: true },
        { name: 'cma1', base: 128, size: 64, fixed: true },
      ],
    }));
    expect(() => withAreas.restoreState(other.saveState())).toThrow(/another world/);
  });
});

describe('impl stateBytes()', () => {
  it('per page is the total over the pages; the records grow with the live allocations', () => {
    const impl = new ImplAllocator();
    impl.boot(WORLD);
    const before = impl.stateBytes();
    expect(before.total).toBeGreaterThan(0);
    expect(before.perPage * 256).toBe(before.total);
    // The table starts with 64 handles and 16 extras slots (impl/allocations.ts); each doubles
    // when full. 100 written allocations at steps 0, 2, ..., 198 need 256 handles and 128 extras.
    expect(before.records).toBeGreaterThanOrEqual(64 * HANDLE_BYTES + 16 * EXTRAS_BYTES);
    allocateAndWrite(impl, 0, 100);
    const after = impl.stateBytes();
    expect(after.records).toBeGreaterThanOrEqual(256 * HANDLE_BYTES + 128 * EXTRAS_BYTES);
    expect(after.total).toBe(before.total); // per-page arrays are sized once at boot
  });

  it('a released range gives its extras slot back: 1000 cmaAlloc/cmaRelease pairs, then 16 writes, keep 16 slots', () => {
    const impl = new ImplAllocator();
    impl.boot(WORLD);
    for (let step = 0; step < 2000; step += 2) {
      expect(isOk(impl.apply({ kind: 'cmaAlloc', area: 0, count: 4, align: 0 }, step))).toBe(true);
      expect(impl.apply({ kind: 'cmaRelease', target: step }, step + 1)).toBe(RESULT_OK);
    }
    // Then 16 written allocations live at once (steps 2000..2031) fill the 16 slots exactly.
    allocateAndWrite(impl, 2000, 16);
    // Steps below 2048 need a handle map of 2048 entries; the extras never had to grow.
    expect(impl.stateBytes().records).toBe(2048 * HANDLE_BYTES + 16 * EXTRAS_BYTES);
  });

  it('the side names the harness reports failures with', () => {
    // src/harness/runner.ts names the side of a crash by Allocator.name; the registry's 'impl'.
    expect([new ModelAllocator().name, new ImplAllocator().name]).toEqual(['model', 'impl']);
  });
});
