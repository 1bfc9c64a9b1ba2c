/**
 * memblock, the boot-time allocator that exists before the buddy allocator (mm/memblock.c, K4_9;
 * kernel-semantics.md §5.4). Two region sets in bytes: `memory` (RAM) and `reserved`. The CMA and
 * device-tree declaration code reserves, removes and allocates here; what is still reserved at the
 * end never reaches the buddy allocator.
 *
 * Addresses are phys_addr_t: 64-bit unsigned, held as bigint and wrapped like the kernel's u64
 * arithmetic, because `cma=` accepts any 64-bit value and the kernel's ALIGN()/base + size wrap.
 *
 * Bottom-up mode exists only as K6_1's cma_declare_contiguous_nid() uses it (a temporary
 * memblock_set_bottom_up(true) for [4 GiB, limit), §5.3); nothing else switches direction.
 *
 * Does *not* cover: K4_9's bottom-up variant (kernel_end, never used by the model),
 * MEMBLOCK_MIRROR/NOMAP/HOTPLUG flags (K6_1 `no-map` is modelled as K4_9's removal),
 * NUMA node ids, memblock.current_limit below "anywhere".
 */
import { assert } from '../../src/core/assert.ts';

/** phys_addr_t: a byte address or size, 64-bit unsigned. */
export type PhysAddr = bigint;

export const PAGE_SHIFT = 12n;
export const PAGE_SIZE: PhysAddr = 1n << PAGE_SHIFT;
export const SZ_1M: PhysAddr = 1n << 20n;
/** (phys_addr_t)-1, also PHYS_ADDR_MAX and MEMBLOCK_ALLOC_ANYWHERE. */
export const U64_MAX: PhysAddr = (1n << 64n) - 1n;
export const MEMBLOCK_ALLOC_ANYWHERE: PhysAddr = U64_MAX;
export const MEMBLOCK_ALLOC_ACCESSIBLE: PhysAddr = 0n;
/**
 * SMP_CACHE_BYTES = L1_CACHE_BYTES on arm64 4.9 (L1_CACHE_SHIFT 7): the alignment
 * memblock_alloc_range_nid() uses when asked for none. The world's DMA limit is
 * arm64_dma_phys_limit, so the arm64 value is the consistent one.
 */
export const SMP_CACHE_BYTES: PhysAddr = 128n;

/** struct memblock_region without flags and nid: [base, base + size). */
export interface MemblockRegion {
  base: PhysAddr;
  size: PhysAddr;
}

/**
 * struct memblock: sorted, disjoint, non-adjacent regions per set, as memblock_merge_regions()
 * keeps them. Plain data; the functions below mutate the value passed in (STYLE G4).
 */
export interface Memblock {
  memory: MemblockRegion[];
  reserved: MemblockRegion[];
}

/**
 * Mirrors the implicit u64 wrap of C unsigned arithmetic on phys_addr_t — every profile (§7.3:
 * "overflow wraps modulo 2^64").
 */
export function u64(value: bigint): PhysAddr {
  return BigInt.asUintN(64, value);
}

/**
 * Mirrors ALIGN() — include/uapi/linux/kernel.h __ALIGN_KERNEL, all profiles (§5.3 step 3):
 * (x + a - 1) & ~(a - 1), wrapping.
 */
export function alignUp(x: PhysAddr, a: PhysAddr): PhysAddr {
  const mask = u64(a - 1n);
  return u64(x + mask) & u64(~mask);
}

/**
 * Mirrors round_down() — include/linux/kernel.h, all profiles (§5.4): x & ~(y - 1), y a power of
 * two in every caller that matters.
 */
export function roundDown(x: PhysAddr, y: PhysAddr): PhysAddr {
  return x & u64(~(y - 1n));
}

/** Mirrors is_power_of_2() — include/linux/log2.h, all profiles (§5.3 step 2). */
export function isPowerOf2(n: PhysAddr): boolean {
  return n !== 0n && (n & (n - 1n)) === 0n;
}

function minAddr(a: PhysAddr, b: PhysAddr): PhysAddr {
  return a < b ? a : b;
}

function maxAddr(a: PhysAddr, b: PhysAddr): PhysAddr {
  return a > b ? a : b;
}

/**
 * Mirrors address_val() — lib/vsprintf.c, K4_9, the `%pa` of every §5.3/§7.2 message:
 * special_hex_number() prints "0x" and 2 * sizeof(phys_addr_t) = 16 lower-case, zero-padded hex
 * digits on a 64-bit kernel.
 */
export function formatPa(address: PhysAddr): string {
  return `0x${u64(address).toString(16).padStart(16, '0')}`;
}

/**
 * Mirrors the `%ld MiB` of `(unsigned long)size / SZ_1M` in cma_declare_contiguous() and
 * rmem_cma_setup() — mm/cma.c, drivers/base/dma-contiguous.c, K4_9 (§5.3 step 10, §7.2).
 */
export function formatMiB(size: PhysAddr): string {
  return `${u64(size) / SZ_1M} MiB`;
}

/**
 * Mirrors memblock_add() — mm/memblock.c, K4_9 (§7.1 step 1), as early_init_dt_add_memory_arch()
 * calls it at boot: one memory region [0, memoryEnd), nothing reserved yet. The model has no memory
 * holes.
 */
export function memblockCreate(memoryEnd: PhysAddr): Memblock {
  assert(memoryEnd > 0n, () => `memblockCreate: memory end ${memoryEnd} must be positive`);
  return { memory: [{ base: 0n, size: memoryEnd }], reserved: [] };
}

/** memblock_cap_size(): clamp size so that base + size does not pass PHYS_ADDR_MAX. */
function capSize(base: PhysAddr, size: PhysAddr): PhysAddr {
  return minAddr(size, U64_MAX - base);
}

/**
 * Mirrors memblock_add_range() + memblock_merge_regions() — mm/memblock.c, K4_9: the union of the
 * set and [base, base + size), adjacent regions merged (all our regions share flags and nid).
 */
function addRange(
  regions: readonly MemblockRegion[],
  base: PhysAddr,
  size: PhysAddr,
): MemblockRegion[] {
  const capped = capSize(base, size);
  if (capped === 0n) return [...regions];
  let start = base;
  let end = base + capped;
  const result: MemblockRegion[] = [];
  for (const region of regions) {
    const regionEnd = region.base + region.size;
    if (regionEnd < start || region.base > end) {
      result.push(region);
      continue;
    }
    start = minAddr(start, region.base); // overlapping or adjacent: absorb it
    end = maxAddr(end, regionEnd);
  }
  result.push({ base: start, size: end - start });
  return result.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}

/**
 * Mirrors memblock_remove_range() — mm/memblock.c, K4_9 (memblock_isolate_range() then removal of
 * the isolated pieces): the set minus [base, base + size).
 */
function removeRange(
  regions: readonly MemblockRegion[],
  base: PhysAddr,
  size: PhysAddr,
): MemblockRegion[] {
  const capped = capSize(base, size);
  // memblock_isolate_range(): `if (!size) return 0;` — without it a region would be split at base.
  if (capped === 0n) return [...regions];
  const end = base + capped;
  const result: MemblockRegion[] = [];
  for (const region of regions) {
    const regionEnd = region.base + region.size;
    if (regionEnd <= base || region.base >= end) {
      result.push(region);
      continue;
    }
    if (region.base < base) result.push({ base: region.base, size: base - region.base });
    if (regionEnd > end) result.push({ base: end, size: regionEnd - end });
  }
  return result;
}

/**
 * Mirrors memblock_add() — mm/memblock.c, K4_9 and K6_1: [base, base + size) becomes memory again.
 * K6_1 uses it for memblock_clear_nomap() of a failed `no-map` reserved-memory region (§7.1 step
 * 3): the model removed such a region from memory instead of flagging it (memblock.ts header).
 */
export function memblockAdd(memblock: Memblock, base: PhysAddr, size: PhysAddr): 0 {
  memblock.memory = addRange(memblock.memory, base, size);
  return 0;
}

/** Mirrors memblock_reserve() — mm/memblock.c, K4_9 (§5.4). Never fails in the model (0). */
export function memblockReserve(memblock: Memblock, base: PhysAddr, size: PhysAddr): 0 {
  memblock.reserved = addRange(memblock.reserved, base, size);
  return 0;
}

/**
 * Mirrors memblock_free() — mm/memblock.c, K4_9 (§7.2): drop [base, base + size) from `reserved`.
 */
export function memblockFree(memblock: Memblock, base: PhysAddr, size: PhysAddr): 0 {
  memblock.reserved = removeRange(memblock.reserved, base, size);
  return 0;
}

/**
 * Mirrors memblock_remove() — mm/memblock.c, K4_9 (§7.1 step 3): drop [base, base + size) from
 * `memory` (the device-tree `no-map` path). `reserved` is untouched.
 */
export function memblockRemove(memblock: Memblock, base: PhysAddr, size: PhysAddr): 0 {
  memblock.memory = removeRange(memblock.memory, base, size);
  return 0;
}

/**
 * Mirrors memblock_is_region_reserved() — mm/memblock.c, K4_9 (§5.4): true when [base, base + size)
 * *intersects* a reserved region (memblock_addrs_overlap), not only when it is covered.
 */
export function memblockIsRegionReserved(
  memblock: Memblock,
  base: PhysAddr,
  size: PhysAddr,
): boolean {
  const capped = capSize(base, size);
  return memblock.reserved.some(
    (region) => base < region.base + region.size && region.base < base + capped,
  );
}

/**
 * Mirrors memblock_end_of_DRAM() — mm/memblock.c, K4_9 (§5.4): end of the last memory region. An
 * empty memory set keeps one dummy region {0, 0} in the kernel, hence 0.
 */
export function memblockEndOfDram(memblock: Memblock): PhysAddr {
  const last = memblock.memory[memblock.memory.length - 1];
  return last === undefined ? 0n : last.base + last.size;
}

/**
 * Mirrors for_each_free_mem_range() — mm/memblock.c __next_mem_range, K4_9 (§5.4): memory minus
 * reserved, ascending, as [start, end) pairs.
 */
export function forEachFreeMemRange(memblock: Memblock): [PhysAddr, PhysAddr][] {
  const ranges: [PhysAddr, PhysAddr][] = [];
  for (const region of memblock.memory) {
    let free = [region];
    for (const taken of memblock.reserved) free = removeRange(free, taken.base, taken.size);
    for (const piece of free) ranges.push([piece.base, piece.base + piece.size]);
  }
  return ranges;
}

function clamp(value: PhysAddr, low: PhysAddr, high: PhysAddr): PhysAddr {
  return minAddr(maxAddr(value, low), high);
}

/**
 * Mirrors __memblock_find_range_top_down() — mm/memblock.c, K4_9 (§5.4): free ranges from the
 * highest, each clamped to [start, end]; the candidate is round_down(range end - size, align),
 * accepted when it does not fall below the clamped range start. 0 = not found.
 */
export function memblockFindRangeTopDown(
  memblock: Memblock,
  start: PhysAddr,
  end: PhysAddr,
  size: PhysAddr,
  align: PhysAddr,
): PhysAddr {
  for (const [rangeStart, rangeEnd] of forEachFreeMemRange(memblock).reverse()) {
    const thisStart = clamp(rangeStart, start, end);
    const thisEnd = clamp(rangeEnd, start, end);
    if (thisEnd < size) continue;
    const candidate = roundDown(thisEnd - size, align);
    if (candidate >= thisStart) return candidate;
  }
  return 0n;
}

/**
 * Mirrors __memblock_find_range_bottom_up() — mm/memblock.c, K6_1 (§5.4): free ranges from the
 * lowest, each clamped to [start, end]; the candidate is round_up(range start, align), accepted
 * when it lies below the clamped range end with `size` bytes left. 0 = not found.
 */
export function memblockFindRangeBottomUp(
  memblock: Memblock,
  start: PhysAddr,
  end: PhysAddr,
  size: PhysAddr,
  align: PhysAddr,
): PhysAddr {
  for (const [rangeStart, rangeEnd] of forEachFreeMemRange(memblock)) {
    const thisStart = clamp(rangeStart, start, end);
    const thisEnd = clamp(rangeEnd, start, end);
    const candidate = alignUp(thisStart, align);
    if (candidate < thisEnd && thisEnd - candidate >= size) return candidate;
  }
  return 0n;
}

/** memblock_bottom_up(): the direction memblock allocates in. Top-down unless switched. */
export type MemblockDirection = 'topDown' | 'bottomUp';

/**
 * Mirrors memblock_find_in_range_node() — mm/memblock.c, K4_9 and K6_1 (§5.4). `end` 0
 * (MEMBLOCK_ALLOC_ACCESSIBLE) means memblock.current_limit, which is "anywhere" here; `start` is
 * raised to PAGE_SIZE so the first page is never returned (0 is the failure value). memblock is
 * top-down by default; only K6_1's CMA placement asks for bottom-up (its pure form: K4_9's
 * kernel_end variant is never used).
 */
export function memblockFindInRange(
  memblock: Memblock,
  size: PhysAddr,
  align: PhysAddr,
  start: PhysAddr,
  end: PhysAddr,
  direction: MemblockDirection = 'topDown',
): PhysAddr {
  const endPumped = end === MEMBLOCK_ALLOC_ACCESSIBLE ? MEMBLOCK_ALLOC_ANYWHERE : end;
  const startRaised = maxAddr(start, PAGE_SIZE); // avoid allocating the first page
  const endRaised = maxAddr(startRaised, endPumped);
  return direction === 'bottomUp'
    ? memblockFindRangeBottomUp(memblock, startRaised, endRaised, size, align)
    : memblockFindRangeTopDown(memblock, startRaised, endRaised, size, align);
}

/**
 * Mirrors memblock_alloc_range() → memblock_alloc_range_nid() — mm/memblock.c, K4_9 (K6_1:
 * memblock_alloc_range_nid() / memblock_phys_alloc_range(), §5.4): find, then memblock_reserve()
 * what was found. `align` 0 means SMP_CACHE_BYTES. Returns 0 on failure.
 */
export function memblockAllocRange(
  memblock: Memblock,
  size: PhysAddr,
  align: PhysAddr,
  start: PhysAddr,
  end: PhysAddr,
  direction: MemblockDirection = 'topDown',
): PhysAddr {
  const alignOrCache = align === 0n ? SMP_CACHE_BYTES : align;
  const found = memblockFindInRange(memblock, size, alignOrCache, start, end, direction);
  if (found === 0n) return 0n;
  memblockReserve(memblock, found, size);
  return found;
}

/**
 * Mirrors __memblock_alloc_base() — mm/memblock.c, K4_9 (§7.2): memblock_alloc_range(size, align,
 * 0, maxAddr). Used by the device-tree code, which must not panic on failure. Returns 0 on failure.
 */
export function memblockAllocBase(
  memblock: Memblock,
  size: PhysAddr,
  align: PhysAddr,
  maxAddress: PhysAddr,
): PhysAddr {
  return memblockAllocRange(memblock, size, align, 0n, maxAddress);
}
