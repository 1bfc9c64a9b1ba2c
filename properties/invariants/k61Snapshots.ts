/**
 * Hand-built K6_1 snapshots for the invariant suites, derived step by step from the v6.1.20
 * rules (kernel-semantics.md §5.5 K6_1, §7.8, §9 P14, P22), like properties/support/snapshots.ts
 * does for K4_9.
 */
import { MIGRATE_MOVABLE, MIGRATE_TYPES } from '../../src/core/migratetype.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { World } from '../../src/core/world.ts';
import { failedAreaWorld } from '../support/snapshots.ts';

const M = MIGRATE_MOVABLE;

/** failedAreaWorld() (DMA32 [0,16), Normal [16,32), area 'span' [8,24)) under K6_1. */
export function failedAreaWorldK6_1(): World {
  return { ...failedAreaWorld(), profile: 'K6_1' };
}

function emptyFreeLists(maxOrder: number): number[][][] {
  return Array.from({ length: maxOrder + 1 },
    () => Array.from({ length: MIGRATE_TYPES }, (): number[] => []));
}

/**
 * failedAreaWorldK6_1() after boot. K6_1's minimum alignment is a pageblock (4 pages), so 'span'
 * [8,24) registers (totalcma_pages 16). free_all_bootmem frees [0,8) in DMA32 and [24,32) in
 * Normal as order-3 blocks at the tail: M@3 [0] and [24]. cma_activate_area checks every pfn
 * before touching a block: 16 lies in Normal → not_in_zone: free_reserved_page() on 8..23, each
 * an order-0 MOVABLE free (the blocks were never typed CMA). In DMA32: 8, 9 → 8@1; 10 (its
 * parent's buddy 8@1 is free → tail), 11 → 10@1 → 8@2; 12, 13 → 12@1; 14, 15 → 14@1 → 12@1 →
 * 12@2, which merges with 8@2 (MOVABLE with MOVABLE) → 8@3, at the head: M@3 [8, 0]. Normal
 * the same: M@3 [16, 24]. managed_pages +8 in each zone; totalcma_pages 16 − 16 = 0; count 0;
 * nothing reserved; every pageblock MOVABLE.
 */
export function failedAreaSnapshotK6_1(): Snapshot {
  const dma32 = emptyFreeLists(3);
  dma32[3][M] = [8, 0];
  const normal = emptyFreeLists(3);
  normal[3][M] = [16, 24];
  return {
    profile: 'K6_1', pages: 32, maxOrder: 3, pageblockOrder: 2,
    zones: [
      {
        name: 'DMA32', startPfn: 0, endPfn: 16, managedPages: 16, freeLists: dma32,
        nrFree: [0, 0, 0, 2], nrFreePages: 16, nrFreeCmaPages: 0, nrIsolatePageblock: 0,
      },
      {
        name: 'Normal', startPfn: 16, endPfn: 32, managedPages: 16, freeLists: normal,
        nrFree: [0, 0, 0, 2], nrFreePages: 16, nrFreeCmaPages: 0, nrIsolatePageblock: 0,
      },
    ],
    pageblocks: 'MMMMMMMM',
    reserved: [],
    allocations: [],
    cma: [{
      name: 'span', basePfn: 8, count: 0, declaredCount: 16, orderPerBit: 0, state: 'failed',
      bitmap: [], used: 0, maxchunk: 0,
    }],
    totalcmaPages: 0,
  };
}
