/**
 * Bug class: rule T inverted — a freed block goes to the tail of its list when its parent's
 * buddy is *not* free, and to the head when it is (kernel-semantics.md §2.4 "Placement",
 * §12.1).
 *
 * Kernel code imitated: __free_one_page()'s placement test after merging (K6_1 names it
 * buddy_merge_likely()), from "page allocator: reduce fragmentation in buddy allocator by
 * adding buddies that are merging to the tail of the free lists" (6dda9d55bf54, Corrado
 * Zoccolo, v2.6.35): a block likely to merge soon is kept at the tail so that it is handed out
 * last. Inverted, the allocator hands out exactly the blocks about to merge.
 *
 * Expected to catch it: free-placement, right after the first free whose list already holds a
 * block (every state it leads to is a legal buddy state, so no other invariant can; before
 * free-placement only the model/impl comparison caught it, one allocation later).
 */
import { BuddyCore } from '../impl/allocator.ts';
import { defineMutant } from './define.ts';

class RuleTInvertedCore extends BuddyCore {
  override buddyMergeLikely(zone: number, pfn: number, order: number): boolean {
    return !super.buddyMergeLikely(zone, pfn, order);
  }
}

export const ruleTInverted = defineMutant({
  name: 'rule-t-inverted',
  bugClass: '__free_one_page() puts a block at the tail exactly when rule T says head',
  expected: 'free-placement',
  kernelFunction: '__free_one_page',
  Core: RuleTInvertedCore,
});
