/**
 * The K6_1 declaration phase against K4_9's on the same world JSON (model/boot/*;
 * kernel-semantics.md §5.2, §5.3, §7.1–§7.3, §7.5, §7.6; §9 P15–P18, P30, P32): v6.1.20
 * mm/cma.c cma_declare_contiguous_nid() / cma_init_reserved_mem(), drivers/of/fdt.c,
 * drivers/of/of_reserved_mem.c fdt_init_reserved_mem(), kernel/dma/contiguous.c early_cma() /
 * rmem_cma_setup(). Unless told, the world has 256 pages (memory [0, 0x100000)), maxOrder 3 and
 * pageblocks of 2 pages, so the CMA minimum alignment is 0x8000 (8 pages) in K4_9 and 0x2000
 * (2 pages) in K6_1.
 */
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/core/world.ts';
import {
  type CmaDeclareRequest, cmaDeclareContiguous, cmaInitReservedMem, cmaMinAlignment,
} from '../../model/boot/cmaDeclare.ts';
import { createDeclareContext, declareLayout } from '../../model/boot/layout.ts';
import { memblockReserve } from '../../model/boot/memblock.ts';
import { worldOf } from '../k61/support.ts';

const TINY = { pages: 256, maxOrder: 3, pageblockOrder: 1 };

function context(profile: Profile, fields: Record<string, unknown> = {}) {
  return createDeclareContext(worldOf(profile, { ...TINY, ...fields }));
}

function request(fields: Partial<CmaDeclareRequest>): CmaDeclareRequest {
  return { base: 0n, size: 0x2000n, limit: 0n, alignment: 0n, orderPerBit: 0, fixed: false,
    ...fields };
}

const LABEL = { name: 'test', source: 'explicit' } as const;

describe('CMA minimum alignment (§5.1, §9 P15)', () => {
  it('is a pageblock in K6_1 and max(MAX_ORDER − 1, pageblock) in K4_9', () => {
    expect(cmaMinAlignment(context('K4_9'))).toBe(0x8000n);
    expect(cmaMinAlignment(context('K6_1'))).toBe(0x2000n);
  });

  it('lets K6_1 register a pageblock-aligned area that K4_9 refuses', () => {
    // [0x2000, 0x4000) reserved: K4_9 wants base and size multiples of 0x8000 → -EINVAL;
    // K6_1 wants 0x2000 → registered at pfn 2, 2 pages.
    const results = (['K4_9', 'K6_1'] as const).map((profile) => {
      const ctx = context(profile);
      memblockReserve(ctx.memblock, 0x2000n, 0x2000n);
      return cmaInitReservedMem(ctx, 0x2000n, 0x2000n, 0, LABEL);
    });
    expect(results).toEqual([{ ok: false, errno: 'EINVAL' }, { ok: true, area: 0 }]);
  });
});

describe('cma_declare_contiguous_nid checks (§5.3, §9 P16, P17)', () => {
  it('refuses a misaligned fixed base in K6_1 where K4_9 rounds it up', () => {
    // base 0x3000 fixed, size 0x2000. K4_9: alignment 0x8000 → base ALIGN → 0x8000, size
    // 0x8000 → reserved there (pfn 8, 8 pages). K6_1: alignment 0x2000; 0x3000 & 0x1fff ≠ 0 →
    // "Region at %pa must be aligned to %pa bytes", then err: "Failed to reserve" with the size
    // not yet rounded: 0x2000 / 1 MiB = 0.
    const k49 = context('K4_9');
    const k61 = context('K6_1');
    const fixed = request({ base: 0x3000n, fixed: true });
    expect(cmaDeclareContiguous(k49, fixed, LABEL)).toEqual({ ok: true, area: 0 });
    expect(k49.areas[0]).toMatchObject({ basePfn: 8, count: 8 });
    expect(cmaDeclareContiguous(k61, fixed, LABEL)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(k61.messages).toEqual([
      'cma: Region at 0x0000000000003000 must be aligned to 0x0000000000002000 bytes',
      'cma: Failed to reserve 0 MiB',
    ]);
    expect(k61.memblock.reserved).toEqual([]);
  });

  it('refuses base + size past the limit in K6_1; K4_9 never compares them', () => {
    // base 0x4000 fixed, size 0x4000, limit 0x6000. K6_1: alignment 0x2000, base aligned; limit
    // 0x6000 & ~0x1fff = 0x6000 (below the end of DRAM: kept); 0x4000 + 0x4000 > 0x6000 →
    // "Size (%pa) of region at %pa exceeds limit (%pa)", -EINVAL. K4_9: alignment 0x8000 → base
    // 0x8000, size 0x8000, limit 0x6000 & ~0x7fff = 0 → end of DRAM; a fixed area ignores the
    // limit anyway: reserved at pfn 8, 8 pages.
    const k49 = context('K4_9');
    const k61 = context('K6_1');
    const limited = request({ base: 0x4000n, size: 0x4000n, limit: 0x6000n, fixed: true });
    expect(cmaDeclareContiguous(k49, limited, LABEL)).toEqual({ ok: true, area: 0 });
    expect(k49.areas[0]).toMatchObject({ basePfn: 8, count: 8 });
    expect(cmaDeclareContiguous(k61, limited, LABEL)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(k61.messages).toEqual([
      'cma: Size (0x0000000000004000) of region at 0x0000000000004000 exceeds limit'
        + ' (0x0000000000006000)',
      'cma: Failed to reserve 0 MiB',
    ]);
  });

  it('gives the reservation back when cma_init_reserved_mem fails (K6_1); K4_9 keeps it', () => {
    // order_per_bit 3 in a world with 4-page pageblocks and maxOrder 2: both minima are 4
    // pages, not a multiple of 2^3 → cma_init_reserved_mem -EINVAL after placement; the size
    // (0x8000 = 8 pages) passed the size test. Placed top-down at 0xf8000 in both.
    const world = { pages: 256, maxOrder: 2, pageblockOrder: 2 };
    const results = (['K4_9', 'K6_1'] as const).map((profile) => {
      const ctx = context(profile, world);
      const result = cmaDeclareContiguous(ctx, request({ size: 0x8000n, orderPerBit: 3 }), LABEL);
      return [result, ctx.memblock.reserved, ctx.messages];
    });
    expect(results).toEqual([
      [{ ok: false, errno: 'EINVAL' }, [{ base: 0xf8000n, size: 0x8000n }],
        ['cma: Failed to reserve 0 MiB']],
      [{ ok: false, errno: 'EINVAL' }, [], ['cma: Failed to reserve 0 MiB']],
    ]);
  });
});

describe('non-fixed placement (§5.3, §9 P18)', () => {
  it('places an area bottom-up from 4 GiB in K6_1 when memory reaches 4 GiB + size', () => {
    // 2^21 pages = 8 GiB, pageblocks of 2^9 (2 MiB; K4_9 with maxOrder 10: 4 MiB). A 64 MiB
    // non-fixed area, limit 0 → end of DRAM 0x200000000.
    //   K4_9: top-down in [0, 8 GiB): round_down(8 GiB − 64 MiB, 4 MiB) = 0x1fc000000.
    //   K6_1: memblock_end 8 GiB ≥ 4 GiB + 64 MiB → bottom-up in [4 GiB, 8 GiB): 0x100000000.
    const world = { pages: 1 << 21, maxOrder: 10, pageblockOrder: 9 };
    const placed = (['K4_9', 'K6_1'] as const).map((profile) => {
      const ctx = context(profile, world);
      cmaDeclareContiguous(ctx, request({ size: 64n << 20n }), LABEL);
      return ctx.messages[0];
    });
    expect(placed).toEqual([
      'cma: Reserved 64 MiB at 0x00000001fc000000',
      'cma: Reserved 64 MiB at 0x0000000100000000',
    ]);
  });

  it('stays top-down in K6_1 below 4 GiB + size', () => {
    // The tiny world ends at 1 MiB: (b) does not apply; top-down: 0x100000 − 0x2000 = 0xfe000.
    const ctx = context('K6_1');
    expect(cmaDeclareContiguous(ctx, request({}), LABEL)).toEqual({ ok: true, area: 0 });
    expect(ctx.messages).toEqual(['cma: Reserved 0 MiB at 0x00000000000fe000']);
  });
});

describe('cma= against a device-tree default node (§7.2, §9 P30, P32)', () => {
  const world = {
    ...TINY, cmdline: 'cma=32K',
    reservedMemory: [{ name: 'linux,cma', reg: [0x20000, 0x10000], reusable: true,
      'linux,cma-default': true }],
  };

  it('K4_9: the DT default node wins and cma= reserves nothing', () => {
    // rmem_cma_setup registers [0x20000, 0x30000) (aligned to 0x8000) and makes it the default;
    // dma_contiguous_reserve sees a default area and does nothing.
    const layout = declareLayout(worldOf('K4_9', world));
    expect(layout.areas.map((area) => [area.name, area.basePfn, area.count]))
      .toEqual([['linux,cma', 32, 16]]);
    expect(layout.defaultArea).toBe(0);
    expect(layout.reserved).toEqual([{ startPfn: 32, endPfn: 48 }]);
  });

  it('K6_1: the node is bypassed and given back, and the cma= area becomes the default', () => {
    // rmem_cma_setup: size_cmdline ≠ −1 and linux,cma-default → "bypass", -EBUSY; the next init
    // function, rmem_dma_setup, refuses a reusable node (-EINVAL): not -ENOENT → "node %s
    // compatible matching fail" and memblock_phys_free(). dma_contiguous_reserve then reserves
    // cma=32K: 0x8000, top-down below the arch limit (the end of memory): 0xf8000 = pfn 248.
    const layout = declareLayout(worldOf('K6_1', world));
    expect(layout.messages).toEqual([
      'Reserved memory: bypass linux,cma node, using cmdline CMA params instead',
      'OF: reserved mem: node linux,cma compatible matching fail',
      'cma: Reserved 0 MiB at 0x00000000000f8000',
    ]);
    expect(layout.areas.map((area) => [area.name, area.basePfn, area.count]))
      .toEqual([['reserved', 248, 8]]);
    expect(layout.defaultArea).toBe(0);
    expect(layout.reserved).toEqual([{ startPfn: 248, endPfn: 256 }]);
    expect(layout.declarations.map((d) => [d.source, d.ok, d.errno])).toEqual([
      ['dt', false, 'EBUSY'], ['cmdline', true, null],
    ]);
  });

  it('K6_1 returns a failed no-map region to memory; K4_9 keeps it out', () => {
    // A reusable no-map node: no-map removes it from memory (K6_1 marks it NOMAP, the model
    // removes it in both); rmem_cma_setup -EINVAL (no-map), rmem_dma_setup -EINVAL (reusable).
    // K4_9 leaves it out of the buddy for good; K6_1 memblock_clear_nomap()s it: ordinary RAM.
    const nomap = { ...TINY, reservedMemory: [{ name: 'nomap', reg: [0x40000, 0x2000],
      reusable: true, 'no-map': true }] };
    expect(declareLayout(worldOf('K4_9', nomap)).reserved).toEqual([{ startPfn: 64, endPfn: 66 }]);
    const k61 = declareLayout(worldOf('K6_1', nomap));
    expect(k61.reserved).toEqual([]);
    expect(k61.messages).toEqual(['OF: reserved mem: node nomap compatible matching fail']);
  });
});

describe('early parameters and sizes (§7.3, §7.5)', () => {
  it('K6_1 complains about a bare `cma`; K4_9 would oops and the model ignores it', () => {
    // early_cma(NULL): pr_err "Config string not provided", -EINVAL → do_early_param warns.
    expect(context('K6_1', { cmdline: 'quiet cma' }).messages).toEqual([
      'cma: Config string not provided', "Malformed early option 'cma'",
    ]);
    expect(context('K4_9', { cmdline: 'quiet cma' }).messages).toEqual([]);
  });

  it('counts no-map memory in K6_1\'s percentage (memblock_phys_mem_size)', () => {
    // 256 pages, a no-map node of 16 pages at 0x40000, CMA_SIZE_SEL_PERCENTAGE 50. K4_9's
    // cma_early_percent_memory() sums the memblock.memory regions left after no-map removed
    // [64,80): 240 pages → 120; K6_1's uses memblock_phys_mem_size(), which still counts no-map
    // memory (MEMBLOCK_NOMAP) → 128. Both sizes are multiples of the minimum alignment; the
    // default area is placed top-down below the end of memory: K4_9 round_down(256 − 120, 8) =
    // 136, K6_1 256 − 128 = 128.
    const fields = {
      kconfig: { cmaSizeSel: 'percentage', cmaSizePercentage: 50 },
      reservedMemory: [{ name: 'fw', reg: [0x40000, 0x10000], 'no-map': true }],
    };
    const areas = (['K4_9', 'K6_1'] as const).map((profile) =>
      declareLayout(worldOf(profile, { ...TINY, ...fields })).areas
        .map((area) => [area.source, area.basePfn, area.count]));
    expect(areas).toEqual([[['kconfig', 136, 120]], [['kconfig', 128, 128]]]);
  });
});
