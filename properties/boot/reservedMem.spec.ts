/**
 * Device-tree /reserved-memory, K4_9 (kernel-semantics.md §7.1 step 3, §7.2): drivers/of/fdt.c
 * early_init_fdt_scan_reserved_mem(), drivers/of/of_reserved_mem.c fdt_init_reserved_mem(),
 * drivers/base/dma-contiguous.c rmem_cma_setup(), drivers/base/dma-coherent.c rmem_dma_setup(),
 * run through declareLayout(). The tiny world has 256 pages (memory [0, 0x100000)) and
 * maxOrder = pageblockOrder = 3: the CMA minimum alignment is 0x8000 bytes (8 pages).
 */
import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/core/worldParse.ts';
import { createDeclareContext, declareLayout } from '../../model/boot/layout.ts';
import {
  MAX_RESERVED_REGIONS, type ReservedMem, fdtReservedMemSaveNode, sortReservedMem,
} from '../../model/boot/reservedMem.ts';

function tinyWorld(fields: Record<string, unknown>) {
  return parseWorld({ pages: 256, maxOrder: 3, pageblockOrder: 3, ...fields });
}

const INITIALIZED = 'OF: reserved mem: initialized node';

describe('static (reg) shared-dma-pool nodes', () => {
  it('reserves a reusable node at once and makes it a CMA area', () => {
    // __reserved_mem_reserve_reg: memblock_reserve(0x20000, 0x10000). rmem_cma_setup: reusable,
    // base and size multiples of 0x8000 → cma_init_reserved_mem → area pfn 32, 16 pages.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'linux,cma', reg: [0x20000, 0x10000], reusable: true }],
    }));
    expect(layout.areas).toEqual([
      { name: 'linux,cma', basePfn: 32, count: 16, orderPerBit: 0, source: 'dt' },
    ]);
    expect(layout.reserved).toEqual([{ startPfn: 32, endPfn: 48 }]);
    expect(layout.declarations).toEqual([
      { source: 'dt', name: 'linux,cma', ok: true, area: 0, errno: null },
    ]);
    expect(layout.messages).toEqual([
      'Reserved memory: created CMA memory pool at 0x0000000000020000, size 0 MiB',
      `${INITIALIZED} linux,cma, compatible id shared-dma-pool`,
    ]);
    expect(layout.defaultArea).toBeNull();
  });

  it('rejects a no-map node for CMA and removes it from memory', () => {
    // early_init_dt_reserve_memory_arch(nomap) → memblock_remove. rmem_cma_setup: no-map →
    // -EINVAL, silent; rmem_dma_setup: reusable → -EINVAL. No init message; the hole stays out
    // of the buddy (kept as reserved pfns 64..72 in the Layout).
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'nomap', reg: [0x40000, 0x8000], reusable: true, 'no-map': true }],
      devices: [{ name: 'isp', 'memory-region': 'nomap' }],
    }));
    expect(layout.areas).toEqual([]);
    expect(layout.declarations).toEqual([
      { source: 'dt', name: 'nomap', ok: false, area: null, errno: 'EINVAL' },
    ]);
    expect(layout.reserved).toEqual([{ startPfn: 64, endPfn: 72 }]);
    expect(layout.messages).toEqual([]);
    expect(layout.deviceAreas).toEqual([null]);
  });

  it('gives a non-reusable node to the coherent-pool handler instead', () => {
    // rmem_cma_setup: not reusable → -EINVAL; next in __reservedmem_of_table, rmem_dma_setup
    // (arm64: no-map not required) succeeds and prints; then "initialized node".
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'dma', reg: [0x40000, 0x8000] }],
    }));
    expect(layout.areas).toEqual([]);
    expect(layout.messages).toEqual([
      'Reserved memory: created DMA memory pool at 0x0000000000040000, size 0 MiB',
      `${INITIALIZED} dma, compatible id shared-dma-pool`,
    ]);
    expect(layout.declarations).toMatchObject([{ ok: false, errno: 'EINVAL' }]);
  });

});

describe('static nodes that become no CMA area', () => {
  it('reports a misaligned reusable node and keeps it reserved (§9 P32)', () => {
    // base 0x24000 & 0x7fff ≠ 0 → "incorrect alignment of CMA region", -EINVAL; K4_9 does not
    // give the region back, so pfns 36..44 stay reserved.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'bad', reg: [0x24000, 0x8000], reusable: true }],
    }));
    expect(layout.messages).toEqual(['Reserved memory: incorrect alignment of CMA region']);
    expect(layout.reserved).toEqual([{ startPfn: 36, endPfn: 44 }]);
    expect(layout.declarations).toMatchObject([{ ok: false, errno: 'EINVAL' }]);
  });

  it('prints "unable to setup" when cma_areas[] is full, and keeps the region', () => {
    // CONFIG_CMA_AREAS 1 → 2 slots. Three static reusable nodes, sorted by base: p0, p1 get
    // areas; p2's cma_init_reserved_mem() returns -ENOSPC ("Not enough slots"), then
    // rmem_cma_setup prints "unable to setup"; rmem_dma_setup refuses a reusable node.
    const node = (name: string, base: number) => ({ name, reg: [base, 0x8000], reusable: true });
    const layout = declareLayout(tinyWorld({
      kconfig: { cmaAreas: 1 },
      reservedMemory: [node('p2', 0x60000), node('p0', 0x20000), node('p1', 0x40000)],
    }));
    expect(layout.areas.map((area) => area.name)).toEqual(['p0', 'p1']);
    expect(layout.messages.slice(4)).toEqual([
      'cma: Not enough slots for CMA reserved regions!',
      'Reserved memory: unable to setup CMA region',
    ]);
    expect(layout.declarations[2]).toEqual(
      { source: 'dt', name: 'p2', ok: false, area: null, errno: 'ENOSPC' });
    expect(layout.reserved).toContainEqual({ startPfn: 96, endPfn: 104 });
  });

  it('reserves other compatibles without an area, widening partial pages', () => {
    // memblock_reserve(0x1800, 0x1000) covers parts of pages 1 and 2: free_all_bootmem frees
    // only whole free pages, so pfns 1..3 stay reserved. No init function matches: no message.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'ramoops', compatible: 'ramoops', reg: [0x1800, 0x1000] }],
    }));
    expect(layout.reserved).toEqual([{ startPfn: 1, endPfn: 3 }]);
    expect(layout.declarations).toEqual([]);
    expect(layout.messages).toEqual([]);
  });

  it('skips disabled nodes and reports a zero-size reg', () => {
    // status "disabled" → not scanned. reg size 0 → "failed to reserve" (pr_fmt "OF: fdt:"),
    // saved with size 0; fdt_init_reserved_mem then tries __reserved_mem_alloc_size, which finds
    // no `size` property → -EINVAL, silently.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [
        { name: 'off', reg: [0x20000, 0x8000], reusable: true, status: 'disabled' },
        { name: 'empty', reg: [0x30000, 0], reusable: true },
      ],
    }));
    expect(layout.reserved).toEqual([]);
    expect(layout.messages).toEqual([
      "OF: fdt:Reserved memory: failed to reserve memory for node 'empty': base"
        + ' 0x0000000000030000, size 0 MiB',
    ]);
    expect(layout.declarations).toEqual([
      { source: 'dt', name: 'empty', ok: false, area: null, errno: 'EINVAL' },
    ]);
  });
});

describe('dynamic (size) shared-dma-pool nodes', () => {
  it('tries alloc-ranges in order, rejecting a result below the range start', () => {
    // Reserved [0x10000, 0x20000). Range 1 = [0x10000, 0x20000): __memblock_alloc_base(0x8000,
    // align 0x8000, end 0x20000) → top free range [0x20000, …) clamps to nothing; next [0x1000,
    // 0x10000) → round_down(0x8000, 0x8000) = 0x8000 < start 0x10000 → memblock_free, -ENOMEM.
    // Range 2 = [0x80000, 0xa0000): round_down(0xa0000 - 0x8000, 0x8000) = 0x98000 → pfn 152.
    const layout = declareLayout(tinyWorld({
      reserved: [{ startPfn: 16, endPfn: 32 }],
      reservedMemory: [{
        name: 'pool', size: 0x8000, reusable: true,
        'alloc-ranges': [[0x10000, 0x10000], [0x80000, 0x20000]],
      }],
    }));
    expect(layout.areas).toMatchObject([{ name: 'pool', basePfn: 152, count: 8 }]);
    expect(layout.reserved).toEqual([{ startPfn: 16, endPfn: 32 }, { startPfn: 152, endPfn: 160 }]);
    expect(layout.messages).toEqual([
      'Reserved memory: created CMA memory pool at 0x0000000000098000, size 0 MiB',
      `${INITIALIZED} pool, compatible id shared-dma-pool`,
    ]);
  });

  it('raises the alignment of a reusable node to the CMA minimum', () => {
    // __reserved_mem_alloc_size: align = max(0x1000, 0x8000) = 0x8000, so 0x3000 bytes land at
    // round_down(0x100000 - 0x3000, 0x8000) = 0xf8000 (with 0x1000 they would be at 0xfd000):
    // pfns 248..251. rmem_cma_setup then rejects size 0x3000 as misaligned.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'odd', size: 0x3000, alignment: 0x1000, reusable: true }],
    }));
    expect(layout.reserved).toEqual([{ startPfn: 248, endPfn: 251 }]);
    expect(layout.messages).toEqual(['Reserved memory: incorrect alignment of CMA region']);
  });

  it('allocates two dynamic nodes in swapped order (lib/sort.c heapsort is not stable)', () => {
    // Both saved with base 0: sort() of two equal elements swaps them (heapify keeps [a, b],
    // the sort phase swaps element 0 and 1). So 'b' is allocated first, at the top (pfn 248),
    // then 'a' below it (pfn 240); areas and declarations follow that order.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [
        { name: 'a', size: 0x8000, reusable: true },
        { name: 'b', size: 0x8000, reusable: true },
      ],
    }));
    expect(layout.areas).toMatchObject([{ name: 'b', basePfn: 248 }, { name: 'a', basePfn: 240 }]);
    expect(layout.declarations.map((d) => d.name)).toEqual(['b', 'a']);
  });

  it('prints "failed to allocate" when nothing fits', () => {
    const layout = declareLayout(tinyWorld({
      reservedMemory: [{ name: 'big', size: 0x200000, reusable: true }],
    }));
    expect(layout.messages).toEqual(["OF: reserved mem: failed to allocate memory for node 'big'"]);
    expect(layout.declarations).toEqual([
      { source: 'dt', name: 'big', ok: false, area: null, errno: 'ENOMEM' },
    ]);
  });
});

describe('reserved_mem[] bookkeeping', () => {
  function rmem(name: string, base: bigint): ReservedMem {
    return { name, node: 0, base, size: 0x8000n, cmaArea: null, cmaResult: null };
  }

  it('sorts like lib/sort.c: three equal bases come out as [b, c, a]', () => {
    // heapify: root a vs children b, c: equal, no swap. Sort: swap(0, 2) → [c, b, a], sift:
    // c vs b equal, stop; swap(0, 1) → [b, c, a].
    const rmems = [rmem('a', 0n), rmem('b', 0n), rmem('c', 0n)];
    sortReservedMem(rmems);
    expect(rmems.map((r) => r.name)).toEqual(['b', 'c', 'a']);
  });

  it('sorts by base, dynamic (base 0) first', () => {
    const rmems = [
      rmem('s3', 0x30000n), rmem('d1', 0n), rmem('s1', 0x10000n), rmem('s2', 0x20000n),
    ];
    sortReservedMem(rmems);
    expect(rmems.map((r) => r.base)).toEqual([0n, 0x10000n, 0x20000n, 0x30000n]);
  });

  it('prints OVERLAP DETECTED as two lines for overlapping static neighbours', () => {
    // __rmem_check_for_overlap: sorted [x, y]; x.base + x.size = 0x30000 > y.base = 0x28000.
    const layout = declareLayout(tinyWorld({
      reservedMemory: [
        { name: 'y', compatible: 'foo', reg: [0x28000, 0x10000] },
        { name: 'x', compatible: 'foo', reg: [0x20000, 0x10000] },
      ],
    }));
    expect(layout.messages).toEqual([
      'OF: reserved mem: OVERLAP DETECTED!',
      'x (0x0000000000020000--0x0000000000030000) overlaps with'
        + ' y (0x0000000000028000--0x0000000000038000)',
    ]);
    expect(layout.reserved).toEqual([{ startPfn: 32, endPfn: 56 }]); // memblock merged them
  });

  it('saves at most MAX_RESERVED_REGIONS nodes', () => {
    // fdt_reserved_mem_save_node: the 17th finds reserved_mem_count == 16 and complains.
    const ctx = createDeclareContext(tinyWorld({}));
    const rmems: ReservedMem[] = [];
    for (let i = 0; i <= MAX_RESERVED_REGIONS; i++) {
      fdtReservedMemSaveNode(ctx, rmems, i, `n${i}`, 0n, 0n);
    }
    expect(rmems).toHaveLength(16);
    expect(ctx.messages).toEqual(['OF: reserved mem: not enough space all defined regions.']);
  });
});
