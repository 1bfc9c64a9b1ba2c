/**
 * lib/bitmap.c and lib/find_bit.c over a `boolean[]` (one entry per bit, true = set), as the CMA
 * bitmap uses them (kernel-semantics.md §5.6). Plain loops: the model reads like the kernel's
 * contract, not its word-at-a-time implementation (impl/ does words).
 *
 * Arithmetic note: alignment masks can reach 2^31 − 1 (cma_alloc accepts align up to 31), past
 * JavaScript's 32-bit bitwise operators, so __ALIGN_MASK is done with division, not `& ~mask`.
 *
 * Not in scope: the rest of lib/bitmap.c (parsing, printing, region ops).
 */
import { assert } from '../src/core/assert.ts';

/**
 * Mirrors find_next_zero_bit() — lib/find_bit.c, K4_9 and K6_1 (kernel-semantics.md §5.6): the
 * first clear bit at or after `start`, or `size` when there is none (also when start ≥ size).
 */
export function findNextZeroBit(map: readonly boolean[], size: number, start: number): number {
  assert(size <= map.length, () => `findNextZeroBit: size ${size} > bitmap length ${map.length}`);
  for (let bit = Math.max(start, 0); bit < size; bit++) {
    if (!map[bit]) return bit;
  }
  return size;
}

/**
 * Mirrors find_next_bit() — lib/find_bit.c, K4_9 and K6_1 (kernel-semantics.md §5.6): the first set
 * bit at or after `start`, or `size` when there is none.
 */
export function findNextBit(map: readonly boolean[], size: number, start: number): number {
  assert(size <= map.length, () => `findNextBit: size ${size} > bitmap length ${map.length}`);
  for (let bit = Math.max(start, 0); bit < size; bit++) {
    if (map[bit]) return bit;
  }
  return size;
}

/** __ALIGN_MASK(x, mask) — include/linux/kernel.h: round `x` up to a multiple of mask + 1. */
function alignMaskUp(x: number, mask: number): number {
  const unit = mask + 1;
  return Math.ceil(x / unit) * unit;
}

/**
 * Mirrors bitmap_find_next_zero_area_off() — lib/bitmap.c, K4_9 and K6_1 (kernel-semantics.md
 * §5.6): the first index ≥ `start` of `nr` clear bits with (index + alignOffset) a multiple of
 * alignMask + 1. Returns a value ≥ `size` when there is none: the kernel returns `end` of the
 * first candidate that runs past `size`, and callers test `>= size` (cma_alloc: `>= maxno`).
 *
 * The `goto again` loop ends because `start` strictly increases (i ≥ index ≥ start, then
 * start = i + 1) and the candidate runs past `size` once start > size − nr.
 */
export function bitmapFindNextZeroAreaOff(
  map: readonly boolean[],
  size: number,
  start: number,
  nr: number,
  alignMask: number,
  alignOffset: number,
): number {
  assert(nr >= 0, () => `bitmapFindNextZeroAreaOff: nr ${nr} < 0`);
  assert(
    alignMask >= 0 && alignOffset >= 0,
    () => `bitmapFindNextZeroAreaOff: mask ${alignMask}` + ` offset ${alignOffset}`,
  );
  for (let passes = 0; passes <= size + 1; passes++) {
    // bound: start grows by ≥ 1 per pass
    let index = findNextZeroBit(map, size, start);
    index = alignMaskUp(index + alignOffset, alignMask) - alignOffset; // align the candidate
    const end = index + nr;
    if (end > size) return end;
    const setBit = findNextBit(map, end, index);
    if (setBit >= end) return index;
    assert(setBit + 1 > start, () => `bitmapFindNextZeroAreaOff: start ${start} did not grow`);
    start = setBit + 1; // the candidate holds a set bit: search again past it
  }
  assert(false, () => `bitmapFindNextZeroAreaOff: no result after ${size + 2} passes`);
}

/**
 * Mirrors bitmap_set() — lib/bitmap.c, K4_9 and K6_1 (kernel-semantics.md §5.6): sets [start, +nr).
 */
export function bitmapSet(map: boolean[], start: number, nr: number): void {
  assert(start >= 0 && nr >= 0, () => `bitmapSet: start ${start} nr ${nr}`);
  assert(
    start + nr <= map.length,
    () => `bitmapSet: [${start}, ${start + nr}) past ${map.length} bits`,
  );
  for (let bit = start; bit < start + nr; bit++) map[bit] = true;
}

/**
 * Mirrors bitmap_clear() — lib/bitmap.c, K4_9 and K6_1 (kernel-semantics.md §5.7): clears [start,
 * +nr).
 */
export function bitmapClear(map: boolean[], start: number, nr: number): void {
  assert(start >= 0 && nr >= 0, () => `bitmapClear: start ${start} nr ${nr}`);
  assert(
    start + nr <= map.length,
    () => `bitmapClear: [${start}, ${start + nr}) past ${map.length} bits`,
  );
  for (let bit = start; bit < start + nr; bit++) map[bit] = false;
}
