/**
 * memblock (mm/memblock.c, K4_9 and K6_1; kernel-semantics.md §5.4, §7.8) against brute-force
 * oracles written from the kernel rules:
 *
 * - region sets: memblock_add_range()/memblock_merge_regions() and memblock_remove_range() keep
 *   `memory` and `reserved` as the sorted, disjoint, non-adjacent runs of a set of bytes; a
 *   zero size changes nothing (`if (!size) return 0`); for_each_free_mem_range() yields the runs
 *   of memory minus reserved, ascending. Oracle: a byte map.
 * - placement: __memblock_find_range_top_down() returns the *highest* address that is a
 *   multiple of `align`, at least max(start, PAGE_SIZE), whose [a, a + size) lies in one free
 *   range below `end` (0 = anywhere); __memblock_find_range_bottom_up() the *lowest*. Oracle: try
 *   every aligned address.
 * - layoutReservedRanges(): the pages free_all_bootmem() does *not* free: a page is freed only
 *   when every byte of it is memory and unreserved ([PFN_UP(start), PFN_DOWN(end)) of each free
 *   range), clipped to [0, pages). Oracle: a quarter-page map.
 *
 * Why: mutation testing left 32 mutants of model/boot/memblock.ts and 24 of model/boot/layout.ts
 * alive — the sort and merge of region sets, the size-0 and cap-size cases, the `>=`/`<` of the
 * candidate tests, the bottom-up conditions, the trailing hole and clipping of the layout —
 * because the worked examples in properties/boot/memblock.spec.ts never hit those boundaries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Memblock, type MemblockRegion, PAGE_SIZE, U64_MAX, forEachFreeMemRange, isPowerOf2,
  memblockAdd, memblockAllocRange, memblockCreate, memblockFindInRange, memblockFree,
  memblockIsRegionReserved, memblockRemove, memblockReserve,
} from '../../model/boot/memblock.ts';
import { layoutReservedRanges } from '../../model/boot/layout.ts';
import type { PfnRange } from '../../src/core/world.ts';

/** The maximal runs of `true` in a byte map, as memblock regions. */
function runsOf(map: readonly boolean[], unit = 1n): MemblockRegion[] {
  const runs: MemblockRegion[] = [];
  for (let i = 0; i < map.length; i++) {
    if (!map[i]) continue;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.base + last.size === BigInt(i) * unit) last.size += unit;
    else runs.push({ base: BigInt(i) * unit, size: unit });
  }
  return runs;
}

type SetOp = { kind: 'add' | 'remove' | 'reserve' | 'free'; base: number; size: number };

/**
 * Size 0 is drawn for every kind: memblock_add_range() and memblock_remove_range() of size 0
 * change nothing (`if (!size) return 0`; the model split a region at `base` on a 0-byte remove
 * until this property found it).
 */
const setOpArbitrary: fc.Arbitrary<SetOp> = fc.record({
  kind: fc.constantFrom('add', 'remove', 'reserve', 'free'),
  base: fc.nat(70),
  size: fc.oneof(fc.constant(0), fc.nat(24)),
});

/** memblock_add/remove/reserve/free on the model and on the byte maps. */
function applySetOp(memblock: Memblock, memory: boolean[], reserved: boolean[], op: SetOp): void {
  const base = BigInt(op.base);
  const size = BigInt(op.size);
  const calls = { add: memblockAdd, remove: memblockRemove, reserve: memblockReserve,
    free: memblockFree };
  calls[op.kind](memblock, base, size);
  const map = op.kind === 'add' || op.kind === 'remove' ? memory : reserved;
  const value = op.kind === 'add' || op.kind === 'reserve';
  for (let i = op.base; i < op.base + op.size; i++) map[i] = value;
}

/** Does [base, base + size) hold a byte of the map? (memblock_addrs_overlap, size > 0). */
function intersects(map: readonly boolean[], base: number, size: number): boolean {
  for (let i = base; i < base + size; i++) if (map[i]) return true;
  return false;
}

describe('memblock region sets (memblock_add_range, memblock_remove_range)', () => {
  it('are the sorted merged runs of the bytes added minus those removed (seed 4401, 300 runs)',
    () => {
      const MEMORY_END = 48;
      fc.assert(fc.property(fc.array(setOpArbitrary, { maxLength: 12 }), (ops) => {
        const memblock = memblockCreate(BigInt(MEMORY_END));
        const memory = Array.from({ length: 100 }, (_, i) => i < MEMORY_END);
        const reserved = new Array<boolean>(100).fill(false);
        for (const op of ops) {
          applySetOp(memblock, memory, reserved, op);
          expect(memblock.memory).toEqual(runsOf(memory));
          expect(memblock.reserved).toEqual(runsOf(reserved));
        }
        // for_each_free_mem_range(): memory minus reserved, ascending.
        const free = memory.map((isMemory, i) => isMemory && !reserved[i]);
        expect(forEachFreeMemRange(memblock))
          .toEqual(runsOf(free).map((r) => [r.base, r.base + r.size]));
        for (let base = 0; base < 80; base += 3) {
          for (const size of [1, 2, 7]) {
            expect(memblockIsRegionReserved(memblock, BigInt(base), BigInt(size)))
              .toBe(intersects(reserved, base, size));
          }
        }
      }), { seed: 4401, numRuns: 300 });
    });

  it('caps a region at PHYS_ADDR_MAX (memblock_cap_size)', () => {
    // size = min(size, PHYS_ADDR_MAX - base): [2^64 - 0x1000, +0x2000) keeps 0xfff bytes.
    const memblock = memblockCreate(0x100000n);
    memblockReserve(memblock, U64_MAX - 0xfffn, 0x2000n);
    expect(memblock.reserved).toEqual([{ base: U64_MAX - 0xfffn, size: 0xfffn }]);
    memblockReserve(memblock, 0x1000n, 0x1000n); // sorted below it
    expect(memblock.reserved.map((region) => region.base)).toEqual([0x1000n, U64_MAX - 0xfffn]);
  });
});

describe('is_power_of_2 (include/linux/log2.h)', () => {
  it('is true exactly for n with one bit set, and false for 0', () => {
    for (let n = 0n; n < 300n; n++) {
      const bits = n.toString(2).split('').filter((bit) => bit === '1').length;
      expect(isPowerOf2(n), `n=${n}`).toBe(bits === 1);
    }
    expect(isPowerOf2(1n << 63n)).toBe(true);
  });
});

/** A memblock of `pages` pages with random page-granular (and a few odd) reservations. */
interface Placement {
  pages: number;
  reserved: [number, number][];
  removed: [number, number][];
  size: bigint;
  align: bigint;
  start: bigint;
  end: bigint;
}

const PAGES = 48;

const placementArbitrary: fc.Arbitrary<Placement> = fc.record({
  pages: fc.constant(PAGES),
  reserved: fc.array(fc.tuple(fc.nat(PAGES * 4), fc.integer({ min: 1, max: 40 })),
    { maxLength: 5 }),
  removed: fc.array(fc.tuple(fc.nat(PAGES * 4), fc.integer({ min: 1, max: 24 })),
    { maxLength: 1 }),
  // Sizes in quarter pages; alignments 0x400 .. 0x10000 (powers of two).
  size: fc.integer({ min: 1, max: 40 }).map((quarters) => BigInt(quarters) * 0x400n),
  align: fc.integer({ min: 10, max: 16 }).map((shift) => 1n << BigInt(shift)),
  start: fc.oneof(fc.constant(0), fc.nat(PAGES * 4)).map((q) => BigInt(q) * 0x400n),
  end: fc.oneof(fc.constant(0), fc.nat(PAGES * 4 + 8)).map((q) => BigInt(q) * 0x400n),
});

/** The memblock of a Placement and its byte-free test in quarter pages (0x400 bytes). */
function buildPlacement(p: Placement): { memblock: Memblock; free: boolean[] } {
  const quarters = p.pages * 4;
  const memblock = memblockCreate(BigInt(p.pages) * PAGE_SIZE);
  const free = new Array<boolean>(quarters).fill(true);
  for (const [base, size] of p.reserved) {
    memblockReserve(memblock, BigInt(base) * 0x400n, BigInt(size) * 0x400n);
    for (let q = base; q < base + size && q < quarters; q++) free[q] = false;
  }
  for (const [base, size] of p.removed) {
    memblockRemove(memblock, BigInt(base) * 0x400n, BigInt(size) * 0x400n);
    for (let q = base; q < base + size && q < quarters; q++) free[q] = false;
  }
  return { memblock, free };
}

/**
 * Every address memblock_find_in_range_node() may return: a multiple of align, at least
 * max(start, PAGE_SIZE), [a, a + size) all free and at most end (0 = anywhere), ascending.
 */
function fits(p: Placement, free: readonly boolean[], align: bigint): bigint[] {
  const low = p.start > PAGE_SIZE ? p.start : PAGE_SIZE;
  const high = p.end === 0n ? BigInt(p.pages) * PAGE_SIZE : p.end;
  const result: bigint[] = [];
  for (let a = 0n; a + p.size <= BigInt(p.pages) * PAGE_SIZE; a += align) {
    if (a < low || a + p.size > high) continue;
    let ok = true;
    // A byte is free when its quarter page is: every quarter that [a, a + size) touches.
    const last = Number((a + p.size - 1n) / 0x400n);
    for (let q = Number(a / 0x400n); q <= last; q++) ok &&= free[q];
    if (ok) result.push(a);
  }
  return result;
}

describe('memblock_find_in_range_node against every aligned address', () => {
  it('top-down returns the highest fit, bottom-up the lowest, 0 for none (seed 4402, 400 runs)',
    () => {
      fc.assert(fc.property(placementArbitrary, (p) => {
        const { memblock, free } = buildPlacement(p);
        const candidates = fits(p, free, p.align);
        const highest = candidates.length === 0 ? 0n : candidates[candidates.length - 1];
        const lowest = candidates.length === 0 ? 0n : candidates[0];
        expect(memblockFindInRange(memblock, p.size, p.align, p.start, p.end)).toBe(highest);
        expect(memblockFindInRange(memblock, p.size, p.align, p.start, p.end, 'bottomUp'))
          .toBe(lowest);
      }), { seed: 4402, numRuns: 400 });
    });

  it('memblock_alloc_range reserves the top-down fit; align 0 is SMP_CACHE_BYTES (128)', () => {
    fc.assert(fc.property(placementArbitrary, fc.boolean(), (p, alignZero) => {
      const { memblock, free } = buildPlacement(p);
      const candidates = fits(p, free, alignZero ? 128n : p.align);
      const expected = candidates.length === 0 ? 0n : candidates[candidates.length - 1];
      const before = structuredClone(memblock.reserved);
      const found = memblockAllocRange(memblock, p.size, alignZero ? 0n : p.align, p.start, p.end);
      expect(found).toBe(expected);
      if (found === 0n) expect(memblock.reserved).toEqual(before);
      else expect(memblockIsRegionReserved(memblock, found, p.size)).toBe(true);
    }), { seed: 4403, numRuns: 150 });
  });

  it('accepts a fit that starts exactly at the bottom of its free range', () => {
    // Free: [0x8000, 0x10000) only. Top-down: round_down(0x10000 - 0x8000, 0x8000) = 0x8000 =
    // this_start → accepted (cand >= this_start). Bottom-up: round_up(0x8000) = 0x8000 and
    // 0x10000 - 0x8000 >= size → accepted.
    const memblock = memblockCreate(0x100000n);
    memblockReserve(memblock, 0n, 0x8000n);
    memblockReserve(memblock, 0x10000n, 0xf0000n);
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, 0n)).toBe(0x8000n);
    expect(memblockFindInRange(memblock, 0x8000n, 0x8000n, 0n, 0n, 'bottomUp')).toBe(0x8000n);
    expect(memblockFindInRange(memblock, 0x8001n, 0x8000n, 0n, 0n, 'bottomUp')).toBe(0n);
  });
});

/** Pages with any byte that is reserved or not memory, as merged pfn ranges. */
function keptPages(pages: number, free: readonly boolean[]): PfnRange[] {
  const kept: PfnRange[] = [];
  for (let pfn = 0; pfn < pages; pfn++) {
    if (free.slice(pfn * 4, pfn * 4 + 4).every(Boolean)) continue;
    const last = kept[kept.length - 1];
    if (last !== undefined && last.endPfn === pfn) last.endPfn = pfn + 1;
    else kept.push({ startPfn: pfn, endPfn: pfn + 1 });
  }
  return kept;
}

describe('layoutReservedRanges (the complement of free_low_memory_core_early)', () => {
  it('keeps every page with a reserved or missing byte, merged (seed 4404, 300 runs)', () => {
    const layoutArbitrary = fc.record({
      pages: fc.integer({ min: 4, max: 24 }),
      reserved: fc.array(fc.tuple(fc.nat(110), fc.integer({ min: 1, max: 12 })),
        { maxLength: 5 }),
      removed: fc.array(fc.tuple(fc.nat(110), fc.integer({ min: 1, max: 12 })),
        { maxLength: 3 }),
    });
    fc.assert(fc.property(layoutArbitrary, ({ pages, reserved, removed }) => {
      const p: Placement = { pages, reserved, removed, size: 0n, align: 0n, start: 0n, end: 0n };
      const { memblock, free } = buildPlacement(p);
      expect(layoutReservedRanges(memblock, pages)).toEqual(keptPages(pages, free));
    }), { seed: 4404, numRuns: 300 });
  });
});
