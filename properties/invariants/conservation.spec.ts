import { describe, expect, it } from 'vitest';
import { conservation } from '../../src/invariants/conservation.ts';
import {
  addFreeBlock, allocationById, baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld,
  mutate, quietContext, recount, removeFreeBlock,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());

describe('conservation', () => {
  it('holds when each page is free, allocated or reserved once and the rest is managed', () => {
    expect(conservation.check(baseSnapshot(), context)).toEqual([]);
    expect(conservation.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('fails on pages covered by nothing (a leak)', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 10);
      recount(s);
    });
    const findings = conservation.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([10]);
    expect(findings[0].explanation).toBe('pfns 10..11: covered by nothing, expected each page'
      + ' free, allocated or reserved');
  });

  it('fails on overlapping allocations, naming both', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 5).pfn = 6;
    });
    const findings = conservation.check(broken, context);
    expect(findings.map((f) => f.pfns)).toEqual([[6], [7]]);
    expect(findings[0].explanation).toBe('pfn 6: covered 2 times, by MOVABLE allocation #4'
      + ' (order 0, pfn 6) and MOVABLE allocation #5 (order 0, pfn 6); expected once');
    expect(findings[1].explanation).toContain('pfn 7: covered by nothing');
  });

  it('fails on a free block over an allocated page (a double free)', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      addFreeBlock(s, { zone: 0, order: 0, migratetype: 0, pfn: 8 });
      recount(s);
    });
    const findings = conservation.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([8]);
    expect(findings[0].explanation).toContain('free block pfn 8 order 0 on the UNMOVABLE list and'
      + ' UNMOVABLE allocation #0 (order 0, pfn 8)');
  });

  it('fails on a reserved range over an allocation, and the managed count it breaks', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.reserved[0].endPfn = 5;
    });
    const findings = conservation.check(broken, context);
    expect(findings.map((f) => f.pfns)).toEqual([[4], []]);
    expect(findings[0].explanation).toContain('by MOVABLE allocation #1 (order 1, pfns 4..5) and'
      + ' reserved range [0, 5)');
    expect(findings[1].explanation).toContain('expected 27 (32 pages − 5 reserved)');
  });

  it('fails when the zones manage a different number of pages', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.zones[0].managedPages = 27;
    });
    const findings = conservation.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toBe('the zones manage 27 pages in all, expected 28'
      + ' (32 pages − 4 reserved)');
  });

  it('fails on an allocation reaching past the last page', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.allocations.push({ ...allocationById(s, 0), id: 9, pfn: 32 });
    });
    const findings = conservation.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([32]);
    expect(findings[0].explanation).toContain('allocation #9 covers [32, 33), expected a non-empty'
      + ' range inside memory [0, 32)');
  });
});
