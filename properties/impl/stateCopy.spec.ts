/**
 * ImplAllocator.saveState() / restoreState(), the explorer's fork of impl: on random traces over
 * random tiny worlds (the campaign's own generators, 64..256 pages), the ops after a save point
 * give identical results, snapshots, behaviours and raw-state checks whether they run on
 * (a) the original instance, (b) the same instance restored, (c) a fresh instance of the same
 * world restored — and a saved state can be restored again after it was used (it is copied in,
 * never shared). Does not cover: states of another world (restoreState asserts against that).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Behaviours, OpResult } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import { opsArbitrary, resolveGenOp } from '../../src/generate/ops.ts';
import { worldArbitrary } from '../../src/generate/world.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import { decodeResult } from '../../src/core/result.ts';

/** What a run of ops leaves behind, for comparing runs. */
interface Outcome {
  results: OpResult[];
  snapshot: Snapshot;
  behaviours: Behaviours;
  verify: string[];
}

/** A drawn world and the concrete ops of one run on it (targets resolved as the campaign does). */
interface Trace {
  world: World;
  ops: Op[];
}

const traceArbitrary: fc.Arbitrary<Trace> = worldArbitrary({ pagesLog2Max: 8, profile: ['K4_9', 'K6_1'] })
  .map((json) => parseWorld(json, '<stateCopy>'))
  .chain((world) => {
    const areaPages = declareLayout(world).areas.map((area) => area.count);
    return opsArbitrary({ world, areaPages }, 120).map((genOps) => ({ world, genOps }));
  })
  .map(({ world, genOps }) => {
    const allocator = new ImplAllocator();
    allocator.boot(world);
    const live = new LiveSet();
    const ops: Op[] = [];
    for (const genOp of genOps) {
      const op = resolveGenOp(genOp, live);
      if (op === null) continue;
      live.record(op, ops.length, decodeResult(allocator.apply(op, ops.length)));
      ops.push(op);
    }
    return { world, ops };
  });

/** Applies ops[from..] with their trace steps; JSON copies, so later ops cannot alias them. */
function runFrom(allocator: ImplAllocator, ops: readonly Op[], from: number): Outcome {
  const results: OpResult[] = [];
  for (let step = from; step < ops.length; step++) {
    results.push(decodeResult(allocator.apply(ops[step], step)));
  }
  return {
    results,
    snapshot: allocator.snapshot(),
    behaviours: allocator.behaviours(),
    verify: allocator.verify(),
  };
}

function booted(world: World): ImplAllocator {
  const allocator = new ImplAllocator();
  allocator.boot(world);
  return allocator;
}

describe('impl state copy (saveState / restoreState)', () => {
  it('replays the ops after a save point identically on the original, restored and fresh'
    + ' instances', () => {
    const property = fc.property(traceArbitrary, fc.nat(), (trace, cutDraw) => {
      const cut = cutDraw % (trace.ops.length + 1);
      const original = booted(trace.world);
      runFrom(original, trace.ops.slice(0, cut), 0);
      const saved = original.saveState();
      const expected = runFrom(original, trace.ops, cut);
      expect(expected.verify).toEqual([]);

      original.restoreState(saved);
      expect(runFrom(original, trace.ops, cut)).toEqual(expected);

      const fresh = booted(trace.world);
      fresh.restoreState(saved);
      expect(runFrom(fresh, trace.ops, cut)).toEqual(expected);

      // The saved state was copied in twice and is still the state at the cut.
      original.restoreState(saved);
      expect(runFrom(original, trace.ops, cut)).toEqual(expected);
    });
    fc.assert(property, { numRuns: 120 });
  });

  it('restores a state whose allocation table was smaller than the current one', () => {
    // 256 pages, orders 0..2: 100 order-0 allocations outgrow the table's first 64 slots, so
    // the restore of the boot state replaces grown arrays instead of copying into them.
    const world = parseWorld({ pages: 256, maxOrder: 2, pageblockOrder: 2 });
    const allocator = booted(world);
    const atBoot = allocator.saveState();
    const bootSnapshot = allocator.snapshot();
    const ops: Op[] = Array.from({ length: 100 }, () => (
      { kind: 'alloc', order: 0, migratetype: 'MOVABLE' }
    ));
    const first = runFrom(allocator, ops, 0);
    expect(first.snapshot.allocations).toHaveLength(100);

    allocator.restoreState(atBoot);
    expect(allocator.snapshot()).toEqual(bootSnapshot);
    expect(allocator.verify()).toEqual([]);
    expect(runFrom(allocator, ops, 0)).toEqual(first);
  });

  it('refuses a state saved from a world of another size', () => {
    const small = booted(parseWorld({ pages: 64, maxOrder: 2, pageblockOrder: 2 }));
    const large = booted(parseWorld({ pages: 128, maxOrder: 2, pageblockOrder: 2 }));
    expect(() => large.restoreState(small.saveState())).toThrow(/another world/);
  });
});
