/**
 * Device-tree /reserved-memory at boot (drivers/of/fdt.c, drivers/of/of_reserved_mem.c,
 * kernel/dma/contiguous.c; kernel-semantics.md §7.1 step 3, §7.2), K4_9 and K6_1, through
 * declareLayout() except for the units the kernel itself exports (sort(), the save-node slots).
 *
 * - sort(reserved_mem, …, __rmem_cmp) is lib/sort.c's heapsort, not stable: the order of nodes
 *   that compare equal (every dynamic node) decides which is allocated first. Oracle: lib/sort.c
 *   transliterated, v4.9 (top-down sift) and v6.1 (bottom-up sift, with K6_1's comparator).
 * - __rmem_check_for_overlap(): neighbours after the sort, `this->base + this->size >
 *   next->base`, skipping any pair with a base 0 in K4_9 only.
 * - __reserved_mem_alloc_size(): the alignment (the node's, raised to the CMA minimum only for a
 *   reusable, mapped "shared-dma-pool" node; SMP_CACHE_BYTES for none), each alloc-range in turn
 *   (top-down below its end, rejected below its start), "failed to allocate" on none. Oracle:
 *   every aligned address tried, as in bootMemblock.spec.ts.
 * - the error paths: a node with neither `reg` nor `size` is not saved; the slots are 16 (K4_9)
 *   and 64 (K6_1); K6_1 refuses a `no-map` range that is memory and reserved, bypasses a
 *   `linux,cma-default` node when `cma=` is given, and gives back a region whose init failed
 *   (never one that matched no init function, -ENOENT).
 *
 * Why: 85 mutants of model/boot/reservedMem.ts survived; the worked examples of
 * properties/boot/reservedMem.spec.ts never compared the sort with the kernel's, never placed a
 * dynamic node that is not a CMA pool, and had few K6_1 nodes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/core/worldParse.ts';
import type { PfnRange, Profile } from '../../src/core/world.ts';
import { createDeclareContext, declareLayout } from '../../model/boot/layout.ts';
import { formatMiB } from '../../model/boot/memblock.ts';
import {
  type ReservedMem, fdtReservedMemSaveNode, sortReservedMem,
} from '../../model/boot/reservedMem.ts';

const PAGE = 0x1000;

/** 256 pages (memory [0, 0x100000)), maxOrder 4, pageblock order 3. */
function world(profile: Profile, fields: Record<string, unknown>) {
  return parseWorld({ profile, pages: 256, maxOrder: 4, pageblockOrder: 3, ...fields });
}

/** CMA minimum alignment: K4_9 PAGE_SIZE << max(MAX_ORDER - 1, pb); K6_1 pageblock bytes. */
function cmaMin(profile: Profile): number {
  return profile === 'K4_9' ? PAGE << 4 : PAGE << 3;
}

// ---------------------------------------------------------------- lib/sort.c

type Cmp = (a: ReservedMem, b: ReservedMem) => number;

/** __rmem_cmp(): by base; K6_1 then by size (dynamic nodes before static ones at 0). */
function rmemCmp(profile: Profile): Cmp {
  return (a, b) => {
    if (a.base !== b.base) return a.base < b.base ? -1 : 1;
    if (profile === 'K4_9') return 0;
    return a.size < b.size ? -1 : a.size > b.size ? 1 : 0;
  };
}

function swap<T>(array: T[], i: number, j: number): void {
  [array[i], array[j]] = [array[j], array[i]];
}

/** sort() — lib/sort.c v4.9: heapify, then extract, each a two-compare sift-down. */
function sortV4_9<T>(array: T[], cmp: (a: T, b: T) => number): void {
  const n = array.length;
  const sift = (root: number, end: number): void => {
    for (let r = root, c = 0; r * 2 + 1 < end; r = c) {
      c = r * 2 + 1;
      if (c < end - 1 && cmp(array[c], array[c + 1]) < 0) c++;
      if (cmp(array[r], array[c]) >= 0) break;
      swap(array, r, c);
    }
  };
  for (let i = Math.floor(n / 2) - 1; i >= 0; i--) sift(i, n);
  for (let i = n - 1; i > 0; i--) {
    swap(array, 0, i);
    sift(0, i);
  }
}

/** sort() — lib/sort.c v6.1: bottom-up heapsort (sift to a leaf, backtrack, rotate). */
function sortV6_1<T>(array: T[], cmp: (a: T, b: T) => number): void {
  let n = array.length;
  let a = Math.floor(n / 2);
  if (a === 0) return;
  const parent = (i: number): number => Math.floor((i - 1) / 2);
  for (;;) {
    if (a > 0) a--;
    else if (--n > 0) swap(array, 0, n);
    else break;
    let b = a;
    let c = 0;
    let d = 0;
    for (; (c = 2 * b + 1), (d = c + 1) < n;) b = cmp(array[c], array[d]) >= 0 ? c : d;
    if (d === n) b = c;
    while (b !== a && cmp(array[a], array[b]) >= 0) b = parent(b);
    c = b;
    while (b !== a) {
      b = parent(b);
      swap(array, b, c);
    }
  }
}

const rmemArbitrary = fc.array(fc.record({
  base: fc.constantFrom(0n, 0x8000n, 0x10000n),
  size: fc.constantFrom(0n, 0x4000n, 0x8000n),
}), { maxLength: 16 }).map((entries) => entries.map((entry, index): ReservedMem => ({
  name: `n${index}`, node: index, ...entry, cmaArea: null, cmaResult: null,
})));

describe('sort(reserved_mem, …, __rmem_cmp) — lib/sort.c', () => {
  it('permutes like the v4.9 heapsort, equal nodes included (K4_9, seed 4501, 300 runs)', () => {
    fc.assert(fc.property(rmemArbitrary, (rmems) => {
      const expected = [...rmems];
      sortV4_9(expected, rmemCmp('K4_9'));
      const actual = [...rmems];
      sortReservedMem(actual, 'K4_9');
      expect(actual.map((r) => r.name)).toEqual(expected.map((r) => r.name));
    }), { seed: 4501, numRuns: 300 });
  });

  it('permutes like the v6.1 bottom-up heapsort, by (base, size) (K6_1, seed 4502, 300 runs)',
    () => {
      fc.assert(fc.property(rmemArbitrary, (rmems) => {
        const expected = [...rmems];
        sortV6_1(expected, rmemCmp('K6_1'));
        const actual = [...rmems];
        sortReservedMem(actual, 'K6_1');
        // Equal nodes too: the v6.1 loop permutes them as v4.9's does (checked here).
        expect(actual.map((r) => r.name)).toEqual(expected.map((r) => r.name));
      }), { seed: 4502, numRuns: 300 });
    });
});

// ---------------------------------------------------------------- save node, scan

describe('fdt_reserved_mem_save_node() slots', () => {
  it('keeps MAX_RESERVED_REGIONS nodes (16 in K4_9, 64 in K6_1) and complains for the rest',
    () => {
      for (const [profile, slots, text] of [
        ['K4_9', 16, 'not enough space all defined regions.'],
        ['K6_1', 64, 'not enough space for all defined regions.'],
      ] as const) {
        const ctx = createDeclareContext(world(profile, {}));
        const rmems: ReservedMem[] = [];
        for (let i = 0; i < 70; i++) fdtReservedMemSaveNode(ctx, rmems, i, `n${i}`, 0n, 0n);
        expect(rmems).toHaveLength(slots);
        expect(ctx.messages).toEqual(
          new Array(70 - slots).fill(`OF: reserved mem: ${text}`));
      }
    });
});

describe('__fdt_scan_reserved_mem()', () => {
  it('saves a zero-size reg node, which then has no `size` to allocate (-EINVAL, silent)', () => {
    // __reserved_mem_reserve_reg(): size 0 → "failed to reserve", saved with size 0;
    // fdt_init_reserved_mem(): size 0 → __reserved_mem_alloc_size(): no "size" → -EINVAL.
    const layout = declareLayout(world('K4_9', {
      reservedMemory: [{ name: 'empty', reg: [0x20000, 0], reusable: true }],
    }));
    expect(layout.declarations).toEqual(
      [{ source: 'dt', name: 'empty', ok: false, area: null, errno: 'EINVAL' }]);
    expect(layout.messages).toEqual(["OF: fdt:Reserved memory: failed to reserve memory for node"
      + " 'empty': base 0x0000000000020000, size 0 MiB"]);
  });


  it('saves a node with `reg` once, a `size` node once, and one with neither not at all', () => {
    // err == -ENOENT && size → save with base 0; a node with reg is saved by
    // __reserved_mem_reserve_reg() alone; neither → nothing (no declaration, no message).
    for (const profile of ['K4_9', 'K6_1'] as const) {
      const layout = declareLayout(world(profile, {
        reservedMemory: [
          { name: 'none', reusable: true },
          { name: 'both', reg: [0x20000, 0x10000], size: 0x10000, reusable: true },
        ],
      }));
      expect(layout.declarations.map((d) => [d.name, d.ok])).toEqual([['both', true]]);
      expect(layout.areas).toMatchObject([{ name: 'both', basePfn: 32, count: 16 }]);
    }
  });
});

// ---------------------------------------------------------------- overlap check

type StaticNode = { base: number; size: number };

const staticNodesArbitrary = fc.array(fc.record({
  base: fc.constantFrom(0, 0x8000, 0x10000, 0x14000, 0x20000),
  size: fc.constantFrom(0x4000, 0x8000, 0xc000),
}), { minLength: 1, maxLength: 6 });

/** The OVERLAP lines __rmem_check_for_overlap() prints for these saved nodes. */
function expectedOverlaps(profile: Profile, rmems: ReservedMem[]): string[] {
  if (rmems.length < 2) return [];
  const sorted = [...rmems];
  (profile === 'K4_9' ? sortV4_9 : sortV6_1)(sorted, rmemCmp(profile));
  const hex = (value: bigint): string => `0x${value.toString(16).padStart(16, '0')}`;
  const lines: string[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const [a, b] = [sorted[i], sorted[i + 1]];
    if (profile === 'K4_9' && (a.base === 0n || b.base === 0n)) continue;
    if (a.base + a.size <= b.base) continue;
    lines.push('OF: reserved mem: OVERLAP DETECTED!', `${a.name} (${hex(a.base)}--`
      + `${hex(a.base + a.size)}) overlaps with ${b.name}`
      + ` (${hex(b.base)}--${hex(b.base + b.size)})`);
  }
  return lines;
}

describe('__rmem_check_for_overlap()', () => {
  it('reports each overlapping pair of sorted neighbours (seed 4503, 200 runs)', () => {
    // Distinct (base, size) keys, so that any correct sort gives the same neighbours; one
    // dynamic node (base 0, size 0 when saved) takes part in the sort. Compatible
    // "vendor,blob": no init function, so the overlap lines are the only ones about them.
    const arbitrary = fc.tuple(fc.constantFrom<Profile>('K4_9', 'K6_1'), staticNodesArbitrary,
      fc.boolean());
    fc.assert(fc.property(arbitrary, ([profile, statics, withDynamic]) => {
      const unique = statics.filter((node, i) =>
        statics.findIndex((other) => other.base === node.base && other.size === node.size) === i);
      const nodes: Record<string, unknown>[] = unique.map((node: StaticNode, i) => ({
        name: `s${i}`, compatible: 'vendor,blob', reg: [node.base, node.size],
      }));
      if (withDynamic) nodes.push({ name: 'dyn', compatible: 'vendor,blob', size: 0x1000 });
      const saved = nodes.map((node, i): ReservedMem => {
        const reg = node.reg as [number, number] | undefined;
        return { name: String(node.name), node: i, base: BigInt(reg?.[0] ?? 0),
          size: BigInt(reg?.[1] ?? 0), cmaArea: null, cmaResult: null };
      });
      const layout = declareLayout(world(profile, { reservedMemory: nodes }));
      const overlapLines = layout.messages.filter((line) =>
        line.includes('OVERLAP') || line.includes('overlaps with'));
      expect(overlapLines).toEqual(expectedOverlaps(profile, saved));
    }), { seed: 4503, numRuns: 200 });
  });

  it('does not report neighbours that only touch, nor (K4_9) a pair with a base 0', () => {
    const touching = declareLayout(world('K6_1', {
      reservedMemory: [{ name: 'a', compatible: 'vendor,blob', reg: [0x8000, 0x8000] },
        { name: 'b', compatible: 'vendor,blob', reg: [0x10000, 0x8000] }],
    }));
    expect(touching.messages).toEqual([]);
    const atZero = (profile: Profile): string[] => declareLayout(world(profile, {
      reservedMemory: [{ name: 'low', compatible: 'vendor,blob', reg: [0, 0x10000] },
        { name: 'high', compatible: 'vendor,blob', reg: [0x8000, 0x10000] }],
    })).messages;
    expect(atZero('K4_9')).toEqual([]); // if (!(this->base && next->base)) continue;
    expect(atZero('K6_1')).toEqual([
      'OF: reserved mem: OVERLAP DETECTED!',
      'low (0x0000000000000000--0x0000000000010000) overlaps with high'
        + ' (0x0000000000008000--0x0000000000018000)',
    ]);
  });
});

// ---------------------------------------------------------------- dynamic placement

interface DynamicCase {
  profile: Profile;
  kind: 'cma' | 'coherent' | 'vendor' | 'vendorReusable' | 'vendorNomap';
  sizeUnits: number;
  alignment: number | null;
  ranges: [number, number][];
  statics: [number, number][];
}

/** Sizes and addresses in units of 0x2000 bytes; memory is 128 units. */
const UNIT = 0x2000;

const dynamicCaseArbitrary: fc.Arbitrary<DynamicCase> = fc.record({
  profile: fc.constantFrom<Profile>('K4_9', 'K6_1'),
  kind: fc.constantFrom<DynamicCase['kind']>('cma', 'coherent', 'vendor', 'vendorReusable',
    'vendorNomap'),
  sizeUnits: fc.integer({ min: 1, max: 40 }),
  alignment: fc.oneof(fc.constant(null), fc.integer({ min: 10, max: 17 }).map((s) => 2 ** s)),
  ranges: fc.array(fc.tuple(fc.nat(128), fc.integer({ min: 1, max: 64 })), { maxLength: 2 }),
  statics: fc.array(fc.tuple(fc.nat(127), fc.integer({ min: 1, max: 30 })), { maxLength: 3 }),
});

/**
 * The base __reserved_mem_alloc_size() finds, or 0: for each alloc-range [start, end) (or
 * anywhere), the highest multiple of `align` in [max(start, PAGE_SIZE), end) whose range is free.
 */
function expectedBase(free: readonly boolean[], size: number, align: number,
  ranges: [number, number][]): number {
  const windows = ranges.length === 0 ? [[0, 128 * UNIT]] : ranges.map(([s, l]) =>
    [s * UNIT, (s + l) * UNIT]);
  for (const [start, end] of windows) {
    const low = Math.max(start, PAGE);
    for (let a = Math.floor((Math.min(end, 128 * UNIT) - size) / align) * align; a >= low;
      a -= align) {
      // Every quarter page that [a, a + size) touches must be free.
      if (free.slice(Math.floor(a / 0x400), Math.ceil((a + size) / 0x400)).every(Boolean)) {
        return a;
      }
    }
  }
  return 0;
}

/** The node of a DynamicCase, its kind spelled as device-tree properties. */
function dynamicNode(c: DynamicCase, size: number): Record<string, unknown> {
  const kindProps = {
    cma: { reusable: true }, coherent: {},
    vendor: { compatible: 'vendor,blob' },
    // Reusable but not "shared-dma-pool": no CMA minimum (of_flat_dt_is_compatible() fails).
    vendorReusable: { compatible: 'vendor,blob', reusable: true },
    vendorNomap: { compatible: 'vendor,blob', 'no-map': true },
  }[c.kind];
  return {
    name: 'dyn', size, ...kindProps,
    ...(c.alignment === null ? {} : { alignment: c.alignment }),
    ...(c.ranges.length === 0 ? {} : {
      'alloc-ranges': c.ranges.map(([start, length]) => [start * UNIT, length * UNIT]),
    }),
  };
}

/** Pages touched by [base, base + size) bytes, merged with `ranges`. */
function withPages(ranges: PfnRange[], base: number, size: number): PfnRange[] {
  const pages = new Set<number>();
  for (const r of ranges) for (let p = r.startPfn; p < r.endPfn; p++) pages.add(p);
  for (let p = Math.floor(base / PAGE); p < Math.ceil((base + size) / PAGE); p++) pages.add(p);
  const sorted = [...pages].sort((a, b) => a - b);
  const merged: PfnRange[] = [];
  for (const p of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.endPfn === p) last.endPfn = p + 1;
    else merged.push({ startPfn: p, endPfn: p + 1 });
  }
  return merged;
}

/** A CMA pool's size is rounded to the minimum, so that rmem_cma_setup() accepts it. */
function dynamicSize(c: DynamicCase): number {
  const min = cmaMin(c.profile);
  return c.kind === 'cma' ? Math.ceil(c.sizeUnits * UNIT / min) * min : c.sizeUnits * UNIT;
}

/** The static nodes of a case (reg, start 0x400 past a unit) and the quarter pages left free. */
function staticsOf(c: DynamicCase): { nodes: Record<string, unknown>[]; free: boolean[] } {
  const free = new Array<boolean>(128 * UNIT / 0x400).fill(true);
  const nodes = c.statics.map(([base, length], i) => {
    const start = base * UNIT + 0x400;
    for (let q = start / 0x400; q < (start + length * UNIT) / 0x400 && q < free.length; q++) {
      free[q] = false;
    }
    return { name: `s${i}`, compatible: 'vendor,blob', reg: [start, length * UNIT] };
  });
  return { nodes, free };
}

/** The "failed to allocate" line: K4_9 pr_info without the size, K6_1 pr_err with it. */
function allocFailedLine(profile: Profile, size: number): string {
  const line = "OF: reserved mem: failed to allocate memory for node 'dyn'";
  return profile === 'K4_9' ? line : `${line}: size ${formatMiB(BigInt(size))}`;
}

describe('__reserved_mem_alloc_size() against every aligned address', () => {
  it('places a dynamic node where the kernel would, or fails as it does (seed 4504, 300 runs)',
    () => {
      fc.assert(fc.property(dynamicCaseArbitrary, (c) => {
        const size = dynamicSize(c);
        const { nodes, free } = staticsOf(c);
        const align = c.kind === 'cma'
          ? Math.max(c.alignment ?? 0, cmaMin(c.profile)) : (c.alignment ?? 128);
        const base = expectedBase(free, size, align, c.ranges);
        const baseline = declareLayout(world(c.profile, { reservedMemory: nodes }));
        const layout = declareLayout(world(c.profile, {
          reservedMemory: [...nodes, dynamicNode(c, size)],
        }));
        if (base === 0) {
          expect(layout.messages).toContain(allocFailedLine(c.profile, size));
          expect(layout.reserved).toEqual(baseline.reserved);
          expect(layout.declarations).toEqual(c.kind === 'cma' || c.kind === 'coherent'
            ? [{ source: 'dt', name: 'dyn', ok: false, area: null, errno: 'ENOMEM' }] : []);
          return;
        }
        expect(layout.reserved).toEqual(withPages(baseline.reserved, base, size));
        if (c.kind === 'cma') {
          expect(layout.areas)
            .toMatchObject([{ name: 'dyn', basePfn: base / PAGE, count: size / PAGE }]);
        }
        if (c.kind === 'coherent') {
          expect(layout.messages).toContain('Reserved memory: created DMA memory pool at'
            + ` 0x${base.toString(16).padStart(16, '0')}, size ${formatMiB(BigInt(size))}`);
        }
      }), { seed: 4504, numRuns: 300 });
    });

  it('accepts a block found exactly at the start of an alloc-range', () => {
    // Free below 0x40000 only from 0x38000 up to the static node at 0x40000: the top-down fit
    // in [0x38000, 0x40000) is 0x38000 = start: base < start is false, so it is kept.
    const layout = declareLayout(world('K4_9', {
      reservedMemory: [
        { name: 'wall', compatible: 'vendor,blob', reg: [0x40000, 0xc0000] },
        { name: 'dyn', compatible: 'vendor,blob', size: 0x8000, alignment: 0x8000,
          'alloc-ranges': [[0x38000, 0x8000]] },
      ],
    }));
    expect(layout.reserved).toEqual([{ startPfn: 0x38, endPfn: 0x100 }]);
  });

  it('keeps other reservations when a dynamic node fails, and removes nothing', () => {
    // A failed __memblock_alloc_base() returns 0 and touches nothing: pfns 0..8 stay reserved
    // and memory stays whole (the no-map node never reaches memblock_remove).
    const layout = declareLayout(world('K4_9', {
      reserved: [{ startPfn: 0, endPfn: 8 }],
      reservedMemory: [
        { name: 'ranged', compatible: 'vendor,blob', size: 0x8000,
          'alloc-ranges': [[0x80000, 0x4000]] },
        { name: 'huge', compatible: 'vendor,blob', size: 0x200000, 'no-map': true },
      ],
    }));
    expect(layout.reserved).toEqual([{ startPfn: 0, endPfn: 8 }]);
  });

  it('removes a dynamic no-map node from memory, and only that one (K4_9 percentage)', () => {
    // early_init_dt_alloc_reserved_memory_arch(): nomap → memblock_remove(). K4_9
    // cma_early_percent_memory() sums memblock.memory: 256 pages − 16 no-map = 240; 50% → 120
    // pages. The mapped dynamic node stays memory. maxOrder 0: the CMA minimum is one page.
    const layout = declareLayout(parseWorld({
      profile: 'K4_9', pages: 256, maxOrder: 0, pageblockOrder: 0,
      kconfig: { cmaSizeSel: 'percentage', cmaSizePercentage: 50 },
      reservedMemory: [
        { name: 'hole', compatible: 'vendor,blob', size: 0x10000, 'no-map': true },
        { name: 'kept', compatible: 'vendor,blob', size: 0x8000 },
      ],
    }));
    expect(layout.areas).toMatchObject([{ name: 'reserved', count: 120 }]);
  });
});

// ---------------------------------------------------------------- K6_1 paths

function k61(fields: Record<string, unknown>) {
  return declareLayout(world('K6_1', fields));
}

const FAILED_RESERVE = 'failed to reserve memory for node';

describe('early_init_dt_reserve_memory() — K6_1', () => {
  it('reserves two overlapping mapped reg nodes without complaint', () => {
    // No no-map: memblock_reserve() whatever is reserved already.
    const layout = k61({ reservedMemory: [
      { name: 'a', compatible: 'vendor,blob', reg: [0x20000, 0x10000] },
      { name: 'b', compatible: 'vendor,blob', reg: [0x28000, 0x10000] },
    ] });
    expect(layout.messages.filter((line) => line.includes(FAILED_RESERVE))).toEqual([]);
    expect(layout.reserved).toEqual([{ startPfn: 0x20, endPfn: 0x38 }]);
  });

  it('lets a no-map range outside memory be, even when it is reserved', () => {
    // [0x100000, 0x108000) starts at the end of memory: memblock_overlaps_region(&memory) is
    // false, so -EBUSY does not apply.
    const layout = k61({ reservedMemory: [
      { name: 'above', compatible: 'vendor,blob', reg: [0x100000, 0x8000] },
      { name: 'above-nomap', compatible: 'vendor,blob', reg: [0x100000, 0x8000], 'no-map': true },
    ] });
    expect(layout.messages.filter((line) => line.includes(FAILED_RESERVE))).toEqual([]);
  });

  it('refuses a no-map range that overlaps any memory region and a reservation', () => {
    // After 'hole' memory is [0, 0x40000) and [0x48000, 0x100000). 'edge' [0x44000, 0x4c000)
    // overlaps the second region and the reservation 'busy' [0x48000, 0x50000) → -EBUSY
    // (the kernel's memory still holds the hole too: it only marks it nomap).
    const layout = k61({ reservedMemory: [
      { name: 'hole', compatible: 'vendor,blob', reg: [0x40000, 0x8000], 'no-map': true },
      { name: 'busy', compatible: 'vendor,blob', reg: [0x48000, 0x8000] },
      { name: 'edge', compatible: 'vendor,blob', reg: [0x44000, 0x8000], 'no-map': true },
      { name: 'low', compatible: 'vendor,blob', reg: [0x38000, 0x8000] },
      { name: 'low-nomap', compatible: 'vendor,blob', reg: [0x3c000, 0x8000], 'no-map': true },
    ] });
    expect(layout.messages.filter((line) => line.includes(FAILED_RESERVE))).toEqual([
      "OF: fdt: Reserved memory: failed to reserve memory for node 'edge':"
        + ' base 0x0000000000044000, size 0 MiB',
      "OF: fdt: Reserved memory: failed to reserve memory for node 'low-nomap':"
        + ' base 0x000000000003c000, size 0 MiB',
    ]);
  });
});

describe('rmem_cma_setup() and fdt_init_reserved_mem() — K6_1', () => {
  const DEFAULT_NODE = { name: 'dflt', reg: [0x20000, 0x10000], reusable: true,
    'linux,cma-default': true };

  it('makes a linux,cma-default node the default area when there is no cma=', () => {
    const layout = k61({ reservedMemory: [DEFAULT_NODE] });
    expect(layout.defaultArea).toBe(0);
    expect(layout.messages.some((line) => line.includes('bypass'))).toBe(false);
  });

  it('bypasses it for cma= (even cma=0) and gives the region back', () => {
    const layout = k61({ cmdline: 'cma=0', reservedMemory: [DEFAULT_NODE] });
    expect(layout.defaultArea).toBeNull();
    expect(layout.messages).toEqual([
      'Reserved memory: bypass dflt node, using cmdline CMA params instead',
      'OF: reserved mem: node dflt compatible matching fail',
    ]);
    expect(layout.reserved).toEqual([]);
  });

  it('keeps a node whose compatible has no init function (-ENOENT), and a node that worked',
    () => {
      const layout = k61({ reservedMemory: [
        { name: 'blob', compatible: 'vendor,blob', reg: [0x20000, 0x8000] },
        { name: 'pool', reg: [0x40000, 0x8000], reusable: true },
      ] });
      expect(layout.messages.filter((line) => line.includes('matching fail'))).toEqual([]);
      expect(layout.reserved).toEqual([
        { startPfn: 0x20, endPfn: 0x28 }, { startPfn: 0x40, endPfn: 0x48 },
      ]);
    });

  it('records no CMA outcome for a dynamic node of another compatible that fails', () => {
    const layout = k61({ reservedMemory: [
      { name: 'big', compatible: 'vendor,blob', size: 0x200000 },
    ] });
    expect(layout.declarations).toEqual([]);
  });
});

describe('of_reserved_mem_device_init_by_idx() → dev->cma_area', () => {
  it('gives each device its node\'s area, and none for a node never saved', () => {
    // 'off' is disabled: never saved, so no reserved_mem entry → dev->cma_area stays NULL.
    const layout = declareLayout(world('K4_9', {
      reservedMemory: [
        { name: 'first', reg: [0x20000, 0x10000], reusable: true },
        { name: 'second', reg: [0x40000, 0x10000], reusable: true },
        { name: 'off', reg: [0x60000, 0x10000], reusable: true, status: 'disabled' },
      ],
      devices: [{ name: 'a', 'memory-region': 'second' }, { name: 'b', 'memory-region': 'off' },
        { name: 'c', 'memory-region': 'first' }],
    }));
    expect(layout.deviceAreas).toEqual([1, null, 0]);
  });
});
