import { describe, expect, it } from 'vitest';
import { cmaBitmap } from '../../src/invariants/cmaBitmap.ts';
import {
  allocationById, baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate,
  quietContext,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());

describe('cma-bitmap', () => {
  it('holds when the bits match the live ranges chunk-wise, last chunk rounded up', () => {
    // cma1 holds a 3-page DMA range with order_per_bit 1: 2 bits, pfn 27 free but its bit set.
    expect(cmaBitmap.check(baseSnapshot(), context)).toEqual([]);
    expect(cmaBitmap.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('holds in K6_1, where maxchunk is readable with order_per_bit > 0', () => {
    const k61 = mutate(baseSnapshot(), (s) => {
      s.profile = 'K6_1';
      s.cma[1].maxchunk = 4;
    });
    expect(cmaBitmap.check(k61, context)).toEqual([]);
  });

  it('fails on a bit set for a chunk no live range holds', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      Object.assign(s.cma[0], { bitmap: [0b111], used: 3, maxchunk: 5 });
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([18]);
    expect(findings[0].explanation).toContain("CMA area 0 'cma0' bitmap bit 2 (pfn 18): set but");
  });

  it('fails on a bit clear for a chunk a live range holds', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      Object.assign(s.cma[0], { bitmap: [0b01], used: 1, maxchunk: 7 });
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([17]);
    expect(findings[0].explanation).toContain('bit 1 (pfn 17): clear but');
  });

  it('fails when the last, partly used chunk of a range is not marked (rounding)', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      Object.assign(s.cma[1], { bitmap: [0b01], used: 2 });
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([26]);
    expect(findings[0].explanation).toContain("CMA area 1 'cma1' bitmap bit 1 (pfns 26..27)");
  });

  it('fails on a bitmap shifted by one chunk (offset error), naming both runs', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      Object.assign(s.cma[0], { bitmap: [0b110], used: 2, maxchunk: 5 });
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings.map((f) => f.pfns)).toEqual([[16], [18]]);
  });

  it('fails on a bitmap with the wrong number of words', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.cma[0].bitmap = [0b11, 0];
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain("CMA area 0 'cma0' bitmap has 2 words, expected 1");
  });

  it('fails on a bit set past maxno', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.cma[1].bitmap = [0b10011];
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('bit 4 is set, expected no bit set past maxno 4');
  });

  it('fails when debugfs used does not follow from the bitmap', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.cma[1].used = 2;
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([24]);
    expect(findings[0].explanation).toContain("CMA area 1 'cma1' debugfs used is 2, expected 4");
  });

  it('fails when debugfs maxchunk is not the longest clear run', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.cma[0].maxchunk = 8;
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain(
      "CMA area 0 'cma0' debugfs maxchunk is 8, expected 6");
  });

  it('fails when maxchunk is readable where K4_9 hangs (order_per_bit > 0)', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.cma[1].maxchunk = 4;
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('maxchunk is 4, expected null (K4_9 never returns');
  });

  it('fails when maxchunk hangs where the profile returns it (K6_1)', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.profile = 'K6_1';
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain(
      "CMA area 1 'cma1' debugfs maxchunk is null, expected 4");
  });

  it('fails on a CMA range that names an area which is not active', () => {
    const broken = mutate(failedAreaSnapshot(), (s) => {
      s.allocations.push({ ...allocationById(baseSnapshot(), 2), pfn: 8 });
    });
    const findings = cmaBitmap.check(broken, quietContext(failedAreaWorld()));
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([8]);
    expect(findings[0].explanation).toContain('CMA allocation #2 (pfns 8..9, area 0) names area 0');
    expect(findings[0].explanation).toContain('which is failed');
  });

  it('fails on a CMA range that reaches past its area', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 2).pageCount = 10;
    });
    const findings = cmaBitmap.check(broken, context);
    expect(findings[0].pfns).toEqual([16]);
    expect(findings[0].explanation).toContain(
      'CMA allocation #2 (pfns 16..25, area 0) needs bits 0..9');
  });
});
