/**
 * CMA area declaration at boot (mm/cma.c, K4_9; kernel-semantics.md §5.1-§5.3):
 * cma_declare_contiguous() reserves a range in memblock and cma_init_reserved_mem() registers an
 * already reserved range in cma_areas[]. Activation (bitmap, MIGRATE_CMA pageblocks) happens later,
 * after the buddy allocator exists (model/cmaActivate.ts).
 *
 * The kernel globals this phase touches (memblock, cma_areas[], cma_area_count, totalcma_pages,
 * dma_contiguous_default_area, the kernel log) are one explicit DeclareContext value, so each step
 * can be driven alone in tests.
 *
 * Does *not* cover: pr_debug lines (CONFIG_CMA_DEBUG off), kmemleak, 32-bit phys_addr_t.
 */
import { assert } from '../../src/core/assert.ts';
import type { CmaSource } from '../../src/core/allocator.ts';
import type { Pfn, Profile } from '../../src/core/world.ts';
import {
  type Memblock, type PhysAddr, PAGE_SHIFT, PAGE_SIZE, alignUp, formatMiB, formatPa, isPowerOf2,
  memblockAllocRange, memblockEndOfDram, memblockIsRegionReserved, memblockReserve, u64,
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
  /** MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS (K4_9, §5.1). */
  maxCmaAreas: number;
  /** totalcma_pages. */
  totalcmaPages: number;
  /** dma_contiguous_default_area as an index into `areas`. */
  defaultArea: number | null;
  /** Kernel log lines, pr_fmt prefix included, in printing order. */
  messages: string[];
}

/**
 * Mirrors no kernel function: the profile guard (§9). Fails unless the profile is K4_9; callers
 * name the §9 rows where K6_x would differ, so a K6_1 implementation knows where to branch.
 */
export function assertK4_9(profile: Profile, where: string): void {
  assert(profile === 'K4_9', `${where}: profile ${profile} not implemented (K4_9 only)`);
}

/**
 * Mirrors the `PAGE_SIZE << max(MAX_ORDER - 1, pageblock_order)` that cma_declare_contiguous(),
 * cma_init_reserved_mem() (mm/cma.c), rmem_cma_setup() and __reserved_mem_alloc_size() each compute
 * — K4_9 (§5.1, §9 P15): the CMA minimum alignment in bytes.
 */
export function cmaMinAlignment(
  ctx: Pick<DeclareContext, 'maxOrder' | 'pageblockOrder'>,
): PhysAddr {
  return PAGE_SIZE << BigInt(Math.max(ctx.maxOrder, ctx.pageblockOrder));
}

/** IS_ALIGNED(x, 1 << orderPerBit). */
function isAlignedToOrder(x: bigint, orderPerBit: number): boolean {
  return (x & ((1n << BigInt(orderPerBit)) - 1n)) === 0n;
}

const NOT_ENOUGH_SLOTS = 'cma: Not enough slots for CMA reserved regions!';

/**
 * Mirrors cma_init_reserved_mem() — mm/cma.c, K4_9 (§5.2). Checks in the kernel's order: a free
 * slot (-ENOSPC, with a message), size 0 or a range that intersects nothing reserved (-EINVAL), a
 * minimum alignment that 2^order_per_bit pages does not divide (-EINVAL), base or size not a
 * multiple of the minimum alignment (-EINVAL); then fills the next slot. Only -ENOSPC prints.
 */
export function cmaInitReservedMem(
  ctx: DeclareContext, base: PhysAddr, size: PhysAddr, orderPerBit: number, label: AreaLabel,
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

/**
 * The "Reserve memory" half of cma_declare_contiguous() — mm/cma.c, K4_9 (§5.3 step 8). Fixed: the
 * exact range must intersect nothing reserved (else -EBUSY; whether it is RAM is not checked).
 * Otherwise top-down memblock allocation, above highmem first when [base, limit) straddles it
 * (never on 64-bit, kept for fidelity), then in [base, limit); none → -ENOMEM.
 */
function cmaReservePlacement(
  ctx: DeclareContext, base: PhysAddr, size: PhysAddr, limitIn: PhysAddr, alignment: PhysAddr,
  fixed: boolean,
): Placement {
  if (fixed) {
    if (memblockIsRegionReserved(ctx.memblock, base, size)) return { ok: false, errno: 'EBUSY' };
    memblockReserve(ctx.memblock, base, size);
    return { ok: true, base };
  }
  let limit = limitIn;
  let address = 0n;
  if (base < ctx.highmemStart && limit > ctx.highmemStart) {
    address = memblockAllocRange(ctx.memblock, size, alignment, ctx.highmemStart, limit);
    limit = ctx.highmemStart;
  }
  if (address === 0n) address = memblockAllocRange(ctx.memblock, size, alignment, base, limit);
  return address === 0n ? { ok: false, errno: 'ENOMEM' } : { ok: true, base: address };
}

/**
 * Mirrors cma_declare_contiguous() — mm/cma.c, K4_9 (§5.3; §9 P15-P18 list where K6_x differs).
 * Order: no free slot → -ENOSPC (message, no "Failed" line); size 0 or a non-power-of-two alignment
 * → -EINVAL (silent early returns); alignment raised to the CMA minimum, base and size rounded *up*
 * to it (a misaligned fixed base moves silently), limit rounded down; base 0 is never fixed; size
 * not a multiple of 2^order_per_bit pages → -EINVAL (silent); a fixed range across the low/high
 * boundary → -EINVAL; limit 0 or past DRAM → end of DRAM; placement (-EBUSY / -ENOMEM);
 * cma_init_reserved_mem(). Every failure after the sanitising prints "Failed to reserve %ld MiB"
 * with the rounded size; K4_9 keeps the memblock reservation when cma_init_reserved_mem() fails
 * (later kernels free it).
 */
export function cmaDeclareContiguous(
  ctx: DeclareContext, request: CmaDeclareRequest, label: AreaLabel,
): CmaResult {
  assertK4_9(ctx.profile, 'cmaDeclareContiguous (§9 P15-P18)');
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
  const base = alignUp(request.base, alignment);
  const size = alignUp(request.size, alignment);
  let limit = request.limit & u64(~(alignment - 1n));
  const fixed = request.fixed && base !== 0n;
  if (!isAlignedToOrder(size >> PAGE_SHIFT, request.orderPerBit)) {
    return { ok: false, errno: 'EINVAL' };
  }
  const failed = (errno: Errno): CmaResult => {
    ctx.messages.push(`cma: Failed to reserve ${formatMiB(size)}`);
    return { ok: false, errno };
  };
  if (fixed && base < ctx.highmemStart && u64(base + size) > ctx.highmemStart) {
    ctx.messages.push(`cma: Region at ${formatPa(base)} defined on low/high memory boundary`
      + ` (${formatPa(ctx.highmemStart)})`);
    return failed('EINVAL');
  }
  if (limit === 0n || limit > memblockEnd) limit = memblockEnd;
  const placement = cmaReservePlacement(ctx, base, size, limit, alignment, fixed);
  if (!placement.ok) return failed(placement.errno);
  const result = cmaInitReservedMem(ctx, placement.base, size, request.orderPerBit, label);
  if (!result.ok) return failed(result.errno); // the memblock reservation stays (K4_9, §5.3 9)
  ctx.messages.push(`cma: Reserved ${formatMiB(size)} at ${formatPa(placement.base)}`);
  return result;
}
