/**
 * Generators for the core*.spec.ts properties: small worlds drawn at the edges the campaign's
 * generator (src/generate/world.ts) rarely reaches, and op sequences drawn in phases that drive
 * the allocator into the rare paths, resolved against the model as the campaign resolves them.
 *
 * Worlds: 1..4 zones whose boundaries are pageblock- but not max-order-aligned (page_is_buddy()'s
 * zone test, rule T's zone test, a boot chunk cut at a zone edge), memory that ends inside a
 * max-order block, up to three memblock reservations in any order (adjacent ones too), CMA areas
 * with order_per_bit up to 3 and sizes that are not multiples of 2^order_per_bit, misaligned
 * bases (K4_9 rounds them up, K6_1 refuses them), areas straddling a zone boundary or pushed past
 * the end of memory (activation fails; K4_9 then leaves the later areas inactive), a `cma=`
 * default area for the DMA devices.
 *
 * Ops: phases of one kind — UNMOVABLE/RECLAIMABLE allocations at orders up to the pageblock
 * order (they claim MOVABLE pageblocks and leave small blocks on their lists), MOVABLE
 * allocations until memory runs out (then they fall back to those small blocks: can_steal false,
 * K6_1's find_smallest, single-page steals), frees, pins, CMA and DMA allocations with every
 * alignment and with counts around multiples of 2^order_per_bit, writes and checks.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Behaviours } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { Profile, World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { type GenOp, resolveGenOp } from '../../src/generate/ops.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { mergeBehaviours } from '../../src/campaign/behaviours.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { DEFAULT_RUN_OPTIONS, type StepResult, runTrace } from '../../src/harness/runner.ts';
import { renderStory } from '../../src/render/story.ts';
import { resolveOnModel, sameBehaviours } from './differential.ts';
import { declareLayout } from '../../model/boot/layout.ts';

type Draw = (min: number, max: number) => number;
type Json = Record<string, unknown>;

export interface EdgeTrace {
  world: World;
  ops: Op[];
}

/** Zone boundaries: distinct pageblock multiples inside (0, pages), ascending. */
function drawZones(draw: Draw, pages: number, pageblockPages: number): Json[] {
  const blocks = pages / pageblockPages;
  const wanted = Math.min(draw(1, 4), blocks);
  const cuts = new Set<number>();
  for (let i = 1; i < wanted; i++) cuts.add(pageblockPages * draw(1, blocks - 1));
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), pages];
  // The highest zone is Normal below four zones: K6_1 sets ALLOC_NOFRAGMENT there (§4.3).
  const names = [['Normal'], ['DMA32', 'Normal'], ['DMA', 'DMA32', 'Normal'],
    ['DMA', 'DMA32', 'Normal', 'Movable']][bounds.length - 2];
  return names.map((name, i) => ({ name, startPfn: bounds[i], endPfn: bounds[i + 1] }));
}

/** Up to three disjoint reservations, kept in drawn (unsorted) order; touching is allowed. */
function drawReserved(draw: Draw, pages: number): Json[] {
  const ranges: { startPfn: number; endPfn: number }[] = [];
  const count = draw(0, 3);
  for (let i = 0; i < count; i++) {
    const startPfn = draw(0, pages - 1);
    const endPfn = Math.min(pages, startPfn + draw(1, 6));
    if (ranges.some((r) => r.startPfn < endPfn && startPfn < r.endPfn)) continue;
    ranges.push({ startPfn, endPfn });
    // Now and then a neighbour that touches it: memblock merges the two into one region.
    if (draw(0, 2) === 0 && endPfn < pages) {
      const next = { startPfn: endPfn, endPfn: Math.min(pages, endPfn + draw(1, 3)) };
      if (!ranges.some((r) => r.startPfn < next.endPfn && next.startPfn < r.endPfn)) {
        ranges.unshift(next);
      }
    }
  }
  return ranges;
}

interface AreaContext {
  pages: number;
  unit: number;
  maxOrder: number;
  boundaries: number[];
}

/** Explicit cma_declare_contiguous() calls; fixed ones lie in memory and never overlap. */
function drawAreas(draw: Draw, context: AreaContext): Json[] {
  const { pages, unit, maxOrder, boundaries } = context;
  const areas: Json[] = [];
  const taken: [number, number][] = [];
  const count = draw(0, 3);
  for (let i = 0; i < count; i++) {
    const ragged = draw(0, 2) === 0 ? draw(1, Math.max(1, unit - 1)) : 0;
    const size = Math.min(pages, draw(1, 3) * unit + ragged);
    const orderPerBit = draw(0, Math.min(3, maxOrder));
    const style = draw(0, 6);
    let base = 0;
    if (style === 6) {
      // A few pages just below the end of memory: K4_9 rounds base and size up to the unit,
      // which puts the whole area past the end (its base has no zone; activation fails).
      const small = pages - draw(Math.max(1, pages - unit + 1), pages - 1);
      base = pages - small;
      if (taken.some(([s, e]) => s < pages && base < e)) continue;
      taken.push([base, pages]);
      areas.push({ name: `cma${i}`, base, size: small, orderPerBit, fixed: true });
      continue;
    }
    if (style === 1) base = unit * draw(0, Math.max(0, Math.floor(pages / unit) - 1));
    if (style === 2) base = unit * draw(0, Math.max(0, Math.floor(pages / unit) - 1)) + draw(1, 3);
    if (style === 3 && boundaries.length > 0) base = Math.max(0, boundaries[0] - unit);
    if (style === 4) base = Math.max(1, pages - size); // misaligned: rounded up past the end
    if (base !== 0) {
      if (base + size > pages || taken.some(([s, e]) => s < base + size && base < e)) continue;
      taken.push([base, base + size]);
    }
    // style 5: placed below a limit just above it, i.e. at pfn 0 (a CMA page can be pfn 0).
    const limit = style === 5 ? Math.min(pages, Math.ceil(size / unit) * unit) : 0;
    areas.push({ name: `cma${i}`, base, size, limit, orderPerBit, fixed: base !== 0 });
  }
  return areas;
}

function drawWorldJson(draw: Draw, profile: Profile): Json {
  const maxOrder = draw(2, 5);
  const pageblockOrder = draw(0, 1) === 0 ? maxOrder : draw(1, maxOrder);
  const pageblockPages = 1 << pageblockOrder;
  // K4_9's CMA unit is a max-order block (or a pageblock if larger), K6_1's a pageblock (§5.1).
  const unit = profile === 'K6_1' ? pageblockPages : 1 << maxOrder;
  const maxBlocks = Math.max(2, Math.floor(128 >> maxOrder));
  let pages = draw(2, Math.min(6, maxBlocks)) << maxOrder;
  pages -= draw(0, (1 << (maxOrder - pageblockOrder)) - 1) * pageblockPages;
  const zones = drawZones(draw, pages, pageblockPages);
  const boundaries = zones.slice(1).map((zone) => zone.startPfn as number);
  const devices = Array.from({ length: draw(0, 2) }, (_, i) => ({ name: `dev${i}` }));
  const cmdlinePages = draw(0, 2) === 0 ? unit * draw(1, 2) : 0;
  return {
    name: 'core-edges',
    profile,
    pages,
    maxOrder,
    pageblockOrder,
    zones,
    reserved: drawReserved(draw, pages),
    cmdline: cmdlinePages > 0 ? `cma=${cmdlinePages * 4}K` : '',
    cma: drawAreas(draw, { pages, unit, maxOrder, boundaries }),
    devices,
    // Small worlds would mostly run with grouping by mobility off (§12.9); half of them keep it.
    ...(draw(0, 1) === 0 ? { mobilityGroupingDisabled: false } : {}),
  };
}

const PHASES = [
  'allocUnmovable', 'allocMovable', 'allocMovable', 'allocAny', 'free', 'fragment', 'pin', 'cma',
  'cma', 'dma', 'data',
] as const;

interface OpContext {
  world: World;
  areaPages: readonly number[];
}

/** One op of a phase; targets are picks, resolved later against the live allocations. */
function drawPhaseOp(draw: Draw, phase: (typeof PHASES)[number], context: OpContext): GenOp {
  const { world, areaPages } = context;
  const pick = draw(0, 1 << 16);
  switch (phase) {
    case 'allocUnmovable':
      return {
        kind: 'alloc', order: draw(0, world.pageblockOrder),
        migratetype: draw(0, 1) === 0 ? 'UNMOVABLE' : 'RECLAIMABLE',
      };
    case 'allocMovable':
      return { kind: 'alloc', order: draw(0, 3) === 0 ? 1 : 0, migratetype: 'MOVABLE' };
    case 'allocAny':
      return {
        kind: 'alloc', order: draw(0, world.maxOrder),
        migratetype: (['UNMOVABLE', 'MOVABLE', 'RECLAIMABLE'] as const)[draw(0, 2)],
      };
    case 'free':
      return { kind: 'free', pick };
    case 'fragment':
      // A negative pick counts from the newest live allocation (resolveNewestFirst): -1, -3,
      // -5, ... free every other recent allocation, leaving small free blocks between used ones.
      return { kind: 'free', pick: -1 - 2 * draw(0, 3) };
    case 'pin':
      return { kind: draw(0, 3) === 0 ? 'unpin' : 'pin', pick };
    case 'cma': {
      if (areaPages.length === 0 || draw(0, 3) === 0) return { kind: 'cmaRelease', pick };
      const area = draw(0, areaPages.length - 1);
      const unit = 1 << draw(0, 3);
      const count = Math.max(0, unit * draw(0, 4) + draw(-1, 1));
      return { kind: 'cmaAlloc', area, count, align: draw(0, world.maxOrder + 2) };
    }
    case 'dma': {
      if (world.devices.length === 0) return { kind: 'write', pick };
      const choice = draw(0, 5);
      if (choice === 0) return { kind: 'dmaFree', pick };
      // A negative pick names the newest DMA range (resolveNewestFirst): written, then read back.
      if (choice === 1) return { kind: 'write', pick: -1 };
      if (choice === 2) return { kind: 'check', pick: -1 };
      const device = draw(0, world.devices.length - 1);
      return { kind: 'dmaAlloc', device, size: draw(1, 9 * 4096) };
    }
    case 'data':
      return { kind: draw(0, 1) === 0 ? 'write' : 'check', pick };
  }
}

function drawGenOps(draw: Draw, context: OpContext, opsMax: number): GenOp[] {
  const length = draw(Math.min(10, opsMax), opsMax);
  const ops: GenOp[] = [];
  while (ops.length < length) {
    const phase = PHASES[draw(0, PHASES.length - 1)];
    const phaseLength = draw(1, phase === 'allocMovable' ? 32 : 12);
    for (let i = 0; i < phaseLength && ops.length < length; i++) {
      ops.push(drawPhaseOp(draw, phase, context));
    }
  }
  return ops;
}

/**
 * A negative pick counts from the newest live allocation: a `free` of the (-pick)-th newest
 * page allocation, a `write` / `check` of the newest DMA range; null when there is none.
 */
function newest(kind: GenOp['kind'], pick: number, live: LiveSet): Op | null {
  if (kind === 'write' || kind === 'check') {
    const ranges = live.countOfKinds(['dma']);
    return ranges === 0 ? null : { kind, target: live.nthOfKinds(['dma'], ranges - 1).id };
  }
  const count = live.countOfKinds(['pages']);
  if (kind !== 'free' || count + pick < 0) return null;
  return { kind: 'free', target: live.nthOfKinds(['pages'], count + pick).id };
}

/** resolveGenOp, except that a negative pick counts from the newest (newest()). */
function resolveNewestFirst(genOp: GenOp, live: LiveSet): Op | null {
  return 'pick' in genOp && genOp.pick < 0 ? newest(genOp.kind, genOp.pick, live)
    : resolveGenOp(genOp, live);
}

/** The generated ops made concrete against the model's live allocations (resolveNewestFirst). */
export function resolveEdgeOps(world: World, genOps: readonly GenOp[]): Op[] {
  return resolveOnModel(world, genOps, resolveNewestFirst);
}

/** A world at the edges (null when parseWorld refuses the drawn JSON, which is rare). */
export function edgeWorld(draw: Draw, profile: Profile): World | null {
  try {
    return parseWorld(drawWorldJson(draw, profile), `<core ${profile} edges>`);
  } catch {
    return null;
  }
}

/** Traces over edge worlds, up to `opsMax` ops after resolution. */
export function edgeTraceArbitrary(profile: Profile, opsMax: number): fc.Arbitrary<EdgeTrace> {
  return fc.gen().map((gen) => {
    const draw: Draw = (min, max) => gen(fc.integer, { min, max });
    let world = edgeWorld(draw, profile);
    while (world === null) world = edgeWorld(draw, profile);
    const areaPages = declareLayout(world).areas.map((area) => area.count);
    const genOps = drawGenOps(draw, { world, areaPages }, opsMax);
    return { world, ops: resolveEdgeOps(world, genOps) };
  });
}

/**
 * The fallback story (§4.2–§4.6): MOVABLE pages fill part of memory (up to nearly all of it, so
 * that a later steal may meet a pageblock mostly full of movable pages), UNMOVABLE or RECLAIMABLE
 * order-0 pages then steal MOVABLE pageblocks, a random subset of them is freed (small free
 * blocks of every order below the pageblock on the U/E lists), and MOVABLE requests run until
 * memory is gone: with the MOVABLE lists empty they fall back to those small blocks, where
 * can_steal_fallback() is false below pageblockOrder / 2 (K4_9: the block alone is taken; K6_1:
 * find_smallest, and the single block moved to the tail of the MOVABLE list).
 */
export function fallbackTraceArbitrary(profile: Profile): fc.Arbitrary<EdgeTrace> {
  return fc.gen().map((gen) => {
    const draw: Draw = (min, max) => gen(fc.integer, { min, max });
    const maxOrder = draw(3, 5);
    const pageblockOrder = draw(Math.min(4, maxOrder), maxOrder);
    const pages = Math.max(4 << pageblockOrder, 2 << maxOrder);
    // Grouping by mobility kept on although the world is small (page_alloc_init's threshold,
    // §12.9, would turn it off below 6 pageblocks): the world field says so.
    const world = parseWorld({
      profile, pages, maxOrder, pageblockOrder, mobilityGroupingDisabled: false,
    }, '<core fallback>');
    const ops: Op[] = [];
    const movableFirst = draw(0, pages - 1);
    for (let i = 0; i < movableFirst; i++) {
      ops.push({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' });
    }
    const stolen = draw(1, pages - movableFirst);
    const migratetype = draw(0, 1) === 0 ? 'UNMOVABLE' : 'RECLAIMABLE';
    const stealers: number[] = [];
    for (let i = 0; i < stolen; i++) {
      stealers.push(ops.length);
      ops.push({ kind: 'alloc', order: 0, migratetype });
    }
    const keepOneIn = draw(2, 4);
    for (const target of stealers) if (draw(1, keepOneIn) !== 1) ops.push({ kind: 'free', target });
    const requests = draw(pages / 4, pages);
    for (let i = 0; i < requests; i++) {
      ops.push({ kind: 'alloc', order: draw(0, 3) === 0 ? 1 : 0, migratetype: 'MOVABLE' });
    }
    return { world, ops };
  });
}

/** How many ops of `kinds` were applied, succeeded and failed. */
function outcomeCounts(
  ops: readonly Op[], results: readonly StepResult[], kinds: readonly Op['kind'][],
): { ok: number; failed: number } {
  const counts = { ok: 0, failed: 0 };
  results.forEach((result, step) => {
    if ('skipped' in result || !kinds.includes(ops[step].kind)) return;
    if (result.ok) counts.ok++;
    else counts.failed++;
  });
  return counts;
}

/**
 * The differential property over `traces`: equal results and snapshots after every op, every
 * invariant holding, impl's behaviour counters equal to the model's (sameBehaviours), and the
 * model's `alloc.ok` / `alloc.fail` equal to the allocations that succeeded and failed (counted
 * from the results; impl has no such counters, so nothing else checks the model's), and both
 * sides' `cma.alloc.fail` equal to the failed cma_alloc() calls. Fails with
 * the story of the first disagreeing trace, or when a path named in `reached` was never taken.
 */
export function checkEdges(
  traces: fc.Arbitrary<EdgeTrace>, seed: number, runs: number, reached: readonly string[],
): void {
  const implementations = implementationsFor('impl');
  if (implementations === null) throw new Error('impl is not registered');
  const behaviours: Behaviours = {};
  fc.assert(fc.property(traces, ({ world, ops }) => {
    const outcome = runTrace(world, ops, implementations, DEFAULT_RUN_OPTIONS);
    if (outcome.failure !== null) {
      const trace = { world, ops, against: 'impl', expect: 'pass' } as const;
      expect.fail(renderStory({ trace: trace as never, outcome, snapshot: null, file: null }));
    }
    const model = outcome.run.model.behaviours();
    const impl = outcome.run.impl.behaviours();
    sameBehaviours(model, impl);
    // alloc_pages() outcomes, counted from the results the runner compared.
    const allocs = outcomeCounts(ops, outcome.results, ['alloc']);
    expect([model['alloc.ok'] ?? 0, model['alloc.fail'] ?? 0]).toEqual([allocs.ok, allocs.failed]);
    // cma_alloc() outcomes (CMA_ALLOC_SUCCESS / CMA_ALLOC_FAIL, §5.6), also under DMA, where a
    // device with no area still calls cma_alloc(NULL), which fails.
    const cmaAllocs = outcomeCounts(ops, outcome.results, ['cmaAlloc', 'dmaAlloc']);
    expect([model['cma.alloc.ok'] ?? 0, model['cma.alloc.fail'] ?? 0, impl['cma.alloc.fail']])
      .toEqual([cmaAllocs.ok, cmaAllocs.failed, cmaAllocs.failed]);
    mergeBehaviours(behaviours, model);
  }), { seed, numRuns: runs });
  for (const name of reached) expect(behaviours[name] ?? 0, name).toBeGreaterThan(0);
}


/**
 * The CMA migration story (§5.6, §6.2, §12.5–§12.8): MOVABLE pages fill memory until they
 * spill into the CMA areas (K4_9 __rmqueue_cma_fallback(); K6_1 also whenever CMA holds more
 * than half of the free pages), some of them are pinned, a random subset of the others is
 * freed (room for migration targets), then cma_alloc() requests of every size and alignment
 * isolate pageblocks, migrate the MOVABLE pages out (or meet a pinned one: -EBUSY, the next
 * window), and some ranges are released again. Frees of migrated pages inside isolated
 * pageblocks, buddies of another pageblock type next to them, and the undo of the isolation
 * all happen here.
 */
export function cmaTraceArbitrary(profile: Profile): fc.Arbitrary<EdgeTrace> {
  return fc.gen().map((gen) => {
    const draw: Draw = (min, max) => gen(fc.integer, { min, max });
    const maxOrder = draw(2, 4);
    const pageblockOrder = draw(1, maxOrder);
    const unit = profile === 'K6_1' ? 1 << pageblockOrder : 1 << maxOrder;
    const pages = Math.max(64, 4 * unit);
    const areaCount = draw(1, 2);
    // The areas sit at the top of memory, or the first one at pfn 0 (placed below a limit of
    // one unit: a CMA page can then be pfn 0).
    const atZero = draw(0, 2) === 0;
    const cma = Array.from({ length: areaCount }, (_, i) => ({
      name: `cma${i}`, size: unit, orderPerBit: draw(0, Math.min(2, pageblockOrder)),
      ...(i === 0 && atZero
        ? { base: 0, limit: unit }
        : { base: pages - (i + 1) * unit, fixed: true }),
    }));
    const world = parseWorld({
      profile, pages, maxOrder, pageblockOrder, cma, mobilityGroupingDisabled: false,
    }, '<core cma>');
    const ops: Op[] = [];
    const movable: number[] = [];
    const filled = draw(pages / 2, pages);
    for (let i = 0; i < filled; i++) {
      movable.push(ops.length);
      ops.push({ kind: 'alloc', order: draw(0, 4) === 0 ? 1 : 0, migratetype: 'MOVABLE' });
    }
    for (const target of movable) {
      const choice = draw(0, 9);
      if (choice === 0) ops.push({ kind: 'pin', target });
      else if (choice <= 4) ops.push({ kind: 'free', target });
      else if (choice === 5) ops.push({ kind: 'write', target });
    }
    const registered = declareLayout(world).areas.length;
    const requests = registered === 0 ? 0 : draw(2, 8);
    for (let i = 0; i < requests; i++) {
      const step = ops.length;
      ops.push({
        kind: 'cmaAlloc', area: draw(0, registered - 1), count: draw(1, unit),
        align: draw(0, maxOrder),
      });
      if (draw(0, 2) === 0) ops.push({ kind: 'cmaRelease', target: step });
    }
    for (const target of movable) if (draw(0, 5) === 0) ops.push({ kind: 'check', target });
    return { world, ops };
  });
}

/**
 * The zone-edge story (§2.2, §2.4, §12.1, §12.16): two or three zones whose boundaries cut a
 * max-order block (pageblock-aligned only), memory filled with blocks of one order at or below
 * the pageblock order — the highest zone first, then the lower ones (the zonelist order) — and
 * then freed in a random order, three times, each round with its own migratetype and a
 * quarter of its blocks kept (so pageblocks of several types lie side by side). A block at the
 * end of a lower zone is freed while its buddy, the first block of the next zone, may already
 * be free: page_is_buddy()'s zone test must stop the merge, and rule T's test of the higher
 * buddy must look at its zone too.
 */
export function zoneTraceArbitrary(profile: Profile): fc.Arbitrary<EdgeTrace> {
  return fc.gen().map((gen) => {
    const draw: Draw = (min, max) => gen(fc.integer, { min, max });
    const maxOrder = draw(2, 4);
    const pageblockOrder = draw(0, maxOrder - 1);
    const pageblockPages = 1 << pageblockOrder;
    const pages = 4 << maxOrder;
    // Boundaries at odd multiples of a pageblock: inside a block of the next order up.
    const oddBlock = (): number =>
      pageblockPages * (2 * draw(0, pages / pageblockPages / 2 - 1) + 1);
    const cuts = [...new Set([oddBlock(), oddBlock()])].sort((a, b) => a - b);
    const bounds = [0, ...cuts.slice(0, draw(1, cuts.length)), pages];
    const names = bounds.length === 3 ? ['DMA32', 'Normal'] : ['DMA', 'DMA32', 'Normal'];
    const zones = names.map((name, i) => ({ name, startPfn: bounds[i], endPfn: bounds[i + 1] }));
    const world = parseWorld({
      profile, pages, maxOrder, pageblockOrder, zones, mobilityGroupingDisabled: false,
    }, '<core zones>');
    const ops: Op[] = [];
    for (let round = 0; round < 3; round++) {
      // Each round its own type and size: pageblocks of several types end up side by side
      // (fallback claims), and a quarter of each round's blocks stays allocated.
      const order = draw(0, pageblockOrder);
      const migratetype = (['UNMOVABLE', 'MOVABLE', 'RECLAIMABLE'] as const)[draw(0, 2)];
      const blocks: number[] = [];
      const count = draw((pages >> order) / 2, pages >> order);
      for (let i = 0; i < count; i++) {
        blocks.push(ops.length);
        ops.push({ kind: 'alloc', order, migratetype });
      }
      for (let i = blocks.length - 1; i > 0; i--) {
        const j = draw(0, i);
        [blocks[i], blocks[j]] = [blocks[j], blocks[i]];
      }
      const kept = round === 2 ? 0 : blocks.length >> 2;
      for (const target of blocks.slice(kept)) ops.push({ kind: 'free', target });
    }
    return { world, ops };
  });
}
