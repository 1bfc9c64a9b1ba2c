/**
 * The default CMA area — drivers/base/dma-contiguous.c dma_contiguous_reserve(), K4_9
 * (kernel-semantics.md §7.5, §7.6, §9 P30/P31), through declareLayout(). The world has 16 MiB
 * (4096 pages) and maxOrder = pageblockOrder = 10, so the CMA alignment unit is 4 MiB.
 */
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';
import { cmaEarlyPercentMemory, minNotZero } from '../../model/boot/dmaContiguous.ts';
import { memblockCreate, memblockRemove } from '../../model/boot/memblock.ts';

function world16M(fields: Record<string, unknown>) {
  return parseWorld({ pages: 4096, maxOrder: 10, pageblockOrder: 10, ...fields });
}

const MiB = 1 << 20;

describe('Kconfig size selection (no cma=)', () => {
  // [selection, MiB, percent, expected base pfn, expected pages]. Percent of 4096 pages:
  // 30% → 4096 * 30 / 100 = 1228 pages = 0x4cc000 bytes, rounded up to 8 MiB by
  // cma_declare_contiguous; 4 MiB stays 4 MiB. Top-down below the arch limit (16 MiB):
  // 4 MiB → pfn 3072, 8 MiB → pfn 2048.
  const cases: [string, number, number, number, number][] = [
    ['mbytes', 4, 30, 3072, 1024],
    ['percentage', 4, 30, 2048, 2048],
    ['min', 4, 30, 3072, 1024], // min(4 MiB, 0x4cc000) = 4 MiB
    ['max', 4, 30, 2048, 2048], // max(4 MiB, 0x4cc000) = 0x4cc000 → 8 MiB
  ];
  it.each(cases)('CMA_SIZE_SEL_%s (%i MiB, %i%%) → pfn %i, %i pages', (sel, mb, pct, pfn, n) => {
    const layout = declareLayout(world16M({
      kconfig: { cmaSizeSel: sel, cmaSizeMbytes: mb, cmaSizePercentage: pct },
    }));
    expect(layout.areas).toEqual([
      { name: 'reserved', basePfn: pfn, count: n, orderPerBit: 0, source: 'kconfig' },
    ]);
    expect(layout.defaultArea).toBe(0);
    expect(layout.declarations).toEqual([
      { source: 'kconfig', name: 'reserved', ok: true, area: 0, errno: null },
    ]);
  });

  it('reserves nothing with the x86 defaults (CMA_SIZE_MBYTES 0)', () => {
    const layout = declareLayout(world16M({}));
    expect(layout.areas).toEqual([]);
    expect(layout.declarations).toEqual([]);
    expect(layout.messages).toEqual([]);
  });

  it('counts only the memory left after no-map nodes for the percentage', () => {
    // A no-map node removes [4 MiB, 8 MiB): cma_early_percent_memory sums 3072 pages → 30% =
    // 921 pages → rounded up to 4 MiB (not 8 MiB as with 4096 pages); top-down at pfn 3072.
    const layout = declareLayout(world16M({
      kconfig: { cmaSizeSel: 'percentage', cmaSizePercentage: 30 },
      reservedMemory: [{ name: 'fw', compatible: 'foo', reg: [4 * MiB, 4 * MiB], 'no-map': true }],
    }));
    expect(layout.areas).toMatchObject([{ basePfn: 3072, count: 1024 }]);
  });

  it('fails when the size is all of memory: memblock never hands out page 0', () => {
    // 16 MiB in [PAGE_SIZE, 16 MiB): round_down(0, 4 MiB) = 0 < 0x1000 → -ENOMEM.
    const layout = declareLayout(world16M({ kconfig: { cmaSizeMbytes: 16 } }));
    expect(layout.messages).toEqual(['cma: Failed to reserve 16 MiB']);
    expect(layout.declarations).toMatchObject([{ source: 'kconfig', ok: false, errno: 'ENOMEM' }]);
    expect(layout.defaultArea).toBeNull();
  });
});

describe('cma= against Kconfig, the DT default and the arch limit (K4_9)', () => {
  it('cma= overrides Kconfig, and cma=0 disables the default area', () => {
    const kconfig = { cmaSizeMbytes: 4 };
    const viaCmdline = declareLayout(world16M({ cmdline: 'cma=8M', kconfig }));
    expect(viaCmdline.areas).toMatchObject([{ basePfn: 2048, count: 2048, source: 'cmdline' }]);
    const disabled = declareLayout(world16M({ cmdline: 'cma=0', kconfig }));
    expect(disabled.areas).toEqual([]);
    expect(disabled.declarations).toEqual([]);
  });

  it('reads a cma= size of 2^64 - 1 as "not given" (it equals size_cmdline\'s -1)', () => {
    const layout = declareLayout(world16M({
      cmdline: 'cma=0xffffffffffffffff', kconfig: { cmaSizeMbytes: 4 },
    }));
    expect(layout.declarations).toMatchObject([{ source: 'kconfig', ok: true }]);
  });

  it('lets a DT linux,cma-default node win over cma= (§9 P30)', () => {
    // The DT area (dynamic, 4 MiB, top-down → pfn 3072) becomes dma_contiguous_default_area;
    // dma_contiguous_reserve() then sees a default area and reserves nothing for cma=8M.
    const layout = declareLayout(world16M({
      cmdline: 'cma=8M',
      reservedMemory: [
        { name: 'linux,cma', size: 4 * MiB, reusable: true, 'linux,cma-default': true },
      ],
    }));
    expect(layout.areas).toMatchObject([{ name: 'linux,cma', basePfn: 3072, source: 'dt' }]);
    expect(layout.defaultArea).toBe(0);
    expect(layout.declarations.map((d) => d.source)).toEqual(['dt']);
  });

  it('adds the cma= area after a DT area that is not the default', () => {
    // DT: 4 MiB at pfn 3072. cma=4M: top-down below 16 MiB skips the DT range → pfn 2048.
    const layout = declareLayout(world16M({
      cmdline: 'cma=4M',
      reservedMemory: [{ name: 'vpu', size: 4 * MiB, reusable: true }],
    }));
    expect(layout.areas).toMatchObject([{ basePfn: 3072 }, { basePfn: 2048, source: 'cmdline' }]);
    expect(layout.defaultArea).toBe(1);
  });

  it('takes min_not_zero(limit_cmdline, arch limit) (§9 P31)', () => {
    // Arch limit 12 MiB (dmaLimitPfn 3072). cma=4M: limit min_not_zero(0, 12M) = 12M → pfn 2048.
    // cma=4M@0-8M: min_not_zero(8M, 12M) = 8M → top-down below 8 MiB → pfn 1024.
    const plain = declareLayout(world16M({ cmdline: 'cma=4M', dmaLimitPfn: 3072 }));
    expect(plain.areas).toMatchObject([{ basePfn: 2048 }]);
    const ranged = declareLayout(world16M({ cmdline: 'cma=4M@0-8M', dmaLimitPfn: 3072 }));
    expect(ranged.areas).toMatchObject([{ basePfn: 1024 }]);
  });

  it('places a fixed cma= area even above the arch limit (§9 P17: no base + size check)', () => {
    // cma=4M@8M: limit_cmdline = 12M = base + size → fixed. Arch limit 4 MiB only lowers
    // `limit`, which a fixed reservation never reads: pfn 2048.
    const layout = declareLayout(world16M({ cmdline: 'cma=4M@8M', dmaLimitPfn: 1024 }));
    expect(layout.areas).toMatchObject([{ basePfn: 2048, count: 1024 }]);
  });
});

describe('dma-contiguous helpers', () => {
  it('min_not_zero ignores a zero operand', () => {
    expect(minNotZero(0n, 5n)).toBe(5n);
    expect(minNotZero(7n, 0n)).toBe(7n);
    expect(minNotZero(7n, 5n)).toBe(5n);
  });

  it('cma_early_percent_memory counts whole pages (PFN_UP(base) .. PFN_DOWN(end))', () => {
    // Memory [0x1800, 0x100000): pages 2 .. 256 = 254; 10% → 25 pages = 0x19000 bytes.
    const memblock = memblockCreate(0x100000n);
    memblockRemove(memblock, 0n, 0x1800n);
    expect(cmaEarlyPercentMemory(memblock, 10)).toBe(0x19000n);
  });

  it('cma_early_percent_memory subtracts a page for a region inside one page (unsigned wrap)', () => {
    // Memory [0, 0x100000) minus [0x1000, 0x1800) and [0x1c00, 0x2000): regions [0, 0x1000)
    // (1 page), [0x1800, 0x1c00) (PFN_UP = 2, PFN_DOWN = 1: 1 - 2 wraps to ULONG_MAX, i.e. -1)
    // and [0x2000, 0x100000) (254 pages): 1 - 1 + 254 = 254 pages; 100% → 0xfe000 bytes.
    const memblock = memblockCreate(0x100000n);
    memblockRemove(memblock, 0x1000n, 0x800n);
    memblockRemove(memblock, 0x1c00n, 0x400n);
    expect(memblock.memory).toHaveLength(3);
    expect(cmaEarlyPercentMemory(memblock, 100)).toBe(0xfe000n);
  });
});
