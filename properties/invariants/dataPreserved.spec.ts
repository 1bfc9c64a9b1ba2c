import { describe, expect, it } from 'vitest';
import { dataPreserved } from '../../src/invariants/dataPreserved.ts';
import {
  allocationById, baseSnapshot, baseWorld, mutate, quietContext,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());

describe('data-preserved', () => {
  it('holds when written allocations keep their token and pinned ones stay put', () => {
    expect(dataPreserved.check(baseSnapshot(), context)).toEqual([]);
  });

  it('ignores stale frame tokens of an allocation never written', () => {
    const stale = mutate(baseSnapshot(), (s) => {
      allocationById(s, 1).frameToken = 5;
    });
    expect(dataPreserved.check(stale, context)).toEqual([]);
  });

  it('fails when a migration lost the data', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 6).frameToken = 0;
    });
    const findings = dataPreserved.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([18]);
    expect(findings[0].explanation).toBe('MOVABLE allocation #6 (order 1, pfns 18..19) has token'
      + ' 0, expected token 8 in every frame');
  });

  it('fails when the frames of one allocation hold different tokens', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 6).frameToken = -1;
    });
    const findings = dataPreserved.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('allocation #6 (order 1, pfns 18..19) has frames'
      + ' holding different tokens');
  });

  it('fails when a pinned allocation moved', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 6).pfn = 20;
    });
    const findings = dataPreserved.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([18, 20]);
    expect(findings[0].explanation).toBe('pinned MOVABLE allocation #6 (order 1, pfns 20..21)'
      + ' moved from pfn 18, expected pinned pages never to migrate');
  });
});
