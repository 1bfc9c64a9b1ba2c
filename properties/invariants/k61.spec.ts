/**
 * Every invariant on a hand-built K6_1 snapshot (k61Snapshots.ts): a failed K6_1 activation
 * leaves a state that is consistent in all respects — counters (totalcma_pages reduced),
 * conservation (the area's pages managed and free), pageblock types (no CMA block), bitmaps.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/invariants/index.ts';
import { quietContext } from '../support/snapshots.ts';
import { failedAreaSnapshotK6_1, failedAreaWorldK6_1 } from './k61Snapshots.ts';

describe('all invariants on a K6_1 failed activation', () => {
  it('hold on the K6_1 boot of an area spanning zones', () => {
    const context = quietContext(failedAreaWorldK6_1());
    expect(checkInvariants(failedAreaSnapshotK6_1(), context, 'hand')).toEqual([]);
  });

  it('catch a K6_1 failed area whose pages were given back but still counted in totalcma_pages', () => {
    const context = quietContext(failedAreaWorldK6_1());
    const broken = { ...failedAreaSnapshotK6_1(), totalcmaPages: 16 };
    expect(checkInvariants(broken, context, 'hand').map((v) => [v.id, v.explanation])).toEqual([
      ['counters', 'totalcma_pages is 16, expected 0 (the declared pages of every area not'
        + ' failed)'],
    ]);
  });
});
