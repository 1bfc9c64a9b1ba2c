import { describe, expect, it } from 'vitest';
import { cmaOneZone } from '../../src/invariants/cmaOneZone.ts';
import {
  baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate, quietContext,
} from '../support/snapshots.ts';

const context = quietContext(failedAreaWorld());

describe('cma-one-zone', () => {
  it('holds for active areas in one zone and a failed area spanning two (count 0)', () => {
    expect(cmaOneZone.check(baseSnapshot(), quietContext(baseWorld()))).toEqual([]);
    expect(cmaOneZone.check(failedAreaSnapshot(), context)).toEqual([]);
  });

  it('holds for an inactive area spanning zones (K4_9: areas after a failed one)', () => {
    const inactive = mutate(failedAreaSnapshot(), (s) => {
      Object.assign(s.cma[0], { state: 'inactive', count: 16 });
    });
    expect(cmaOneZone.check(inactive, context)).toEqual([]);
  });

  it('fails on an active area that spans zones', () => {
    const broken = mutate(failedAreaSnapshot(), (s) => {
      Object.assign(s.cma[0], { state: 'active', count: 16 });
    });
    const findings = cmaOneZone.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([8]);
    expect(findings[0].explanation).toContain(
      "CMA area 0 'span' [8, 24) spans zones DMA32 and Normal but is active");
  });

  it('fails on a failed area that kept its count', () => {
    const broken = mutate(failedAreaSnapshot(), (s) => {
      s.cma[0].count = 16;
    });
    const findings = cmaOneZone.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain(
      "CMA area 0 'span' failed activation but has count 16, expected 0");
  });

  it('fails on a failed area that lies inside one zone', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      Object.assign(s.cma[1], { state: 'failed', count: 0 });
    });
    const findings = cmaOneZone.check(broken, quietContext(baseWorld()));
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([24]);
    expect(findings[0].explanation).toContain(
      "CMA area 1 'cma1' [24, 32) failed activation although it lies inside one zone");
  });
});
