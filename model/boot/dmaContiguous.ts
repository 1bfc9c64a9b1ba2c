/**
 * The global (default) CMA area of the DMA layer at boot — drivers/base/dma-contiguous.c, K4_9 /
 * kernel/dma/contiguous.c, K6_1 (kernel-semantics.md §7.5, §7.6): its size comes from `cma=` when
 * given, else from Kconfig (CMA_SIZE_SEL_*), and it is reserved only if no device-tree
 * `linux,cma-default` node made a default area first. The code is the same in both profiles; the
 * §9 P30 difference lives in rmem_cma_setup() (K6_1 refuses a default node when `cma=` is given,
 * so this function then finds no default area and reserves the `cma=` one).
 *
 * Does *not* cover: pr_debug lines (CONFIG_CMA_DEBUG off), dma_contiguous_early_fixup() (an arm32
 * hook, a no-op on arm64), the K6_18 per-NUMA areas (§7.4).
 */
import type { CmaSource } from '../../src/core/allocator.ts';
import type { Kconfig } from '../../src/core/world.ts';
import { type CmaCmdline, SIZE_CMDLINE_UNSET } from './cmdline.ts';
import { type CmaResult, type DeclareContext, cmaDeclareContiguous } from './cmaDeclare.ts';
import { type Memblock, type PhysAddr, PAGE_SHIFT, SZ_1M, u64 } from './memblock.ts';

/**
 * The name cmacheck gives the default area. K4_9's struct cma has no name; K6_x's
 * dma_contiguous_reserve_area() names it "reserved", so reports read the same in every profile.
 */
export const DEFAULT_AREA_NAME = 'reserved';

/**
 * Mirrors cma_early_percent_memory() — drivers/base/dma-contiguous.c, K4_9 (§7.5): the pages of
 * every memblock.memory region (PFN_UP(base) .. PFN_DOWN(end)), times the percentage, / 100, in
 * bytes, all in unsigned long (u64). It runs after the device tree, so `no-map` regions already
 * count as missing.
 */
export function cmaEarlyPercentMemory(memblock: Memblock, percentage: number): PhysAddr {
  // unsigned long arithmetic: a region inside one page (left by no-map removals) has
  // PFN_DOWN(end) = PFN_UP(base) - 1, and its difference wraps to ULONG_MAX, taking a page off.
  let totalPages = 0n;
  for (const region of memblock.memory) {
    const basePfn = (region.base + (1n << PAGE_SHIFT) - 1n) >> PAGE_SHIFT;
    const endPfn = (region.base + region.size) >> PAGE_SHIFT;
    totalPages = u64(totalPages + u64(endPfn - basePfn));
  }
  return u64((u64(totalPages * BigInt(percentage)) / 100n) << PAGE_SHIFT);
}

/**
 * Mirrors cma_early_percent_memory() — kernel/dma/contiguous.c, K6_1 (§7.5):
 * PHYS_PFN(memblock_phys_mem_size()) × percentage / 100, in bytes. memblock_phys_mem_size() is
 * the total of memblock.memory, where K6_1 keeps `no-map` regions (flagged MEMBLOCK_NOMAP, not
 * removed); the model removes them, so the total is the world's RAM, `memoryEnd` (no holes).
 */
export function cmaEarlyPercentMemoryK6_1(memoryEnd: PhysAddr, percentage: number): PhysAddr {
  const totalPages = memoryEnd >> PAGE_SHIFT;
  return u64(((totalPages * BigInt(percentage)) / 100n) << PAGE_SHIFT);
}

/**
 * Mirrors the `#ifdef CONFIG_CMA_SIZE_SEL_*` branch of dma_contiguous_reserve() —
 * drivers/base/dma-contiguous.c, K4_9 / kernel/dma/contiguous.c, K6_1 (§7.5): MiB only,
 * percentage only, or the smaller / larger of the two, the percentage by the profile's
 * cma_early_percent_memory(). (Kconfig hides CMA_SIZE_MBYTES under SEL_PERCENTAGE and
 * CMA_SIZE_PERCENTAGE under SEL_MBYTES; the unused value is never read.)
 */
export function cmaSizeFromKconfig(ctx: DeclareContext, kconfig: Kconfig): PhysAddr {
  const sizeBytes = BigInt(kconfig.cmaSizeMbytes) * SZ_1M;
  const percent = (): PhysAddr =>
    ctx.profile === 'K6_1'
      ? cmaEarlyPercentMemoryK6_1(ctx.highmemStart, kconfig.cmaSizePercentage)
      : cmaEarlyPercentMemory(ctx.memblock, kconfig.cmaSizePercentage);
  switch (kconfig.cmaSizeSel) {
    case 'mbytes':
      return sizeBytes;
    case 'percentage':
      return percent();
    case 'min':
      return sizeBytes < percent() ? sizeBytes : percent();
    case 'max':
      return sizeBytes > percent() ? sizeBytes : percent();
  }
}

/** Mirrors min_not_zero() — include/linux/kernel.h, all profiles (§7.6 step 2). */
export function minNotZero(x: PhysAddr, y: PhysAddr): PhysAddr {
  if (x === 0n) return y;
  if (y === 0n) return x;
  return x < y ? x : y;
}

/** One attempt to reserve the default area, and where its size came from. */
export interface DefaultAreaAttempt {
  source: CmaSource;
  result: CmaResult;
}

/**
 * Mirrors dma_contiguous_reserve_area() — drivers/base/dma-contiguous.c, K4_9 (§7.6 step 3):
 * cma_declare_contiguous(base, size, limit, alignment 0, order_per_bit 0, fixed); the arch fixup
 * after it is an arm32 hook (nothing on arm64).
 */
export function dmaContiguousReserveArea(
  ctx: DeclareContext,
  size: PhysAddr,
  base: PhysAddr,
  limit: PhysAddr,
  fixed: boolean,
  source: CmaSource,
): CmaResult {
  return cmaDeclareContiguous(
    ctx,
    { base, size, limit, alignment: 0n, orderPerBit: 0, fixed },
    { name: DEFAULT_AREA_NAME, source },
  );
}

/**
 * Mirrors dma_contiguous_reserve(limit) — drivers/base/dma-contiguous.c, K4_9 and
 * kernel/dma/contiguous.c, K6_1, the same code (§7.6; §9 P30, P31).
 * With `cma=`: its size and base, limit = min_not_zero(limit_cmdline, limit), fixed ⇔ base_cmdline
 * + size_cmdline == limit_cmdline (wrapping); otherwise the Kconfig size, base 0, the arch limit,
 * not fixed. Reserves only a non-zero size and only while no default area exists (a DT
 * `linux,cma-default` node wins in K4_9; in K6_1 only without `cma=`). Returns null when nothing
 * was attempted.
 */
export function dmaContiguousReserve(
  ctx: DeclareContext,
  cmdline: CmaCmdline,
  kconfig: Kconfig,
  limit: PhysAddr,
): DefaultAreaAttempt | null {
  const given = cmdline.sizeCmdline !== SIZE_CMDLINE_UNSET;
  const size = given ? cmdline.sizeCmdline : cmaSizeFromKconfig(ctx, kconfig);
  const base = given ? cmdline.baseCmdline : 0n;
  const selectedLimit = given ? minNotZero(cmdline.limitCmdline, limit) : limit;
  const fixed = given && u64(cmdline.baseCmdline + cmdline.sizeCmdline) === cmdline.limitCmdline;
  if (size === 0n || ctx.defaultArea !== null) return null;
  const source: CmaSource = given ? 'cmdline' : 'kconfig';
  const result = dmaContiguousReserveArea(ctx, size, base, selectedLimit, fixed, source);
  if (result.ok) ctx.defaultArea = result.area; // &dma_contiguous_default_area
  return { source, result };
}
