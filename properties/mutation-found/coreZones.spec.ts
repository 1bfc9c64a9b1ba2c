/**
 * impl against the model on the zone-edge story (mutation-found/coreWorlds.ts
 * zoneTraceArbitrary): zones whose boundaries cut a max-order block, filled and then emptied in
 * a random order. Kernel rules (kernel-semantics.md §2.2, §2.4, §12.1): page_is_buddy() takes
 * no buddy from another zone, in either direction; __free_one_page()'s rule T (tail insertion
 * when the buddy of the merged block's parent is free) applies below MAX_ORDER - 2 only and
 * looks at that buddy's zone. Equal results, snapshots and counters after every op, every
 * invariant holding (coreWorlds.ts checkEdges).
 *
 * Why it exists: the campaign's zone boundaries are mostly max-order aligned and its lower
 * zones are rarely used, so a block at the end of a lower zone is seldom freed next to a free
 * buddy in the zone above; the main mutation run left the upper half of the zone test of
 * mayMergeAbovePageblock() and the zone and order tests of buddyMergeLikely() (impl/buddy.ts)
 * with surviving mutants. A worked K6_1 scenario adds the merge of an UNMOVABLE and a MOVABLE
 * pageblock above pageblock order, which no generated trace reached (impl/buddy.ts
 * mergeableAbovePageblockK6_1(), model/buddy.ts mergeForbiddenAbovePageblock()).
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { implementationsFor } from '../../src/harness/registry.ts';
import { DEFAULT_RUN_OPTIONS, runTrace } from '../../src/harness/runner.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { UNDER_STRYKER } from './differential.ts';
import { checkEdges, zoneTraceArbitrary } from './coreWorlds.ts';
import { decodeResult } from '../../src/core/result.ts';

const RUNS = UNDER_STRYKER ? 8 : 10;

describe(`frees next to a zone boundary: impl and model agree (${RUNS} runs)`, () => {
  it('K4_9', () => {
    checkEdges(zoneTraceArbitrary('K4_9'), 4_9_3, RUNS, ['alloc.ok', 'fallback.U->M']);
  });

  it('K6_1', () => {
    checkEdges(zoneTraceArbitrary('K6_1'), 6_1_3, RUNS, ['alloc.ok', 'fallback.U->M']);
  });
});

describe('K6_1 merges an UNMOVABLE and a MOVABLE pageblock from pageblock order up', () => {
  it('after a stolen pageblock is freed next to a free MOVABLE one (worked scenario)', () => {
    // 64 pages, orders 0..4, pageblocks of 8: four order-4 MOVABLE blocks. Seven order-3
    // MOVABLE allocations leave one order-3 block free; an UNMOVABLE page then falls back to
    // it, and steal_suitable_fallback() retypes that pageblock UNMOVABLE (order >= pageblock
    // order: change_pageblock_range(), §4.6). Freeing the MOVABLE buddy block, then the
    // UNMOVABLE page, must merge the two pageblocks into one order-4 block: both types are
    // migratetype_is_mergeable() (K6_1 __free_one_page(), §2.4, switch P11).
    const world = parseWorld({
      profile: 'K6_1', pages: 64, maxOrder: 4, pageblockOrder: 3, mobilityGroupingDisabled: false,
    });
    const ops: Op[] = [];
    for (let i = 0; i < 7; i++) ops.push({ kind: 'alloc', order: 3, migratetype: 'MOVABLE' });
    ops.push({ kind: 'alloc', order: 0, migratetype: 'UNMOVABLE' });
    const model = new ModelAllocator();
    model.boot(world);
    const pfns = ops.map((op, step) => decodeResult(model.apply(op, step)).pfn ?? -1);
    const stolen = pfns[7];
    const buddy = stolen ^ 8;
    const buddyStep = pfns.indexOf(buddy);
    expect(model.snapshot().pageblocks[stolen >> 3]).toBe('U');
    expect(model.snapshot().pageblocks[buddy >> 3]).toBe('M');
    ops.push({ kind: 'free', target: buddyStep }, { kind: 'free', target: 7 });
    const implementations = implementationsFor('impl');
    if (implementations === null) throw new Error('impl is not registered');
    const outcome = runTrace(world, ops, implementations, DEFAULT_RUN_OPTIONS);
    expect(outcome.failure).toBeNull();
    const zone = outcome.run.impl.snapshot().zones[0];
    const merged = Math.min(stolen, buddy);
    expect(zone.freeLists[4].flat()).toContain(merged);
  });
});
