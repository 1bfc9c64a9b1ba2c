/**
 * CMA area declaration at boot (mm/cma.c, K4_9 and K6_1; kernel-semantics.md §5.1-§5.3):
 * cma_declare_contiguous() reserves a range in memblock and cma_init_reserved_mem() registers an
 * already reserved range in cma_areas[]. Activation (bitmap, MIGRATE_CMA pageblocks) happens later,
 * after the buddy allocator exists (model/cmaActivate.ts).
 *
 * The kernel globals this phase touches (memblock, cma_areas[], cma_area_count, totalcma_pages,
 * dma_contiguous_default_area, the kernel log) are one explicit DeclareContext value, so each step
 * can be driven alone in tests.
 *
 * The profiles differ in the minimum alignment (§9 P15), a misaligned fixed base (P16), the
 * limit check (P17), the placement of a non-fixed area (P18) and what a failed
 * cma_init_reserved_mem() leaves reserved (§5.3).
 *
 * Does *not* cover: pr_debug lines (CONFIG_CMA_DEBUG off), kmemleak, 32-bit phys_addr_t.
 */
import { assert } from '../../src/core/assert.ts';
import type { CmaSource } from '../../src/core/allocator.ts';
import type { Pfn, Profile } from '../../src/core/world.ts';
import type { CmaCmdline } from './cmdline.ts';
import {
  type Memblock,
  type PhysAddr,
  PAGE_SHIFT,
  PAGE_SIZE,
  alignUp,
  formatMiB,
  formatPa,
  isPowerOf2,
  memblockAllocRange,
  memblockEndOfDram,
  memblockFree,
  memblockIsRegionReserved,
  memblockReserve,
  u64,
} from './memblock.ts';

/** An entry of cma_areas[] after cma_init_reserved_mem(). */
export interface RegisteredArea {
  name: string;
  basePfn: Pfn;
  count: number;
  orderPerBit: number;
  source: CmaSource;
}

/** What the caller knows about an area that K4_9's struct cma does not keep (no name field). */
export interface AreaLabel {
  name: string;
  source: CmaSource;
}

export type Errno = 'EINVAL' | 'EBUSY' | 'ENOMEM' | 'ENOSPC' | 'ENOENT';

/** 0 or -errno of the kernel function, with the registered area index on success. */
export type CmaResult = { ok: true; area: number } | { ok: false; errno: Errno };

/** The kernel state the declaration phase reads and writes. */
export interface DeclareContext {
  profile: Profile;
  /** MAX_ORDER - 1 (world.maxOrder). */
  maxOrder: number;
  pageblockOrder: number;
  memblock: Memblock;
  /**
   * __pa(high_memory). 64-bit without highmem: the end of RAM as the world declares it (MODEL.md
   * "Scope"), fixed for the whole phase even if a `no-map` node later shrinks memblock.memory.
   */
  highmemStart: PhysAddr;
  /** cma_areas[0 .. cma_area_count). */
  areas: RegisteredArea[];
  /** MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS (K4_9 and K6_1, §5.1). */
  maxCmaAreas: number;
  /** size_cmdline/base_cmdline/limit_cmdline as early_cma() left them (parse_early_param()
   *  runs before any reservation; K6_1's rmem_cma_setup() reads size_cmdline, §7.2). */
  cmaCmdline: CmaCmdline;
  /** totalcma_pages. */
  totalcmaPages: number;
  /** dma_contiguous_default_area as an index into `areas`. */
  defaultArea: number | null;
  /** Kernel log lines, pr_fmt prefix included, in printing order. */
  messages: string[];
}

/**
 * Mirrors the CMA minimum alignment in bytes (§5.1, §9 P15) that cma_declare_contiguous(),
 * cma_init_reserved_mem() (mm/cma.c), rmem_cma_setup() and __reserved_mem_alloc_size() each use:
 * K4_9 computes `PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order)`; K6_1 has
 * CMA_MIN_ALIGNMENT_BYTES = PAGE_SIZE * pageblock_nr_pages. A context without a profile is K4_9.
 */
export function cmaMinAlignment(
  ctx: Pick<DeclareContext, 'maxOrder' | 'pageblockOrder'> & { profile?: Profile },
): PhysAddr {
  switch (ctx.profile ?? 'K4_9') {
    case 'K4_9':
      return PAGE_SIZE << BigInt(Math.max(ctx.maxOrder, ctx.pageblockOrder));
    case 'K6_1':
      return PAGE_SIZE << BigInt(ctx.pageblockOrder);
  }
}

/** IS_ALIGNED(x, 1 << orderPerBit). */
function isAlignedToOrder(x: bigint, orderPerBit: number): boolean {
  return (x & ((1n << BigInt(orderPerBit)) - 1n)) === 0n;
}

const NOT_ENOUGH_SLOTS = 'cma: Not enough slots for CMA reserved regions!';

/**
 * Mirrors cma_init_reserved_mem() — mm/cma.c, K4_9 and K6_1 (§5.2). Checks in the kernel's order:
 * a free slot (-ENOSPC, with a message), size 0 or a range that intersects nothing reserved
 * (-EINVAL), a minimum alignment (the profile's, cmaMinAlignment: K6_1's CMA_MIN_ALIGNMENT_PAGES)
 * that 2^order_per_bit pages does not divide (-EINVAL), base or size not a multiple of the minimum
 * alignment (-EINVAL); then fills the next slot. Only -ENOSPC prints. The name is the caller's
 * (K6_1's "cma%d\n" default needs a NULL name, which no caller here passes).
 */
export function cmaInitReservedMem(
  ctx: DeclareContext,
  base: PhysAddr,
  size: PhysAddr,
  orderPerBit: number,
  label: AreaLabel,
): CmaResult {
  if (ctx.areas.length === ctx.maxCmaAreas) {
    ctx.messages.push(NOT_ENOUGH_SLOTS);
    return { ok: false, errno: 'ENOSPC' };
  }
  if (size === 0n || !memblockIsRegionReserved(ctx.memblock, base, size)) {
    return { ok: false, errno: 'EINVAL' };
  }
  const alignment = cmaMinAlignment(ctx);
  if (!isAlignedToOrder(alignment >> PAGE_SHIFT, orderPerBit)) {
    return { ok: false, errno: 'EINVAL' };
  }
  if (alignUp(base, alignment) !== base || alignUp(size, alignment) !== size) {
    return { ok: false, errno: 'EINVAL' };
  }
  ctx.areas.push({
    name: label.name,
    basePfn: Number(base >> PAGE_SHIFT), // PFN_DOWN(base); < 2^52, exact in a double
    count: Number(size >> PAGE_SHIFT),
    orderPerBit,
    source: label.source,
  });
  ctx.totalcmaPages += Number(size / PAGE_SIZE);
  return { ok: true, area: ctx.areas.length - 1 };
}

/** The arguments of cma_declare_contiguous(), in bytes (phys_addr_t). */
export interface CmaDeclareRequest {
  /** 0 = anywhere. */
  base: PhysAddr;
  size: PhysAddr;
  /** 0 = end of memory. */
  limit: PhysAddr;
  /** 0 = the CMA minimum; otherwise must be a power of two. */
  alignment: PhysAddr;
  orderPerBit: number;
  fixed: boolean;
}

type Placement = { ok: true; base: PhysAddr } | { ok: false; errno: Errno };

/** SZ_4G: where K6_1's bottom-up CMA placement starts (§5.3, §9 P18). */
const SZ_4G: PhysAddr = 1n << 32n;

/**
 * The "Reserve memory" half of cma_declare_contiguous() — mm/cma.c (§5.3 step 8; §9 P18). Fixed:
 * the exact range must intersect nothing reserved (else -EBUSY; whether it is RAM is not
 * checked) — the same in both profiles. Otherwise the profile's placement order; none → -ENOMEM.
 */
function cmaReservePlacement(
  ctx: DeclareContext,
  base: PhysAddr,
  size: PhysAddr,
  limit: PhysAddr,
  alignment: PhysAddr,
  fixed: boolean,
): Placement {
  if (fixed) {
    if (memblockIsRegionReserved(ctx.memblock, base, size)) return { ok: false, errno: 'EBUSY' };
    memblockReserve(ctx.memblock, base, size);
    return { ok: true, base };
  }
  const address =
    ctx.profile === 'K6_1'
      ? placeNonFixedK6_1(ctx, base, size, limit, alignment)
      : placeNonFixedK4_9(ctx, base, size, limit, alignment);
  return address === 0n ? { ok: false, errno: 'ENOMEM' } : { ok: true, base: address };
}

/**
 * Non-fixed placement, K4_9 (§5.3 step 8): top-down, above highmem first when [base, limit)
 * straddles it (never on 64-bit, kept for fidelity), then in [base, limit). 0 = nothing found.
 */
function placeNonFixedK4_9(
  ctx: DeclareContext,
  base: PhysAddr,
  size: PhysAddr,
  limitIn: PhysAddr,
  alignment: PhysAddr,
): PhysAddr {
  let limit = limitIn;
  let address = 0n;
  if (base < ctx.highmemStart && limit > ctx.highmemStart) {
    address = memblockAllocRange(ctx.memblock, size, alignment, ctx.highmemStart, limit);
    limit = ctx.highmemStart;
  }
  if (address === 0n) address = memblockAllocRange(ctx.memblock, size, alignment, base, limit);
  return address;
}

/**
 * Non-fixed placement, cma_declare_contiguous_nid() — K6_1 (§5.3; §9 P18): (a) the highmem try
 * as K4_9; (b) memblock is top-down and memblock_end ≥ 4 GiB + size → bottom-up in [4 GiB,
 * limit) ("guarantee that the compaction is moving pages out of the cma area and not into it";
 * its result overwrites (a)'s, as the kernel's does); (c) nothing yet → top-down in
 * [base, limit). exact_nid and nid change nothing on one node. 0 = nothing found.
 */
function placeNonFixedK6_1(
  ctx: DeclareContext,
  base: PhysAddr,
  size: PhysAddr,
  limitIn: PhysAddr,
  alignment: PhysAddr,
): PhysAddr {
  let limit = limitIn;
  let address = 0n;
  if (base < ctx.highmemStart && limit > ctx.highmemStart) {
    address = memblockAllocRange(ctx.memblock, size, alignment, ctx.highmemStart, limit);
    limit = ctx.highmemStart;
  }
  if (memblockEndOfDram(ctx.memblock) >= SZ_4G + size) {
    // !memblock_bottom_up(): always here
    address = memblockAllocRange(ctx.memblock, size, alignment, SZ_4G, limit, 'bottomUp');
  }
  if (address === 0n) address = memblockAllocRange(ctx.memblock, size, alignment, base, limit);
  return address;
}

/**
 * Mirrors cma_declare_contiguous() (K4_9) / cma_declare_contiguous_nid() (K6_1) — mm/cma.c (§5.3;
 * §9 P15-P18). Order: no free slot → -ENOSPC (message, no "Failed" line); size 0 or a
 * non-power-of-two alignment → -EINVAL (silent early returns); alignment raised to the CMA
 * minimum; K6_1: a fixed base not aligned to it → -EINVAL "must be aligned" (K4_9 rounds it up
 * silently, P16); base and size rounded *up*, limit down; base 0 is never fixed; size not a
 * multiple of 2^order_per_bit pages → -EINVAL (silent); a fixed range across the low/high
 * boundary → -EINVAL; limit 0 or past DRAM → end of DRAM; K6_1: base + size > limit → -EINVAL
 * (P17); placement (-EBUSY / -ENOMEM, P18); cma_init_reserved_mem() — whose failure K6_1 answers by
 * giving the reservation back (memblock_phys_free), K4_9 by keeping it. Every failure after the
 * early returns prints "Failed to reserve %ld MiB" with the size as it then is.
 */
export function cmaDeclareContiguous(
  ctx: DeclareContext,
  request: CmaDeclareRequest,
  label: AreaLabel,
): CmaResult {
  const memblockEnd = memblockEndOfDram(ctx.memblock);
  if (ctx.areas.length === ctx.maxCmaAreas) {
    ctx.messages.push(NOT_ENOUGH_SLOTS);
    return { ok: false, errno: 'ENOSPC' };
  }
  if (request.size === 0n) return { ok: false, errno: 'EINVAL' };
  if (request.alignment !== 0n && !isPowerOf2(request.alignment)) {
    return { ok: false, errno: 'EINVAL' };
  }
  const minimum = cmaMinAlignment(ctx);
  const alignment = request.alignment > minimum ? request.alignment : minimum;
  const failed = (errno: Errno, failedSize: PhysAddr): CmaResult => {
    ctx.messages.push(`cma: Failed to reserve ${formatMiB(failedSize)}`);
    return { ok: false, errno };
  };
  if (fixedBaseMisaligned(ctx, request, alignment)) return failed('EINVAL', request.size);
  const base = alignUp(request.base, alignment);
  const size = alignUp(request.size, alignment);
  let limit = request.limit & u64(~(alignment - 1n));
  const fixed = request.fixed && base !== 0n;
  if (!isAlignedToOrder(size >> PAGE_SHIFT, request.orderPerBit)) {
    return { ok: false, errno: 'EINVAL' };
  }
  if (fixed && base < ctx.highmemStart && u64(base + size) > ctx.highmemStart) {
    ctx.messages.push(
      `cma: Region at ${formatPa(base)} defined on low/high memory boundary` +
        ` (${formatPa(ctx.highmemStart)})`,
    );
    return failed('EINVAL', size);
  }
  if (limit === 0n || limit > memblockEnd) limit = memblockEnd;
  if (limitExceeded(ctx, base, size, limit)) return failed('EINVAL', size);
  const placement = cmaReservePlacement(ctx, base, size, limit, alignment, fixed);
  if (!placement.ok) return failed(placement.errno, size);
  const result = cmaInitReservedMem(ctx, placement.base, size, request.orderPerBit, label);
  if (!result.ok) {
    releaseAfterInitFailure(ctx, placement.base, size);
    return failed(result.errno, size);
  }
  ctx.messages.push(`cma: Reserved ${formatMiB(size)} at ${formatPa(placement.base)}`);
  return result;
}

/**
 * `if (fixed && base & (alignment - 1))` of cma_declare_contiguous_nid() — K6_1 (§5.3; §9 P16):
 * a fixed base that is not a multiple of the alignment is an error, reported before anything is
 * rounded ("Region at %pa must be aligned to %pa bytes"). K4_9 has no such test: ALIGN() moves
 * the base up silently.
 */
function fixedBaseMisaligned(
  ctx: DeclareContext,
  request: CmaDeclareRequest,
  alignment: PhysAddr,
): boolean {
  switch (ctx.profile) {
    case 'K4_9':
      return false;
    case 'K6_1': {
      if (!request.fixed || (request.base & (alignment - 1n)) === 0n) return false;
      ctx.messages.push(
        `cma: Region at ${formatPa(request.base)} must be aligned to` +
          ` ${formatPa(alignment)} bytes`,
      );
      return true;
    }
  }
}

/**
 * `if (base + size > limit)` of cma_declare_contiguous_nid() — K6_1 (§5.3; §9 P17), after the
 * limit is clamped to the end of DRAM: "Size (%pa) of region at %pa exceeds limit (%pa)". K4_9
 * has no such test (a fixed area may then run past the end of memory).
 */
function limitExceeded(
  ctx: DeclareContext,
  base: PhysAddr,
  size: PhysAddr,
  limit: PhysAddr,
): boolean {
  switch (ctx.profile) {
    case 'K4_9':
      return false;
    case 'K6_1': {
      if (u64(base + size) <= limit) return false;
      ctx.messages.push(
        `cma: Size (${formatPa(size)}) of region at ${formatPa(base)} exceeds` +
          ` limit (${formatPa(limit)})`,
      );
      return true;
    }
  }
}

/**
 * What a failed cma_init_reserved_mem() leaves behind in cma_declare_contiguous() (§5.3 step 9):
 * K4_9 jumps to `err` and keeps the memblock reservation; K6_1's `free_mem:` gives it back with
 * memblock_phys_free().
 */
function releaseAfterInitFailure(ctx: DeclareContext, base: PhysAddr, size: PhysAddr): void {
  switch (ctx.profile) {
    case 'K4_9':
      return;
    case 'K6_1':
      memblockFree(ctx.memblock, base, size);
  }
}
