/**
 * impl's __ALIGN_MASK(x, mask) (impl/bitmap.ts alignUpMask; include/linux/kernel.h, used by
 * bitmap_find_next_zero_area_off() to align a candidate, kernel-semantics.md §5.6): for a mask
 * 2^k − 1 the result is x rounded up to a multiple of 2^k. cma_alloc() builds the mask from
 * `align − order_per_bit`, so k reaches 31 and more for a large `align` on a small
 * order_per_bit, where the 32-bit `(x + mask) & ~mask` would wrap; the property runs k up to 40.
 *
 * Found by mutation testing: no spec reached the wide-mask branch (x + mask ≥ 2^31), so it
 * could be dropped or made to wrap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignUpMask } from '../../impl/bitmap.ts';

describe('impl alignUpMask (__ALIGN_MASK)', () => {
  it('rounds up to a multiple of 2^k, for k up to 40 (seed 3141, 1000 runs)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.nat(2 ** 40), (k, x) => {
      const unit = 2 ** k;
      const expected = Math.ceil(x / unit) * unit;
      expect(alignUpMask(x, unit - 1)).toBe(expected);
    }), { seed: 3141, numRuns: 1000 });
  });

  it('keeps a multiple of 2^31 exact', () => {
    // 2^31 − 1 + 2^31 − 1 would wrap in 32 bits: 1 → 2^31, 2^31 → 2^31, 2^31 + 1 → 2^32.
    expect([1, 2 ** 31, 2 ** 31 + 1].map((x) => alignUpMask(x, 2 ** 31 - 1)))
      .toEqual([2 ** 31, 2 ** 31, 2 ** 32]);
  });
});
