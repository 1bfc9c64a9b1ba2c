import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { deleteOps, simplerOps } from '../../src/harness/shrink.ts';

describe('deleting ops keeps the trace well-formed', () => {
  const ops: Op[] = [
    { kind: 'alloc', order: 1, migratetype: 'MOVABLE' },
    { kind: 'alloc', order: 0, migratetype: 'UNMOVABLE' },
    { kind: 'pin', target: 0 },
    { kind: 'free', target: 1 },
    { kind: 'free', target: 0 },
  ];

  it('drops ops whose target is deleted and renumbers the others', () => {
    expect(deleteOps(ops, new Set([0]))).toEqual([
      { kind: 'alloc', order: 0, migratetype: 'UNMOVABLE' },
      { kind: 'free', target: 0 },
    ]);
    expect(deleteOps(ops, new Set([1]))).toEqual([
      { kind: 'alloc', order: 1, migratetype: 'MOVABLE' },
      { kind: 'pin', target: 0 },
      { kind: 'free', target: 0 },
    ]);
  });

  it('offers simpler ops, simplest first, never the op itself', () => {
    expect(simplerOps({ kind: 'alloc', order: 3, migratetype: 'RECLAIMABLE' })).toEqual([
      { kind: 'alloc', order: 0, migratetype: 'RECLAIMABLE' },
      { kind: 'alloc', order: 2, migratetype: 'RECLAIMABLE' },
      { kind: 'alloc', order: 3, migratetype: 'UNMOVABLE' },
      { kind: 'alloc', order: 3, migratetype: 'MOVABLE' },
    ]);
    expect(simplerOps({ kind: 'alloc', order: 0, migratetype: 'UNMOVABLE' })).toEqual([]);
    expect(simplerOps({ kind: 'cmaAlloc', area: 1, count: 1, align: 0 })).toEqual([{ kind: 'cmaAlloc', area: 0, count: 1, align: 0 }]);
  });
});
