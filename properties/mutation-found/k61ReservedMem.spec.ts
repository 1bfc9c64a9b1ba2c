/**
 * Device-tree /reserved-memory `no-map` under K6_1 (kernel-semantics.md §7.1 step 3):
 * drivers/of/fdt.c early_init_dt_reserve_memory() refuses a `no-map` range that is memory and
 * already (partly) reserved — -EBUSY, "we should not allow it to be marked nomap" — and
 * __reserved_mem_reserve_reg() then prints "failed to reserve memory for node". K4_9's
 * early_init_dt_reserve_memory_arch() has no such check: it removes the range. The world has
 * 256 pages (memory [0, 0x100000)).
 *
 * Found by mutation testing: the K6_1 check (model/boot/reservedMem.ts
 * earlyInitDtReserveMemoryK6_1) had no test where it mattered, so its whole condition could be
 * dropped.
 */
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';

/** A `reg` node reserving [base, base + size), then a `no-map` node over [nomapBase, +size). */
function failures(profile: Profile, nomapBase: number): string[] {
  const layout = declareLayout(parseWorld({
    profile, pages: 256, maxOrder: 3, pageblockOrder: 3,
    reservedMemory: [
      { name: 'keep', reg: [0x40000, 0x8000] },
      { name: 'hole', reg: [nomapBase, 0x8000], 'no-map': true },
    ],
  }));
  return layout.messages.filter((message) => message.includes('failed to reserve'));
}

describe('a no-map node over reserved memory', () => {
  it('is refused under K6_1 (-EBUSY), with the failure printed', () => {
    // [0x40000, 0x48000) is memory and reserved by 'keep' → -EBUSY.
    expect(failures('K6_1', 0x40000)).toEqual([
      "OF: fdt: Reserved memory: failed to reserve memory for node 'hole':"
        + ' base 0x0000000000040000, size 0 MiB',
    ]);
    // Half over 'keep' ([0x44000, 0x4c000)): memblock_is_region_reserved() is an overlap test.
    expect(failures('K6_1', 0x44000)).toHaveLength(1);
  });

  it('is accepted under K6_1 when no part of the range is reserved', () => {
    // [0x80000, 0x88000): memory, not reserved → removed (marked nomap), no message.
    expect(failures('K6_1', 0x80000)).toEqual([]);
    // [0x48000, 0x50000) starts where 'keep' ends: no overlap.
    expect(failures('K6_1', 0x48000)).toEqual([]);
  });

  it('is removed from memory under K4_9 whatever is reserved there', () => {
    expect(failures('K4_9', 0x40000)).toEqual([]);
  });
});
