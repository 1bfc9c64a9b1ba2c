/**
 * The differential probe of contigProbe.spec.ts: reach a random state on the model and on impl
 * with the same ops, then call the kernel's contiguous-range entry points directly on both with
 * the same arguments, and require equal return values and equal full snapshots after each call
 * (src/harness/diff.ts), and every invariant (src/invariants) once the state is between
 * operations again.
 *
 * Why: until this probe alloc_contig_range() was only entered through cma_alloc() over CMA
 * pageblocks, so whole kernel paths never ran in the mutation test set — has_unmovable_pages()
 * of a pageblock that is not MOVABLE/CMA, the undo loop of start_isolate_page_range() when a
 * later block refuses, K6_1 isolate_single_pageblock() on a range edge that cuts a free buddy or
 * a THP, unset_migratetype_isolate()'s K6_1 merge path. The kernel reaches them from its other
 * callers, which the probe stands in for:
 *   - alloc_contig_range(start, end, MIGRATE_MOVABLE): gigantic hugepages (4.9 mm/hugetlb.c
 *     __alloc_gigantic_page(); 6.1 mm/page_alloc.c alloc_contig_pages()), then
 *     free_contig_range() on success (free_gigantic_page());
 *   - alloc_contig_range(start, end, MIGRATE_CMA) over a CMA area: cma_alloc();
 *   - start_isolate_page_range() + test_pages_isolated() + undo_isolate_page_range(.., MOVABLE):
 *     memory offlining (mm/memory_hotplug.c __offline_pages() / offline_pages());
 *   - has_unmovable_pages() of any pageblock (4.9 is_pageblock_removable_nolock(),
 *     set_migratetype_isolate(); 6.1 set_migratetype_isolate() with a sub-range).
 *
 * Which calls are legal (probeRange): what the kernel functions and their callers require.
 *   - alloc_contig_range(): "The PFN range must belong to a single zone" and start < end; "does
 *     not have to be pageblock or MAX_ORDER_NR_PAGES aligned" (its kernel-doc, 4.9 and 6.1). Its
 *     migratetype is "migratetype of the underlying pageblocks (either MIGRATE_MOVABLE or
 *     MIGRATE_CMA)": MIGRATE_CMA is passed only by cma_alloc(), so only over ranges whose
 *     isolated pageblocks are all CMA (an area); MIGRATE_MOVABLE may meet any other type, which
 *     has_unmovable_pages() refuses or accepts. K4_9 isolates the superset
 *     [pfn_max_align_down(start), pfn_max_align_up(end)) and undo_isolate_page_range() then gives
 *     every isolated block the caller's type: the kernel's callers keep that superset inside the
 *     zone (gigantic pages are aligned to ≥ MAX_ORDER_NR_PAGES in their zone; CMA areas to
 *     max(MAX_ORDER_NR_PAGES, pageblock_nr_pages)), and in 4.9 a MOVABLE request never covers a
 *     CMA block (it would turn the block MOVABLE: the 4.9 has_unmovable_pages() accepts CMA
 *     blocks for any request), so such calls are not made.
 *   - start_isolate_page_range(): K4_9 BUG_ON()s unless both ends are pageblock-aligned; memory
 *     offlining (4.9 __offline_pages()) passes pageblock-aligned ranges of one zone
 *     (test_pages_in_a_zone()), MOVABLE. K6_1 takes any [start, end) of one zone
 *     (alloc_contig_range() passes its own) and aligns it itself. undo_isolate_page_range() gets
 *     the same [start, end): K6_1's aligns an unaligned range itself (impl's did not once, and
 *     left the last block isolated).
 *   - has_unmovable_pages(): K4_9 one pageblock of a zone; K6_1 a sub-range of one pageblock,
 *     with MOVABLE or CMA.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import {
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  type Migratetype,
  REQUEST_MIGRATETYPE_NAMES,
} from '../../src/core/migratetype.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { Pfn, Profile, World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { type GenOp, resolveGenOp } from '../../src/generate/ops.ts';
import { diffSnapshots } from '../../src/harness/diff.ts';
import { LiveSet } from '../../src/harness/liveSet.ts';
import { checkInvariants } from '../../src/invariants/index.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import { allocContigRange, freeContigRange } from '../../model/contig.ts';
import {
  hasUnmovablePages,
  hasUnmovablePagesK6_1,
  startIsolatePageRange,
  testPagesIsolated,
  undoIsolatePageRange,
} from '../../model/isolation.ts';
import { type ModelState, OWNER_NONE, pageCompound, zoneOfPfn } from '../../model/state.ts';
import { decodeResult } from '../../src/core/result.ts';

/** The two sides of one probe run, booted on the same world and driven by the same ops. */
export interface Sides {
  world: World;
  model: ModelAllocator;
  impl: ImplAllocator;
}

/** A probe call before its range is fixed: anchors pick edges among the state's pfns. */
export interface ProbeCall {
  kind: 'contig' | 'isolate' | 'unmovable';
  cma: boolean;
  startAnchor: number;
  endAnchor: number;
  /** Where the end comes from: another anchor, or start + a short length. */
  shortRange: boolean;
}

/** Everything one property run draws. */
export interface ProbeCase {
  world: World;
  genOps: GenOp[];
  calls: ProbeCall[];
}

/** What the probes reached, by name (kernel path or result); asserted non-zero at the end. */
export type Reached = Map<string, number>;

export function count(reached: Reached, name: string): void {
  reached.set(name, (reached.get(name) ?? 0) + 1);
}

// ---------------------------------------------------------------------------------------------
// Worlds and ops, biased toward the rare paths

/**
 * Small worlds (64..512 pages) with small pageblocks and, most of the time, MAX_ORDER above the
 * pageblock order, so free buddies and THPs straddle pageblock boundaries; one or two zones;
 * 0..2 CMA areas at the profile's alignment (K4_9 max(MAX_ORDER, pageblock) pages, K6_1 one
 * pageblock, kernel-semantics.md §5.1 switch P15); sometimes a memblock reservation, which is
 * PageReserved (has_unmovable_pages: unmovable).
 */
export function probeWorldArbitrary(profile: Profile): fc.Arbitrary<World> {
  return fc.gen().map((draw) => {
    const maxOrder = draw(fc.integer, { min: 2, max: 5 });
    const below = draw(fc.constantFrom, 0, 1, 1, 2, 2, 3);
    const pageblockOrder = Math.max(1, maxOrder - below);
    const blockPages = 1 << pageblockOrder;
    const sizes = [64, 96, 128, 192, 256, 384, 512].filter(
      (pages) => pages % blockPages === 0 && pages >= 8 * blockPages && pages >= 2 << maxOrder,
    );
    const pages = sizes[draw(fc.integer, { min: 0, max: sizes.length - 1 })];
    const blocks = pages / blockPages;
    const twoZones = draw(fc.integer, { min: 0, max: 9 }) < 4;
    const boundary = blockPages * draw(fc.integer, { min: 2, max: blocks - 2 });
    const zones = twoZones
      ? [
          { name: 'DMA32', startPfn: 0, endPfn: boundary },
          { name: 'Normal', startPfn: boundary, endPfn: pages },
        ]
      : [{ name: 'Normal', startPfn: 0, endPfn: pages }];
    const reservedStart = draw(fc.integer, { min: 0, max: pages - 4 });
    const reserved =
      draw(fc.integer, { min: 0, max: 2 }) === 0
        ? [
            {
              startPfn: reservedStart,
              endPfn: reservedStart + draw(fc.integer, { min: 1, max: 3 }),
            },
          ]
        : [];
    const unit = profile === 'K6_1' ? blockPages : 1 << Math.max(maxOrder, pageblockOrder);
    const cma: { name: string; base: number; size: number; orderPerBit: number; fixed: true }[] =
      [];
    const areaCount = draw(fc.integer, { min: 0, max: 2 });
    for (let index = 0; index < areaCount; index++) {
      const size = unit * draw(fc.integer, { min: 1, max: 3 });
      const base = unit * draw(fc.integer, { min: 0, max: Math.floor(pages / unit) - 1 });
      const overlaps = cma.some((area) => area.base < base + size && base < area.base + area.size);
      if (base + size > pages || overlaps || size > pages / 2) continue;
      const orderPerBit = draw(fc.integer, { min: 0, max: 2 });
      cma.push({ name: `cma${index}`, base, size, orderPerBit, fixed: true });
    }
    const json = {
      name: 'contig-probe',
      profile,
      pages,
      maxOrder,
      pageblockOrder,
      zones,
      reserved,
      cma,
    };
    return parseWorld(json, `<${profile} contig probe>`);
  });
}

/**
 * Ops that leave memory fragmented: allocations of every order, MOVABLE (THPs in K6_1 when
 * order > 0), UNMOVABLE and RECLAIMABLE, frees that punch holes, long-term pins (immovable
 * MOVABLE pages), and cma_alloc()/cma_release() so CMA blocks hold movable and CMA pages.
 * Targets are `pick`s resolved against the live allocations (resolveGenOp).
 */
export function probeOpsArbitrary(world: World, lengthMax: number): fc.Arbitrary<GenOp[]> {
  const areaCount = declareLayout(world).areas.length; // the areas cma_alloc() can name
  const alloc = fc.record({
    kind: fc.constant('alloc' as const),
    order: fc.integer({ min: 0, max: world.maxOrder }),
    migratetype: fc.constantFrom(...REQUEST_MIGRATETYPE_NAMES, 'MOVABLE', 'MOVABLE'),
  });
  const pick = (kind: 'free' | 'pin' | 'cmaRelease') =>
    fc.record({ kind: fc.constant(kind), pick: fc.nat(1 << 16) });
  const cmaAlloc = fc.record({
    kind: fc.constant('cmaAlloc' as const),
    area: fc.nat(Math.max(0, areaCount - 1)),
    count: fc.integer({ min: 1, max: 1 << world.pageblockOrder }),
    align: fc.nat(2),
  });
  const op: fc.Arbitrary<GenOp> = fc.oneof(
    { weight: 10, arbitrary: alloc },
    { weight: 5, arbitrary: pick('free') },
    { weight: 2, arbitrary: pick('pin') },
    { weight: areaCount > 0 ? 2 : 0, arbitrary: cmaAlloc },
    { weight: areaCount > 0 ? 1 : 0, arbitrary: pick('cmaRelease') },
  );
  // Now and then a burst of one op: order-0 MOVABLE pages by the dozen give a range more
  // movable units than one migration batch holds (COMPACT_CLUSTER_MAX); frees in a row punch
  // holes at the start of UNMOVABLE pageblocks.
  const burst = fc
    .tuple(op, fc.integer({ min: 1, max: 48 }), fc.integer({ min: 0, max: 7 }))
    .map(([one, times, ticket]): GenOp[] => (ticket === 0 ? Array<GenOp>(times).fill(one) : [one]));
  return fc.array(burst, { minLength: 4, maxLength: lengthMax }).map((runs) => runs.flat());
}

function probeCallArbitrary(kind: ProbeCall['kind']): fc.Arbitrary<ProbeCall> {
  return fc.record({
    kind: fc.constant(kind),
    cma: fc.boolean(),
    startAnchor: fc.nat(1 << 20),
    endAnchor: fc.nat(1 << 20),
    shortRange: fc.boolean(),
  });
}

/** A world, the ops that reach a state in it, then up to `callsMax` calls of one `kind`. */
export function probeCaseArbitrary(
  profile: Profile,
  kind: ProbeCall['kind'],
  opsMax: number,
  callsMax: number,
): fc.Arbitrary<ProbeCase> {
  return probeWorldArbitrary(profile).chain((world) =>
    fc.record({
      world: fc.constant(world),
      genOps: probeOpsArbitrary(world, opsMax),
      calls: fc.array(probeCallArbitrary(kind), { minLength: 1, maxLength: callsMax }),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Reaching the state

/** Boots both sides and applies the ops, resolved on the model; results must agree. */
export function reachState(world: World, genOps: readonly GenOp[]): Sides {
  const model = new ModelAllocator();
  const impl = new ImplAllocator();
  model.boot(world);
  impl.boot(world);
  const live = new LiveSet();
  let step = 0;
  for (const genOp of genOps) {
    const op: Op | null = resolveGenOp(genOp, live);
    if (op === null) continue;
    const expected: OpResult = decodeResult(model.apply(op, step));
    expect(decodeResult(impl.apply(op, step)), `op ${step} ${JSON.stringify(op)}`).toEqual(expected);
    live.record(op, step, expected);
    step++;
  }
  const sides = { world, model, impl };
  expectSameState(sides, 'after the ops');
  return sides;
}

/** Full snapshots equal (model first, as the runner reports them). */
export function expectSameState(sides: Sides, when: string): Snapshot {
  const snapshot = sides.model.snapshot();
  const differences = diffSnapshots(snapshot, sides.impl.snapshot());
  expect(differences, `model and impl differ ${when}`).toEqual([]);
  return snapshot;
}

/** Every invariant on the (shared) snapshot, and impl's own raw-array checks. */
export function expectInvariants(sides: Sides, snapshot: Snapshot, when: string): void {
  const context = { world: sides.world, step: 0, op: null, result: null, targetBefore: null };
  const violations = checkInvariants(snapshot, context, 'model');
  expect(
    violations.map((v) => `${v.id}: ${v.explanation}`),
    `invariants ${when}`,
  ).toEqual([]);
  expect(sides.impl.verify(), `impl verify ${when}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Choosing legal ranges

/**
 * Pfns worth putting a range edge on: inside free buddies and inside order > 0 allocations
 * (where isolate_single_pageblock() and outer_start have work to do), pageblock boundaries, and
 * the edges of CMA areas; all inside memory.
 */
export function edgeCandidates(state: ModelState): Pfn[] {
  const pages = state.world.pages;
  const candidates: Pfn[] = [];
  for (let pfn = 0; pfn < pages; pfn++) {
    const order = state.buddyOrder[pfn];
    if (order > 0) candidates.push(pfn + 1, pfn + (1 << (order - 1)), pfn + (1 << order) - 1);
  }
  for (const allocation of state.allocations.values()) {
    if (allocation.pageCount > 1)
      candidates.push(allocation.pfn + 1, allocation.pfn + (allocation.pageCount >> 1));
  }
  for (let pfn = 0; pfn < pages; pfn += 1 << state.world.pageblockOrder) candidates.push(pfn);
  for (const area of state.cmaAreas) candidates.push(area.basePfn, area.basePfn + area.count);
  return candidates.filter((pfn) => pfn >= 0 && pfn < pages);
}

/** The range a call gets, or null when no legal range follows from its anchors. */
export interface ProbeRange {
  startPfn: Pfn;
  endPfn: Pfn;
  mt: Migratetype;
}

function blockTypesIn(state: ModelState, startPfn: Pfn, endPfn: Pfn): Migratetype[] {
  const blockPages = 1 << state.world.pageblockOrder;
  const types: Migratetype[] = [];
  for (let pfn = startPfn - (startPfn % blockPages); pfn < endPfn; pfn += blockPages) {
    types.push(state.pageblockMigratetype[pfn / blockPages]);
  }
  return types;
}

/**
 * The pageblocks a call isolates: K4_9 alloc_contig_range() the MAX_ORDER superset
 * (pfn_max_align_down/up), otherwise [pageblock_start(start), pageblock_align(end)).
 */
export function isolatedSpan(
  state: ModelState,
  kind: ProbeCall['kind'],
  range: ProbeRange,
): [Pfn, Pfn] {
  const world = state.world;
  const unit =
    kind === 'contig' && world.profile === 'K4_9'
      ? Math.max(1 << world.maxOrder, 1 << world.pageblockOrder)
      : 1 << world.pageblockOrder;
  return [range.startPfn - (range.startPfn % unit), Math.ceil(range.endPfn / unit) * unit];
}

/**
 * The pfns a call may put its edges on: for a CMA call those of one active CMA area (the only
 * ranges cma_alloc() hands to alloc_contig_range()), chosen by the start anchor; else all.
 */
function anchorPfns(state: ModelState, call: ProbeCall, candidates: readonly Pfn[]): Pfn[] {
  if (!call.cma) return [...candidates];
  const areas = state.cmaAreas.filter((area) => area.state === 'active' && area.count > 0);
  if (areas.length === 0) return [];
  const area = areas[call.startAnchor % areas.length];
  const endPfn = area.basePfn + area.count;
  return [area.basePfn, ...candidates.filter((pfn) => pfn >= area.basePfn && pfn < endPfn)];
}

/** A legal range for `call` in `state` (module header: "Which calls are legal"), or null. */
export function probeRange(
  state: ModelState,
  call: ProbeCall,
  candidates: readonly Pfn[],
): ProbeRange | null {
  const world = state.world;
  const blockPages = 1 << world.pageblockOrder;
  const pfns = anchorPfns(state, call, candidates);
  if (pfns.length === 0) return null;
  let startPfn = pfns[(call.startAnchor >> 2) % pfns.length];
  let endPfn = call.shortRange
    ? startPfn + 1 + (call.endAnchor % (2 * blockPages))
    : pfns[call.endAnchor % pfns.length] + 1;
  if (endPfn <= startPfn) [startPfn, endPfn] = [endPfn - 1, startPfn + 1];
  const zone = zoneOfPfn(state, startPfn);
  endPfn = Math.min(endPfn, zone.endPfn);
  const mt: Migratetype = call.cma ? MIGRATE_CMA : MIGRATE_MOVABLE;
  if (call.kind === 'unmovable') {
    return {
      startPfn,
      endPfn: Math.min(endPfn, startPfn - (startPfn % blockPages) + blockPages),
      mt,
    };
  }
  if (call.kind === 'isolate' && world.profile === 'K4_9') {
    startPfn -= startPfn % blockPages; // start_isolate_page_range(): BUG_ON unaligned
    endPfn = Math.ceil(endPfn / blockPages) * blockPages;
  }
  const range = { startPfn, endPfn, mt };
  return legalSpan(state, call.kind, range) ? range : null;
}

/**
 * The blocks the call isolates lie in the zone of the range and are all CMA for a CMA call;
 * a K4_9 MOVABLE call isolates no CMA block (module header).
 */
function legalSpan(state: ModelState, kind: ProbeCall['kind'], range: ProbeRange): boolean {
  const zone = zoneOfPfn(state, range.startPfn);
  const [spanStart, spanEnd] = isolatedSpan(state, kind, range);
  if (spanStart < zone.startPfn || spanEnd > zone.endPfn) return false;
  const types = blockTypesIn(state, spanStart, spanEnd);
  if (state.world.profile === 'K6_1' && pinnedThpStraddles(state, spanStart, spanEnd)) return false;
  if (range.mt === MIGRATE_CMA) return types.every((type) => type === MIGRATE_CMA);
  return state.world.profile !== 'K4_9' || !types.includes(MIGRATE_CMA);
}

/**
 * EXCLUDED (reported to the lead, not worked around in model/ or impl/): a long-term pinned THP
 * that crosses an edge of a K6_1 isolation while free memory lies below it in the scan window
 * of isolate_single_pageblock(). The scan "migrates" the THP (migration skips pinned pages and
 * returns 0), then looks for the free buddy that now covers the THP's head by rounding it down
 * order by order; it finds a free buddy below that does not cover it, and the model rescans from
 * there and meets the THP again, forever (model/isolation.ts migrateStraddlingCompound), while
 * impl throws "isolate_single_pageblock: pfn … is not free after its migration"
 * (freeHeadCovering). Such calls are not made until the two sides are settled. With no free
 * page (and no other THP, which migrating would free) below it, both sides fail the isolation
 * with -EBUSY, and that case is still probed.
 */
function pinnedThpStraddles(state: ModelState, spanStart: Pfn, spanEnd: Pfn): boolean {
  const maxOrderPages = 1 << state.world.maxOrder;
  for (const allocation of state.allocations.values()) {
    if (!allocation.pinned || !pageCompound(allocation)) continue;
    const endPfn = allocation.pfn + allocation.pageCount;
    const crosses = [spanStart, spanEnd].some((edge) => allocation.pfn < edge && edge < endPfn);
    const windowStart = allocation.pfn - (allocation.pfn % maxOrderPages);
    if (crosses && mayFreeBelow(state, windowStart, allocation.pfn)) return true;
  }
  return false;
}

/** A page of [start, end) is free, or held by a THP that a scan could migrate away. */
function mayFreeBelow(state: ModelState, startPfn: Pfn, endPfn: Pfn): boolean {
  for (let pfn = startPfn; pfn < endPfn; pfn++) {
    if (state.owner[pfn] === OWNER_NONE) return true;
    const allocation = state.allocations.get(state.owner[pfn]);
    if (allocation !== undefined && pageCompound(allocation)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The calls

const EBUSY = -16;

/** Model stats a call moved (countBehaviour names of model/isolation.ts, contig.ts, migrate.ts). */
function countStats(
  reached: Reached,
  before: Record<string, number>,
  after: Record<string, number>,
): void {
  for (const [name, value] of Object.entries(after)) {
    if (value > (before[name] ?? 0))
      reached.set(name, (reached.get(name) ?? 0) + value - (before[name] ?? 0));
  }
}

/**
 * alloc_contig_range(start, end, mt) on both sides; on success the range is out of the buddy
 * (every page allocated, owner not named) and free_contig_range(start, end - start) gives it
 * back, as free_gigantic_page() and cma_release() do.
 */
export function probeAllocContigRange(sides: Sides, range: ProbeRange, reached: Reached): Snapshot {
  const state = sides.model.state;
  const { startPfn, endPfn, mt } = range;
  const ret = allocContigRange(state, startPfn, endPfn, mt);
  expect(sides.impl.core.allocContigRange(startPfn, endPfn, mt), 'alloc_contig_range').toBe(ret);
  const snapshot = expectSameState(
    sides,
    `after alloc_contig_range(${startPfn}, ${endPfn}, ${mt}) = ${ret}`,
  );
  count(reached, `contig.${mt === MIGRATE_CMA ? 'cma' : 'movable'}.${ret === 0 ? 'ok' : ret}`);
  if (ret !== 0) return snapshot;
  if (startPfn % (1 << state.world.pageblockOrder) !== 0) count(reached, 'contig.ok.unaligned');
  for (let pfn = startPfn; pfn < endPfn; pfn++) {
    // alloc_contig_range()'s contract (kernel-semantics.md §6.1): every page of the range taken
    expect(
      state.buddyOrder[pfn] === -1 && state.owner[pfn] === OWNER_NONE,
      `pfn ${pfn} taken`,
    ).toBe(true);
  }
  freeContigRange(state, startPfn, endPfn - startPfn);
  sides.impl.core.freeContigRange(startPfn, endPfn - startPfn);
  return expectSameState(sides, `after free_contig_range(${startPfn}, ${endPfn - startPfn})`);
}

/**
 * Memory offlining's isolation steps: start_isolate_page_range(start, end, mt); when it
 * succeeds test_pages_isolated(start, end) (and from a pfn inside the range, as
 * alloc_contig_range() tests from outer_start), then undo_isolate_page_range(.., mt). A failed
 * isolation must leave nothing isolated (kernel-semantics.md §6.5), which the snapshot and the
 * invariants check.
 */
export function probeIsolation(sides: Sides, range: ProbeRange, reached: Reached): Snapshot {
  const state = sides.model.state;
  const core = sides.impl.core;
  const { startPfn, endPfn, mt } = range;
  const blockPages = 1 << state.world.pageblockOrder;
  const firstBlockFree = !hasUnmovableFirstBlock(state, range);
  const ret = startIsolatePageRange(state, startPfn, endPfn, mt);
  expect(core.startIsolatePageRange(startPfn, endPfn, mt), 'start_isolate_page_range').toBe(ret);
  const snapshot = expectSameState(
    sides,
    `after start_isolate_page_range(${startPfn}, ${endPfn}, ${mt}) = ${ret}`,
  );
  count(reached, `isolate.${ret === 0 ? 'ok' : ret}`);
  if (ret === EBUSY && firstBlockFree && endPfn - startPfn > blockPages)
    count(reached, 'isolate.partialUndo');
  const middlePfn = startPfn + ((endPfn - startPfn) >> 1);
  for (const testStart of [startPfn, middlePfn]) {
    const tested = testPagesIsolated(state, testStart, endPfn);
    expect(core.testPagesIsolated(testStart, endPfn), 'test_pages_isolated').toBe(tested);
    count(
      reached,
      `test.${ret === 0 ? 'isolated' : 'notIsolated'}.${tested === 0 ? 'ok' : tested}`,
    );
  }
  if (ret !== 0) return snapshot;
  if (state.world.profile === 'K6_1') probeConcurrentIsolation(sides, range, reached);
  if (startPfn % blockPages !== 0 || endPfn % blockPages !== 0) count(reached, 'undo.unaligned');
  undoIsolatePageRange(state, startPfn, endPfn, mt);
  core.undoIsolatePageRange(startPfn, endPfn, mt);
  return expectSameState(sides, `after undo_isolate_page_range(${startPfn}, ${endPfn}, ${mt})`);
}

/**
 * K6_1 only: while [start, end) is isolated, another caller (memory offlining racing
 * alloc_contig_range(), both under the zone lock for each block) isolates an overlapping range:
 * the same one (its first block refuses), one more block below (its last block refuses: the
 * first is un-isolated again), one more block on each side (a middle block refuses: the blocks
 * done so far and the last one are un-isolated). set_migratetype_isolate() K6_1 returns -EBUSY
 * for a block already isolated (kernel-semantics.md §6.5). K4_9 has no such check — its callers
 * serialise on cma_mutex and memory hotplug's lock — so the call is not made there.
 */
function probeConcurrentIsolation(sides: Sides, range: ProbeRange, reached: Reached): void {
  const state = sides.model.state;
  const blockPages = 1 << state.world.pageblockOrder;
  const overlapping: ProbeRange[] = [
    range,
    { ...range, startPfn: range.startPfn - blockPages },
    { ...range, startPfn: range.startPfn - blockPages, endPfn: range.endPfn + blockPages },
  ];
  for (const other of overlapping) {
    if (other.startPfn < 0 || !legalSpan(state, 'isolate', other)) continue;
    const ret = startIsolatePageRange(state, other.startPfn, other.endPfn, other.mt);
    expect(
      sides.impl.core.startIsolatePageRange(other.startPfn, other.endPfn, other.mt),
      'start_isolate_page_range over an isolated block',
    ).toBe(ret);
    expectSameState(
      sides,
      `after start_isolate_page_range(${other.startPfn}, ${other.endPfn}) = ${ret}`,
    );
    count(reached, `isolate.concurrent.${ret === 0 ? 'ok' : ret}`);
  }
}

/** Would has_unmovable_pages() refuse the first pageblock of the range (K6_1: its part of it)? */
function hasUnmovableFirstBlock(state: ModelState, range: ProbeRange): boolean {
  const blockPages = 1 << state.world.pageblockOrder;
  const blockStart = range.startPfn - (range.startPfn % blockPages);
  if (state.pageblockMigratetype[blockStart / blockPages] === MIGRATE_ISOLATE) return true;
  if (state.world.profile === 'K4_9') {
    return hasUnmovablePages(state, zoneOfPfn(state, blockStart), blockStart);
  }
  return hasUnmovablePagesK6_1(
    state,
    range.startPfn,
    Math.min(range.endPfn, blockStart + blockPages),
    range.mt,
  );
}

/**
 * has_unmovable_pages() of every pageblock: K4_9 of the whole block; K6_1 of the part of each
 * block at the range's offsets (set_migratetype_isolate() passes the intersection of the block
 * and [start, end)), for the range's migratetype. A pure query: nothing may change.
 */
export function probeHasUnmovablePages(sides: Sides, range: ProbeRange, reached: Reached): void {
  const state = sides.model.state;
  const core = sides.impl.core;
  const blockPages = 1 << state.world.pageblockOrder;
  const startOffset = range.startPfn % blockPages;
  const endOffset = range.endPfn - (range.startPfn - startOffset);
  for (let blockStart = 0; blockStart < state.world.pages; blockStart += blockPages) {
    const type = state.pageblockMigratetype[blockStart / blockPages];
    let unmovable: boolean;
    if (state.world.profile === 'K4_9') {
      unmovable = hasUnmovablePages(state, zoneOfPfn(state, blockStart), blockStart);
      expect(core.hasUnmovablePages(blockStart), `has_unmovable_pages(${blockStart})`).toBe(
        unmovable,
      );
    } else {
      // the range's part of the block (alloc_contig_range), then the whole block (offlining)
      unmovable = false;
      for (const [startPfn, endPfn] of [
        [blockStart + startOffset, blockStart + endOffset],
        [blockStart, blockStart + blockPages],
      ]) {
        const part = hasUnmovablePagesK6_1(state, startPfn, endPfn, range.mt);
        expect(
          core.hasUnmovablePagesK6_1(startPfn, endPfn, range.mt),
          `has_unmovable_pages(${startPfn}, ${endPfn}, ${range.mt})`,
        ).toBe(part);
        unmovable ||= part;
      }
    }
    const typeClass = type === MIGRATE_MOVABLE || type === MIGRATE_CMA ? 'movableOrCma' : 'other';
    count(reached, `unmovable.${typeClass}.${unmovable}`);
  }
}

/** Runs one probe case: the ops, then each call that has a legal range. */
export function runProbeCase(probe: ProbeCase, reached: Reached): void {
  const sides = reachState(probe.world, probe.genOps);
  const state = sides.model.state;
  let snapshot: Snapshot | null = null;
  for (const call of probe.calls) {
    const range = probeRange(state, call, edgeCandidates(state));
    if (range === null) {
      count(reached, 'skipped');
      continue;
    }
    const before = { ...state.stats };
    if (call.kind === 'unmovable') {
      probeHasUnmovablePages(sides, range, reached); // a pure query: nothing to re-check
      continue;
    }
    snapshot =
      call.kind === 'contig'
        ? probeAllocContigRange(sides, range, reached)
        : probeIsolation(sides, range, reached);
    countStats(reached, before, state.stats);
  }
  // Once per case: the invariants cost as much as the calls (the snapshots were compared after
  // every call, and a broken state stays broken for the calls after it).
  if (snapshot !== null) expectInvariants(sides, snapshot, 'after the calls');
}
