import { describe, expect, it } from 'vitest';
import { counters } from '../../src/invariants/counters.ts';
import {
  addFreeBlock, baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate,
  quietContext, removeFreeBlock, setPageblock,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());

describe('counters', () => {
  it('holds when nr_free, NR_FREE_PAGES, NR_FREE_CMA_PAGES and totalcma_pages match', () => {
    expect(counters.check(baseSnapshot(), context)).toEqual([]);
    // K4_9 keeps the failed area's 16 pages in totalcma_pages.
    expect(counters.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('fails on nr_free not counting the blocks of its order', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.zones[0].nrFree[2] = 2;
    });
    const findings = counters.check(broken, context);
    expect(findings.map((f) => f.explanation)).toEqual([
      'zone Normal nr_free[2] is 2, expected 3 (the blocks on its order-2 lists)',
    ]);
  });

  it('fails on NR_FREE_PAGES drifting from the free lists', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.zones[0].nrFreePages = 17;
    });
    expect(counters.check(broken, context).map((f) => f.explanation)).toEqual([
      'zone Normal NR_FREE_PAGES is 17, expected 16 (the pages on its non-ISOLATE lists)',
    ]);
  });

  it('fails on NR_FREE_CMA_PAGES drifting from the CMA lists', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.zones[0].nrFreeCmaPages = 8;
    });
    expect(counters.check(broken, context).map((f) => f.explanation)).toEqual([
      'zone Normal NR_FREE_CMA_PAGES is 8, expected 9 (the pages on its CMA lists)',
    ]);
  });

  it('fails when pages moved to an ISOLATE list are still counted free', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 27);
      addFreeBlock(s, { zone: 0, order: 0, migratetype: 5, pfn: 27 });
    });
    expect(counters.check(broken, context).map((f) => f.explanation)).toEqual([
      'zone Normal NR_FREE_PAGES is 16, expected 15 (the pages on its non-ISOLATE lists)',
      'zone Normal NR_FREE_CMA_PAGES is 9, expected 8 (the pages on its CMA lists)',
    ]);
  });

  it('fails on nr_isolate_pageblock not counting the ISOLATE pageblocks', () => {
    const broken = mutate(baseSnapshot(), (s) => setPageblock(s, 3, 'I'));
    expect(counters.check(broken, context).map((f) => f.explanation)).toEqual([
      'zone Normal nr_isolate_pageblock is 0, expected 1 (its ISOLATE pageblocks)',
    ]);
  });

  it('fails when K4_9 totalcma_pages drops a failed area', () => {
    const broken = mutate(failedAreaSnapshot(), (s) => {
      s.totalcmaPages = 0;
    });
    const findings = counters.check(broken, quietContext(failedAreaWorld()));
    expect(findings.map((f) => f.explanation)).toEqual([
      'totalcma_pages is 0, expected 16 (the declared pages of every area; K4_9 keeps failed'
        + ' areas counted)',
    ]);
  });

  it('expects K6_1 to subtract a failed area from totalcma_pages', () => {
    const k61 = (total: number) => mutate(failedAreaSnapshot(), (s) => {
      s.profile = 'K6_1';
      s.totalcmaPages = total;
    });
    expect(counters.check(k61(0), context)).toEqual([]);
    expect(counters.check(k61(16), context).map((f) => f.explanation)).toEqual([
      'totalcma_pages is 16, expected 0 (the declared pages of every area not failed)',
    ]);
  });
});
