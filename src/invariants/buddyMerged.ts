/**
 * buddy-merged — kernel-semantics.md §8.1 I14, §2.4, §9 P11, §12.18–§12.19.
 *
 * No free block of order o < maxOrder has its buddy (pfn ^ 2^o) free as a block of the same
 * order in the same zone, when __free_one_page would have merged the two. With atomic
 * operations this holds strictly in K4_9 (§12.18); the profile decides which pairs may stay
 * apart (wouldMerge):
 *   K4_9 (§2.4, P11): every pair merges, except ISOLATE with another type at o ≥ pageblock
 *        order while the zone has isolated pageblocks (the max_order trick);
 *   K6_1 (P11): at o ≥ pageblock order, blocks of different types merge only when both types
 *        are mergeable (U, M, E); CMA, ISOLATE and HIGHATOMIC never merge with another type.
 * The types compared are those of each block's first pageblock, which is what
 * get_pageblock_migratetype() reads for the freed page and its buddy.
 *
 * Does not cover: a misaligned or out-of-zone block (free-blocks) — only aligned heads are
 * paired here.
 */
import { MIGRATE_ISOLATE, migratetypeIsMergeable } from '../core/migratetype.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Profile } from '../core/world.ts';
import { type Coverage, coverageOf, describeFreeBlock } from './coverage.ts';
import { closeFindings, newFindings, report } from './findings.ts';

export const buddyMerged: Invariant = {
  id: 'buddy-merged',
  description: 'no two free buddies of the same order are both free when the profile would'
    + ' merge them',
  check(snapshot) {
    const findings = newFindings();
    const coverage = coverageOf(snapshot);
    const { blocks, headBlock } = coverage;
    for (let block = 0; block < blocks.count; block++) {
      const pfn = blocks.pfn[block];
      const order = blocks.order[block];
      if (order >= snapshot.maxOrder || pfn < 0 || pfn % (1 << order) !== 0) continue;
      const buddyPfn = pfn ^ (1 << order);
      // Each pair once, from its lower half.
      if (buddyPfn < pfn || buddyPfn >= headBlock.length) continue;
      const buddy = headBlock[buddyPfn];
      if (buddy < 0 || blocks.order[buddy] !== order) continue;
      if (blocks.zone[buddy] !== blocks.zone[block]) continue;
      if (!pairWouldMerge(snapshot, coverage, block, buddy)) continue;
      report(findings, [pfn, buddyPfn], () => `${describeFreeBlock(blocks, block)} and its buddy`
        + ` ${describeFreeBlock(blocks, buddy)} are both free, expected them merged into order`
        + ` ${order + 1} at pfn ${pfn}`);
    }
    return closeFindings(findings);
  },
};

function pairWouldMerge(
  snapshot: Snapshot, coverage: Coverage, block: number, buddy: number,
): boolean {
  const { blocks, pageblockTypes } = coverage;
  const order = blocks.order[block];
  const zone = snapshot.zones[blocks.zone[block]];
  return wouldMerge({
    profile: snapshot.profile,
    order,
    pageblockOrder: snapshot.pageblockOrder,
    type: pageblockTypes[blocks.pfn[block] >> snapshot.pageblockOrder],
    buddyType: pageblockTypes[blocks.pfn[buddy] >> snapshot.pageblockOrder],
    zoneHasIsolated: zone.nrIsolatePageblock > 0,
  });
}

export interface MergeQuestion {
  profile: Profile;
  order: number;
  pageblockOrder: number;
  /** Pageblock types of the block being freed and of its buddy. */
  type: number;
  buddyType: number;
  zoneHasIsolated: boolean;
}

/** Would __free_one_page merge two free buddies of `order` with these pageblock types? */
export function wouldMerge(question: MergeQuestion): boolean {
  const { order, pageblockOrder, type, buddyType } = question;
  if (order < pageblockOrder || type === buddyType) return true;
  switch (question.profile) {
    case 'K4_9': {
      // The max_order trick: only ISOLATE against another type, only while isolations exist.
      const isolateInvolved = type === MIGRATE_ISOLATE || buddyType === MIGRATE_ISOLATE;
      return !(question.zoneHasIsolated && isolateInvolved);
    }
    case 'K6_1':
      return migratetypeIsMergeable(type) && migratetypeIsMergeable(buddyType);
  }
}
