/**
 * Hand-derived K6_1 traces, one per rule in which K6_1 (Linux 6.1.20) differs from K4_9
 * (kernel-semantics.md §9, docs/MODEL.md "K6_1"): a tiny world and the few ops that reach the
 * rule. properties/impl/k61Rules.spec.ts replays each on impl and checks what the kernel does,
 * derived by hand in the comments here; the same traces are kept in counterexamples/ (as
 * `pass-k61-*.json`, found by hand) so that every corpus replay runs them through model and
 * impl too.
 *
 * Worlds are small: 64 pages, maxOrder 3 (8-page blocks) and pageblockOrder 1..3, mobility
 * grouping on. With one zone, named Normal, every request starts with ALLOC_NOFRAGMENT and its
 * retry (docs/MODEL.md: invisible with one zone); the derivations skip that pass unless it
 * matters.
 */
import type { Op } from '../../src/core/op.ts';

export interface HandTrace {
  /** World name, and the corpus file's label. */
  name: string;
  /** The §9 switch (or docs/MODEL.md entry) the trace is about. */
  rule: string;
  world: Record<string, unknown>;
  ops: Op[];
}

const alloc = (order: number, migratetype: 'UNMOVABLE' | 'MOVABLE' | 'RECLAIMABLE'): Op =>
  ({ kind: 'alloc', order, migratetype });
const repeat = (count: number, op: Op): Op[] => Array.from({ length: count }, () => op);
const on = (kind: 'free' | 'pin' | 'write' | 'check', target: number): Op => ({ kind, target });
const cmaAlloc = (area: number, count: number, align: number): Op =>
  ({ kind: 'cmaAlloc', area, count, align });

/** A K6_1 world of `pages` pages, maxOrder 3, mobility grouping on. */
function world(name: string, pageblockOrder: number, extra: Record<string, unknown> = {}) {
  return {
    name, profile: 'K6_1', pages: 64, maxOrder: 3, pageblockOrder,
    mobilityGroupingDisabled: false, ...extra,
  };
}

/** The upper half, pfns 32..63, one fixed CMA area. */
const topArea = { cma: [{ name: 'top', base: 32, size: 32, fixed: true }] };

/**
 * P14 — boot frees to the list tails (FPI_TO_TAIL): the order-3 MOVABLE list is
 * [0, 8, ..., 56] (K4_9: [56, ..., 0]), so the first allocation returns pfn 0 (K4_9: 56).
 */
export const bootToTail: HandTrace = {
  name: 'k61-boot-to-tail', rule: 'P14', world: world('k61-boot-to-tail', 2),
  ops: [alloc(0, 'MOVABLE')],
};

/**
 * P5 — CMA first. Boot: MOVABLE o3 [0, 8, 16, 24]; the CMA blocks merge into CMA o3
 * [56, 48, 40, 32] (activation frees pageblock by pageblock, each merged block goes to the head).
 *   0 alloc 0 M: NR_FREE_CMA 32 > NR_FREE 64 / 2? no → own list → 0
 *   1 alloc 0 M: 32 > 63 / 2 = 31 → CMA first → 56 (K4_9 takes its own list again: 1)
 */
export const cmaFirst: HandTrace = {
  name: 'k61-cma-first', rule: 'P5', world: world('k61-cma-first', 2, topArea),
  ops: [alloc(0, 'MOVABLE'), alloc(0, 'MOVABLE')],
};

/**
 * P11 — no merge across a CMA pageblock above pageblock order. CMA on [36, 40) (one pageblock;
 * K6_1 aligns areas to pageblocks only). Boot frees [0, 36) and [40, 64): MOVABLE o2 [32];
 * activation frees 36 as CMA o2, whose free buddy 32 is MOVABLE: no merge (K4_9 would merge).
 *   0 alloc 2 M → 32;  1 free #0 → 32 is MOVABLE o2 again, 36 CMA o2, no o3 block at 32
 */
export const noMergeAcrossCma: HandTrace = {
  name: 'k61-no-merge-across-cma', rule: 'P11',
  world: world('k61-no-merge-across-cma', 2, {
    cma: [{ name: 'one', base: 36, size: 4, fixed: true }],
  }),
  ops: [alloc(2, 'MOVABLE'), on('free', 0)],
};

/**
 * P6 — find_smallest. pageblockOrder 4, so a MOVABLE request may not steal fallback blocks
 * below order 2 (pageblock_order / 2).
 *   0 alloc 0 U: steals the o4 block 0 (a whole pageblock, re-typed U) → 0; U: 1 o0, 2 o1,
 *     4 o2, 8 o3
 *   1 alloc 3 U → 8;  2 alloc 2 U → 4;  3-5 alloc 4 M → 16, 32, 48 (no MOVABLE memory left)
 *   6 alloc 0 M: the largest fallback is U o1 [2], not stealable and above order 0 → the
 *     smallest one, U o0 [1], moves alone to the M list → 1 (K4_9 splits 2 → 2)
 */
export const findSmallest: HandTrace = {
  name: 'k61-find-smallest', rule: 'P6',
  world: { ...world('k61-find-smallest', 4), maxOrder: 4 },
  ops: [
    alloc(0, 'UNMOVABLE'), alloc(3, 'UNMOVABLE'), alloc(2, 'UNMOVABLE'),
    ...repeat(3, alloc(4, 'MOVABLE')), alloc(0, 'MOVABLE'),
  ],
};

/**
 * P9 + P7 (MOVABLE) — a whole-pageblock steal moves the free pages to the list tails and claims
 * the pageblock on free + alike pages. pageblockOrder 3 (one 8-page block per max-order block).
 *   0 alloc 0 U: steals o3 block 0 → 0; U: 1 o0, 2 o1, 4 o2
 *   1 alloc 0 M → 8 (M: 9 o0, 10 o1, 12 o2);  2 alloc 2 M → 12;  3 alloc 1 M → 10 (M o0 [9])
 *   4-9 alloc 3 M → 16 .. 56 (no MOVABLE block of order >= 1 left)
 *   10 alloc 1 M: fallback U o2 [4] (order 2 >= 3 / 2: may steal the block): block 0's free
 *     pages 1, 2, 4 move to the M tails (M o0 [9, 1]; K4_9: [1, 9]), 7 free >= 4 → block 0 is
 *     claimed MOVABLE; the retry takes the smallest moved block of order >= 1 → 2
 */
export const stealToTail: HandTrace = {
  name: 'k61-steal-to-tail', rule: 'P9 P7',
  world: world('k61-steal-to-tail', 3),
  ops: [
    alloc(0, 'UNMOVABLE'), alloc(0, 'MOVABLE'), alloc(2, 'MOVABLE'), alloc(1, 'MOVABLE'),
    ...repeat(6, alloc(3, 'MOVABLE')), alloc(1, 'MOVABLE'),
  ],
};

/**
 * P7 (UNMOVABLE from a MOVABLE block) — alike pages are those neither free nor on an LRU list.
 * Reserved [0, 5): boot frees 5 o0, 6 o1, 8 .. 56 o3.
 *   0-6 alloc 3 M → 8 .. 56
 *   7 alloc 0 U: fallback M o1 [6]; block 0 has 3 free pages (5, 6, 7) and 5 reserved ones:
 *     3 + 5 >= 4 → claimed UNMOVABLE (K4_9: 3 moved < 4, stays MOVABLE); retry → 5
 */
export const claimAlike: HandTrace = {
  name: 'k61-claim-alike', rule: 'P7',
  world: world('k61-claim-alike', 3, { reserved: [{ startPfn: 0, endPfn: 5 }] }),
  ops: [...repeat(7, alloc(3, 'MOVABLE')), alloc(0, 'UNMOVABLE')],
};

/**
 * P10 — ALLOC_NOFRAGMENT. Zones DMA32 [0, 32) and Normal [32, 64), pageblockOrder 2.
 *   0-2 alloc 3 M → 32, 40, 48;  3 alloc 2 M → 56;  4 alloc 1 M → 60 (Normal: M o1 [62])
 *   5 alloc 0 U: first pass, ALLOC_NOFRAGMENT: Normal has no fallback block of order >= 2; DMA32
 *     has M o3 [0, ...] → steal → 0 (without the flag Normal would fragment: 62)
 */
export const noFragment: HandTrace = {
  name: 'k61-nofragment', rule: 'P10',
  world: world('k61-nofragment', 2, {
    zones: [{ name: 'DMA32', startPfn: 0, endPfn: 32 }, { name: 'Normal', startPfn: 32, endPfn: 64 }],
  }),
  ops: [
    ...repeat(3, alloc(3, 'MOVABLE')), alloc(2, 'MOVABLE'), alloc(1, 'MOVABLE'),
    alloc(0, 'UNMOVABLE'),
  ],
};

/** noFragment's world with the zones named so that the highest is not Normal: no flag. */
export const noFragmentOff: HandTrace = {
  ...noFragment, name: 'k61-nofragment-off', rule: 'P10',
  world: {
    ...noFragment.world, name: 'k61-nofragment-off',
    zones: [{ name: 'DMA', startPfn: 0, endPfn: 32 }, { name: 'DMA32', startPfn: 32, endPfn: 64 }],
  },
};

/**
 * P22 — a failed activation gives the area to the buddy and the next area still activates.
 * Zones DMA32 [0, 32) and Normal [32, 64); area A [28, 36) straddles them, B is [48, 56).
 * A's pages are freed one by one as MOVABLE: DMA32 merges 24 o2 + 28..31 into o3 24, Normal
 * 32..35 + 36 o2 into o3 32; B's blocks merge into CMA o3 [48].
 *   0 cmaAlloc A 1 → area-failed (count 0);  1 cmaAlloc B 4 → 48
 */
export const failedActivation: HandTrace = {
  name: 'k61-failed-activation', rule: 'P22',
  world: world('k61-failed-activation', 2, {
    zones: [{ name: 'DMA32', startPfn: 0, endPfn: 32 }, { name: 'Normal', startPfn: 32, endPfn: 64 }],
    cma: [
      { name: 'A', base: 28, size: 8, fixed: true },
      { name: 'B', base: 48, size: 8, fixed: true },
    ],
  }),
  ops: [cmaAlloc(0, 1, 0), cmaAlloc(1, 4, 0)],
};

/**
 * P20 — the corrected bitmap offset, base mod 2^align. Area [2, 18) (pageblockOrder 1), count
 * 2, align 3: mask 7, offset 2 → bit 6 → pfn 8 (K4_9's (-base) mod 8 = 6 gives bit 2, pfn 4).
 */
export const bitmapOffset: HandTrace = {
  name: 'k61-bitmap-offset', rule: 'P20',
  world: world('k61-bitmap-offset', 1, { cma: [{ name: 'low', base: 2, size: 16, fixed: true }] }),
  ops: [cmaAlloc(0, 2, 3)],
};

/**
 * P25 — pageblock-granular isolation splits a free block at the window's edge. pageblockOrder 1;
 * the CMA lists after boot: o3 [56, 48, 40, 32].
 *   0 cmaAlloc 2 → window [32, 34): only pageblock 32 is isolated (K4_9: all of [32, 40));
 *     split_free_page() cuts o3 32 at 34: 32 o1 (ISOLATE, taken), 34 o1 and 36 o2 (CMA)
 */
export const isolateSplit: HandTrace = {
  name: 'k61-isolate-split', rule: 'P25', world: world('k61-isolate-split', 1, topArea),
  ops: [cmaAlloc(0, 2, 0)],
};

/**
 * P25 — a THP crossing the window's edge is migrated before the free block it leaves is split.
 * pageblockOrder 1.
 *   0 alloc 0 U → 0 (steals o3 block 0);  1 alloc 2 M: CMA 32 > 63 / 2 → CMA first → 56, a
 *     THP over pageblocks 56 and 58;  2 write #1
 *   3 cmaAlloc 24 → [32, 56)
 *   4 cmaAlloc 2 → window [56, 58): isolating pageblock 56, the scan finds the THP 56..59
 *     crossing 58 → migrated to 8 (M o3 [8, 16, 24]); freed on the ISOLATE list, split at 58:
 *     56 o1 taken, 58 o1 CMA; 60 o2 CMA was there → 56
 *   5 check #1 → ok (the data moved with it)
 */
export const isolateThp: HandTrace = {
  name: 'k61-isolate-thp', rule: 'P25', world: world('k61-isolate-thp', 1, topArea),
  ops: [
    alloc(0, 'UNMOVABLE'), alloc(2, 'MOVABLE'), on('write', 1), cmaAlloc(0, 24, 0),
    cmaAlloc(0, 2, 0), on('check', 1),
  ],
};

/**
 * Pins (docs/MODEL.md "K6_1") — a long-term pin first migrates a page out of CMA, with an
 * UNMOVABLE request.
 *   0 alloc 0 M → 0;  1 alloc 0 M → 56 (CMA first, as cmaFirst)
 *   2 pin #1: 56 is in a CMA pageblock → UNMOVABLE target: steals M o3 [8] → 8; pinned at 8
 */
export const pinMigrates: HandTrace = {
  name: 'k61-pin-migrates', rule: 'pins', world: world('k61-pin-migrates', 2, topArea),
  ops: [alloc(0, 'MOVABLE'), alloc(0, 'MOVABLE'), on('pin', 1)],
};

/**
 * Pins — no target: the pin fails with -ENOMEM and the page stays, unpinned. 32 pages, CMA on
 * [16, 32).
 *   0-1 alloc 3 U → 0, 8 (all non-CMA memory);  2 alloc 0 M → 24 (CMA: nothing else is free)
 *   3 pin #2 → ENOMEM (an UNMOVABLE request cannot use CMA)
 */
export const pinNoTarget: HandTrace = {
  name: 'k61-pin-no-target', rule: 'pins',
  world: {
    ...world('k61-pin-no-target', 2), pages: 32,
    cma: [{ name: 'top', base: 16, size: 16, fixed: true }],
  },
  ops: [alloc(3, 'UNMOVABLE'), alloc(3, 'UNMOVABLE'), alloc(0, 'MOVABLE'), on('pin', 2)],
};

/** Every hand trace, in the order above. */
export const K61_TRACES: readonly HandTrace[] = [
  bootToTail, cmaFirst, noMergeAcrossCma, findSmallest, stealToTail, claimAlike, noFragment,
  noFragmentOff, failedActivation, bitmapOffset, isolateSplit, isolateThp, pinMigrates,
  pinNoTarget,
];
