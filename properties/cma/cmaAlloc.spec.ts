/**
 * Worked scenarios for cma_alloc / cma_release, K4_9 (model/cma.ts over model/contig.ts,
 * model/isolation.ts), driven through ModelAllocator with ops as a trace would carry them:
 * first fit with alignment and order_per_bit, the last partial chunk, release, activation
 * failure, the §12.11 offset bug, and the DMA layer (model/dma.ts). Every expected value is
 * derived by hand in the comment above it from the kernel function cited.
 *
 * Notation: `C@2 [60, 56]` = zone.freeArea[2].freeList[MIGRATE_CMA], list head first; `#n` is the
 * allocation made by op n. World A (most tests): 64 pages, maxOrder 2 (MAX_ORDER 3), pageblocks
 * of 4, one zone, area cma0 fixed at [32, 64) with order_per_bit 1 (K4_9 alignment unit
 * 2^max(2, 2) = 4 pages, so cma_init_reserved_mem accepts it). Boot (§7.8, §5.5):
 * free_all_bootmem frees [0, 32) as order-2 chunks ascending, each at the head (rule T only
 * below order MAX_ORDER-2 = 1): M@2 [28, 24, ..., 0]; activation frees each CMA pageblock at
 * order 2 (no merge above maxOrder) at the head: C@2 [60, 56, ..., 32].
 *
 * Not covered here: migration (migration.spec.ts), debugfs (cmaBitmap.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import { MIGRATE_CMA, MIGRATE_MOVABLE } from '../../src/core/migratetype.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { cmaAlloc, cmaRelease } from '../../model/cma.ts';
import { devGetCmaArea, dmaAllocFromContiguous, getOrder } from '../../model/dma.ts';
import { decodeResult } from '../../src/core/result.ts';

/** A cmaAlloc op on `area` (0 unless told). */
const cmaAllocOp = (count: number, align: number, area = 0): Op =>
  ({ kind: 'cmaAlloc', area, count, align });

/** The result of an op that allocated at `pfn`. */
const ok = (pfn: number): OpResult => ({ ok: true, pfn });

const C = MIGRATE_CMA;
const M = MIGRATE_MOVABLE;

const WORLD_A = {
  pages: 64, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
  cma: [{ name: 'cma0', base: 32, size: 32, orderPerBit: 1 }],
};

/** A booted model and a trace runner: each applied op takes the next step index. */
function bootTrace(world: Record<string, unknown>): {
  model: ModelAllocator; apply: (op: Op) => OpResult;
} {
  const model = new ModelAllocator();
  model.boot(parseWorld(world));
  let step = 0;
  return { model, apply: (op) => decodeResult(model.apply(op, step++)) };
}

/** zone 0's lists of one migratetype for every order, head first. */
function lists(snapshot: Snapshot, mt: number, zone = 0): number[][] {
  return snapshot.zones[zone].freeLists.map((byType) => byType[mt]);
}

describe('cma_alloc first fit (K4_9, §5.6)', () => {
  it('places aligned requests by bitmap_find_next_zero_area_off with order_per_bit 1', () => {
    const { model, apply } = bootTrace(WORLD_A);
    // #0 count 2 align 0: bits = ALIGN(2, 2) >> 1 = 1; align 0 ≤ opb → mask 0, offset 0; the
    // first zero bit is 0 → pfn 32 + (0 << 1) = 32. alloc_contig_range(32, 34, CMA) isolates
    // [32, 36) (max(MAX_ORDER_NR_PAGES 4, pageblock 4)): 32@2 moves to ISOLATE (NR_FREE -4), is
    // taken whole by isolate_freepages_range (outer_end 36), and 34, 35 are freed back one by
    // one onto ISOLATE lists: 34@0 (buddy 35 busy), then 35 merges → 34@1 (buddy 32@1 taken).
    // undo_isolate_page_range: 32 is no free head → move_freepages_block(CMA) moves 34@1 to
    // C@1 (+2 pages to NR_FREE and NR_FREE_CMA).
    expect(apply(cmaAllocOp(2, 0))).toEqual(ok(32));
    let snapshot = model.snapshot();
    expect(lists(snapshot, C)).toEqual([[], [34], [60, 56, 52, 48, 44, 40, 36]]);
    expect(snapshot.zones[0].nrFreePages).toBe(62);
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(30);
    // #1 count 4 align 3: mask = 2^(3-1) - 1 = 3; offset = (ALIGN(32, 8) - 32) >> 1 = 0;
    // bits 2. First zero bit 1 → __ALIGN_MASK(1 + 0, 3) - 0 = 4; bits 4, 5 clear → pfn
    // 32 + 4·2 = 40, aligned to 8 pages. [40, 44) is one free pageblock: isolated, taken whole
    // (outer_end 44 = end), nothing freed back; undo moves nothing.
    expect(apply(cmaAllocOp(4, 3))).toEqual(ok(40));
    // #2 count 2 align 0: first zero bit is 1 → pfn 34. Isolating [32, 36) moves 34@1 to
    // ISOLATE; outer_start = 34 (a free head), test_pages_isolated walks 34 + 2 = 36; taken.
    expect(apply(cmaAllocOp(2, 0))).toEqual(ok(34));
    snapshot = model.snapshot();
    // Bits 0, 1, 4, 5 → u32 word 1 + 2 + 16 + 32 = 51; used = 4 bits << 1 = 8 pages.
    expect(snapshot.cma[0].bitmap).toEqual([51]);
    expect(snapshot.cma[0].used).toBe(8);
    expect(lists(snapshot, C)).toEqual([[], [], [60, 56, 52, 48, 44, 36]]);
    expect(snapshot.zones[0].nrFreePages).toBe(56);
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(24);
    expect(snapshot.pageblocks).toBe('MMMMMMMMCCCCCCCC');
    expect(snapshot.zones[0].nrIsolatePageblock).toBe(0);
    expect(snapshot.allocations.map((a) => [a.id, a.kind, a.pfn, a.pageCount])).toEqual([
      [0, 'cma', 32, 2], [1, 'cma', 40, 4], [2, 'cma', 34, 2],
    ]);
    expect(model.behaviours()['cma.alloc.ok']).toBe(3);
  });

  it('marks the last partial chunk used while its tail page stays free (§12.20)', () => {
    const { model, apply } = bootTrace(WORLD_A);
    // #0 count 3: bits = ALIGN(3, 2) >> 1 = 2 → bits 0, 1, pfn 32; alloc_contig_range(32, 35)
    // takes exactly 3 pages: 32@2 is taken whole and 35 is freed back (ISOLATE, then moved to
    // C@0 by the undo). Bit 1 covers pfns 34, 35 although 35 is free in the buddy.
    expect(apply(cmaAllocOp(3, 0))).toEqual(ok(32));
    const snapshot = model.snapshot();
    expect(lists(snapshot, C)).toEqual([[35], [], [60, 56, 52, 48, 44, 40, 36]]);
    expect(snapshot.cma[0].bitmap).toEqual([0b11]);
    expect(snapshot.cma[0].used).toBe(4);
    expect(snapshot.zones[0].nrFreePages).toBe(61);
    expect(snapshot.zones[0].nrFreeCmaPages).toBe(29);
    // #1 count 1: first zero bit is 2 → pfn 36, not the free pfn 35 inside chunk 1.
    expect(apply(cmaAllocOp(1, 0))).toEqual(ok(36));
  });

  it('fails without touching memory for zero-count, too-large and no-space requests', () => {
    const { model, apply } = bootTrace(WORLD_A);
    const before = model.snapshot();
    // cma_alloc: `if (!count) return NULL`; bits = 33 pages → 17 > maxno 16 → NULL.
    expect(apply(cmaAllocOp(0, 0)))
      .toEqual({ ok: false, reason: 'zero-count' });
    expect(apply(cmaAllocOp(33, 0)))
      .toEqual({ ok: false, reason: 'too-large' });
    expect(model.snapshot()).toEqual(before);
    // The whole area (16 bits) fits once; then the first zero bit is maxno → aligned 16 → end
    // 16 + 1 > 16: bitmap_find_next_zero_area_off returns ≥ maxno → NULL.
    expect(apply(cmaAllocOp(32, 0))).toEqual(ok(32));
    expect(apply(cmaAllocOp(1, 0)))
      .toEqual({ ok: false, reason: 'no-space' });
    expect(model.behaviours()['cma.alloc.fail']).toBe(3);
    expect(model.snapshot().zones[0].nrFreeCmaPages).toBe(0);
  });

  it('misaligns the result when the area base is not aligned to 2^align (K4_9, §12.11)', () => {
    // Area [36, 60), opb 0 (36 and 24 are multiples of the 4-page unit). align 4 (16 pages)
    // exceeds the unit, so the offset matters: K4_9 computes (ALIGN(36, 16) - 36) >> 0 = 12
    // where ≥ v4.10 computes 36 & 15 = 4. mask 15; first zero bit 0 → __ALIGN_MASK(0 + 12, 15)
    // - 12 = 4 → pfn 36 + 4 = 40, and 40 % 16 = 8: misaligned. (The fixed offset gives
    // __ALIGN_MASK(0 + 4, 15) - 4 = 12 → pfn 48, aligned.)
    const { apply } = bootTrace({
      pages: 64, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
      cma: [{ base: 36, size: 24, orderPerBit: 0 }],
    });
    expect(apply(cmaAllocOp(4, 4))).toEqual(ok(40));
  });
});

describe('cma_release (K4_9, §5.7)', () => {
  it('gives every page back and an identical cma_alloc succeeds at the same pfn', () => {
    const { model, apply } = bootTrace(WORLD_A);
    const booted = model.snapshot();
    expect(apply(cmaAllocOp(3, 0))).toEqual(ok(32));
    // free_contig_range(32, 3), order-0 __free_page each, block type CMA:
    //  32: buddy 33 held; parent 32's order-1 buddy 34 held        → head C@0 [32, 35]
    //  33: + 32 → 32@1; buddy 34@1 held (rule T needs order < 1)    → head C@1 [32]
    //  34: + 35 → 34@1, + 32@1 → 32@2 = maxOrder                    → head C@2 [32, 60, ..., 36]
    // then cma_clear_bitmap(32, 3) clears bits 0..1. NR_FREE +3 → 64, NR_FREE_CMA +3 → 32.
    expect(apply({ kind: 'cmaRelease', target: 0 })).toEqual({ ok: true });
    const released = model.snapshot();
    expect(lists(released, C)).toEqual([[], [], [32, 60, 56, 52, 48, 44, 40, 36]]);
    expect(released.zones[0].nrFreePages).toBe(64);
    expect(released.zones[0].nrFreeCmaPages).toBe(32);
    expect(released.cma[0]).toEqual(booted.cma[0]);
    expect(released.allocations).toEqual([]);
    // Same request, same first fit: bit 0 is clear again → pfn 32.
    expect(apply(cmaAllocOp(3, 0))).toEqual(ok(32));
  });

  it('returns false for a pfn outside the area and asserts a run past its end', () => {
    const { model } = bootTrace(WORLD_A);
    // cma_release: `pfn < base_pfn || pfn >= base_pfn + count` → false, nothing freed.
    expect(cmaRelease(model.state, 0, 31, 1)).toBe(false);
    expect(cmaRelease(model.state, 0, 64, 1)).toBe(false);
    // VM_BUG_ON(pfn + count > base_pfn + count).
    expect(() => cmaRelease(model.state, 0, 60, 8)).toThrow(/runs past area/);
  });
});

describe('activation failure across zones (K4_9, §5.5, §12.10)', () => {
  // Zones DMA32 [0, 32) and Normal [32, 64); cma0 declared at [24, 40) spans both, cma1 at
  // [48, 56). cma_activate_area(cma0): blocks 24 and 28 lie in base_pfn's zone → CMA, freed;
  // block 32 is in Normal → -EINVAL, count 0, bitmap freed. cma_init_reserved_areas stops:
  // cma1 is never activated (count 8, bitmap NULL). [32, 40) and [48, 56) stay reserved;
  // totalcma_pages keeps all 24 declared pages.
  const world = {
    pages: 64, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
    zones: [
      { name: 'DMA32', startPfn: 0, endPfn: 32 }, { name: 'Normal', startPfn: 32, endPfn: 64 },
    ],
    cma: [{ base: 24, size: 16 }, { base: 48, size: 8 }],
  };

  it('leaves earlier blocks CMA, later blocks reserved and later areas inactive', () => {
    const { model } = bootTrace(world);
    const snapshot = model.snapshot();
    expect(snapshot.pageblocks).toBe('MMMMMMCCMMMMMMMM');
    expect(snapshot.reserved).toEqual([{ startPfn: 32, endPfn: 40 }, { startPfn: 48, endPfn: 56 }]);
    expect(snapshot.cma.map((area) => [area.state, area.count]))
      .toEqual([['failed', 0], ['inactive', 8]]);
    expect(snapshot.totalcmaPages).toBe(24);
    expect(lists(snapshot, C, 0)).toEqual([[], [], [28, 24]]);
  });

  it('fails cma_alloc on the failed area and oopses on the inactive one', () => {
    const { model, apply } = bootTrace(world);
    // cma0: `!cma->count` → NULL. cma1: count 8 passes, zero count and bits > maxno return
    // before the bitmap is read; anything else reads the NULL bitmap.
    expect(apply(cmaAllocOp(1, 0)))
      .toEqual({ ok: false, reason: 'area-failed' });
    expect(apply(cmaAllocOp(0, 0, 1)))
      .toEqual({ ok: false, reason: 'zero-count' });
    expect(apply(cmaAllocOp(9, 0, 1)))
      .toEqual({ ok: false, reason: 'too-large' });
    expect(apply(cmaAllocOp(1, 0, 1)))
      .toEqual({ ok: false, reason: 'oops' });
    // cma_release on the failed area: every pfn is outside [24, 24 + 0).
    expect(cmaRelease(model.state, 0, 24, 1)).toBe(false);
  });
});

describe('dma_alloc_from_contiguous (K4_9, §7.7)', () => {
  // Device tree node 'vpu' (shared-dma-pool, reusable, reg 0x30000 + 64 KiB → pfns [48, 64))
  // registers area 0; `cma=64K@0x20000` then reserves the default area 1 at [32, 48) (fixed:
  // base + size == limit). Device 0 references 'vpu', device 1 has no memory-region.
  const world = {
    pages: 64, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
    cmdline: 'cma=64K@0x20000',
    reservedMemory: [
      { name: 'vpu', compatible: 'shared-dma-pool', reusable: true, reg: [0x30000, 0x10000] },
    ],
    devices: [{ name: 'vpu-dev', 'memory-region': 'vpu' }, { name: 'gpu' }],
  };

  it('uses the device\'s own area, else the default one', () => {
    const { model, apply } = bootTrace(world);
    expect(devGetCmaArea(model.state, 0)).toBe(0);
    expect(devGetCmaArea(model.state, 1)).toBe(1);
    // Device 0, 8192 bytes: count 2, align = min(get_order(8192) = 1, CMA_ALIGNMENT 8) = 1 →
    // mask 1 on area 0 (base 48, opb 0) → first fit at bit 0 → pfn 48.
    expect(apply({ kind: 'dmaAlloc', device: 0, size: 8192 })).toEqual(ok(48));
    // Device 1, 12288 bytes: count 3, align min(2, 8) = 2 → default area 1 (base 32) → pfn 32.
    expect(apply({ kind: 'dmaAlloc', device: 1, size: 12288 })).toEqual(ok(32));
    // Device 1 again, 5000 bytes: count ceil(5000 / 4096) = 2, align get_order(5000) = 1,
    // mask 1: first zero bit 3 → aligned 4 → pfn 36.
    expect(apply({ kind: 'dmaAlloc', device: 1, size: 5000 })).toEqual(ok(36));
    const snapshot = model.snapshot();
    expect(snapshot.allocations.map((a) => [a.kind, a.area, a.pfn, a.pageCount])).toEqual([
      ['dma', 0, 48, 2], ['dma', 1, 32, 3], ['dma', 1, 36, 2],
    ]);
    expect(snapshot.cma.map((area) => area.bitmap)).toEqual([[0b11], [0b110111]]);
    // dma_release_from_contiguous → cma_release on the area the allocation came from.
    expect(apply({ kind: 'dmaFree', target: 1 })).toEqual({ ok: true });
    expect(model.snapshot().cma[1].bitmap).toEqual([0b110000]);
  });

  it('caps align at CONFIG_CMA_ALIGNMENT and has no area without a default', () => {
    // get_order: fls((size - 1) >> PAGE_SHIFT).
    expect([1, 4096, 4097, 8192, 8193, 1 << 20].map(getOrder)).toEqual([0, 0, 1, 1, 2, 8]);
    const { model } = bootTrace({
      pages: 64, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
      devices: [{ name: 'orphan' }],
    });
    expect(dmaAllocFromContiguous(model.state, 0, 4096))
      .toEqual({ area: -1, result: { reason: 'no-area' } });
    // `cma=256K@0x40000`: the default area is [64, 128), opb 0; CONFIG_CMA_ALIGNMENT 4.
    // 4 KiB: count 1, align 0 → bit 0 → pfn 64.
    const capped = bootTrace({
      pages: 128, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false,
      kconfig: { cmaAlignment: 4 }, cmdline: 'cma=256K@0x40000',
      devices: [{ name: 'any' }],
    });
    expect(capped.apply({ kind: 'dmaAlloc', device: 0, size: 4096 })).toEqual(ok(64));
    // 32 KiB: count 8, align min(3, 4) = 3 → mask 7 → bits 8..15 → pfn 72.
    expect(capped.apply({ kind: 'dmaAlloc', device: 0, size: 32768 })).toEqual(ok(72));
    // 128 KiB: count 32, align min(5, 4) = 4 → mask 15 → first zero bit 1 → 16; bits 16..47 →
    // pfn 80 (aligned to 16 pages only: with align 5 it would have been bit 32, pfn 96).
    expect(capped.apply({ kind: 'dmaAlloc', device: 0, size: 131072 })).toEqual(ok(80));
  });
});

describe('cmaAlloc called directly', () => {
  it('records nothing: the range is out of the buddy with no owner yet', () => {
    const { model } = bootTrace(WORLD_A);
    const result = cmaAlloc(model.state, 0, 4, 2);
    expect(result).toEqual({ pfn: 32 });
    expect(model.state.allocations.size).toBe(0);
    expect(model.state.owner.slice(32, 36)).toEqual([-1, -1, -1, -1]);
    expect(model.state.buddyOrder.slice(32, 36)).toEqual([-1, -1, -1, -1]);
    expect(model.state.pageblockMigratetype.slice(8)).toEqual(new Array(8).fill(C));
    expect(model.state.pageblockMigratetype.slice(0, 8)).toEqual(new Array(8).fill(M));
  });
});
