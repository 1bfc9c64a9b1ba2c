/**
 * The whole declaration phase, K4_9 (docs/MODEL.md "Boot" 1-5; kernel-semantics.md §7.1):
 * where `cma=` areas land, explicit cma_declare_contiguous() calls in page units, devices, the
 * reserved ranges handed to free_all_bootmem, and the order of declarations and messages.
 */
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/core/worldParse.ts';
import { declareLayout } from '../../model/boot/layout.ts';

/** 4 GiB (2^20 pages), maxOrder 10, pageblockOrder 9: CMA unit PAGE_SIZE << 10 = 4 MiB. */
function world4G(cmdline: string) {
  return parseWorld({ pages: 1 << 20, maxOrder: 10, pageblockOrder: 9, cmdline });
}

/** 1 MiB (256 pages), maxOrder = pageblockOrder = 3: CMA unit 8 pages (0x8000 bytes). */
function tinyWorld(fields: Record<string, unknown>) {
  return parseWorld({ pages: 256, maxOrder: 3, pageblockOrder: 3, ...fields });
}

const MiB_PAGES = 256;

describe('where the §7.3 cma= vectors land (4 GiB, arch limit = end of memory)', () => {
  // [cmdline, base pfn, pages, message]. dma_contiguous_reserve → cma_declare_contiguous:
  // size rounded up to 4 MiB; non-fixed → top-down below min_not_zero(limit_cmdline, 4 GiB).
  const landed: [string, number, number, string][] = [
    // 4 GiB - 64 MiB = 0xfc000000.
    ['cma=64M', 0xfc000, 64 * MiB_PAGES, 'cma: Reserved 64 MiB at 0x00000000fc000000'],
    // limit_cmdline = base + size → fixed at exactly 1 GiB.
    ['cma=64M@0x40000000', 0x40000, 64 * MiB_PAGES, 'cma: Reserved 64 MiB at 0x0000000040000000'],
    // Not fixed (1G + 64M ≠ 2G): top-down in [1 GiB, 2 GiB) → 2 GiB - 64 MiB = 0x7c000000.
    ['cma=64M@1G-2G', 0x7c000, 64 * MiB_PAGES, 'cma: Reserved 64 MiB at 0x000000007c000000'],
    // 1 byte → ALIGN(1, 4 MiB) = 4 MiB at 4 GiB - 4 MiB.
    ['cma=1', 0xffc00, 4 * MiB_PAGES, 'cma: Reserved 4 MiB at 0x00000000ffc00000'],
    ['cma=1.5G', 0xffc00, 4 * MiB_PAGES, 'cma: Reserved 4 MiB at 0x00000000ffc00000'],
    // Octal 010 = 8 MiB at 4 GiB - 8 MiB.
    ['cma=010M', 0xff800, 8 * MiB_PAGES, 'cma: Reserved 8 MiB at 0x00000000ff800000'],
    // 64 bytes → one 4 MiB unit.
    ['cma=64X', 0xffc00, 4 * MiB_PAGES, 'cma: Reserved 4 MiB at 0x00000000ffc00000'],
    // 2nd option keeps base 1G / limit 1G+64M: not fixed, top-down below 1G+64M → 1G + 32M.
    ['cma=64M@1G cma=32M', 0x42000, 32 * MiB_PAGES, 'cma: Reserved 32 MiB at 0x0000000042000000'],
  ];
  it.each(landed)('%s → pfn %i, %i pages', (cmdline, basePfn, count, message) => {
    const layout = declareLayout(world4G(cmdline));
    expect(layout.areas).toEqual([
      { name: 'reserved', basePfn, count, orderPerBit: 0, source: 'cmdline' },
    ]);
    expect(layout.reserved).toEqual([{ startPfn: basePfn, endPfn: basePfn + count }]);
    expect(layout.defaultArea).toBe(0);
    expect(layout.messages).toEqual([message]);
  });

  it.each(['cma=0', 'cma=', 'cma=abc'])('%s reserves nothing and attempts nothing', (cmdline) => {
    const layout = declareLayout(world4G(cmdline));
    expect(layout.areas).toEqual([]);
    expect(layout.declarations).toEqual([]);
    expect(layout.messages).toEqual([]);
  });

  it('cma=64M@ fails: base 0 is never fixed and [PAGE_SIZE, 64 MiB) is too small', () => {
    // size 64M, base 0, limit 64M; fixed dropped (base 0); memblock_alloc_range(64M, 4M, 0,
    // 64M): start raised to 0x1000, candidate round_down(0, 4M) = 0 < 0x1000 → -ENOMEM.
    const layout = declareLayout(world4G('cma=64M@'));
    expect(layout.areas).toEqual([]);
    expect(layout.declarations).toEqual([
      { source: 'cmdline', name: 'reserved', ok: false, area: null, errno: 'ENOMEM' },
    ]);
    expect(layout.messages).toEqual(['cma: Failed to reserve 64 MiB']);
  });
});

describe('explicit cma_declare_contiguous() calls (world.cma, page units)', () => {
  it('silently rounds a misaligned fixed base up to the CMA unit (K4_9)', () => {
    // base pfn 10 = 0xa000 bytes → ALIGN(0xa000, 0x8000) = 0x10000 = pfn 16.
    const layout = declareLayout(tinyWorld({ cma: [{ name: 'cam', base: 10, size: 8 }] }));
    expect(layout.areas).toEqual([
      { name: 'cam', basePfn: 16, count: 8, orderPerBit: 0, source: 'explicit' },
    ]);
    expect(layout.reserved).toEqual([{ startPfn: 16, endPfn: 24 }]);
    expect(layout.messages).toEqual(['cma: Reserved 0 MiB at 0x0000000000010000']);
  });

  it('returns -EBUSY for an area overlapping a reserved range', () => {
    // [pfn 16, 24) intersects reserved [18, 19): memblock_is_region_reserved → -EBUSY.
    const layout = declareLayout(tinyWorld({
      reserved: [{ startPfn: 18, endPfn: 19 }],
      cma: [{ name: 'cam', base: 16, size: 8 }],
    }));
    expect(layout.areas).toEqual([]);
    expect(layout.declarations).toEqual([
      { source: 'explicit', name: 'cam', ok: false, area: null, errno: 'EBUSY' },
    ]);
    expect(layout.messages).toEqual(['cma: Failed to reserve 0 MiB']);
    expect(layout.reserved).toEqual([{ startPfn: 18, endPfn: 19 }]);
  });

  it('returns -ENOSPC past MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS', () => {
    // cmaAreas 1 → 2 slots. Non-fixed 8-page areas top-down: pfn 248, then 240; the third
    // finds cma_area_count == 2.
    const layout = declareLayout(tinyWorld({
      kconfig: { cmaAreas: 1 },
      cma: [{ name: 'a', size: 8 }, { name: 'b', size: 8 }, { name: 'c', size: 8 }],
    }));
    expect(layout.areas).toMatchObject([{ name: 'a', basePfn: 248 }, { name: 'b', basePfn: 240 }]);
    expect(layout.declarations.map((d) => d.errno)).toEqual([null, null, 'ENOSPC']);
    expect(layout.messages[2]).toBe('cma: Not enough slots for CMA reserved regions!');
    expect(layout.reserved).toEqual([{ startPfn: 240, endPfn: 256 }]); // adjacent: merged
  });

  it('returns -EINVAL for a non-power-of-two alignment', () => {
    // alignment 3 pages = 0x3000 bytes: is_power_of_2() fails → -EINVAL, no message.
    const layout = declareLayout(tinyWorld({ cma: [{ name: 'odd', size: 8, alignment: 3 }] }));
    expect(layout.declarations).toMatchObject([{ ok: false, errno: 'EINVAL' }]);
    expect(layout.messages).toEqual([]);
  });

  it('honours limit and a larger alignment in pages', () => {
    // limit pfn 100 = 0x64000 → & ~(0x10000 - 1) = 0x60000; alignment 16 pages = 0x10000;
    // size 8 → ALIGN(0x8000, 0x10000) = 0x10000; round_down(0x60000 - 0x10000, 0x10000) =
    // 0x50000 = pfn 80, 16 pages.
    const layout = declareLayout(tinyWorld({
      cma: [{ name: 'lim', size: 8, limit: 100, alignment: 16 }],
    }));
    expect(layout.areas).toMatchObject([{ basePfn: 80, count: 16 }]);
  });
});

describe('the phase as a whole', () => {
  it('runs DT, then explicit areas, then cma=, and maps devices to their areas', () => {
    // DT 'vpu' (static, pfn 32..48) → area 0. Explicit 'isp' non-fixed → top-down pfn 248 →
    // area 1. cma=32K → 8 pages top-down below the end, skipping 248..256 → pfn 240 → area 2,
    // the default. 'gpu' names 'dma' (a coherent pool, no CMA area) → null; 'uart' has no
    // memory-region → null (it uses the default area).
    const layout = declareLayout(tinyWorld({
      cmdline: 'console=ttyS0 cma=32K',
      reservedMemory: [
        { name: 'vpu', reg: [0x20000, 0x10000], reusable: true },
        { name: 'dma', reg: [0x60000, 0x8000] },
      ],
      cma: [{ name: 'isp', size: 8 }],
      devices: [{ name: 'video', 'memory-region': 'vpu' }, { name: 'gpu', 'memory-region': 'dma' },
        { name: 'uart' }],
    }));
    expect(layout.areas.map((a) => [a.name, a.basePfn, a.source])).toEqual([
      ['vpu', 32, 'dt'], ['isp', 248, 'explicit'], ['reserved', 240, 'cmdline'],
    ]);
    expect(layout.declarations.map((d) => [d.source, d.name, d.errno])).toEqual([
      ['dt', 'vpu', null], ['dt', 'dma', 'EINVAL'], ['explicit', 'isp', null],
      ['cmdline', 'reserved', null],
    ]);
    expect(layout.defaultArea).toBe(2);
    expect(layout.deviceAreas).toEqual([0, null, null]);
    expect(layout.reserved).toEqual([
      { startPfn: 32, endPfn: 48 }, { startPfn: 96, endPfn: 104 }, { startPfn: 240, endPfn: 256 },
    ]);
    expect(layout.messages).toEqual([
      'Reserved memory: created CMA memory pool at 0x0000000000020000, size 0 MiB',
      'OF: reserved mem: initialized node vpu, compatible id shared-dma-pool',
      'Reserved memory: created DMA memory pool at 0x0000000000060000, size 0 MiB',
      'OF: reserved mem: initialized node dma, compatible id shared-dma-pool',
      'cma: Reserved 0 MiB at 0x00000000000f8000',
      'cma: Reserved 0 MiB at 0x00000000000f0000',
    ]);
  });

  it('merges the world reservations as memblock does', () => {
    const layout = declareLayout(tinyWorld({
      reserved: [
        { startPfn: 4, endPfn: 8 }, { startPfn: 0, endPfn: 4 }, { startPfn: 10, endPfn: 12 },
      ],
    }));
    expect(layout.reserved).toEqual([{ startPfn: 0, endPfn: 8 }, { startPfn: 10, endPfn: 12 }]);
  });
});
