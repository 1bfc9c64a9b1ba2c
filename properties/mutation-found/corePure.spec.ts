/**
 * impl's pure helpers against brute-force oracles written from the kernel rule they mirror:
 * - mergeRanges() (impl/boot.ts): memblock's view of reserved memory — the union of the ranges,
 *   clipped to [0, pages), as sorted maximal runs (memblock_reserve() merges overlapping and
 *   adjacent regions, mm/memblock.c memblock_merge_regions()); oracle: mark every page.
 * - findNextBit() / findNextZeroBit() (impl/bitmap.ts): lib/find_bit.c find_next_bit() /
 *   find_next_zero_bit() — the first set (clear) bit at or after `offset` *below `size`*, else
 *   `size`, whatever the words hold at and beyond `size`; oracle: test bit by bit.
 * - getOrder() (impl/allocator.ts): get_order(size), the smallest order whose 2^order pages hold
 *   `size` bytes (include/asm-generic/getorder.h), which dma_alloc_from_contiguous() callers
 *   pass as the alignment (§7.7).
 *
 * Why it exists: mutation testing left survivors in each. Boot passes mergeRanges() the world's
 * reservations, which parseWorld keeps disjoint and inside memory, so the clipping, the merge of
 * overlapping runs and the sort were never exercised by an unusual input; the campaign's bitmaps
 * never have bits set at or past the `size` a search is given, so the clamp of find_next_bit()
 * to `size` was never needed; get_order() was reached only through DMA sizes of a few pages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PfnRange } from '../../src/core/world.ts';
import { getOrder } from '../../impl/allocator.ts';
import { findNextBit, findNextZeroBit } from '../../impl/bitmap.ts';
import { mergeRanges } from '../../impl/boot.ts';

/** The maximal runs of pages in [0, pages) covered by any range, ascending. */
function unionRuns(ranges: readonly PfnRange[], pages: number): PfnRange[] {
  const covered = new Array<boolean>(pages).fill(false);
  for (const { startPfn, endPfn } of ranges) {
    for (let pfn = Math.max(0, startPfn); pfn < Math.min(pages, endPfn); pfn++) covered[pfn] = true;
  }
  const runs: PfnRange[] = [];
  covered.forEach((isCovered, pfn) => {
    if (!isCovered) return;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.endPfn === pfn) last.endPfn = pfn + 1;
    else runs.push({ startPfn: pfn, endPfn: pfn + 1 });
  });
  return runs;
}

const rangeArbitrary = fc.record({
  startPfn: fc.integer({ min: -8, max: 72 }),
  endPfn: fc.integer({ min: -8, max: 72 }),
});

describe('impl mergeRanges (memblock regions)', () => {
  it('is the union of the ranges clipped to memory, as sorted maximal runs (seed 1121, 300 runs)',
    () => {
      const rangeLists = fc.array(rangeArbitrary, { maxLength: 6 });
      fc.assert(fc.property(rangeLists, fc.integer({ min: 1, max: 64 }),
        (ranges, pages) => {
          const input = ranges.map((range) => ({ ...range }));
          expect(mergeRanges(input, pages)).toEqual(unionRuns(ranges, pages));
          expect(input).toEqual(ranges); // the caller's ranges are left as they were
        }), { seed: 1121, numRuns: 300 });
    });
});

/** Bit `bit` of the u32 words (bit i in word i >> 5 at position i & 31). */
function testBit(words: Uint32Array, bit: number): boolean {
  return ((words[bit >>> 5] >>> (bit & 31)) & 1) === 1;
}

function firstBit(words: Uint32Array, size: number, offset: number, value: boolean): number {
  for (let bit = offset; bit < size; bit++) if (testBit(words, bit) === value) return bit;
  return size;
}

/** Sets (value true) or clears bits [from, to) of the words. */
function fillBits(words: Uint32Array, from: number, to: number, value: boolean): void {
  for (let bit = from; bit < to; bit++) {
    const mask = 1 << (bit & 31);
    words[bit >>> 5] = value ? words[bit >>> 5] | mask : words[bit >>> 5] & ~mask;
  }
}

describe('impl find_next_bit / find_next_zero_bit', () => {
  it('answer below `size` or `size`, whatever bits lie beyond it (seed 1303, 500 runs)', () => {
    const words = fc.array(fc.oneof(fc.constant(0), fc.constant(0xffffffff), fc.nat(0xffffffff)),
      { minLength: 1, maxLength: 4 });
    // fill: leave the words as drawn, or make [offset, size) all clear or all set, so that the
    // answer must come from the clamp to `size` while bits beyond it say otherwise.
    const fill = fc.constantFrom('none', 'clear', 'set');
    const draws = fc.tuple(words, fc.nat(160), fc.nat(200), fill);
    fc.assert(fc.property(draws, ([values, sizeDraw, offset, how]) => {
      const bitmap = Uint32Array.from(values);
      const size = sizeDraw % (bitmap.length * 32 + 1);
      if (how !== 'none') fillBits(bitmap, offset, size, how === 'set');
      expect(findNextBit(bitmap, size, offset)).toBe(firstBit(bitmap, size, offset, true));
      expect(findNextZeroBit(bitmap, size, offset)).toBe(firstBit(bitmap, size, offset, false));
    }), { seed: 1303, numRuns: 500 });
  });
});

describe('impl get_order', () => {
  it('is the smallest order whose pages hold the size (seed 7, 300 runs)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1 << 24 }), (size) => {
      const order = getOrder(size);
      expect(4096 * 2 ** order).toBeGreaterThanOrEqual(size);
      if (order > 0) expect(4096 * 2 ** (order - 1)).toBeLessThan(size);
    }), { seed: 7, numRuns: 300 });
  });
});
