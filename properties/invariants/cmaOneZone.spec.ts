import { describe, expect, it } from 'vitest';
import { cmaOneZone } from '../../src/invariants/cmaOneZone.ts';
import {
  baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate, quietContext,
} from '../support/snapshots.ts';
import { failedAreaSnapshotK6_1, failedAreaWorldK6_1 } from './k61Snapshots.ts';

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

describe('cma-one-zone, K6_1 activation (§5.5 K6_1, §9 P22)', () => {
  const k61Context = quietContext(failedAreaWorldK6_1());

  it('holds for a K6_1 failed area whose pages all went to the buddy', () => {
    expect(cmaOneZone.check(failedAreaSnapshotK6_1(), k61Context)).toEqual([]);
  });

  it('fails on a K6_1 failed area that left pages reserved (the K4_9 outcome)', () => {
    // failedAreaSnapshot() is K4_9's: [16,24) of 'span' stays reserved. K6_1's not_in_zone path
    // hands every page of the area to free_reserved_page().
    const broken = mutate(failedAreaSnapshot(), (s) => {
      s.profile = 'K6_1';
    });
    const findings = cmaOneZone.check(broken, k61Context);
    expect(findings.map((f) => [f.pfns, f.explanation])).toEqual([[[16], "CMA area 0 'span'"
      + ' failed activation but pfns 16..23 of it are still reserved, expected K6_1 to give them'
      + ' to the buddy (free_reserved_page)']]);
  });

  it('fails on an area K6_1 never tried (inactive), which K4_9 allows after a failure', () => {
    const inactive = (profile: 'K4_9' | 'K6_1') => mutate(failedAreaSnapshotK6_1(), (s) => {
      s.profile = profile;
      s.cma.push({ name: 'later', basePfn: 24, count: 8, declaredCount: 8, orderPerBit: 0,
        state: 'inactive', bitmap: [], used: 0, maxchunk: null });
    });
    expect(cmaOneZone.check(inactive('K4_9'), context)).toEqual([]);
    expect(cmaOneZone.check(inactive('K6_1'), k61Context).map((f) => f.explanation)).toEqual([
      "CMA area 1 'later' was never activated, expected K6_1 to attempt every area (active or"
        + ' failed)',
    ]);
  });
});
