/**
 * free-placement — rule T of __free_one_page() (K4_9, mm/page_alloc.c) and buddy_merge_likely()
 * (K6_1): kernel-semantics.md §2.4 "Placement (head or tail)", §12.1.
 *
 * Right after a `free` (one __free_pages() of a page allocation, FPI_NONE), the block the freed
 * pages merged into — the free block now covering the freed pfn, of order o — sits at the TAIL
 * of its free list when o < MAX_ORDER − 2 and the order-(o+1) buddy of its order-(o+1) parent is
 * a free block of order o + 1 in the parent's zone (page_is_buddy(higher_page, higher_buddy,
 * o + 1)), and at the HEAD otherwise. The rule is checked only when the list holds more than
 * one block (with one, head and tail are the same place).
 *
 * Why an invariant: the placement decides which block the next allocation of that order takes,
 * so model and impl disagree one step later when it is wrong — but an implementation run
 * against itself (the bug zoo's "alone" column) had nothing that checked it.
 *
 * Reads the op: it runs right after each `free` (`stepOps`), with the freed allocation's pfn
 * from the step result (page allocations may have migrated since they were made). It runs after
 * one op in five, so it reads the free lists directly instead of the per-pfn maps the other
 * invariants share (coverage.ts), which would cost more to build than this whole check.
 *
 * Does not cover: frees inside cmaRelease, dmaFree and alloc_contig_range (page by page, or
 * FPI_TO_TAIL in K6_1); which list the block is on (cma-movable-only, pageblock-types), and
 * whether it merged as far as it should (buddy-merged).
 */
import type { Snapshot } from '../core/snapshot.ts';
import type { CheckContext, Invariant } from '../core/violation.ts';
import type { Pfn } from '../core/world.ts';
import { zoneIndexOf } from './coverage.ts';
import { typeName } from './findings.ts';

export const freePlacement: Invariant = {
  id: 'free-placement',
  description: 'a freed block goes to the tail of its list when its parent\'s buddy is free'
    + ' (rule T), to the head otherwise',
  stepOps: ['free'],
  // A block at the wrong end of a list of two or more changes that list's head or tail.
  viewed: true,
  check(snapshot, context) {
    const freedPfn = freedPfnOf(context);
    if (freedPfn === null || freedPfn < 0 || freedPfn >= snapshot.pages) return [];
    const zone = zoneIndexOf(snapshot, freedPfn);
    const block = zone < 0 ? null : listedBlockCovering(snapshot, zone, freedPfn);
    if (block === null) return []; // not free: free-blocks / conservation report it
    const { pfn, order, list, position } = block;
    if (list.length < 2) return [];
    const toTail = buddyMergeLikely(snapshot, pfn, order);
    if (position === (toTail ? list.length - 1 : 0)) return [];
    const freed = context.op?.kind === 'free' ? `#${context.op.target}` : 'an allocation';
    return [
      {
        pfns: [pfn],
        explanation: `freeing ${freed} at pfn ${freedPfn} left block ${pfn} at position`
          + ` ${position} of ${list.length} on the order-${order} ${typeName(block.migratetype)}`
          + ` list, expected the ${toTail ? 'tail' : 'head'}:`
          + ` ${reasonOf(snapshot, pfn, order, toTail)}`,
      },
    ];
  },
};

/** The pfn the free released (the step result), or null when the step freed nothing. */
function freedPfnOf(context: CheckContext): Pfn | null {
  const { op, result } = context;
  if (op === null || op.kind !== 'free' || result === null || !result.ok) return null;
  return result.pfn ?? null;
}

interface ListedBlock {
  pfn: Pfn;
  order: number;
  migratetype: number;
  list: readonly Pfn[];
  position: number;
}

/** The free block of `zone` whose range holds `pfn`: the aligned head of some order, listed. */
function listedBlockCovering(snapshot: Snapshot, zone: number, pfn: Pfn): ListedBlock | null {
  const freeLists = snapshot.zones[zone].freeLists;
  for (let order = 0; order < freeLists.length; order++) {
    const head = pfn - (pfn % 2 ** order);
    for (let migratetype = 0; migratetype < freeLists[order].length; migratetype++) {
      const list = freeLists[order][migratetype];
      const position = list.indexOf(head);
      if (position >= 0) return { pfn: head, order, migratetype, list, position };
    }
  }
  return null;
}

/**
 * buddy_merge_likely() (K6_1) = the tail test of __free_one_page() (K4_9): below order
 * MAX_ORDER − 2 (maxOrder − 1 here, MAX_ORDER being maxOrder + 1), tail iff the order-(o+1)
 * buddy of the parent is the head of a free block of order o + 1 in the parent's zone
 * (page_is_buddy(higher_page, higher_buddy, o + 1): PageBuddy, buddy_order, page_zone_id).
 */
function buddyMergeLikely(snapshot: Snapshot, pfn: Pfn, order: number): boolean {
  if (order >= snapshot.maxOrder - 1) return false;
  const combinedPfn = pfn - (pfn % 2 ** (order + 1));
  const higherBuddyPfn = combinedPfn ^ (1 << (order + 1));
  const zone = zoneIndexOf(snapshot, combinedPfn);
  if (zone < 0) return false;
  return snapshot.zones[zone].freeLists[order + 1].some((list) => list.includes(higherBuddyPfn));
}

function reasonOf(snapshot: Snapshot, pfn: Pfn, order: number, toTail: boolean): string {
  if (order >= snapshot.maxOrder - 1) return `order ${order} ≥ MAX_ORDER − 2`;
  const higherBuddyPfn = (pfn - (pfn % 2 ** (order + 1))) ^ (1 << (order + 1));
  return `the parent's order-${order + 1} buddy at pfn ${higherBuddyPfn} is`
    + `${toTail ? '' : ' not'} a free order-${order + 1} block`;
}
