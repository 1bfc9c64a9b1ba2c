/**
 * Worked scenarios for alloc_contig_range's migration and isolation, K4_9 (model/migrate.ts,
 * model/contig.ts, model/isolation.ts; kernel-semantics.md §6.2, §6.5, §12.3–§12.8, §12.13):
 * a pinned page making a window -EBUSY while the window's other pages stay migrated, a movable
 * allocation and its data moving out of the area, a migration target failure (-ENOMEM) stopping
 * cma_alloc, batch order, and the isolation primitives on their own. Expected values are derived
 * by hand in the comment above them from the kernel function cited.
 *
 * Notation as in cmaAlloc.spec.ts (`C@2 [28]`, `#n` = allocation of op n). World B: 32 pages,
 * maxOrder 2, pageblocks of 4, one zone, CMA area [16, 32) with order_per_bit 0. Boot:
 * M@2 [12, 8, 4, 0], C@2 [28, 24, 20, 16]. A MOVABLE request uses CMA only once the MOVABLE
 * lists are empty (__rmqueue K4_9, §4.2), so four order-2 MOVABLE allocations (→ 12, 8, 4, 0)
 * come first whenever a scenario needs movable pages inside the area.
 */
import { describe, expect, it } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import {
  MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE,
} from '../../src/core/migratetype.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { allocContigRange, isolateFreePage, isolateFreepagesRange } from '../../model/contig.ts';
import {
  hasUnmovablePages, startIsolatePageRange, testPagesIsolated, undoIsolatePageRange,
} from '../../model/isolation.ts';
import { setPageblockMigratetype } from '../../model/pageblock.ts';
import { decodeResult } from '../../src/core/result.ts';

/** A cmaAlloc op on `area` (0 unless told). */
const cmaAllocOp = (count: number, align: number, area = 0): Op =>
  ({ kind: 'cmaAlloc', area, count, align });

/** The result of an op that allocated at `pfn`. */
const ok = (pfn: number): OpResult => ({ ok: true, pfn });

const C = MIGRATE_CMA;
const M = MIGRATE_MOVABLE;
const U = MIGRATE_UNMOVABLE;
const I = MIGRATE_ISOLATE;

const WORLD_B = {
  pages: 32, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
  cma: [{ base: 16, size: 16, orderPerBit: 0 }],
};

const WORLD_PLAIN = { pages: 32, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false };

function bootTrace(world: Record<string, unknown>): {
  model: ModelAllocator; apply: (op: Op) => OpResult;
} {
  const model = new ModelAllocator();
  model.boot(parseWorld(world));
  let step = 0;
  return { model, apply: (op) => decodeResult(model.apply(op, step++)) };
}

function lists(snapshot: Snapshot, mt: number): number[][] {
  return snapshot.zones[0].freeLists.map((byType) => byType[mt]);
}

function pfnOf(snapshot: Snapshot, id: number): number | undefined {
  return snapshot.allocations.find((allocation) => allocation.id === id)?.pfn;
}

const alloc = (order: number, migratetype: 'MOVABLE' | 'UNMOVABLE' = 'MOVABLE'): Op =>
  ({ kind: 'alloc', order, migratetype });

/** Ops 0..3 of most scenarios: the MOVABLE pageblocks' four order-2 blocks. */
function fillMovable(apply: (op: Op) => OpResult): void {
  expect([0, 1, 2, 3].map(() => apply(alloc(2)).pfn)).toEqual([12, 8, 4, 0]);
}

describe('a pinned page blocks its window (§12.5)', () => {
  it('fails that window with -EBUSY, keeps its migrations, and succeeds in the next', () => {
    const { model, apply } = bootTrace(WORLD_B);
    fillMovable(apply);
    // #4..#6 order 2 MOVABLE from CMA (C@2 heads): 28, 24, 20. #7 order 0: C@2 [16] split
    // (expand 18@1, 17@0 to CMA) → 16; #8 → C@0 [17] → 17.
    expect([alloc(2), alloc(2), alloc(2), alloc(0), alloc(0)].map((op) => apply(op).pfn))
      .toEqual([28, 24, 20, 16, 17]);
    apply({ kind: 'pin', target: 7 }); // 9
    apply({ kind: 'write', target: 8 }); // 10: token 11
    apply({ kind: 'free', target: 4 }); // 11: 28@2 = maxOrder, head: C@2 [28]
    apply({ kind: 'free', target: 5 }); // 12: C@2 [24, 28]
    // 13 cmaAlloc count 4 align 2: mask 3, offset 0, bits 4.
    // Window bit 0 → [16, 20): isolate block 16 (18@1 → ISOLATE). Scan: 16 pinned (skipped),
    // 17 #8 movable, 18 free. #8's target: MOVABLE lists empty → CMA: C@2 [24, 28] → 24, expand
    // 26@1, 25@0. Old 17 freed with its block's type ISOLATE: buddy 16 held, parent 16's buddy
    // 18@1 free → tail, I@0 [17]. outer_start: no free head covers 16 → 16; test_pages_isolated
    // stops at 16 (held) → -EBUSY ("PFNs busy"). Undo: 16 is no free head → move_freepages_block
    // moves 17@0, 18@1 (ascending, each to the head) back to CMA: C@0 [17, 25], C@1 [18, 26].
    // Bits cleared; start = 0 + 3 + 1 = 4.
    // Window bit 4 → [20, 24) = #6: its order-2 target is C@2 [28] → 28; old 20 freed onto
    // I@2; outer_start 20, test passes, 20@2 taken whole; undo moves nothing. → pfn 20.
    expect(apply(cmaAllocOp(4, 2))).toEqual(ok(20));
    expect(apply({ kind: 'check', target: 8 })).toEqual({ ok: true }); // 14
    const snapshot = model.snapshot();
    expect([7, 8, 6, 13].map((id) => pfnOf(snapshot, id))).toEqual([16, 24, 28, 20]);
    expect(snapshot.allocations.find((a) => a.id === 8))
      .toMatchObject({ frameToken: 11, token: 11 });
    expect(lists(snapshot, C)).toEqual([[17, 25], [18, 26], []]);
    // Free: 17, 25 and 18..19, 26..27 = 6 pages, all on CMA lists.
    expect(snapshot.zones[0].nrFreePages).toBe(6);
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(6);
    expect(snapshot.cma[0].bitmap).toEqual([0b11110000]);
    expect(snapshot.pageblocks).toBe('MMMMCCCC');
    expect(snapshot.zones[0].nrIsolatePageblock).toBe(0);
    const behaviours = model.behaviours();
    expect(behaviours['cma.ebusyRetry']).toBe(1);
    expect(behaviours['contig.pfnsBusy']).toBe(1);
    expect(behaviours['migrate.pages']).toBe(5); // base pages: #8's one and #6's four
  });
});

describe('migration moves a movable allocation and its data (§12.6)', () => {
  it('moves it out of the area to a MOVABLE target', () => {
    const { model, apply } = bootTrace(WORLD_B);
    fillMovable(apply);
    // #4 order 0 MOVABLE: C@2 [28, ...] split → 28 (30@1, 29@0 on CMA lists).
    expect(apply(alloc(0))).toEqual({ ok: true, pfn: 28 });
    apply({ kind: 'write', target: 4 }); // 5: token 6
    apply({ kind: 'free', target: 3 }); // 6: M@2 [0]
    // 7 cmaAlloc count 16: the whole area, window [16, 32). Isolation moves every free head of
    // the 4 blocks to ISOLATE. Scan: #4 at 28 is the one unit; target allocPages(0, MOVABLE):
    // M@2 [0] → 0 (expand 2@1, 1@0 onto MOVABLE). Old 28 freed as ISOLATE merges with 29@0 and
    // 30@1 into 28@2. The range is all free and isolated → taken; undo moves nothing.
    expect(apply(cmaAllocOp(16, 0))).toEqual(ok(16));
    expect(apply({ kind: 'check', target: 4 })).toEqual({ ok: true });
    const snapshot = model.snapshot();
    expect(snapshot.allocations.find((a) => a.id === 4)).toMatchObject({
      pfn: 0, sourceList: M, frameToken: 6,
    });
    expect(lists(snapshot, M)).toEqual([[1], [2], []]);
    expect(lists(snapshot, I)).toEqual([[], [], []]);
    expect(snapshot.zones[0].nrFreePages).toBe(3);
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(0);
  });

  it('migrates in batches of COMPACT_CLUSTER_MAX, each in descending pfn order', () => {
    // 256 pages, area [128, 256). 32 order-2 MOVABLE allocations take M@2 [124, 120, ..., 0] in
    // that order. 40 order-0 MOVABLE ones then split CMA blocks from the C@2 head 252 down,
    // ascending inside each: 252..255, 248..251, ..., 216..219. Freeing #0..#9 (124, 120, ...,
    // 88) puts each at the M@2 head: M@2 [88, 92, ..., 124], so the 40 targets are 88, 89, ...,
    // 127 in that order. The scan collects 216..247 first (32 units) and migrates them
    // descending: 247 → 88, ..., 216 → 119; then 248..255 descending: 255 → 120, ..., 248 → 127.
    const { model, apply } = bootTrace({
      pages: 256, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
      cma: [{ base: 128, size: 128, orderPerBit: 0 }],
    });
    for (let i = 0; i < 32; i++) expect(apply(alloc(2)).pfn).toBe(124 - 4 * i);
    const unitPfn = new Map<number, number>();
    for (let i = 0; i < 40; i++) unitPfn.set(32 + i, apply(alloc(0)).pfn ?? -1);
    for (let id = 0; id < 10; id++) apply({ kind: 'free', target: id });
    expect(apply(cmaAllocOp(128, 0))).toEqual(ok(128));
    const snapshot = model.snapshot();
    for (const [id, oldPfn] of unitPfn) {
      const expected = oldPfn < 248 ? 88 + (247 - oldPfn) : 120 + (255 - oldPfn);
      expect([oldPfn, pfnOf(snapshot, id)]).toEqual([oldPfn, expected]);
    }
    expect(model.behaviours()['migrate.pages']).toBe(40);
    expect(snapshot.zones[0].nrFreePages).toBe(0);
  });
});

describe('a migration target failure (§12.7)', () => {
  it('returns -ENOMEM, stops cma_alloc, and keeps the moves already made', () => {
    const { model, apply } = bootTrace(WORLD_B);
    fillMovable(apply);
    // #4..#7 order 2 from CMA: 28, 24, 20, 16. Memory is full.
    expect([0, 1, 2, 3].map(() => apply(alloc(2)).pfn)).toEqual([28, 24, 20, 16]);
    apply({ kind: 'write', target: 6 }); // 8: token 9
    apply({ kind: 'free', target: 0 }); // 9: M@2 [12]
    // 10 cmaAlloc count 8 → window [16, 24): the batch is [#7, #6], migrated descending. #6's
    // target: M@2 [12] → 12; old 20 → I@2 [20]. #7's target: no MOVABLE, no CMA outside the
    // isolated blocks, no fallback list → NULL → -ENOMEM → done: undo [16, 24) with CMA.
    // Block 16: no free head → nothing moved. Block 20: 20@2 ≥ pageblock order and its buddy
    // 16's block is no longer ISOLATE → the special path: __isolate_free_page, type CMA, then
    // __free_pages(20, 2): C@2 [20], +4 NR_FREE and NR_FREE_CMA. Bits cleared; no retry.
    expect(apply(cmaAllocOp(8, 0)))
      .toEqual({ ok: false, reason: 'ENOMEM' });
    expect(apply({ kind: 'check', target: 6 })).toEqual({ ok: true });
    const snapshot = model.snapshot();
    expect([6, 7].map((id) => pfnOf(snapshot, id))).toEqual([12, 16]);
    expect(lists(snapshot, C)).toEqual([[], [], [20]]);
    expect(snapshot.zones[0].nrFreePages).toBe(4);
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(4);
    expect(snapshot.cma[0].bitmap).toEqual([0]);
    expect(snapshot.pageblocks).toBe('MMMMCCCC');
    expect(snapshot.zones[0].nrIsolatePageblock).toBe(0);
    const behaviours = model.behaviours();
    expect(behaviours['cma.enomem']).toBe(1);
    expect(behaviours['migrate.pages']).toBe(4); // #6's four base pages
    expect(behaviours['isolate.undoMerge']).toBe(1);
    expect(behaviours['cma.ebusyRetry']).toBeUndefined();
  });
});

describe('isolation primitives (§6.5)', () => {
  it('undoes a failed start_isolate_page_range with the caller\'s type', () => {
    const { model, apply } = bootTrace(WORLD_PLAIN);
    const state = model.state;
    // #0 order 0 UNMOVABLE: no U page → fallback from order 2: M@2 head 28, order ≥ PB →
    // change_pageblock_range(28 → U), expand onto U lists → 28. Block 28 now U, 28 in use.
    expect(apply(alloc(0, 'UNMOVABLE'))).toEqual({ ok: true, pfn: 28 });
    // Blocks 16, 20, 24 (MOVABLE: isolatable without a scan) are isolated, 24@2 ... 16@2 move
    // to I@2; block 28 is U: has_unmovable_pages scans and finds 28, in use and not on the LRU.
    // Undo ascending with MOVABLE: 16@2's buddy 20 is still ISOLATE → move_freepages_block →
    // M@2 head; 20@2's buddy 16 is M now → special path, freed at the head; 24@2's buddy 28 is U
    // → special path, head. M@2 ends as before: [24, 20, 16, 12, 8, 4, 0].
    expect(startIsolatePageRange(state, 16, 32, M)).toBe(-16);
    const snapshot = model.snapshot();
    expect(snapshot.pageblocks).toBe('MMMMMMMU');
    expect(lists(snapshot, M)[2]).toEqual([24, 20, 16, 12, 8, 4, 0]);
    expect(snapshot.zones[0].nrFreePages).toBe(31);
    expect(snapshot.zones[0].nrIsolatePageblock).toBe(0);
    expect(model.behaviours()['isolate.unmovable']).toBe(1);
    expect(model.behaviours()['isolate.undoMerge']).toBe(2);
  });

  it('scans only non-MOVABLE, non-CMA blocks for unmovable pages', () => {
    const { model } = bootTrace({ ...WORLD_PLAIN, reserved: [{ startPfn: 0, endPfn: 1 }] });
    const state = model.state;
    const zone = state.zones[0];
    // Block 0 holds reserved pfn 0 but is MOVABLE: isolatable without a scan. Typed U, the scan
    // meets the PageReserved page (refcount 1, not on the LRU): not isolatable.
    expect(hasUnmovablePages(state, zone, 0)).toBe(false);
    setPageblockMigratetype(state, 0, U);
    expect(hasUnmovablePages(state, zone, 0)).toBe(true);
    // The rest of the world holds no page in use: a U block of free buddies is isolatable.
    setPageblockMigratetype(state, 4, U);
    expect(hasUnmovablePages(state, zone, 4)).toBe(false);
  });

  it('counts the head of a movable allocation as LRU and skips its tail', () => {
    const { model, apply } = bootTrace(WORLD_PLAIN);
    const state = model.state;
    // An order-1 MOVABLE allocation in a U block: its head is on the LRU, its tail has refcount
    // 0 (no __GFP_COMP), 30@1 is a free buddy → isolatable. M@1 is empty, M@2 head 28 splits.
    expect(apply(alloc(1))).toEqual({ ok: true, pfn: 28 });
    setPageblockMigratetype(state, 28, U);
    expect(hasUnmovablePages(state, state.zones[0], 28)).toBe(false);
    // An UNMOVABLE order-1 allocation at 30 (U lists empty → fallback: MOVABLE lists from order
    // 2 down; M@2 head 24 → 24): its head is not on the LRU.
    expect(apply(alloc(1, 'UNMOVABLE'))).toEqual({ ok: true, pfn: 24 });
    expect(hasUnmovablePages(state, state.zones[0], 24)).toBe(true);
  });

  it('tests isolation block by block and then page by page', () => {
    const { model } = bootTrace(WORLD_B);
    const state = model.state;
    // Block 16 is CMA, not ISOLATE → -EBUSY at step (1).
    expect(testPagesIsolated(state, 16, 20)).toBe(-16);
    expect(startIsolatePageRange(state, 16, 24, C)).toBe(0);
    expect(model.snapshot().pageblocks).toBe('MMMMIICC');
    expect(testPagesIsolated(state, 16, 24)).toBe(0);
    // Starting inside the free block 16@2: 17 is no free head → the walk stops → -EBUSY.
    expect(testPagesIsolated(state, 17, 20)).toBe(-16);
    undoIsolatePageRange(state, 16, 24, C);
    const snapshot = model.snapshot();
    expect(snapshot.pageblocks).toBe('MMMMCCCC');
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(16);
    expect(snapshot.zones[0].nrIsolatePageblock).toBe(0);
  });
});

describe('free page isolation and alloc_contig_range on their own (§6.2, §6.5)', () => {
  it('gives every page back when isolate_freepages_range meets a page in use', () => {
    const { model, apply } = bootTrace(WORLD_B);
    fillMovable(apply);
    expect(apply(alloc(2))).toEqual({ ok: true, pfn: 28 }); // C@2 [24, 20, 16]
    const before = model.snapshot();
    // Chunk [24, 28): 24@2 taken (block CMA: -4 from vmstat). Chunk [28, 32): 28 is in use →
    // strict failure → 0. release_freepages frees 27, 26, 25, 24 (the list map_pages built):
    //  27 → head C@0 [27]; 26 + 27 → 26@1, head C@1 [26]; 25: parent 24's buddy 26@1 is free
    //  → tail C@0 [25]; 24 + 25 → 24@1, + 26@1 → 24@2 → head C@2 [24, 20, 16].
    expect(isolateFreepagesRange(model.state, 24, 32)).toBe(0);
    expect(model.snapshot()).toEqual(before);
    expect(model.behaviours()['contig.releaseFreepages']).toBe(1);
  });

  it('re-types a non-CMA pageblock MOVABLE when taking a free block of order ≥ PB − 1', () => {
    const { model, apply } = bootTrace(WORLD_PLAIN);
    // #0 order 0 UNMOVABLE steals block 28 (→ U) and expands 30@1, 29@0 onto U lists.
    expect(apply(alloc(0, 'UNMOVABLE'))).toEqual(ok(28));
    // __isolate_free_page(30, 1): block 28 is U, not ISOLATE → NR_FREE_PAGES -2 (by the block
    // type); order 1 ≥ pageblock_order - 1 = 1 → the block it starts (page 30 < endpage 31)
    // is neither ISOLATE nor CMA → MOVABLE (§12.4).
    expect(isolateFreePage(model.state, model.state.zones[0], 30, 1)).toBe(true);
    const snapshot = model.snapshot();
    expect(snapshot.pageblocks).toBe('MMMMMMMM');
    expect(lists(snapshot, U)).toEqual([[29], [], []]);
    expect(snapshot.zones[0].nrFreePages).toBe(29);
  });

  it('takes an unaligned range out of a larger free block and frees the head back', () => {
    const { model } = bootTrace(WORLD_PLAIN);
    // alloc_contig_range(18, 20, MOVABLE): isolate [16, 20) (16@2 → I@2). outer_start: 18 and
    // 18 & ~1 are no free heads, 18 & ~3 = 16 is one of order 2 covering 18 → 16. Take 16@2
    // (outer_end 20), free 16, 17 back onto ISOLATE (→ 16@1). Undo: 16@1 < pageblock order →
    // move_freepages_block → M@1 [16], +2.
    expect(allocContigRange(model.state, 18, 20, M)).toBe(0);
    const snapshot = model.snapshot();
    expect(lists(snapshot, M)).toEqual([[], [16], [28, 24, 20, 12, 8, 4, 0]]);
    expect(snapshot.zones[0].nrFreePages).toBe(30);
    expect(model.state.buddyOrder.slice(16, 20)).toEqual([1, -1, -1, -1]);
  });
});
