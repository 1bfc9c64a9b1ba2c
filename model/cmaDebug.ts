/**
 * mm/cma_debug.c, K4_9 and K6_1 (kernel-semantics.md §5.8): what the read-only debugfs files of
 * /sys/kernel/debug/cma/cma-<idx>/ (K6_1: <name>/) print, computed from the bitmap the way the
 * kernel computes it. Only `maxchunk` differs between the profiles (§5.8: K6_1 fixed its loop).
 *
 * Areas without a bitmap: a failed area (count 0) has maxno 0, so every file reads as empty or 0
 * without touching the NULL bitmap. An area after a failed one (state 'inactive') keeps its count
 * with a NULL bitmap: reading `used`, `maxchunk` or `bitmap` dereferences NULL in K4_9 (an oops).
 * The model reports used 0 and an empty bitmap for it, and maxchunk null ("the read never
 * returns"), so a snapshot stays printable.
 *
 * Not in scope: the `alloc`/`free` write files (they are cma_alloc/cma_release with a list).
 */
import { assert } from '../src/core/assert.ts';
import { findNextBit, findNextZeroBit } from './bitmap.ts';
import { cmaBitmapMaxno } from './cma.ts';
import type { CmaArea, ModelState } from './state.ts';

/**
 * Mirrors cma_used_get() — mm/cma_debug.c, K4_9 and K6_1 (kernel-semantics.md §5.8):
 * bitmap_weight(bitmap, maxno) << order_per_bit, i.e. whole chunks, so the unused tail of a last
 * partial chunk counts as used.
 */
export function cmaDebugUsed(area: CmaArea): number {
  if (area.bitmap === null) return 0; // maxno 0 (failed) or an oops (inactive): see the header
  const maxno = cmaBitmapMaxno(area);
  let weight = 0;
  for (let bit = 0; bit < maxno; bit++) if (area.bitmap[bit]) weight++;
  return weight * 2 ** area.orderPerBit;
}

/**
 * Mirrors cma_maxchunk_get() — mm/cma_debug.c (kernel-semantics.md §5.8): the longest run of
 * clear bits, in pages; null when reading it never returns.
 *   K4_9: maxchunkK4_9, which can hang.
 *   K6_1: the same loop bounded by `start >= bitmap_maxno` — always returns. A failed area has
 *         count 0, so maxno 0 and the NULL bitmap is never read: 0.
 */
export function cmaDebugMaxchunk(state: ModelState, area: CmaArea): number | null {
  switch (state.world.profile) {
    case 'K4_9':
      return maxchunkK4_9(area);
    case 'K6_1':
      return maxchunkK6_1(area);
  }
}

/**
 * cma_maxchunk_get() — K4_9. The loop stops on `start >= cma->count` (pages) although `start` is a
 * bit index ≤ maxno:
 *   for (;;) { start = find_next_zero_bit(bitmap, maxno, end); if (start >= count) break;
 *              end = find_next_bit(bitmap, maxno, start); maxchunk = max(end − start, ...); }
 * With order_per_bit 0, maxno = count and the loop ends. With order_per_bit > 0 and count > 0,
 * maxno < count: once the search runs out of clear bits start = end = maxno < count and the loop
 * repeats that state forever — the read hangs. Rather than special-casing opb, the loop below
 * runs the kernel's loop and returns null when it reaches that fixed point.
 */
function maxchunkK4_9(area: CmaArea): number | null {
  const maxno = cmaBitmapMaxno(area);
  if (area.bitmap === null) return maxno === 0 ? 0 : null; // NULL bitmap: see the header
  let maxchunk = 0;
  let end = 0;
  for (let pass = 0; pass <= maxno + 1; pass++) {
    // each pass moves `end` to a later set bit
    const start = findNextZeroBit(area.bitmap, maxno, end);
    if (start >= area.count) return maxchunk * 2 ** area.orderPerBit;
    const nextEnd = findNextBit(area.bitmap, maxno, start);
    if (nextEnd === end) return null; // start = end = maxno < count: the same state forever
    end = nextEnd;
    maxchunk = Math.max(end - start, maxchunk);
  }
  assert(false, () => `cmaDebugMaxchunk: area ${area.name} loop neither ended nor repeated`);
}

/** cma_maxchunk_get() — K6_1: `if (start >= bitmap_maxno) break;`. */
function maxchunkK6_1(area: CmaArea): number {
  const maxno = cmaBitmapMaxno(area);
  if (area.bitmap === null) {
    assert(maxno === 0, () => `cmaDebugMaxchunk: area ${area.name} has pages but no bitmap (K6_1)`);
    return 0;
  }
  let maxchunk = 0;
  let end = 0;
  for (let pass = 0; pass <= maxno; pass++) {
    // end > start ≥ old end: each pass moves it on
    const start = findNextZeroBit(area.bitmap, maxno, end);
    if (start >= maxno) return maxchunk * 2 ** area.orderPerBit;
    end = findNextBit(area.bitmap, maxno, start);
    maxchunk = Math.max(end - start, maxchunk);
  }
  assert(false, () => `cmaDebugMaxchunk: area ${area.name} loop did not end within maxno passes`);
}

/**
 * Mirrors cma_debugfs_add_one() — mm/cma_debug.c, K4_9 and K6_1 (kernel-semantics.md §5.8): its
 * `bitmap` file, debugfs_create_u32_array(bitmap, DIV_ROUND_UP(maxno, 32)): the bitmap as u32
 * words, bit i of the area being bit i % 32 of word i / 32 (little-endian 64-bit longs read as u32
 * pairs).
 */
export function cmaDebugBitmapWords(area: CmaArea): number[] {
  if (area.bitmap === null) return []; // see the header
  const maxno = cmaBitmapMaxno(area);
  const words = new Array<number>(Math.ceil(maxno / 32)).fill(0);
  for (let bit = 0; bit < maxno; bit++) {
    if (area.bitmap[bit]) words[Math.floor(bit / 32)] += 2 ** (bit % 32); // unsigned, no `<<`
  }
  return words;
}

/**
 * Mirrors u32_format_array() — fs/debugfs/file.c, K4_9 and K6_1 (kernel-semantics.md §5.8): each
 * word "%u", separated by one space, the last followed by "\n"; no words → an empty file.
 */
export function cmaDebugBitmapText(area: CmaArea): string {
  const words = cmaDebugBitmapWords(area);
  return words.length === 0 ? '' : `${words.join(' ')}\n`;
}
