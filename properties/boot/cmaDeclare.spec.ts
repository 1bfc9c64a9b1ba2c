/**
 * cma_declare_contiguous() and cma_init_reserved_mem() — mm/cma.c, K4_9 (kernel-semantics.md
 * §5.2, §5.3), driven directly on a DeclareContext. The tiny world has 256 pages (memory
 * [0, 0x100000)) and maxOrder = pageblockOrder = 3, so the CMA minimum alignment is
 * PAGE_SIZE << max(3, 3) = 0x8000 (8 pages).
 */
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/core/worldParse.ts';
import {
  type CmaDeclareRequest, cmaDeclareContiguous, cmaInitReservedMem, cmaMinAlignment,
} from '../../model/boot/cmaDeclare.ts';
import { createDeclareContext } from '../../model/boot/layout.ts';
import { memblockReserve } from '../../model/boot/memblock.ts';

function tinyContext(cmaAreas = 7) {
  return createDeclareContext(parseWorld({
    pages: 256, maxOrder: 3, pageblockOrder: 3, kconfig: { cmaAreas },
  }));
}

function request(fields: Partial<CmaDeclareRequest>): CmaDeclareRequest {
  const defaults = { base: 0n, size: 0x8000n, limit: 0n, alignment: 0n, orderPerBit: 0 };
  return { ...defaults, fixed: false, ...fields };
}

const LABEL = { name: 'test', source: 'explicit' } as const;

describe('cma_declare_contiguous placement (K4_9)', () => {
  it('places a non-fixed area top-down and prints "Reserved" with %pa', () => {
    // limit 0 → memblock_end_of_DRAM() = 0x100000; memblock_alloc_range(0x8000, 0x8000, 0,
    // 0x100000) → round_down(0x100000 - 0x8000, 0x8000) = 0xf8000 = pfn 248.
    const ctx = tinyContext();
    expect(cmaDeclareContiguous(ctx, request({}), LABEL)).toEqual({ ok: true, area: 0 });
    expect(ctx.areas).toEqual([
      { name: 'test', basePfn: 248, count: 8, orderPerBit: 0, source: 'explicit' },
    ]);
    expect(ctx.totalcmaPages).toBe(8);
    expect(ctx.memblock.reserved).toEqual([{ base: 0xf8000n, size: 0x8000n }]);
    expect(ctx.messages).toEqual(['cma: Reserved 0 MiB at 0x00000000000f8000']);
  });

  it('prints whole MiB on a 16 MiB machine', () => {
    // maxOrder 10: alignment 4 MiB; 16 MiB - 4 MiB = 0xc00000.
    const ctx = createDeclareContext(parseWorld({ pages: 4096, maxOrder: 10, pageblockOrder: 10 }));
    cmaDeclareContiguous(ctx, request({ size: 4n << 20n }), LABEL);
    expect(ctx.messages).toEqual(['cma: Reserved 4 MiB at 0x0000000000c00000']);
  });

  it('silently rounds a misaligned fixed base up (§9 P16: K6_x says -EINVAL)', () => {
    // base = ALIGN(0xa000, 0x8000) = 0x10000 = pfn 16; still fixed; reserved there.
    const ctx = tinyContext();
    const result = cmaDeclareContiguous(ctx, request({ base: 0xa000n, fixed: true }), LABEL);
    expect(result).toEqual({ ok: true, area: 0 });
    expect(ctx.areas[0]).toMatchObject({ basePfn: 16, count: 8 });
    expect(ctx.messages).toEqual(['cma: Reserved 0 MiB at 0x0000000000010000']);
  });

  it('rounds size up to the alignment, and a larger requested alignment wins', () => {
    // alignment = max(0x20000, 0x8000) = 0x20000; size = ALIGN(0x8000, 0x20000) = 0x20000;
    // round_down(0x100000 - 0x20000, 0x20000) = 0xe0000 = pfn 224, 32 pages.
    const ctx = tinyContext();
    cmaDeclareContiguous(ctx, request({ alignment: 0x20000n }), LABEL);
    expect(ctx.areas[0]).toMatchObject({ basePfn: 224, count: 32 });
  });

  it('rounds the limit down to the alignment', () => {
    // limit = 0x4c000 & ~0x7fff = 0x48000; round_down(0x48000 - 0x8000, 0x8000) = 0x40000.
    const ctx = tinyContext();
    cmaDeclareContiguous(ctx, request({ limit: 0x4c000n }), LABEL);
    expect(ctx.areas[0]).toMatchObject({ basePfn: 64 });
  });

  it('treats base 0 as not fixed', () => {
    // `if (!base) fixed = false;` → placed top-down at 0xf8000 instead of at 0.
    const ctx = tinyContext();
    cmaDeclareContiguous(ctx, request({ base: 0n, fixed: true }), LABEL);
    expect(ctx.areas[0]).toMatchObject({ basePfn: 248 });
  });

  it('registers a fixed area above the end of memory (RAM is not checked)', () => {
    // base 0x200000 ≥ highmem_start 0x100000: no boundary error; nothing reserved there, so
    // memblock_reserve() succeeds and cma_init_reserved_mem() accepts it: pfn 512.
    const ctx = tinyContext();
    cmaDeclareContiguous(ctx, request({ base: 0x200000n, fixed: true }), LABEL);
    expect(ctx.areas[0]).toMatchObject({ basePfn: 512, count: 8 });
  });
});

describe('cma_declare_contiguous errors (K4_9)', () => {
  it('-EBUSY when a fixed range intersects a reservation', () => {
    // [0x10000, 0x18000) intersects [0x12000, 0x13000) → -EBUSY via the err label.
    const ctx = tinyContext();
    memblockReserve(ctx.memblock, 0x12000n, 0x1000n);
    const result = cmaDeclareContiguous(ctx, request({ base: 0x10000n, fixed: true }), LABEL);
    expect(result).toEqual({ ok: false, errno: 'EBUSY' });
    expect(ctx.messages).toEqual(['cma: Failed to reserve 0 MiB']);
    expect(ctx.areas).toEqual([]);
  });

  it('-ENOSPC with its own message once MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS are used', () => {
    const ctx = tinyContext(1); // MAX_CMA_AREAS = 2
    expect(cmaDeclareContiguous(ctx, request({}), LABEL)).toEqual({ ok: true, area: 0 });
    expect(cmaDeclareContiguous(ctx, request({}), LABEL)).toEqual({ ok: true, area: 1 });
    expect(cmaDeclareContiguous(ctx, request({}), LABEL)).toEqual({ ok: false, errno: 'ENOSPC' });
    // The early return skips the err label: no "Failed to reserve" line.
    expect(ctx.messages.slice(2)).toEqual(['cma: Not enough slots for CMA reserved regions!']);
  });

  it('-EINVAL, silently, for size 0, a non-power-of-two alignment, or order_per_bit', () => {
    const ctx = tinyContext();
    expect(cmaDeclareContiguous(ctx, request({ size: 0n }), LABEL))
      .toMatchObject({ errno: 'EINVAL' });
    expect(cmaDeclareContiguous(ctx, request({ alignment: 0x3000n }), LABEL))
      .toMatchObject({ errno: 'EINVAL' });
    // size 0x8000 = 8 pages is not IS_ALIGNED to 1 << 4 = 16 pages.
    expect(cmaDeclareContiguous(ctx, request({ orderPerBit: 4 }), LABEL))
      .toMatchObject({ errno: 'EINVAL' });
    expect(ctx.messages).toEqual([]);
    expect(ctx.memblock.reserved).toEqual([]);
  });

  it('-EINVAL for a fixed range across the end of memory (the low/high boundary)', () => {
    // 64-bit, no highmem: highmem_start = end of RAM 0x100000; [0xf8000, 0x108000) crosses it.
    const ctx = tinyContext();
    const crossing = request({ base: 0xf8000n, size: 0x10000n, fixed: true });
    const result = cmaDeclareContiguous(ctx, crossing, LABEL);
    expect(result).toEqual({ ok: false, errno: 'EINVAL' });
    expect(ctx.messages).toEqual([
      'cma: Region at 0x00000000000f8000 defined on low/high memory boundary (0x0000000000100000)',
      'cma: Failed to reserve 0 MiB',
    ]);
  });

  it('-ENOMEM when nothing fits', () => {
    const ctx = tinyContext();
    const result = cmaDeclareContiguous(ctx, request({ size: 0x100000n }), LABEL);
    // The whole memory would have to start at 0, below PAGE_SIZE: memblock never returns it.
    expect(result).toEqual({ ok: false, errno: 'ENOMEM' });
    expect(ctx.messages).toEqual(['cma: Failed to reserve 1 MiB']);
  });

  it('keeps the memblock reservation when cma_init_reserved_mem fails (K4_9)', () => {
    // order_per_bit 4: size 16 pages passes the declare check, is placed at
    // round_down(0x100000 - 0x10000, 0x8000) = 0xf0000 and reserved; then
    // cma_init_reserved_mem(): (0x8000 >> 12) = 8 is not aligned to 1 << 4 → -EINVAL.
    const ctx = tinyContext();
    const result = cmaDeclareContiguous(ctx, request({ size: 0x10000n, orderPerBit: 4 }), LABEL);
    expect(result).toEqual({ ok: false, errno: 'EINVAL' });
    expect(ctx.messages).toEqual(['cma: Failed to reserve 0 MiB']);
    expect(ctx.memblock.reserved).toEqual([{ base: 0xf0000n, size: 0x10000n }]);
  });
});

describe('cma_init_reserved_mem (K4_9)', () => {
  it('needs the range to intersect a reservation, not to be covered by one', () => {
    const ctx = tinyContext();
    expect(cmaInitReservedMem(ctx, 0x10000n, 0x8000n, 0, LABEL))
      .toEqual({ ok: false, errno: 'EINVAL' });
    memblockReserve(ctx.memblock, 0x17000n, 0x1000n); // only the last page of the range
    expect(cmaInitReservedMem(ctx, 0x10000n, 0x8000n, 0, LABEL)).toEqual({ ok: true, area: 0 });
  });

  it('rejects a base or size that is not a multiple of the minimum alignment', () => {
    const ctx = tinyContext();
    memblockReserve(ctx.memblock, 0n, 0x100000n);
    expect(cmaInitReservedMem(ctx, 0x4000n, 0x8000n, 0, LABEL)).toMatchObject({ errno: 'EINVAL' });
    expect(cmaInitReservedMem(ctx, 0x8000n, 0x4000n, 0, LABEL)).toMatchObject({ errno: 'EINVAL' });
    expect(ctx.messages).toEqual([]);
  });

  it('checks for a free slot first, with the "Not enough slots" message', () => {
    // MAX_CMA_AREAS = 2: two registrations fill cma_areas[]; the third returns -ENOSPC before
    // even looking at memblock.
    const ctx = tinyContext(1);
    memblockReserve(ctx.memblock, 0n, 0x100000n);
    cmaInitReservedMem(ctx, 0x8000n, 0x8000n, 0, LABEL);
    cmaInitReservedMem(ctx, 0x10000n, 0x8000n, 0, LABEL);
    expect(cmaInitReservedMem(ctx, 0x18000n, 0x8000n, 0, LABEL))
      .toEqual({ ok: false, errno: 'ENOSPC' });
    expect(ctx.messages).toEqual(['cma: Not enough slots for CMA reserved regions!']);
    expect(ctx.areas.map((area) => area.basePfn)).toEqual([8, 16]);
  });

  it('uses PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order) as the minimum', () => {
    expect(cmaMinAlignment({ maxOrder: 10, pageblockOrder: 9 })).toBe(4n << 20n);
    expect(cmaMinAlignment({ maxOrder: 3, pageblockOrder: 3 })).toBe(0x8000n);
  });
});
