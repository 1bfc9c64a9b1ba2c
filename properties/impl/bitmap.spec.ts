/**
 * impl/bitmap.ts against naive bit-by-bit transcriptions of lib/bitmap.c and lib/find_bit.c
 * (v4.9.45): the word-level search must return exactly what the kernel's loop returns, on random
 * bitmaps of every density, sizes that end mid-word, and random start/count/mask/offset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitmapClear, bitmapSet, bitmapWeight, findNextBit, findNextZeroAreaOff, findNextZeroBit,
  longestZeroRun,
} from '../../impl/bitmap.ts';

/** A bitmap as booleans plus its Uint32Array words (bits at or past size stay clear). */
interface Bits {
  size: number;
  bits: boolean[];
  words: Uint32Array;
}

function toWords(bits: boolean[]): Uint32Array {
  const words = new Uint32Array(Math.ceil(bits.length / 32));
  bits.forEach((bit, index) => {
    if (bit) words[index >>> 5] |= 1 << (index & 31);
  });
  return words;
}

const bitsArbitrary: fc.Arbitrary<Bits> = fc
  .record({ size: fc.integer({ min: 1, max: 200 }), density: fc.constantFrom(0, 0.1, 0.5, 0.9, 1) })
  .chain(({ size, density }) => fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
    minLength: size, maxLength: size,
  }).map((draws) => {
    const bits = draws.map((draw) => draw < density);
    return { size, bits, words: toWords(bits) };
  }));

/** find_next_bit() bit by bit: the first index >= offset below size with `bits[i] === value`. */
function naiveFind(bits: boolean[], size: number, offset: number, value: boolean): number {
  for (let index = offset; index < size; index++) if (bits[index] === value) return index;
  return size;
}

/** bitmap_find_next_zero_area_off() — lib/bitmap.c, transcribed line by line. */
function naiveZeroArea(
  bits: boolean[], size: number, start: number, nr: number, mask: number, offset: number,
): number {
  for (;;) {
    let index = naiveFind(bits, size, start, false); // find_next_zero_bit(map, size, start)
    index = Math.ceil((index + offset) / (mask + 1)) * (mask + 1) - offset; // __ALIGN_MASK
    const end = index + nr;
    if (end > size) return end;
    const i = naiveFind(bits, end, index, true); // find_next_bit(map, end, index)
    if (i < end) {
      start = i + 1;
      continue;
    }
    return index;
  }
}

describe('impl/bitmap.ts word-level search', () => {
  it('findNextBit and findNextZeroBit agree with a bit-by-bit scan', () => {
    fc.assert(fc.property(bitsArbitrary, fc.nat(210), ({ size, bits, words }, offset) => {
      expect(findNextBit(words, size, offset)).toBe(naiveFind(bits, size, offset, true));
      expect(findNextZeroBit(words, size, offset)).toBe(naiveFind(bits, size, offset, false));
    }), { numRuns: 500 });
  });

  it('bitmap_find_next_zero_area_off agrees with the kernel loop transcribed bit by bit', () => {
    const query = fc.record({
      start: fc.nat(210),
      nr: fc.integer({ min: 1, max: 40 }),
      maskOrder: fc.integer({ min: 0, max: 6 }),
      offset: fc.nat(70),
    });
    fc.assert(fc.property(bitsArbitrary, query, ({ size, bits, words }, q) => {
      const mask = (1 << q.maskOrder) - 1;
      const expected = naiveZeroArea(bits, size, q.start, q.nr, mask, q.offset);
      expect(findNextZeroAreaOff(words, size, q.start, q.nr, mask, q.offset)).toBe(expected);
    }), { numRuns: 2000 });
  });

  it('finds the first fit of a run that straddles a word boundary', () => {
    // Bits 0..29 set, 30..69 clear: a 20-bit run fits first at 30, across words 0 and 1.
    const bits = Array.from({ length: 70 }, (_, index) => index < 30);
    expect(findNextZeroAreaOff(toWords(bits), 70, 0, 20, 0, 0)).toBe(30);
    // Aligned to 8 (mask 7) it has to start at 32; with offset 2 at 30 (30 + 2 = 32).
    expect(findNextZeroAreaOff(toWords(bits), 70, 0, 20, 7, 0)).toBe(32);
    expect(findNextZeroAreaOff(toWords(bits), 70, 0, 20, 7, 2)).toBe(30);
    // No room: the kernel returns end = index + nr > size.
    expect(findNextZeroAreaOff(toWords(bits), 70, 0, 41, 0, 0)).toBe(71);
  });

  it('bitmapSet, bitmapClear and bitmapWeight match a boolean model', () => {
    const range = fc.tuple(fc.nat(199), fc.nat(80), fc.boolean());
    fc.assert(fc.property(bitsArbitrary, fc.array(range, { maxLength: 8 }), (b, edits) => {
      const bits = [...b.bits];
      const words = Uint32Array.from(b.words);
      for (const [start, length, value] of edits) {
        const count = Math.max(0, Math.min(length, b.size - start));
        if (value) bitmapSet(words, start, count);
        else bitmapClear(words, start, count);
        for (let index = start; index < start + count; index++) bits[index] = value;
      }
      expect(Array.from(words)).toEqual(Array.from(toWords(bits)));
      expect(bitmapWeight(words, b.size)).toBe(bits.filter(Boolean).length);
    }), { numRuns: 500 });
  });

  it('longestZeroRun is the longest run of clear bits', () => {
    fc.assert(fc.property(bitsArbitrary, ({ size, bits, words }) => {
      let longest = 0;
      let run = 0;
      for (const bit of bits) {
        run = bit ? 0 : run + 1;
        longest = Math.max(longest, run);
      }
      expect(longestZeroRun(words, size)).toBe(longest);
    }), { numRuns: 500 });
  });
});
