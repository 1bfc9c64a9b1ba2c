/**
 * impl on random traces over random small worlds of either profile: its raw-state checks
 * (impl/verify.ts: list links, order marks, alignment, zones, CMA confinement, page
 * conservation, frame owners, maximal merging, bitmaps) hold after every op, data written survives migration, and a trace
 * replayed on a fresh instance gives an identical snapshot (no hidden state or
 * nondeterminism). (Release-then-refit is a scenario in cma.spec.ts: on an arbitrary trace an
 * earlier window can end the refit with -ENOMEM.) Also the memory budget at the largest world.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limits } from '../../src/core/limits.ts';
import type { Op, TargetOp } from '../../src/core/op.ts';
import { PROFILES, type World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import { decodeResult } from '../../src/core/result.ts';

interface Draws {
  world: World;
  /** Raw op draws; resolved against the live set while the trace runs. */
  steps: [kind: number, a: number, b: number, c: number][];
}

const worldArbitrary: fc.Arbitrary<World> = fc.record({
  maxOrder: fc.integer({ min: 1, max: 4 }),
  pageblockDelta: fc.integer({ min: 0, max: 1 }),
  units: fc.integer({ min: 3, max: 8 }),
  twoZones: fc.boolean(),
  cmaUnits: fc.integer({ min: 1, max: 2 }),
  orderPerBit: fc.integer({ min: 0, max: 1 }),
  secondArea: fc.boolean(),
  profile: fc.constantFrom(...PROFILES),
}).map((draw) => {
  const pageblockOrder = Math.max(0, draw.maxOrder - draw.pageblockDelta);
  // K4_9 CMA alignment, 2^max(maxOrder, pageblockOrder); a whole number of pageblocks, K6_1's.
  const unit = 1 << draw.maxOrder;
  const pages = unit * draw.units;
  const cma = [{
    name: 'top', base: pages - unit * draw.cmaUnits, size: unit * draw.cmaUnits, fixed: true,
    orderPerBit: Math.min(draw.orderPerBit, draw.maxOrder),
  }];
  if (draw.secondArea && draw.units - draw.cmaUnits >= 2) {
    cma.push({ name: 'low', base: unit, size: unit, fixed: true, orderPerBit: 0 });
  }
  const half = unit * Math.floor(draw.units / 2);
  return parseWorld({
    profile: draw.profile, pages, maxOrder: draw.maxOrder, pageblockOrder, cma,
    mobilityGroupingDisabled: false,
    zones: draw.twoZones
      ? [
        { name: 'DMA32', startPfn: 0, endPfn: half },
        { name: 'Normal', startPfn: half, endPfn: pages },
      ]
      : undefined,
  });
});

const drawsArbitrary: fc.Arbitrary<Draws> = fc.record({
  world: worldArbitrary,
  steps: fc.array(fc.tuple(fc.nat(99), fc.nat(1000), fc.nat(1000), fc.nat(1000)), {
    minLength: 60, maxLength: 200,
  }),
});

const MIGRATETYPES = ['UNMOVABLE', 'MOVABLE', 'MOVABLE', 'RECLAIMABLE'] as const;

/** Turns one raw draw into an op over the current live allocations (null: nothing to target). */
function resolve(world: World, live: Map<number, string>, step: Draws['steps'][number]): Op | null {
  const [kind, a, b, c] = step;
  const ids = [...live.keys()];
  const pick = (wanted: string | null): number | null => {
    const matching = ids.filter((id) => wanted === null || live.get(id) === wanted);
    return matching.length === 0 ? null : matching[a % matching.length];
  };
  const target = (opKind: TargetOp['kind'], wanted: string | null): Op | null => {
    const id = pick(wanted);
    return id === null ? null : { kind: opKind, target: id };
  };
  if (kind < 40) {
    return { kind: 'alloc', order: a % (world.maxOrder + 1), migratetype: MIGRATETYPES[b % 4] };
  }
  if (kind < 58) return target('free', 'pages');
  if (kind < 70) {
    const unit = 1 << world.maxOrder;
    const count = 1 + (b % (2 * unit));
    return { kind: 'cmaAlloc', area: a % world.cma.length, count, align: c % (world.maxOrder + 2) };
  }
  if (kind < 78) return target('cmaRelease', 'cma');
  if (kind < 84) return target('pin', 'pages');
  if (kind < 88) return target('unpin', 'pages');
  if (kind < 95) return target('write', null);
  return target('check', null);
}

/** Runs the draws; returns the ops applied (with their steps) for replay. */
function runTrace(allocator: ImplAllocator, draws: Draws): Op[] {
  allocator.boot(draws.world);
  const live = new Map<number, string>();
  const ops: Op[] = [];
  for (const step of draws.steps) {
    const op = resolve(draws.world, live, step);
    if (op === null) continue;
    const index = ops.length;
    const result = decodeResult(allocator.apply(op, index));
    ops.push(op);
    if (op.kind === 'alloc' && result.ok) live.set(index, 'pages');
    if (op.kind === 'cmaAlloc' && result.ok) live.set(index, 'cma');
    if (op.kind === 'free' || op.kind === 'cmaRelease') live.delete(op.target);
    expect(allocator.verify(), `after step ${index} ${JSON.stringify(op)}`).toEqual([]);
    if (op.kind === 'check') expect(result, `check at step ${index}`).toEqual({ ok: true });
    // data-preserved, for every allocation: its frames hold what was last written to it.
    for (const allocation of allocator.snapshot().allocations) {
      const where = `allocation ${allocation.id} at step ${index}`;
      expect(allocation.frameToken, where).toBe(allocation.token);
    }
  }
  return ops;
}

describe('impl on random traces', () => {
  it('keeps its raw-state invariants, data and determinism after every op', () => {
    fc.assert(fc.property(drawsArbitrary, (draws) => {
      const allocator = new ImplAllocator();
      const ops = runTrace(allocator, draws);
      const replay = new ImplAllocator();
      replay.boot(draws.world);
      ops.forEach((op, index) => replay.apply(op, index));
      expect(replay.snapshot()).toEqual(allocator.snapshot());
      expect(JSON.parse(JSON.stringify(allocator.snapshot()))).toEqual(allocator.snapshot());
    }), { numRuns: 150 });
  });
});

describe('impl memory budget', () => {
  const title = `${limits.bytesPerPageMax} bytes of state per page at ${limits.pagesMax} pages`;
  it(`stays within ${title}`, () => {
    const pages = limits.pagesMax;
    const allocator = new ImplAllocator();
    allocator.boot(parseWorld({
      pages, maxOrder: 10, pageblockOrder: 9,
      cma: [{ name: 'top', base: pages - pages / 8, size: pages / 8, fixed: true }],
    }));
    const { perPage } = allocator.stateBytes();
    expect(perPage).toBeLessThanOrEqual(limits.bytesPerPageMax);
    // 4 + 4 (links) + 1 (free order) per page, 1 per pageblock, list sentinels and counters.
    expect(perPage).toBeCloseTo(9 + 1 / 512, 2);
  });
});
