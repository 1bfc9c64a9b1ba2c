import { describe, expect, it } from 'vitest';
import { MIGRATE_ISOLATE, MIGRATE_MOVABLE } from '../../src/core/migratetype.ts';
import { cmaMovableOnly } from '../../src/invariants/cmaMovableOnly.ts';
import {
  addFreeBlock, allocationById, baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld,
  mutate, quietContext, removeFreeBlock,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());

describe('cma-movable-only', () => {
  it('holds when CMA pageblocks hold CMA/DMA ranges, MOVABLE pages and free CMA blocks', () => {
    expect(cmaMovableOnly.check(baseSnapshot(), context)).toEqual([]);
    expect(cmaMovableOnly.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it.each([
    ['UNMOVABLE', 0],
    ['RECLAIMABLE', 2],
  ] as const)('fails on a %s page allocation in a CMA pageblock', (name, migratetype) => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 6).migratetype = migratetype;
    });
    const findings = cmaMovableOnly.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([18]);
    expect(findings[0].explanation).toContain(`${name} allocation #6 (order 1, pfns 18..19)`);
    expect(findings[0].explanation).toContain('CMA pageblock 4');
  });

  it('reports a holder once however many CMA pages it holds', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      // An UNMOVABLE order-3 allocation over all of cma1 (its pages are not otherwise checked).
      s.allocations = s.allocations.filter((a) => a.id !== 3);
      s.zones[0].freeLists[0][4] = [];
      s.zones[0].freeLists[2][4] = [20];
      s.allocations.push({ ...allocationById(s, 0), id: 9, pfn: 24, pageCount: 8, order: 3 });
    });
    const findings = cmaMovableOnly.check(broken, context);
    expect(findings.map((f) => f.pfns)).toEqual([[24]]);
    expect(findings[0].explanation).toContain('allocation #9');
  });

  it('fails on a free page of a CMA pageblock on a non-CMA list', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 27);
      addFreeBlock(s, { zone: 0, order: 0, migratetype: MIGRATE_MOVABLE, pfn: 27 });
    });
    const findings = cmaMovableOnly.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([27]);
    expect(findings[0].explanation).toContain('free block pfn 27 order 0 on the MOVABLE list');
    expect(findings[0].explanation).toContain('CMA pageblock 6');
  });

  it('accepts a free page of a CMA pageblock on an ISOLATE list (inside cmaAlloc)', () => {
    const isolated = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 27);
      addFreeBlock(s, { zone: 0, order: 0, migratetype: MIGRATE_ISOLATE, pfn: 27 });
    });
    expect(cmaMovableOnly.check(isolated, context)).toEqual([]);
  });

  it('fails on a reserved range inside a CMA pageblock', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 28);
      s.reserved.push({ startPfn: 28, endPfn: 32 });
    });
    const findings = cmaMovableOnly.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([28]);
    expect(findings[0].explanation).toContain('reserved range [28, 32)');
    expect(findings[0].explanation).toContain('CMA pageblock 7');
  });
});

describe('cma-movable-only, long-term pins (mm/gup.c; docs/MODEL.md "K6_1")', () => {
  it('fails on a pinned MOVABLE allocation in a CMA pageblock in K6_1 only', () => {
    // baseSnapshot() pins #6 at 18, in CMA pageblock 4: K4_9 pins in place. K6_1's
    // check_and_migrate_movable_pages() would have moved it out of CMA before the pin held.
    const k61 = mutate(baseSnapshot(), (s) => {
      s.profile = 'K6_1';
    });
    const findings = cmaMovableOnly.check(k61, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([18]);
    expect(findings[0].explanation).toContain('MOVABLE allocation #6 (order 1, pfns 18..19)');
    expect(findings[0].explanation).toContain(
      'CMA pageblock 4, expected K6_1 to migrate a page out of CMA before a long-term pin');
    const unpinned = mutate(k61, (s) => {
      Object.assign(allocationById(s, 6), { pinned: false, pinnedPfn: -1 });
    });
    expect(cmaMovableOnly.check(unpinned, context)).toEqual([]);
  });
});
