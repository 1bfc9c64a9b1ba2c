import { describe, expect, it } from 'vitest';
import { freeBlocks, listTypeLegal } from '../../src/invariants/freeBlocks.ts';
import {
  addFreeBlock, baseSnapshot, baseWorld, failedAreaSnapshot, failedAreaWorld, mutate,
  quietContext, removeFreeBlock, setPageblock,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld());
const U = 0;
const M = 1;
const CMA = 4;
const ISOLATE = 5;

describe('free-blocks', () => {
  it('holds on aligned, in-zone blocks listed once on lists legal for their pageblocks', () => {
    expect(freeBlocks.check(baseSnapshot(), context)).toEqual([]);
    expect(freeBlocks.check(failedAreaSnapshot(), quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('accepts a MOVABLE-list block covering MOVABLE and UNMOVABLE pageblocks (K4_9 merges)', () => {
    const mixed = mutate(failedAreaSnapshot(), (s) => setPageblock(s, 1, 'U'));
    expect(freeBlocks.check(mixed, quietContext(failedAreaWorld()))).toEqual([]);
  });

  it('fails on a block not aligned to its order', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 10);
      addFreeBlock(s, { zone: 0, order: 1, migratetype: U, pfn: 11 });
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([11]);
    expect(findings[0].explanation).toContain('free block pfn 11 order 1 on the UNMOVABLE list is'
      + ' not aligned to 2 pages');
  });

  it('fails on a block above maxOrder', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      s.zones[0].freeLists.push([[], [], [], [], [], []]);
      removeFreeBlock(s, 12);
      addFreeBlock(s, { zone: 0, order: 4, migratetype: U, pfn: 0 });
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([0]);
    expect(findings[0].explanation).toContain('free block pfn 0 order 4 on the UNMOVABLE list has'
      + ' order above maxOrder 3');
  });

  it('fails on a block on the lists of a zone it does not lie in', () => {
    const world = quietContext(failedAreaWorld());
    const broken = mutate(failedAreaSnapshot(), (s) => {
      removeFreeBlock(s, 24);
      addFreeBlock(s, { zone: 0, order: 3, migratetype: M, pfn: 24 });
    });
    const findings = freeBlocks.check(broken, world);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([24]);
    expect(findings[0].explanation).toContain('free block pfn 24 order 3 on the MOVABLE list of'
      + ' zone DMA32 reaches outside the zone [0, 16)');
  });

  it('fails on a block listed twice', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      addFreeBlock(s, { zone: 0, order: 2, migratetype: M, pfn: 12 });
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([12]);
    expect(findings[0].explanation).toBe('free block pfn 12 order 2 on the UNMOVABLE list is'
      + ' listed again as free block pfn 12 order 2 on the MOVABLE list (zone Normal), expected'
      + ' one list entry per block');
  });

  it('fails on a CMA pageblock page on a non-CMA list', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 27);
      addFreeBlock(s, { zone: 0, order: 0, migratetype: M, pfn: 27 });
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].pfns).toEqual([27]);
    expect(findings[0].explanation).toBe('free block pfn 27 order 0 on the MOVABLE list but'
      + ' pageblock 6 is CMA');
  });

  it('fails on a non-CMA pageblock page on the CMA list', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 12);
      addFreeBlock(s, { zone: 0, order: 2, migratetype: CMA, pfn: 12 });
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings.map((f) => f.explanation)).toEqual([
      'free block pfn 12 order 2 on the CMA list but pageblock 3 is UNMOVABLE',
    ]);
  });

  it('fails on a block above pageblock order that covers a CMA and a MOVABLE pageblock', () => {
    // What a K4_9 cross-type merge would make if a CMA area were not MAX_ORDER aligned.
    const broken = mutate(failedAreaSnapshot(), (s) => setPageblock(s, 1, 'C'));
    const findings = freeBlocks.check(broken, quietContext(failedAreaWorld()));
    expect(findings.map((f) => f.explanation)).toEqual([
      'free block pfn 0 order 3 on the MOVABLE list but pageblock 1 is CMA',
    ]);
  });

  it('fails on a page on the ISOLATE list of a pageblock that is not isolated', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 9);
      addFreeBlock(s, { zone: 0, order: 0, migratetype: ISOLATE, pfn: 9 });
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings.map((f) => f.explanation)).toEqual([
      'free block pfn 9 order 0 on the ISOLATE list but pageblock 2 is UNMOVABLE',
    ]);
  });

  it('fails on a list that is no migratetype', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      removeFreeBlock(s, 9);
      s.zones[0].freeLists[0].push([9]);
    });
    const findings = freeBlocks.check(broken, context);
    expect(findings).toHaveLength(1);
    expect(findings[0].explanation).toContain('free block pfn 9 order 0 is on list 6');
  });

  it('keeps U, M, E and H lists apart from CMA and ISOLATE, in both profiles', () => {
    for (const profile of ['K4_9', 'K6_1'] as const) {
      const legal = [0, 1, 2, 3, 4, 5].map((list) =>
        [0, 1, 2, 3, 4, 5].map((block) => (listTypeLegal(profile, list, block) ? 1 : 0)).join(''));
      expect(legal).toEqual(['111100', '111100', '111100', '111100', '000010', '000001']);
    }
  });
});
