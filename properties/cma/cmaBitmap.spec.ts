/**
 * The CMA bitmap leaves, K4_9: lib/bitmap.c and lib/find_bit.c over boolean[] (model/bitmap.ts),
 * the cma_bitmap_* arithmetic of mm/cma.c (model/cma.ts) and the debugfs views of
 * mm/cma_debug.c (model/cmaDebug.ts; kernel-semantics.md §5.6, §5.8). Expected values are
 * worked out by hand from the kernel loops quoted in the comments.
 */
import { describe, expect, it } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import {
  bitmapClear, bitmapFindNextZeroAreaOff, bitmapSet, findNextBit, findNextZeroBit,
} from '../../model/bitmap.ts';
import {
  cmaBitmapAlignedMask, cmaBitmapAlignedOffset, cmaBitmapMaxno, cmaBitmapPagesToBits,
  cmaClearBitmap,
} from '../../model/cma.ts';
import {
  cmaDebugBitmapText, cmaDebugBitmapWords, cmaDebugMaxchunk, cmaDebugUsed,
} from '../../model/cmaDebug.ts';
import type { CmaArea } from '../../model/state.ts';
import { decodeResult } from '../../src/core/result.ts';

/** A cmaAlloc op on `area` (0 unless told). */
const cmaAllocOp = (count: number, align: number, area = 0): Op =>
  ({ kind: 'cmaAlloc', area, count, align });

/** The result of an op that allocated at `pfn`. */
const ok = (pfn: number): OpResult => ({ ok: true, pfn });

/** A 16-bit map with bits 0, 1 and 4 set. */
function sampleMap(): boolean[] {
  const map = new Array<boolean>(16).fill(false);
  for (const bit of [0, 1, 4]) map[bit] = true;
  return map;
}

function area(basePfn: number, count: number, orderPerBit: number): CmaArea {
  return {
    name: 'test', basePfn, count, declaredCount: count, orderPerBit, state: 'active',
    bitmap: new Array<boolean>(Math.floor(count / 2 ** orderPerBit)).fill(false),
  };
}

function bootTrace(world: Record<string, unknown>): {
  model: ModelAllocator; apply: (op: Op) => OpResult;
} {
  const model = new ModelAllocator();
  const tiny = { pages: 64, maxOrder: 2, pageblockOrder: 2, mobilityGroupingDisabled: false };
  model.boot(parseWorld({ ...tiny, ...world }));
  let step = 0;
  return { model, apply: (op) => decodeResult(model.apply(op, step++)) };
}

describe('lib/bitmap.c (K4_9)', () => {
  it('finds the next clear and set bits, or size', () => {
    const map = sampleMap();
    expect([0, 2, 3, 5, 16].map((start) => findNextZeroBit(map, 16, start)))
      .toEqual([2, 2, 3, 5, 16]);
    expect([0, 2, 5].map((start) => findNextBit(map, 16, start))).toEqual([0, 4, 16]);
    expect(findNextBit(map, 4, 2)).toBe(4); // size bounds the search
  });

  it('finds aligned zero areas exactly as bitmap_find_next_zero_area_off loops', () => {
    const map = sampleMap();
    // nr 2: first zero 2, [2, 4) clear → 2.
    expect(bitmapFindNextZeroAreaOff(map, 16, 0, 2, 0, 0)).toBe(2);
    // nr 3: [2, 5) holds bit 4 → start 5 → [5, 8) clear → 5.
    expect(bitmapFindNextZeroAreaOff(map, 16, 0, 3, 0, 0)).toBe(5);
    // mask 3: 2 → __ALIGN_MASK(2, 3) = 4, [4, 6) holds 4 → start 5 → 8.
    expect(bitmapFindNextZeroAreaOff(map, 16, 0, 2, 3, 0)).toBe(8);
    // mask 3, offset 1: 2 → ((2 + 1 + 3) & ~3) - 1 = 3, [3, 5) holds 4 → start 5 →
    // ((5 + 1 + 3) & ~3) - 1 = 7, [7, 9) clear → 7 (7 + 1 is a multiple of 4).
    expect(bitmapFindNextZeroAreaOff(map, 16, 0, 2, 3, 1)).toBe(7);
    // nr 15: first candidate 2 ends at 17 > 16 → returns that end, ≥ size.
    expect(bitmapFindNextZeroAreaOff(map, 16, 0, 15, 0, 0)).toBe(17);
    // A 2^31 - 1 mask (align 31) aligns 2 up to 2^31, past 32-bit bitwise arithmetic.
    expect(bitmapFindNextZeroAreaOff(map, 16, 0, 1, 2 ** 31 - 1, 0)).toBe(2 ** 31 + 1);
  });

  it('sets and clears bit ranges', () => {
    const map = new Array<boolean>(8).fill(false);
    bitmapSet(map, 2, 3);
    bitmapClear(map, 3, 1);
    expect(map.map(Number)).toEqual([0, 0, 1, 0, 1, 0, 0, 0]);
    expect(() => bitmapSet(map, 6, 3)).toThrow(/past 8 bits/);
  });
});

describe('cma_bitmap_* arithmetic (K4_9, §5.6)', () => {
  it('computes masks, bit counts and maxno in order_per_bit units', () => {
    const opb1 = area(32, 32, 1);
    expect([0, 1, 2, 3].map((align) => cmaBitmapAlignedMask(opb1, align))).toEqual([0, 0, 1, 3]);
    // ALIGN(pages, 2) >> 1.
    expect([1, 3, 4].map((pages) => cmaBitmapPagesToBits(opb1, pages))).toEqual([1, 2, 2]);
    expect(cmaBitmapMaxno(opb1)).toBe(16);
    expect(cmaBitmapMaxno(area(32, 0, 1))).toBe(0);
  });

  it('computes the buggy K4_9 offset (ALIGN(base, 2^align) − base) >> order_per_bit', () => {
    // base 36, align 4: (48 - 36) = 12 where base & 15 = 4 would be right; align 3: 40 - 36 = 4
    // (= 36 & 7, the two agree); opb 1: 4 >> 1 = 2; align ≤ opb → 0; aligned base → 0.
    expect(cmaBitmapAlignedOffset(area(36, 24, 0), 4)).toBe(12);
    expect(cmaBitmapAlignedOffset(area(36, 24, 0), 3)).toBe(4);
    expect(cmaBitmapAlignedOffset(area(36, 24, 1), 3)).toBe(2);
    expect(cmaBitmapAlignedOffset(area(36, 24, 1), 1)).toBe(0);
    expect(cmaBitmapAlignedOffset(area(32, 32, 1), 3)).toBe(0);
  });

  it('clears the chunk holding an unaligned pfn', () => {
    // bitmap_no = (35 - 32) >> 1 = 1, bits = ALIGN(1, 2) >> 1 = 1 → only bit 1 clears.
    const opb1 = area(32, 32, 1);
    bitmapSet(opb1.bitmap ?? [], 0, 16);
    cmaClearBitmap(opb1, 35, 1);
    expect(opb1.bitmap?.map(Number).slice(0, 3)).toEqual([1, 0, 1]);
  });
});

describe('debugfs used, maxchunk and bitmap (K4_9, §5.8)', () => {
  it('shows an order_per_bit 0 area as set bits, longest clear run and u32 words', () => {
    const { model, apply } = bootTrace({ cma: [{ base: 32, size: 16, orderPerBit: 0 }] });
    // count 2 → bits 0, 1 (pfn 32); count 3 align 2: mask 3, first zero 2 → 4 → bits 4..6.
    expect(apply(cmaAllocOp(2, 0))).toEqual(ok(32));
    expect(apply(cmaAllocOp(3, 2))).toEqual(ok(36));
    const cma = model.state.cmaAreas[0];
    // Bits 0, 1, 4, 5, 6 → 3 + 16 + 32 + 64 = 115; clear runs [2, 4) and [7, 16) → maxchunk 9.
    expect(cmaDebugBitmapWords(cma)).toEqual([115]);
    expect(cmaDebugBitmapText(cma)).toBe('115\n');
    expect(cmaDebugUsed(cma)).toBe(5);
    expect(cmaDebugMaxchunk(model.state, cma)).toBe(9);
    expect(model.snapshot().cma[0]).toMatchObject({ bitmap: [115], used: 5, maxchunk: 9 });
    // Full area: find_next_zero_bit returns maxno = count → the loop breaks with maxchunk 0.
    expect(apply(cmaAllocOp(9, 0))).toEqual(ok(39));
    expect(apply(cmaAllocOp(2, 0))).toEqual(ok(34));
    expect(cmaDebugMaxchunk(model.state, cma)).toBe(0);
  });

  it('prints words of 32 bits as unsigned decimals separated by spaces', () => {
    const { model, apply } = bootTrace({
      pages: 128, cma: [{ base: 64, size: 64, orderPerBit: 0 }],
    });
    // count 40 → bits 0..39: word 0 all ones (2^32 - 1), word 1 bits 0..7 = 255.
    expect(apply(cmaAllocOp(40, 0))).toEqual(ok(64));
    const cma = model.state.cmaAreas[0];
    expect(cmaDebugBitmapText(cma)).toBe('4294967295 255\n');
    expect(cmaDebugUsed(cma)).toBe(40);
    expect(cmaDebugMaxchunk(model.state, cma)).toBe(24);
  });

  it('counts whole chunks as used and never returns maxchunk with order_per_bit > 0', () => {
    const { model, apply } = bootTrace({ cma: [{ base: 32, size: 32, orderPerBit: 1 }] });
    // count 3 → bits 0, 1: used = 2 << 1 = 4 (pfn 35 is free but its chunk is used).
    // maxchunk: maxno 16 < count 32; after the clear run [2, 16) the search returns
    // start = 16 = end, 16 < 32 → no break, the same state forever → null.
    expect(apply(cmaAllocOp(3, 0))).toEqual(ok(32));
    const cma = model.state.cmaAreas[0];
    expect(cmaDebugUsed(cma)).toBe(4);
    expect(cmaDebugMaxchunk(model.state, cma)).toBeNull();
    expect(cmaDebugBitmapText(cma)).toBe('3\n');
  });

  it('reads a failed area as empty and an inactive one as never returning maxchunk', () => {
    // As in cmaAlloc.spec.ts: cma0 [24, 40) spans DMA32/Normal → failed (count 0, maxno 0:
    // find_next_zero_bit(NULL, 0, 0) returns 0 without reading, 0 ≥ count 0 → maxchunk 0;
    // DIV_ROUND_UP(0, 32) = 0 words → empty file). cma1 never activated: count 8, NULL bitmap.
    const { model } = bootTrace({
      zones: [
        { name: 'DMA32', startPfn: 0, endPfn: 32 }, { name: 'Normal', startPfn: 32, endPfn: 64 },
      ],
      cma: [{ base: 24, size: 16 }, { base: 48, size: 8 }],
    });
    const [failed, inactive] = model.state.cmaAreas;
    expect([cmaDebugUsed(failed), cmaDebugMaxchunk(model.state, failed)]).toEqual([0, 0]);
    expect(cmaDebugBitmapText(failed)).toBe('');
    expect(cmaDebugMaxchunk(model.state, inactive)).toBeNull();
    expect([cmaDebugUsed(inactive), cmaDebugBitmapWords(inactive)]).toEqual([0, []]);
  });
});
