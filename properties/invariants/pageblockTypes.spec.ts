import { describe, expect, it } from 'vitest';
import { pageblockTypes } from '../../src/invariants/pageblockTypes.ts';
import {
  baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate, quietContext,
  setPageblock,
} from '../support/snapshots.ts';
import { failedAreaSnapshotK6_1, failedAreaWorldK6_1 } from './k61Snapshots.ts';

const context = quietContext(baseWorld());

describe('pageblock-types', () => {
  it('holds with no ISOLATE block, active areas all CMA, CMA blocks inside declared areas', () => {
    expect(pageblockTypes.check(baseSnapshot(), context)).toEqual([]);
  });

  it('accepts the CMA pageblocks a failed K4_9 activation leaves inside the declared range', () => {
    expect(pageblockTypes.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('fails on an ISOLATE pageblock left between operations', () => {
    const broken = mutate(baseSnapshot(), (s) => setPageblock(s, 3, 'I'));
    const findings = pageblockTypes.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([12]);
    expect(findings[0].explanation).toContain('pageblock 3 (pfn 12) is ISOLATE between operations');
  });

  it('fails on a zone counting isolated pageblocks between operations', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.zones[0].nrIsolatePageblock = 1;
    });
    const findings = pageblockTypes.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('zone Normal nr_isolate_pageblock is 1 between'
      + ' operations, expected 0');
  });

  it('fails on a pageblock of an active area that is not CMA', () => {
    const broken = mutate(baseSnapshot(), (s) => setPageblock(s, 5, 'M'));
    const findings = pageblockTypes.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([20]);
    expect(findings[0].explanation).toContain("pageblock 5 (pfn 20) of active CMA area 0 'cma0' is"
      + ' MOVABLE, expected CMA');
  });

  it('reports an ISOLATE pageblock inside an active area once', () => {
    const broken = mutate(baseSnapshot(), (s) => setPageblock(s, 6, 'I'));
    expect(pageblockTypes.check(broken, context).map((f) => f.pfns)).toEqual([[24]]);
  });

  it('fails on a CMA pageblock outside every declared area', () => {
    const broken = mutate(baseSnapshot(), (s) => setPageblock(s, 1, 'C'));
    const findings = pageblockTypes.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([4]);
    expect(findings[0].explanation).toContain('pageblock 1 (pfn 4) is CMA but lies in no CMA area');
  });

  it('fails on a pageblock type letter that names no migratetype', () => {
    const broken = mutate(baseSnapshot(), (s) => setPageblock(s, 0, 'X'));
    const findings = pageblockTypes.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain("pageblock 0 (pfn 0) has type letter 'X'");
  });

  it('fails on a pageblock map of the wrong length', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.pageblocks = 'MMUUCCC';
    });
    const findings = pageblockTypes.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('the pageblock map has 7 entries, expected 8');
  });
});

describe('pageblock-types, K6_1 (§5.5 K6_1, §9 P22)', () => {
  it('fails on a CMA pageblock in a failed K6_1 area, which never types its blocks CMA', () => {
    // failedAreaSnapshot() is K4_9's: 'span' failed but pageblocks 2 and 3 stayed CMA. Under
    // K6_1 only an active area may hold CMA blocks; the K6_1 boot of the same world holds none.
    const k61Context = quietContext(failedAreaWorldK6_1());
    expect(pageblockTypes.check(failedAreaSnapshotK6_1(), k61Context)).toEqual([]);
    const broken = mutate(failedAreaSnapshot(), (s) => {
      s.profile = 'K6_1';
    });
    expect(pageblockTypes.check(broken, k61Context).map((f) => [f.pfns, f.explanation])).toEqual([
      [[8], 'pageblock 2 (pfn 8) is CMA but lies in no active CMA area'],
      [[12], 'pageblock 3 (pfn 12) is CMA but lies in no active CMA area'],
    ]);
  });
});
