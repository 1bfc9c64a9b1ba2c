import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { CheckContext } from '../../src/core/violation.ts';
import { cmaReleaseReturns } from '../../src/invariants/cmaReleaseReturns.ts';
import { checkInvariants } from '../../src/invariants/index.ts';
import {
  addFreeBlock, baseSnapshot, baseWorld, mutate, quietContext, recount, removeAllocation,
  removeFreeBlock, setPageblock,
} from '../support/snapshots.ts';

const CMA = 4;

function releaseContext(op: Op, id: number, kind: 'cma' | 'dma', pfn: number, pageCount: number,
  ok = true): CheckContext {
  return {
    ...quietContext(baseWorld(), 9), op, result: { ok },
    targetBefore: { id, kind, pfn, pageCount },
  };
}

const cmaReleaseOf2 = releaseContext({ kind: 'cmaRelease', target: 2 }, 2, 'cma', 16, 2);
const dmaFreeOf3 = releaseContext({ kind: 'dmaFree', target: 3 }, 3, 'dma', 24, 3);

/**
 * Base after `cmaRelease #2`: free_contig_range frees 16 then 17 (type CMA); 17 merges with 16
 * into order 1; its order-1 buddy 18 is held, so merging stops, and rule T (o = 1 < MAX_ORDER-2)
 * sees the parent's buddy 20 free at order 2 → tail. cma0's bits 0–1 are cleared.
 */
function afterCmaRelease(): Snapshot {
  return mutate(baseSnapshot(), (s) => {
    removeAllocation(s, 2);
    addFreeBlock(s, { zone: 0, order: 1, migratetype: CMA, pfn: 16 });
    Object.assign(s.cma[0], { bitmap: [0], used: 0, maxchunk: 8 });
    recount(s);
  });
}

/**
 * Base after `dmaFree #3`: 24, 25 merge into order 1 at 24; 26 merges with the free 27, then
 * with 24, then with 28 (order 2; the K4_9 loop goes past PB) into CMA order 3 at 24.
 */
function afterDmaFree(): Snapshot {
  return mutate(baseSnapshot(), (s) => {
    removeAllocation(s, 3);
    removeFreeBlock(s, 27);
    removeFreeBlock(s, 28);
    addFreeBlock(s, { zone: 0, order: 3, migratetype: CMA, pfn: 24 });
    Object.assign(s.cma[1], { bitmap: [0], used: 0 });
    recount(s);
  });
}

describe('cma-release-returns', () => {
  it('holds after a cmaRelease and a dmaFree, and so does every other invariant', () => {
    expect(checkInvariants(afterCmaRelease(), cmaReleaseOf2, 'test')).toEqual([]);
    expect(checkInvariants(afterDmaFree(), dmaFreeOf3, 'test')).toEqual([]);
  });

  it('fails when released pages are still held', () => {
    const findings = cmaReleaseReturns.check(baseSnapshot(), cmaReleaseOf2);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([16]);
    expect(findings[0].explanation).toContain('released pfns 16..17 of CMA allocation #2: held'
      + ' by CMA allocation #2');
  });

  it('fails after a dmaFree whose pages are still held, naming the DMA allocation', () => {
    const findings = cmaReleaseReturns.check(baseSnapshot(), dmaFreeOf3);
    expect(findings.map((f) => f.pfns)).toEqual([[24]]);
    expect(findings[0].explanation).toContain('released pfns 24..26 of DMA allocation #3');
  });

  it('fails when released pages are free on a non-CMA list', () => {
    const broken = mutate(afterCmaRelease(), (s) => {
      removeFreeBlock(s, 16);
      addFreeBlock(s, { zone: 0, order: 1, migratetype: 1, pfn: 16 });
    });
    const findings = cmaReleaseReturns.check(broken, cmaReleaseOf2);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([16]);
    expect(findings[0].explanation).toContain('of CMA allocation #2: free on the MOVABLE list');
  });

  it('fails when released pages lie in a pageblock that is no longer CMA', () => {
    const broken = mutate(afterCmaRelease(), (s) => setPageblock(s, 4, 'M'));
    const findings = cmaReleaseReturns.check(broken, cmaReleaseOf2);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('released pfns 16..17 of CMA allocation #2: in a'
      + ' MOVABLE pageblock');
  });

  it('names each differently broken run of a release separately', () => {
    const broken = mutate(afterDmaFree(), (s) => {
      removeFreeBlock(s, 24);
      addFreeBlock(s, { zone: 0, order: 1, migratetype: 1, pfn: 24 });
      addFreeBlock(s, { zone: 0, order: 0, migratetype: 5, pfn: 26 });
      addFreeBlock(s, { zone: 0, order: 0, migratetype: CMA, pfn: 27 });
      addFreeBlock(s, { zone: 0, order: 2, migratetype: CMA, pfn: 28 });
    });
    const findings = cmaReleaseReturns.check(broken, dmaFreeOf3);
    expect(findings.map((f) => f.pfns)).toEqual([[24], [26]]);
    expect(findings[0].explanation).toContain('released pfns 24..25 of DMA allocation #3: free'
      + ' on the MOVABLE list');
    expect(findings[1].explanation).toContain('released pfn 26 of DMA allocation #3: free'
      + ' on the ISOLATE list');
  });

  it('looks only at releases that happened', () => {
    expect(cmaReleaseReturns.check(baseSnapshot(), quietContext(baseWorld()))).toEqual([]);
    const refused = releaseContext({ kind: 'cmaRelease', target: 2 }, 2, 'cma', 16, 2, false);
    expect(cmaReleaseReturns.check(baseSnapshot(), refused)).toEqual([]);
    const skipped = { ...cmaReleaseOf2, targetBefore: null };
    expect(cmaReleaseReturns.check(baseSnapshot(), skipped)).toEqual([]);
  });
});
