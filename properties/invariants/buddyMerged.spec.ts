import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/core/snapshot.ts';
import { buddyMerged } from '../../src/invariants/buddyMerged.ts';
import {
  addFreeBlock, baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate,
  quietContext, recount, removeAllocation, removeFreeBlock, setPageblock,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());
const U = 0;
const M = 1;

/**
 * Base with #0 (pfn 8) freed but 8..11 not merged with 12..15: an order-2 block at 8 on the
 * `type` list in a pageblock of that type, beside the UNMOVABLE order-2 block at 12. Order 2 is
 * the pageblock order, so the profile's cross-type rule decides.
 */
function unmergedAtPageblockOrder(letter: string, type: number): Snapshot {
  return mutate(baseSnapshot(), (s) => {
    removeAllocation(s, 0);
    removeFreeBlock(s, 9);
    removeFreeBlock(s, 10);
    setPageblock(s, 2, letter);
    addFreeBlock(s, { zone: 0, order: 2, migratetype: type, pfn: 8 });
    recount(s);
  });
}

describe('buddy-merged', () => {
  it('holds when no two free buddies are left unmerged (order maxOrder pairs never merge)', () => {
    expect(buddyMerged.check(baseSnapshot(), context)).toEqual([]);
    // DMA32 holds 0 and 8, buddies at order 3 = maxOrder: nothing above to merge into.
    expect(buddyMerged.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('fails on two free buddies below pageblock order', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 10);
      addFreeBlock(s, { zone: 0, order: 0, migratetype: U, pfn: 10 });
      addFreeBlock(s, { zone: 0, order: 0, migratetype: U, pfn: 11 });
    });
    const findings = buddyMerged.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([10, 11]);
    expect(findings[0].explanation).toBe('free block pfn 10 order 0 on the UNMOVABLE list and its'
      + ' buddy free block pfn 11 order 0 on the UNMOVABLE list are both free, expected them'
      + ' merged into order 1 at pfn 10');
  });

  it('fails on two free buddies of one type at pageblock order', () => {
    const findings = buddyMerged.check(unmergedAtPageblockOrder('U', U), context);
    expect(findings.map((f) => f.pfns)).toEqual([[8, 12]]);
    expect(findings[0].explanation).toContain('merged into order 3 at pfn 8');
  });

  it('fails on HIGHATOMIC beside UNMOVABLE at pageblock order in K4_9, which merges them', () => {
    const findings = buddyMerged.check(unmergedAtPageblockOrder('H', 3), context);
    expect(findings.map((f) => f.pfns)).toEqual([[8, 12]]);
    expect(findings[0].explanation).toContain('free block pfn 8 order 2 on the HIGHATOMIC list');
  });

  it('accepts HIGHATOMIC beside UNMOVABLE at pageblock order in K6_1 (never merged)', () => {
    const k61 = mutate(unmergedAtPageblockOrder('H', 3), (s) => {
      s.profile = 'K6_1';
    });
    expect(buddyMerged.check(k61, context)).toEqual([]);
  });

  it('fails on MOVABLE beside UNMOVABLE at pageblock order in K6_1 (both mergeable)', () => {
    const k61 = mutate(unmergedAtPageblockOrder('M', M), (s) => {
      s.profile = 'K6_1';
    });
    expect(buddyMerged.check(k61, context).map((f) => f.pfns)).toEqual([[8, 12]]);
  });

  it('accepts ISOLATE beside another type in K4_9 only while the zone has isolated blocks', () => {
    const isolated = unmergedAtPageblockOrder('I', 5);
    expect(isolated.zones[0].nrIsolatePageblock).toBe(1);
    expect(buddyMerged.check(isolated, context)).toEqual([]);
    const notCounted = mutate(isolated, (s) => {
      s.zones[0].nrIsolatePageblock = 0;
    });
    expect(buddyMerged.check(notCounted, context).map((f) => f.pfns)).toEqual([[8, 12]]);
  });

  it('accepts free buddies on either side of a zone boundary', () => {
    // Zones [0, 12) and [12, 32): pageblock 3 (12..15) moves to the second zone's lists.
    const split = mutate(unmergedAtPageblockOrder('U', U), (s) => {
      const second = structuredClone(s.zones[0]);
      Object.assign(s.zones[0], { endPfn: 12, managedPages: 8 });
      Object.assign(second, { name: 'Movable', startPfn: 12, managedPages: 20 });
      s.zones.push(second);
      removeFreeBlock(s, 12);
      for (const lists of second.freeLists) lists[U] = lists[U].filter((pfn) => pfn === 12);
      for (const lists of second.freeLists) lists[4] = [];
      recount(s);
    });
    expect(buddyMerged.check(split, context)).toEqual([]);
  });
});
