import { describe, expect, it } from 'vitest';
import { fallbackLegal, sourceListLegal } from '../../src/invariants/fallbackLegal.ts';
import {
  allocationById, baseSnapshot, baseWorld, mutate, quietContext,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());

describe('fallback-legal', () => {
  it('holds for own-list, fallback (UNMOVABLE from MOVABLE) and MOVABLE-from-CMA blocks', () => {
    expect(fallbackLegal.check(baseSnapshot(), context)).toEqual([]);
  });

  it('allows exactly the own list, the fallbacks[] row, and CMA for MOVABLE', () => {
    // Rows: requested U, M, E; columns: source list U M E H C I.
    const legal = [0, 1, 2].map((migratetype) => [0, 1, 2, 3, 4, 5]
      .map((source) => (sourceListLegal(migratetype, source) ? 1 : 0)).join(''));
    expect(legal).toEqual(['111000', '111010', '111000']);
  });

  it('fails on an UNMOVABLE allocation taken from a CMA list', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 0).sourceList = 4;
    });
    const findings = fallbackLegal.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([8]);
    expect(findings[0].explanation).toBe('UNMOVABLE allocation #0 (order 0, pfn 8) was taken from'
      + ' the CMA list, expected one of UNMOVABLE, RECLAIMABLE, MOVABLE');
  });

  it.each([
    ['ISOLATE', 5],
    ['HIGHATOMIC', 3],
  ] as const)('fails on an allocation taken from the %s list', (name, sourceList) => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 6).sourceList = sourceList;
    });
    const findings = fallbackLegal.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([18]);
    expect(findings[0].explanation).toBe(`MOVABLE allocation #6 (order 1, pfns 18..19) was taken`
      + ` from the ${name} list, expected one of MOVABLE, RECLAIMABLE, UNMOVABLE, CMA`);
  });

  it('fails on a page allocation whose migratetype is not a request type', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 1).migratetype = 4;
    });
    const findings = fallbackLegal.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('CMA allocation #1 (order 1, pfns 4..5) was taken'
      + ' from the MOVABLE list, expected a request type');
  });
});
