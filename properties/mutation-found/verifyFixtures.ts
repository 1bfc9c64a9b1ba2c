/**
 * What the impl verify() specs (implVerify.spec.ts, coreVerify.spec.ts) share: a small world
 * whose boot lists are derived below, a boot that hands back impl's core, and list_add() on the
 * core's raw links to corrupt a list without touching any counter.
 */
import { parseWorld } from '../../src/core/worldParse.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import type { BuddyCore } from '../../impl/core.ts';

/**
 * 64 pages, orders 0..3, pageblocks of 4, CMA on [48, 64). free_all_bootmem frees [0, 48) as
 * order-3 blocks onto the MOVABLE list (head insertion: 40 first); cma_activate_area frees
 * 48..63, which merge into order-3 blocks 48 and 56 on the CMA list (impl/buddy.spec.ts derives
 * the same lists). One zone; NR_FREE_PAGES 64, NR_FREE_CMA_PAGES 16; nr_free[3] = 8.
 */
export const WORLD_64 = {
  pages: 64, maxOrder: 3, pageblockOrder: 2,
  cma: [{ name: 'cma0', base: 48, size: 16, fixed: true }],
};

export function boot(
  world: Record<string, unknown>,
): { allocator: ImplAllocator; core: BuddyCore } {
  const allocator = new ImplAllocator();
  allocator.boot(parseWorld(world));
  return { allocator, core: allocator.core };
}

/** list_add(): `pfn` right after the list head `head`, with no counter touched. */
export function link(core: BuddyCore, head: number, pfn: number, order: number): void {
  const first = core.next[head];
  core.next[pfn] = first;
  core.prev[first] = pfn;
  core.next[head] = pfn;
  core.prev[pfn] = head;
  core.freeOrder[pfn] = order;
}
