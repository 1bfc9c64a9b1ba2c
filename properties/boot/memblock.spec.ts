/**
 * memblock primitives — mm/memblock.c, K4_9 (kernel-semantics.md §5.4), on a 1 MiB machine
 * (memory [0, 0x100000)). Expectations derived by hand from the kernel functions named.
 */
import { describe, expect, it } from 'vitest';
import {
  MEMBLOCK_ALLOC_ANYWHERE, U64_MAX, alignUp, formatMiB, formatPa, memblockAllocBase,
  memblockAllocRange, memblockCreate, memblockEndOfDram, memblockFindInRange, memblockFree,
  memblockIsRegionReserved, memblockRemove, memblockReserve,
} from '../../model/boot/memblock.ts';

const MEMORY_END = 0x100000n;

describe('memblock region sets', () => {
  it('reserve merges overlapping and adjacent regions (memblock_merge_regions)', () => {
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0x2000n, 0x1000n);
    memblockReserve(memblock, 0x5000n, 0x1000n);
    memblockReserve(memblock, 0x3000n, 0x2000n); // touches both neighbours: all three merge
    memblockReserve(memblock, 0x5800n, 0x100n); // inside: no change
    expect(memblock.reserved).toEqual([{ base: 0x2000n, size: 0x4000n }]);
  });

  it('is_region_reserved means "intersects", not "is covered"', () => {
    // memblock_overlaps_region(): base1 < base2 + size2 && base2 < base1 + size1.
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0x2000n, 0x1000n);
    expect(memblockIsRegionReserved(memblock, 0x2800n, 0x1000n)).toBe(true); // partial overlap
    expect(memblockIsRegionReserved(memblock, 0x1000n, 0x1001n)).toBe(true); // one byte in
    expect(memblockIsRegionReserved(memblock, 0x3000n, 0x1000n)).toBe(false); // adjacent above
    expect(memblockIsRegionReserved(memblock, 0x1000n, 0x1000n)).toBe(false); // adjacent below
  });

  it('free splits a reserved region; remove takes memory away and moves the end of DRAM', () => {
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0x2000n, 0x4000n);
    memblockFree(memblock, 0x3000n, 0x1000n);
    expect(memblock.reserved).toEqual([
      { base: 0x2000n, size: 0x1000n }, { base: 0x4000n, size: 0x2000n },
    ]);
    memblockRemove(memblock, 0x40000n, 0x8000n); // a hole: the end is unchanged
    expect(memblockEndOfDram(memblock)).toBe(MEMORY_END);
    memblockRemove(memblock, 0xf8000n, 0x8000n); // the top: the last region now ends lower
    expect(memblock.memory).toEqual([
      { base: 0n, size: 0x40000n }, { base: 0x48000n, size: 0xb0000n },
    ]);
    expect(memblockEndOfDram(memblock)).toBe(0xf8000n);
    expect(memblock.reserved).toHaveLength(2); // memblock_remove() leaves `reserved` alone
  });

  it('end of DRAM is 0 once all memory is gone (the dummy {0, 0} region)', () => {
    const memblock = memblockCreate(MEMORY_END);
    memblockRemove(memblock, 0n, MEMORY_END);
    expect(memblockEndOfDram(memblock)).toBe(0n);
  });
});

describe('memblock_find_in_range_node, top-down', () => {
  it('takes the highest aligned fit below the top of the highest free range', () => {
    // Free ranges: [0, 0xf0000). round_down(0xf0000 - 0x8000, 0x8000) = 0xe8000.
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0xf0000n, 0x10000n);
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, MEMBLOCK_ALLOC_ANYWHERE))
      .toBe(0xe8000n);
  });

  it('clamps to [start, end]; end 0 means anywhere (MEMBLOCK_ALLOC_ACCESSIBLE)', () => {
    const memblock = memblockCreate(MEMORY_END);
    // end 0x50000: round_down(0x50000 - 0x8000, 0x8000) = 0x48000.
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, 0x50000n)).toBe(0x48000n);
    // end 0 → current_limit (anywhere): the top of memory, 0x100000 - 0x8000.
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, 0n)).toBe(0xf8000n);
    // start above end: end = max(start, end) → an empty window → 0.
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0x80000n, 0x40000n)).toBe(0n);
  });

  it('falls to a lower free range when the candidate drops below the range start', () => {
    // Free: [0, 0x10000) and [0xfc000, 0x100000). Top range: round_down(0xf8000, 0x8000) =
    // 0xf8000 < 0xfc000, rejected. Next: clamp start to PAGE_SIZE: [0x1000, 0x10000) →
    // round_down(0x8000, 0x8000) = 0x8000 ≥ 0x1000.
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0x10000n, 0xec000n);
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, 0n)).toBe(0x8000n);
  });

  it('never returns the first page', () => {
    // Free: [0, 0x8000). start = max(0, PAGE_SIZE) = 0x1000: candidate round_down(0, 0x8000)
    // = 0 < 0x1000 → nothing. A 4 KiB request fits at round_down(0x7000, 0x1000) = 0x7000.
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0x8000n, 0xf8000n);
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, 0n)).toBe(0n);
    expect(memblockFindInRange(memblock, 0x1000n, 0x1000n, 0n, 0n)).toBe(0x7000n);
  });

  it('never returns an address inside the first page either', () => {
    // Free: [0, 0x1000). Clamped to [PAGE_SIZE, …]: [0x1000, 0x1000]; candidate
    // round_down(0x1000 - 0x800, 0x800) = 0x800 < 0x1000 → nothing (0x800 without the raise).
    const memblock = memblockCreate(MEMORY_END);
    memblockReserve(memblock, 0x1000n, 0xff000n);
    expect(memblockFindInRange(memblock, 0x800n, 0x800n, 0n, 0n)).toBe(0n);
  });
});

describe('memblock_alloc_range and __memblock_alloc_base', () => {
  it('reserves what it finds, and uses SMP_CACHE_BYTES (128 on arm64) for align 0', () => {
    // round_down(0x100000 - 100, 128) = 0xfff9c & ~0x7f = 0xfff80.
    const memblock = memblockCreate(MEMORY_END);
    expect(memblockAllocRange(memblock, 100n, 0n, 0n, 0n)).toBe(0xfff80n);
    expect(memblock.reserved).toEqual([{ base: 0xfff80n, size: 100n }]);
  });

  it('reserves nothing on failure', () => {
    const memblock = memblockCreate(MEMORY_END);
    expect(memblockAllocBase(memblock, 0x200000n, 0x1000n, MEMBLOCK_ALLOC_ANYWHERE)).toBe(0n);
    expect(memblock.reserved).toEqual([]);
  });

  it('allocates below max_addr', () => {
    const memblock = memblockCreate(MEMORY_END);
    expect(memblockAllocBase(memblock, 0x8000n, 0x8000n, 0x20000n)).toBe(0x18000n);
  });
});

describe('phys_addr_t helpers', () => {
  it('prints %pa as 0x and 16 zero-padded hex digits', () => {
    expect(formatPa(0xc00000n)).toBe('0x0000000000c00000');
    expect(formatPa(U64_MAX)).toBe('0xffffffffffffffff');
  });

  it('prints MiB rounded down, as (unsigned long)size / SZ_1M', () => {
    expect(formatMiB((16n << 20n) + 1n)).toBe('16 MiB');
    expect(formatMiB(0x8000n)).toBe('0 MiB');
  });

  it('ALIGN wraps like a u64', () => {
    expect(alignUp(U64_MAX, 0x1000n)).toBe(0n);
    expect(alignUp(0xa000n, 0x8000n)).toBe(0x10000n);
  });
});
