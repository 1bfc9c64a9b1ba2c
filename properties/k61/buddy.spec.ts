/**
 * K6_1 against K4_9 in __free_one_page() and move_freepages() (model/buddy.ts,
 * model/fallback.ts; kernel-semantics.md §2.4, §3.1; §9 P9, P11). These rules only differ on
 * states a K4_9 boot never builds (a CMA block next to another type above pageblock order needs a
 * CMA area that is not MAX_ORDER-aligned), so the scenarios boot one state and apply the same
 * call to copies that differ only in `profile`.
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_CMA, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, migratetypeLetter,
} from '../../src/core/migratetype.ts';
import type { Profile } from '../../src/core/world.ts';
import { allocPages, freePages } from '../../model/allocPages.ts';
import { bootModel } from '../../model/boot/boot.ts';
import { moveFreepagesBlock } from '../../model/fallback.ts';
import type { ModelState } from '../../model/state.ts';
import { worldOf } from './support.ts';

const U = MIGRATE_UNMOVABLE;
const M = MIGRATE_MOVABLE;
const C = MIGRATE_CMA;

function freeLists(state: ModelState, mt: number): number[][] {
  return state.zones[0].freeArea.map((area) => [...area.freeList[mt]]);
}

/** A copy of `state` whose rules are `profile`'s (same pages, lists and pageblocks). */
function asProfile(state: ModelState, profile: Profile): ModelState {
  const copy = structuredClone(state);
  copy.world = { ...copy.world, profile };
  return copy;
}

describe('__free_one_page above pageblock order (§2.4, §9 P11)', () => {
  // 16 pages, maxOrder 3, pageblocks of 2; a K6_1 CMA area [4,8) (pageblock-aligned: K6_1's
  // minimum; K4_9 would have rounded it to [8,16)). K6_1 boot: free_all_bootmem frees [0,4) as
  // 0@2 and [8,16) as 8@3 (tails): M@2 [0], M@3 [8]. Activation frees CMA block 4@1 — its buddy
  // 6 is not free; rule T: parent 4's buddy 0 is a free order-2 block → tail — then 6@1, which
  // merges with 4 (CMA and CMA) into 4@2; at order 2 ≥ PB the buddy 0 is MOVABLE: CMA is not
  // mergeable → stop; order 2 ≥ MAX_ORDER − 2 → head. C@2 [4].
  function bootK6_1(): ModelState {
    return bootModel(worldOf('K6_1', {
      pages: 16, maxOrder: 3, pageblockOrder: 1, cma: [{ base: 4, size: 4, fixed: true }],
    }));
  }

  it('boots a CMA block beside a free MOVABLE block without merging them (K6_1)', () => {
    const state = bootK6_1();
    expect([freeLists(state, M), freeLists(state, C)]).toEqual([
      [[], [], [0], [8]], [[], [], [4], []],
    ]);
    expect(state.pageblockMigratetype.map(migratetypeLetter).join('')).toBe('MMCCMMMM');
  });

  it('keeps a freed MOVABLE block apart from its CMA buddy; K4_9\'s rule would merge them', () => {
    // Take M@2 [0] (MOVABLE order 2) and free it again as MOVABLE: order 2 ≥ PB, buddy 4 is a
    // free order-2 block of a CMA pageblock.
    //   K6_1: M ≠ C and C is not mergeable → stop at order 2: M@2 [0], C@2 [4] as before.
    //   K4_9 rule on the same state (no isolated pageblock in the zone): merge → 0@3 on the
    //   MOVABLE list, covering the CMA pages 4..7 (F4: what K4_9's MAX_ORDER alignment of CMA
    //   areas exists to prevent). Rule T at order 3 = MAX_ORDER − 1: head → M@3 [0, 8].
    for (const profile of ['K6_1', 'K4_9'] as const) {
      const state = asProfile(bootK6_1(), profile);
      const taken = allocPages(state, 2, M);
      expect(taken?.pfn).toBe(0);
      for (let pfn = 0; pfn < 4; pfn++) state.owner[pfn] = 100;
      freePages(state, 0, 2);
      const expected = profile === 'K6_1'
        ? [[[], [], [0], [8]], [[], [], [4], []]]
        : [[[], [], [], [0, 8]], [[], [], [], []]];
      expect([freeLists(state, M), freeLists(state, C)], profile).toEqual(expected);
      expect(state.zones[0].nrFreeCmaPages, profile).toBe(4);
    }
  });
});

describe('move_freepages() list end (§3.1, §9 P9)', () => {
  it('moves a pageblock\'s free pages to list tails in K6_1 and to heads in K4_9', () => {
    // 16 pages, maxOrder 4, pageblocks of 8, one boot block 0@4 (both profiles). MOVABLE order 0
    // ×4 → 0, 1, 2, 3 (the first split leaves M@0 [1], M@1 [2], M@2 [4], M@3 [8]). Free 1: buddy
    // 0 in use; rule T: parent 0's buddy 2 is not a free order-1 block → head: M@0 [1]. Free 3:
    // buddy 2 in use; parent 2's buddy 0 not free → head: M@0 [3, 1].
    // move_freepages_block(0 → UNMOVABLE) scans [0,8) ascending: 1@0, 3@0, 4@2.
    //   K4_9 list_move (head): U@0 [1] then [3, 1]; U@2 [4].
    //   K6_1 move_to_free_list (tail): U@0 [1, 3]; U@2 [4]. 1 + 1 + 4 = 6 pages in both.
    for (const profile of ['K4_9', 'K6_1'] as const) {
      const state = bootModel(worldOf(profile, { pages: 16, maxOrder: 4, pageblockOrder: 3 }));
      for (let i = 0; i < 4; i++) {
        const taken = allocPages(state, 0, M);
        state.owner[taken?.pfn ?? -1] = 100 + i;
      }
      freePages(state, 1, 0);
      freePages(state, 3, 0);
      expect(freeLists(state, M)[0], profile).toEqual([3, 1]);
      expect(moveFreepagesBlock(state, state.zones[0], 0, U), profile).toBe(6);
      const expected = profile === 'K4_9' ? [3, 1] : [1, 3];
      expect(freeLists(state, U)[0], profile).toEqual(expected);
      expect(freeLists(state, U)[2], profile).toEqual([4]);
    }
  });
});
