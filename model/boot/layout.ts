/**
 * The declaration phase of boot (docs/MODEL.md "Boot", steps 1-5; kernel-semantics.md §7.1): in the
 * order of arm64 boot, K4_9 and K6_1 alike — memblock, `cma=`, device-tree reserved-memory,
 * explicit cma_declare_contiguous() calls, dma_contiguous_reserve() (K4_9 at the end of
 * arm64_memblock_init(), K6_1 in bootmem_init(): after the device tree either way). The profiles
 * differ inside the steps (§9 P15-P18, P30, P32). Its result, the Layout, is the world as
 * the kernel resolved it before the buddy allocator exists; model and impl both build their buddy
 * state from it.
 *
 * Each step is one file, one kernel concept: cmdline.ts, memblock.ts, reservedMem.ts,
 * cmaDeclare.ts, dmaContiguous.ts. This file only runs them in order and converts bytes to pfns.
 */
import type { Declaration } from '../../src/core/allocator.ts';
import type { CmaDeclaration, Pfn, PfnRange, World } from '../../src/core/world.ts';
import { parseCmaCmdline } from './cmdline.ts';
import {
  type CmaResult,
  type DeclareContext,
  type RegisteredArea,
  cmaDeclareContiguous,
} from './cmaDeclare.ts';
import { DEFAULT_AREA_NAME, dmaContiguousReserve } from './dmaContiguous.ts';
import {
  type Memblock,
  type MemblockRegion,
  PAGE_SHIFT,
  memblockCreate,
  memblockReserve,
} from './memblock.ts';
import {
  type ReservedMem,
  earlyInitFdtScanReservedMem,
  ofReservedMemDeviceArea,
} from './reservedMem.ts';

export type { RegisteredArea } from './cmaDeclare.ts';

export interface Layout {
  /**
   * Pages never handed to the buddy by free_all_bootmem, sorted by startPfn, disjoint and
   * non-adjacent: memblock.reserved (CMA areas included) and the `no-map` holes removed from
   * memblock.memory, widened to whole pages (free_all_bootmem frees [PFN_UP(start), PFN_DOWN(end))
   * of each free range) and clipped to [0, pages).
   */
  reserved: PfnRange[];
  /** cma_areas[0..cma_area_count). */
  areas: RegisteredArea[];
  /** Every reservation attempt, in the order the kernel makes them. */
  declarations: Declaration[];
  defaultArea: number | null;
  deviceAreas: (number | null)[];
  /** Kernel log lines of the declaration phase. */
  messages: string[];
}

const PAGE_BYTES = 1n << PAGE_SHIFT;

function pfnToBytes(pfn: Pfn): bigint {
  return BigInt(pfn) << PAGE_SHIFT;
}

/**
 * Mirrors the memblock part of arm64_memblock_init() — arch/arm64/mm/init.c, K4_9 and K6_1 (§7.1
 * steps 1-2; MODEL.md "Boot" 1-2): memblock.memory = [0, pages), the world's `reserved` ranges
 * memblock_reserve()d as the kernel image and initrd are; `cma=` parsed by parse_early_param()
 * (which runs first: its K6_1 complaints open the log); cma_areas[] empty, MAX_CMA_AREAS = 1 +
 * CONFIG_CMA_AREAS (§5.1).
 */
export function createDeclareContext(world: World): DeclareContext {
  const memoryEnd = pfnToBytes(world.pages);
  const memblock = memblockCreate(memoryEnd);
  for (const range of world.reserved) {
    const pageCount = range.endPfn - range.startPfn;
    memblockReserve(memblock, pfnToBytes(range.startPfn), pfnToBytes(pageCount));
  }
  const messages: string[] = [];
  return {
    profile: world.profile,
    maxOrder: world.maxOrder,
    pageblockOrder: world.pageblockOrder,
    memblock,
    highmemStart: memoryEnd,
    areas: [],
    maxCmaAreas: 1 + world.kconfig.cmaAreas,
    cmaCmdline: parseCmaCmdline(world.cmdline, world.profile, messages),
    totalcmaPages: 0,
    defaultArea: null,
    messages,
  };
}

function declaration(source: Declaration['source'], name: string, result: CmaResult): Declaration {
  return result.ok
    ? { source, name, ok: true, area: result.area, errno: null }
    : { source, name, ok: false, area: null, errno: result.errno };
}

/** One declaration per saved "shared-dma-pool" node, in fdt_init_reserved_mem()'s order. */
function dtDeclarations(rmems: readonly ReservedMem[]): Declaration[] {
  return rmems.flatMap((rmem) =>
    rmem.cmaResult === null ? [] : [declaration('dt', rmem.name, rmem.cmaResult)],
  );
}

/**
 * Step 4: a platform cma_declare_contiguous() call, its page-unit world fields converted to the
 * bytes the kernel takes (0 keeps its meaning: anywhere, end of memory, CMA minimum).
 */
function declareExplicit(ctx: DeclareContext, area: CmaDeclaration): Declaration {
  const result = cmaDeclareContiguous(
    ctx,
    {
      base: pfnToBytes(area.base),
      size: pfnToBytes(area.size),
      limit: pfnToBytes(area.limit),
      alignment: pfnToBytes(area.alignment),
      orderPerBit: area.orderPerBit,
      fixed: area.fixed,
    },
    { name: area.name, source: 'explicit' },
  );
  return declaration('explicit', area.name, result);
}

/**
 * Mirrors the complement of free_low_memory_core_early() — mm/nobootmem.c, K4_9 (§7.8 step 2): what
 * free_all_bootmem() will *not* free. Reserved regions plus the holes in memory, clipped to [0,
 * memoryEnd), widened to whole pages (it frees [PFN_UP(start), PFN_DOWN(end))), merged.
 *
 * DEVIATION: a `no-map` range is not memory at all in the kernel (arm64 pfn_valid() is false
 * there); the model has no memory holes, so it keeps those pages reserved, which is what matters to
 * the buddy: they are never freed to it.
 */
export function layoutReservedRanges(memblock: Memblock, pages: number): PfnRange[] {
  const memoryEnd = pfnToBytes(pages);
  const holes: MemblockRegion[] = [];
  let cursor = 0n;
  for (const region of [...memblock.memory, { base: memoryEnd, size: 0n }]) {
    if (region.base > cursor) holes.push({ base: cursor, size: region.base - cursor });
    if (region.base + region.size > cursor) cursor = region.base + region.size;
  }
  const ranges: PfnRange[] = [];
  const regions = [...memblock.reserved, ...holes].sort((a, b) =>
    a.base < b.base ? -1 : a.base > b.base ? 1 : 0,
  );
  for (const region of regions) {
    const end = region.base + region.size < memoryEnd ? region.base + region.size : memoryEnd;
    if (region.base >= end) continue;
    const startPfn = Number(region.base >> PAGE_SHIFT);
    const endPfn = Number((end + PAGE_BYTES - 1n) >> PAGE_SHIFT);
    const last = ranges[ranges.length - 1];
    if (last !== undefined && startPfn <= last.endPfn) last.endPfn = Math.max(last.endPfn, endPfn);
    else ranges.push({ startPfn, endPfn });
  }
  return ranges;
}

/**
 * dev->cma_area per world device: a device with `memory-region` gets that node's CMA area (null if
 * the node did not become one); a device without gets null and uses the default area
 * (dev_get_cma_area(), §7.7). The first node with the referenced name is the one meant.
 */
function deviceAreas(world: World, rmems: readonly ReservedMem[]): (number | null)[] {
  return world.devices.map((device) => {
    if (device.memoryRegion === null) return null;
    const nodeIndex = world.reservedMemory.findIndex((node) => node.name === device.memoryRegion);
    return ofReservedMemDeviceArea(rmems, nodeIndex);
  });
}

/**
 * Mirrors setup_arch() → parse_early_param(), arm64_memblock_init() (and, K6_1, bootmem_init())
 * — arch/arm64, K4_9 and K6_1 (§7.1 steps 1-4; MODEL.md "Boot" 1-5): the declaration phase.
 * Memblock and the world's reservations; `cma=` parsed (early_cma); device-tree reserved-memory
 * (early_init_fdt_scan_reserved_mem); the world's explicit cma_declare_contiguous() calls in
 * array order; dma_contiguous_reserve(dmaLimitPfn bytes).
 */
export function declareLayout(world: World): Layout {
  const ctx = createDeclareContext(world);
  const rmems = earlyInitFdtScanReservedMem(ctx, world.reservedMemory);
  const declarations = dtDeclarations(rmems);
  for (const area of world.cma) declarations.push(declareExplicit(ctx, area));
  const dmaLimit = pfnToBytes(world.dmaLimitPfn);
  const attempt = dmaContiguousReserve(ctx, ctx.cmaCmdline, world.kconfig, dmaLimit);
  if (attempt !== null) {
    declarations.push(declaration(attempt.source, DEFAULT_AREA_NAME, attempt.result));
  }
  return {
    reserved: layoutReservedRanges(ctx.memblock, world.pages),
    areas: ctx.areas,
    declarations,
    defaultArea: ctx.defaultArea,
    deviceAreas: deviceAreas(world, rmems),
    messages: ctx.messages,
  };
}
