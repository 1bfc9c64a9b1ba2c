/**
 * impl/bitmap.ts — the CMA bitmap primitives on 32-bit words. Mirrors model/bitmap.ts and, in
 * the kernel, find_next_bit(), find_next_zero_bit() (lib/find_bit.c), bitmap_set(),
 * bitmap_clear(), bitmap_weight() and bitmap_find_next_zero_area_off() (lib/bitmap.c v4.9.45,
 * kernel-semantics.md §5.6), plus the run scan of cma_maxchunk_get() (mm/cma_debug.c, §5.8).
 *
 * Words are Uint32Array, bit i in word i >> 5 at position i & 31: the layout of the debugfs
 * `bitmap` file (u32 words, little-endian), so the snapshot copies words as they are.
 * Speed tricks: a whole word is tested at once; the lowest set bit is found with
 * 31 - clz32(x & -x) (count trailing zeros in one instruction, no loop over bits).
 * Bits at or beyond `size` are never set (bitmapSet is only called inside the bitmap), and
 * every search clamps its answer to `size`, as lib/find_bit.c does.
 */

/** Count trailing zeros of a non-zero 32-bit word. */
export function ctz32(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** find_next_bit(): the first set bit at or after `offset` below `size`, else `size`. */
export function findNextBit(words: Uint32Array, size: number, offset: number): number {
  return findNext(words, size, offset, 0);
}

/** find_next_zero_bit(): the first clear bit at or after `offset` below `size`, else `size`. */
export function findNextZeroBit(words: Uint32Array, size: number, offset: number): number {
  return findNext(words, size, offset, -1);
}

/** _find_next_bit() (lib/find_bit.c): `invert` is 0 to find a set bit, -1 to find a clear one. */
function findNext(words: Uint32Array, size: number, offset: number, invert: number): number {
  if (offset >= size) return size;
  let wordIndex = offset >>> 5;
  // BITMAP_FIRST_WORD_MASK(offset): ignore the bits below offset in the first word.
  let word = (words[wordIndex] ^ invert) & (-1 << (offset & 31));
  while (word === 0) {
    wordIndex++;
    if (wordIndex << 5 >= size) return size;
    word = words[wordIndex] ^ invert;
  }
  const bitIndex = (wordIndex << 5) + ctz32(word);
  return bitIndex < size ? bitIndex : size;
}

/** bitmap_set(): set bits [start, start + count). */
export function bitmapSet(words: Uint32Array, start: number, count: number): void {
  fillBits(words, start, count, true);
}

/** bitmap_clear(): clear bits [start, start + count). */
export function bitmapClear(words: Uint32Array, start: number, count: number): void {
  fillBits(words, start, count, false);
}

/** Word-level fill: partial first and last words by mask, whole words in between. */
function fillBits(words: Uint32Array, start: number, count: number, value: boolean): void {
  let bitIndex = start;
  let remaining = count;
  while (remaining > 0) {
    const wordIndex = bitIndex >>> 5;
    const shift = bitIndex & 31;
    const width = Math.min(32 - shift, remaining);
    // A mask of `width` ones at `shift`; width 32 only when shift is 0 (-1 >>> 0 = all ones).
    const mask = width === 32 ? -1 : ((1 << width) - 1) << shift;
    words[wordIndex] = value ? words[wordIndex] | mask : words[wordIndex] & ~mask;
    bitIndex += width;
    remaining -= width;
  }
}

/** bitmap_weight(): the number of set bits below `size`. */
export function bitmapWeight(words: Uint32Array, size: number): number {
  let weight = 0;
  const fullWords = size >>> 5;
  for (let wordIndex = 0; wordIndex < fullWords; wordIndex++) {
    weight += popcount32(words[wordIndex]);
  }
  const tailBits = size & 31;
  if (tailBits > 0) weight += popcount32(words[fullWords] & ((1 << tailBits) - 1));
  return weight;
}

/** hweight32(): SWAR population count. */
export function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * __ALIGN_MASK(x, mask) = (x + mask) & ~mask for a power-of-two-minus-one mask. Written with
 * division so masks of 2^31 and more (a large `align` on a small order_per_bit) stay exact.
 */
export function alignUpMask(x: number, mask: number): number {
  if (x + mask < 0x80000000) return (x + mask) & ~mask;
  const unit = mask + 1;
  return Math.ceil(x / unit) * unit;
}

/**
 * Mirrors bitmap_find_next_zero_area_off() — lib/bitmap.c v4.9.45 (§5.6): the first index
 * >= `start` of a run of `count` clear bits with (index + alignOffset) a multiple of
 * alignMask + 1; a value > size means "no space" (the kernel returns `end`, callers test
 * `>= maxno`). Each retry restarts after the set bit that broke the run, so `start` strictly
 * increases and the loop ends (STYLE anti-pattern 10).
 */
export function findNextZeroAreaOff(
  words: Uint32Array, size: number, start: number, count: number,
  alignMask: number, alignOffset: number,
): number {
  let from = start;
  for (;;) {
    const zeroIndex = findNextZeroBit(words, size, from);
    const index = alignUpMask(zeroIndex + alignOffset, alignMask) - alignOffset;
    const end = index + count;
    if (end > size) return end;
    const setIndex = findNextBit(words, end, index);
    if (setIndex >= end) return index;
    from = setIndex + 1;
  }
}

/**
 * The run scan of cma_maxchunk_get() with a correct bound (opb = 0 in K4_9, every profile
 * from K6_1): the longest run of clear bits below `size`.
 */
export function longestZeroRun(words: Uint32Array, size: number): number {
  let longest = 0;
  let end = 0;
  for (;;) {
    const start = findNextZeroBit(words, size, end);
    if (start >= size) return longest;
    end = findNextBit(words, size, start);
    if (end - start > longest) longest = end - start;
  }
}
