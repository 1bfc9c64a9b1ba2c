/**
 * Device-tree /reserved-memory at boot, K4_9 and K6_1 (kernel-semantics.md §7.1 step 3, §7.2):
 * early_init_fdt_scan_reserved_mem() in drivers/of/fdt.c reserves static `reg` nodes at once and
 * saves dynamic `size` nodes with base 0; fdt_init_reserved_mem() in drivers/of/of_reserved_mem.c
 * sorts the saved nodes, reports overlaps, allocates the dynamic ones and runs the init function
 * matching each node's compatible — for "shared-dma-pool", rmem_cma_setup()
 * (drivers/base/dma-contiguous.c) and then rmem_dma_setup() (drivers/base/dma-coherent.c) — in
 * K6_1 the same two from kernel/dma/contiguous.c and kernel/dma/coherent.c.
 *
 * K6_1 differs (§7.1 step 3, §7.2; §9 P30, P32): rmem_cma_setup() refuses a `linux,cma-default`
 * node when the command line has `cma=`; a region whose init function fails (other than -ENOENT)
 * is given back to memblock; a `no-map` reg node is refused when it overlaps a reservation; the
 * sort puts dynamic nodes before static ones at base 0 and the overlap check no longer skips base
 * 0; 64 regions instead of 16; some messages read differently. K6_1 flags `no-map` memory
 * MEMBLOCK_NOMAP where K4_9 removes it; the model removes it in both (memblock.ts).
 *
 * Does *not* cover: /memreserve/ header entries (the world's `reserved` ranges stand for them and
 * the kernel image), #address-cells/#size-cells and property-length checks (a world's properties
 * are well-formed by construction), reg entries after the first, phandles, other compatibles' init
 * functions (such nodes are reserved but initialised by nothing: no message, no area), and
 * CONFIG_ARM's "no-map required" rule of rmem_dma_setup() (the world is arm64).
 */
import type { Profile, ReservedMemoryNode } from '../../src/core/world.ts';
import { SIZE_CMDLINE_UNSET } from './cmdline.ts';
import {
  type CmaResult,
  type DeclareContext,
  type Errno,
  cmaInitReservedMem,
  cmaMinAlignment,
} from './cmaDeclare.ts';
import {
  type Memblock,
  type PhysAddr,
  MEMBLOCK_ALLOC_ANYWHERE,
  formatMiB,
  formatPa,
  memblockAdd,
  memblockAllocBase,
  memblockFree,
  memblockIsRegionReserved,
  memblockRemove,
  memblockReserve,
  u64,
} from './memblock.ts';

/** MAX_RESERVED_REGIONS — drivers/of/of_reserved_mem.c, K4_9. */
export const MAX_RESERVED_REGIONS = 16;

/** MAX_RESERVED_REGIONS per profile: 16 in K4_9, 64 in K6_1 (worlds hold at most 16 nodes). */
function maxReservedRegions(profile: Profile): number {
  switch (profile) {
    case 'K4_9':
      return MAX_RESERVED_REGIONS;
    case 'K6_1':
      return 64;
  }
}

/** struct reserved_mem, reduced to what boot reads. */
export interface ReservedMem {
  /** The node's name (uname). */
  name: string;
  /** rmem->fdt_node: index of the node in world.reservedMemory. */
  node: number;
  base: PhysAddr;
  size: PhysAddr;
  /** rmem->priv when rmem_cma_setup() succeeded: the cma_areas[] index. */
  cmaArea: number | null;
  /**
   * The CMA outcome of a "shared-dma-pool" node: the error of its dynamic allocation if that
   * failed, else what rmem_cma_setup() returned. null for other compatibles.
   */
  cmaResult: CmaResult | null;
}

const OF_RESERVED_MEM = 'OF: reserved mem: ';
const SHARED_DMA_POOL = 'shared-dma-pool';

/**
 * Mirrors early_init_dt_reserve_memory_arch() — drivers/of/fdt.c, K4_9 (§7.1 step 3; the __weak
 * default that arm64 uses): `no-map` removes the range from memblock.memory, otherwise it is
 * reserved.
 */
export function earlyInitDtReserveMemoryArch(
  memblock: Memblock,
  base: PhysAddr,
  size: PhysAddr,
  nomap: boolean,
): 0 {
  return nomap ? memblockRemove(memblock, base, size) : memblockReserve(memblock, base, size);
}

/**
 * Mirrors early_init_dt_reserve_memory() — drivers/of/fdt.c, K6_1 (§7.1 step 3): a `no-map`
 * range that is memory and already (partly) reserved is refused (-EBUSY: "we should not allow it
 * to be marked nomap"); otherwise as K4_9 (memblock_mark_nomap stands as removal, memblock.ts).
 * The model's memory is [0, memory end) with holes only where no-map removed it, so "overlaps
 * memory" is an intersection with memblock.memory.
 */
function earlyInitDtReserveMemoryK6_1(
  memblock: Memblock,
  base: PhysAddr,
  size: PhysAddr,
  nomap: boolean,
): 0 | Errno {
  const overlapsMemory = memblock.memory.some(
    (region) => base < region.base + region.size && region.base < u64(base + size),
  );
  if (nomap && overlapsMemory && memblockIsRegionReserved(memblock, base, size)) return 'EBUSY';
  return earlyInitDtReserveMemoryArch(memblock, base, size, nomap);
}

/**
 * Mirrors fdt_reserved_mem_save_node() — drivers/of/of_reserved_mem.c, K4_9 and K6_1 (§7.1 step
 * 3): append to reserved_mem[], or complain once the MAX_RESERVED_REGIONS slots are full.
 */
export function fdtReservedMemSaveNode(
  ctx: DeclareContext,
  rmems: ReservedMem[],
  node: number,
  name: string,
  base: PhysAddr,
  size: PhysAddr,
): void {
  if (rmems.length === maxReservedRegions(ctx.profile)) {
    ctx.messages.push(
      ctx.profile === 'K6_1'
        ? `${OF_RESERVED_MEM}not enough space for all defined regions.`
        : `${OF_RESERVED_MEM}not enough space all defined regions.`,
    );
    return;
  }
  rmems.push({ name, node, base, size, cmaArea: null, cmaResult: null });
}

/**
 * Mirrors __reserved_mem_reserve_reg() — drivers/of/fdt.c, K4_9 and K6_1 (§7.1 step 3): a node
 * with `reg` is reserved (or removed, with `no-map`) at once; a zero size — or, K6_1, a refused
 * no-map — prints "failed to reserve" (pr_fmt "OF: fdt:" in K4_9, "OF: fdt: " in K6_1). The
 * node is saved either way. No `reg` → -ENOENT.
 */
export function reservedMemReserveReg(
  ctx: DeclareContext,
  rmems: ReservedMem[],
  node: ReservedMemoryNode,
  index: number,
): 0 | Errno {
  if (node.reg === null) return 'ENOENT';
  const base = BigInt(node.reg[0]);
  const size = BigInt(node.reg[1]);
  const reserve =
    ctx.profile === 'K6_1' ? earlyInitDtReserveMemoryK6_1 : earlyInitDtReserveMemoryArch;
  if (size === 0n || reserve(ctx.memblock, base, size, node.noMap) !== 0) {
    const prefix = ctx.profile === 'K6_1' ? 'OF: fdt: ' : 'OF: fdt:';
    ctx.messages.push(
      `${prefix}Reserved memory: failed to reserve memory for node` +
        ` '${node.name}': base ${formatPa(base)}, size ${formatMiB(size)}`,
    );
  }
  fdtReservedMemSaveNode(ctx, rmems, index, node.name, base, size);
  return 0;
}

/**
 * Mirrors __fdt_scan_reserved_mem() for one child of /reserved-memory — drivers/of/fdt.c, K4_9
 * (§7.1 step 3): skip unless status is okay; reserve a `reg` node; save a `size`-only node with
 * base 0, size 0.
 */
export function fdtScanReservedMemNode(
  ctx: DeclareContext,
  rmems: ReservedMem[],
  node: ReservedMemoryNode,
  index: number,
): void {
  if (node.status !== 'okay') return;
  const err = reservedMemReserveReg(ctx, rmems, node, index);
  if (err === 'ENOENT' && node.size !== null) {
    fdtReservedMemSaveNode(ctx, rmems, index, node.name, 0n, 0n);
  }
}

/**
 * __rmem_cmp() — drivers/of/of_reserved_mem.c: K4_9 by base only; K6_1 by base, then size ("put
 * the dynamic allocations (address == 0, size == 0) before static allocations at address 0x0").
 */
function rmemCmp(profile: Profile, a: ReservedMem, b: ReservedMem): number {
  if (a.base !== b.base) return a.base < b.base ? -1 : 1;
  switch (profile) {
    case 'K4_9':
      return 0;
    case 'K6_1':
      return a.size < b.size ? -1 : a.size > b.size ? 1 : 0;
  }
}

/** The sift-down loop shared by both phases of lib/sort.c sort(), on [0, n). */
function siftDown(profile: Profile, rmems: ReservedMem[], root: number, n: number): void {
  for (let r = root, c = 0; r * 2 + 1 < n; r = c) {
    c = r * 2 + 1;
    if (c < n - 1 && rmemCmp(profile, rmems[c], rmems[c + 1]) < 0) c++;
    if (rmemCmp(profile, rmems[r], rmems[c]) >= 0) break;
    [rmems[r], rmems[c]] = [rmems[c], rmems[r]];
  }
}

/**
 * Mirrors sort(reserved_mem, …, __rmem_cmp) — lib/sort.c, K4_9 and K6_1 (§7.1 step 3): a
 * heapsort, *not stable*. Nodes that compare equal (every dynamic node has base 0 and size 0
 * here) come out permuted: two dynamic nodes are swapped, so the second in the device tree is
 * allocated first.
 */
export function sortReservedMem(rmems: ReservedMem[], profile: Profile = 'K4_9'): void {
  const n = rmems.length;
  for (let i = Math.floor(n / 2) - 1; i >= 0; i--) siftDown(profile, rmems, i, n);
  for (let i = n - 1; i > 0; i--) {
    [rmems[0], rmems[i]] = [rmems[i], rmems[0]];
    siftDown(profile, rmems, 0, i);
  }
}

/**
 * Mirrors __rmem_check_for_overlap() — drivers/of/of_reserved_mem.c, K4_9 and K6_1 (§7.1 step 3):
 * with two or more saved nodes, sort them and report each overlapping pair of neighbours — K4_9
 * only when both bases are non-zero, K6_1 whatever the bases. The kernel prints one pr_err with
 * an embedded newline: two log lines, the prefix on the first.
 */
export function rmemCheckForOverlap(ctx: DeclareContext, rmems: ReservedMem[]): void {
  if (rmems.length < 2) return;
  sortReservedMem(rmems, ctx.profile);
  for (let i = 0; i < rmems.length - 1; i++) {
    const current = rmems[i];
    const next = rmems[i + 1];
    const skipBaseZero = ctx.profile === 'K4_9' && (current.base === 0n || next.base === 0n);
    if (skipBaseZero) continue;
    if (u64(current.base + current.size) <= next.base) continue;
    const currentEnd = formatPa(u64(current.base + current.size));
    const nextEnd = formatPa(u64(next.base + next.size));
    ctx.messages.push(`${OF_RESERVED_MEM}OVERLAP DETECTED!`);
    ctx.messages.push(
      `${current.name} (${formatPa(current.base)}--${currentEnd}) overlaps with` +
        ` ${next.name} (${formatPa(next.base)}--${nextEnd})`,
    );
  }
}

/** One `alloc-ranges` pair (start, size) as the [start, end) the kernel passes on. */
function allocRangeBounds([start, length]: [number, number]): [PhysAddr, PhysAddr] {
  return [BigInt(start), u64(BigInt(start) + BigInt(length))];
}

type Allocated = { ok: true; base: PhysAddr } | { ok: false; errno: Errno };

/**
 * Mirrors early_init_dt_alloc_reserved_memory_arch() — drivers/of/of_reserved_mem.c, K4_9 (§7.2;
 * the __weak memblock version): top-down below `end` (0 = anywhere) with __memblock_alloc_base(); a
 * result below `start` is freed again and rejected; `no-map` then removes it from memory.
 */
export function earlyInitDtAllocReservedMemoryArch(
  memblock: Memblock,
  size: PhysAddr,
  align: PhysAddr,
  start: PhysAddr,
  end: PhysAddr,
  nomap: boolean,
): Allocated {
  const base = memblockAllocBase(memblock, size, align, end === 0n ? MEMBLOCK_ALLOC_ANYWHERE : end);
  if (base === 0n) return { ok: false, errno: 'ENOMEM' };
  if (base < start) {
    memblockFree(memblock, base, size);
    return { ok: false, errno: 'ENOMEM' };
  }
  if (nomap) memblockRemove(memblock, base, size);
  return { ok: true, base };
}

/**
 * Mirrors __reserved_mem_alloc_size() — drivers/of/of_reserved_mem.c, K4_9 and K6_1 (§7.2): no
 * `size` →
 * -EINVAL; a reusable, mapped "shared-dma-pool" node gets at least the CMA minimum alignment;
 * `alloc-ranges` are tried in order, else anywhere; nothing found → "failed to allocate memory for
 * node" and -ENOMEM.
 */
export function reservedMemAllocSize(
  ctx: DeclareContext,
  node: ReservedMemoryNode,
): { ok: true; base: PhysAddr; size: PhysAddr } | { ok: false; errno: Errno } {
  if (node.size === null) return { ok: false, errno: 'EINVAL' };
  const size = BigInt(node.size);
  let align = node.alignment === null ? 0n : BigInt(node.alignment);
  // IS_ENABLED(CONFIG_CMA) is always true here.
  if (node.compatible === SHARED_DMA_POOL && node.reusable && !node.noMap) {
    const minimum = cmaMinAlignment(ctx);
    if (minimum > align) align = minimum;
  }
  let base = 0n;
  // Each alloc-ranges pair is (start, size); without the property: anywhere (start = end = 0).
  const ranges: [PhysAddr, PhysAddr][] =
    node.allocRanges.length > 0 ? node.allocRanges.map(allocRangeBounds) : [[0n, 0n]];
  for (const [start, end] of ranges) {
    const result = earlyInitDtAllocReservedMemoryArch(
      ctx.memblock,
      size,
      align,
      start,
      end,
      node.noMap,
    );
    if (result.ok) {
      base = result.base;
      break;
    }
  }
  if (base === 0n) {
    ctx.messages.push(`${OF_RESERVED_MEM}${allocFailedMessage(ctx.profile, node.name, size)}`);
    return { ok: false, errno: 'ENOMEM' };
  }
  return { ok: true, base, size };
}

/**
 * The "failed to allocate" line of __reserved_mem_alloc_size() (§7.2): K4_9 pr_info without the
 * size; K6_1 pr_err with it. (K6_1 allocates with memblock_phys_alloc_range(start, end) instead of
 * rejecting a result below `start`: top-down, the two find the same block or none.)
 */
function allocFailedMessage(profile: Profile, name: string, size: PhysAddr): string {
  switch (profile) {
    case 'K4_9':
      return `failed to allocate memory for node '${name}'`;
    case 'K6_1':
      return `failed to allocate memory for node '${name}': size ${formatMiB(size)}`;
  }
}

/**
 * Mirrors rmem_cma_setup() — drivers/base/dma-contiguous.c, K4_9 / kernel/dma/contiguous.c, K6_1
 * (§7.2; §9 P30). Checks in order: K6_1 only — the command line had `cma=` (even `cma=0`) and the
 * node is `linux,cma-default` → "bypass … using cmdline CMA params instead", -EBUSY (cmdlineWins);
 * `reusable` and no `no-map` (else -EINVAL, silent); base and size multiples of the CMA minimum
 * (else "incorrect alignment"); cma_init_reserved_mem() with order_per_bit 0 (else "unable to
 * setup"). Then `linux,cma-default` makes it the default area. pr_fmt is plain here (K6_1 resets
 * it to plain before this function). dma_contiguous_early_fixup() is an arm32-only hook.
 */
export function rmemCmaSetup(
  ctx: DeclareContext,
  rmem: ReservedMem,
  node: ReservedMemoryNode,
): CmaResult {
  if (cmdlineWins(ctx, rmem, node)) return { ok: false, errno: 'EBUSY' };
  if (!node.reusable || node.noMap) return { ok: false, errno: 'EINVAL' };
  const mask = cmaMinAlignment(ctx) - 1n;
  if ((rmem.base & mask) !== 0n || (rmem.size & mask) !== 0n) {
    ctx.messages.push('Reserved memory: incorrect alignment of CMA region');
    return { ok: false, errno: 'EINVAL' };
  }
  const label = { name: rmem.name, source: 'dt' } as const;
  const result = cmaInitReservedMem(ctx, rmem.base, rmem.size, 0, label);
  if (!result.ok) {
    ctx.messages.push('Reserved memory: unable to setup CMA region');
    return result;
  }
  if (node.linuxCmaDefault) ctx.defaultArea = result.area; // dma_contiguous_set_default()
  rmem.cmaArea = result.area;
  ctx.messages.push(
    `Reserved memory: created CMA memory pool at ${formatPa(rmem.base)},` +
      ` size ${formatMiB(rmem.size)}`,
  );
  return result;
}

/**
 * `if (size_cmdline != -1 && default_cma)` of rmem_cma_setup() — K6_1 (§7.2 step 1; §9 P30): with
 * any `cma=` on the command line a DT default node is refused, so dma_contiguous_reserve() later
 * finds no default area and reserves the `cma=` one: `cma=` wins. K4_9 has no such test: the DT
 * default node wins and dma_contiguous_reserve() reserves nothing.
 */
function cmdlineWins(ctx: DeclareContext, rmem: ReservedMem, node: ReservedMemoryNode): boolean {
  switch (ctx.profile) {
    case 'K4_9':
      return false;
    case 'K6_1': {
      if (ctx.cmaCmdline.sizeCmdline === SIZE_CMDLINE_UNSET || !node.linuxCmaDefault) return false;
      ctx.messages.push(
        `Reserved memory: bypass ${rmem.name} node, using cmdline CMA params` + ' instead',
      );
      return true;
    }
  }
}

/**
 * Mirrors rmem_dma_setup() — drivers/base/dma-coherent.c, K4_9, arm64 (§7.2 step 2): a non-reusable
 * "shared-dma-pool" node becomes a per-device coherent pool (not a CMA area).
 */
export function rmemDmaSetup(
  ctx: DeclareContext,
  rmem: ReservedMem,
  node: ReservedMemoryNode,
): 0 | Errno {
  if (node.reusable) return 'EINVAL';
  ctx.messages.push(
    `Reserved memory: created DMA memory pool at ${formatPa(rmem.base)},` +
      ` size ${formatMiB(rmem.size)}`,
  );
  return 0;
}

type ReservedMemInit = (
  ctx: DeclareContext,
  rmem: ReservedMem,
  node: ReservedMemoryNode,
) => 0 | Errno;

/**
 * __reservedmem_of_table in link order: drivers/base/Makefile lists dma-contiguous.o before
 * dma-coherent.o, so rmem_cma_setup() is offered a "shared-dma-pool" node first.
 */
const RESERVEDMEM_OF_TABLE: readonly { compatible: string; init: ReservedMemInit }[] = [
  {
    compatible: SHARED_DMA_POOL,
    init: (ctx, rmem, node) => {
      rmem.cmaResult = rmemCmaSetup(ctx, rmem, node);
      return rmem.cmaResult.ok ? 0 : rmem.cmaResult.errno;
    },
  },
  { compatible: SHARED_DMA_POOL, init: rmemDmaSetup },
];

/**
 * Mirrors __reserved_mem_init_node() — drivers/of/of_reserved_mem.c, K4_9 and K6_1: the first
 * matching init function that returns 0 wins and "initialized node" is printed; otherwise the
 * error of the last one tried (-ENOENT when none matches).
 */
export function reservedMemInitNode(
  ctx: DeclareContext,
  rmem: ReservedMem,
  node: ReservedMemoryNode,
): 0 | Errno {
  let ret: 0 | Errno = 'ENOENT';
  for (const { compatible, init } of RESERVEDMEM_OF_TABLE) {
    if (node.compatible !== compatible) continue;
    ret = init(ctx, rmem, node);
    if (ret === 0) {
      ctx.messages.push(
        `${OF_RESERVED_MEM}initialized node ${rmem.name}, compatible id ${compatible}`,
      );
      return 0;
    }
  }
  return ret;
}

/**
 * Mirrors fdt_init_reserved_mem() — drivers/of/of_reserved_mem.c, K4_9 and K6_1 (§7.1 step 3):
 * overlap check (which sorts), then for each saved node in sorted order: allocate it if its size
 * is 0, and on success run its init function; a failure other than -ENOENT is handled by
 * releaseFailedRegion (§9 P32).
 */
export function fdtInitReservedMem(
  ctx: DeclareContext,
  rmems: ReservedMem[],
  nodes: readonly ReservedMemoryNode[],
): void {
  rmemCheckForOverlap(ctx, rmems);
  for (const rmem of rmems) {
    const node = nodes[rmem.node];
    if (rmem.size === 0n) {
      const allocated = reservedMemAllocSize(ctx, node);
      if (!allocated.ok) {
        if (node.compatible === SHARED_DMA_POOL) rmem.cmaResult = allocated;
        continue;
      }
      rmem.base = allocated.base;
      rmem.size = allocated.size;
    }
    const err = reservedMemInitNode(ctx, rmem, node);
    if (err !== 0 && err !== 'ENOENT') releaseFailedRegion(ctx, rmem, node);
  }
}

/**
 * What fdt_init_reserved_mem() does with a region whose init function failed (§7.1 step 3; §9
 * P32): K4_9 nothing — it stays reserved for good; K6_1 "node %s compatible matching fail"
 * (pr_info) and gives it back: memblock_clear_nomap() for `no-map` (the model re-adds the memory
 * it removed), else memblock_phys_free().
 */
function releaseFailedRegion(
  ctx: DeclareContext,
  rmem: ReservedMem,
  node: ReservedMemoryNode,
): void {
  switch (ctx.profile) {
    case 'K4_9':
      return;
    case 'K6_1':
      ctx.messages.push(`${OF_RESERVED_MEM}node ${rmem.name} compatible matching fail`);
      if (node.noMap) memblockAdd(ctx.memblock, rmem.base, rmem.size);
      else memblockFree(ctx.memblock, rmem.base, rmem.size);
  }
}

/**
 * Mirrors early_init_fdt_scan_reserved_mem() — drivers/of/fdt.c, K4_9 (§7.1 step 3): scan every
 * child of /reserved-memory in device-tree order, then fdt_init_reserved_mem(). Returns
 * reserved_mem[] in its final (sorted) order.
 */
export function earlyInitFdtScanReservedMem(
  ctx: DeclareContext,
  nodes: readonly ReservedMemoryNode[],
): ReservedMem[] {
  const rmems: ReservedMem[] = [];
  nodes.forEach((node, index) => fdtScanReservedMemNode(ctx, rmems, node, index));
  fdtInitReservedMem(ctx, rmems, nodes);
  return rmems;
}

/**
 * Mirrors of_reserved_mem_device_init_by_idx() → rmem_cma_device_init() —
 * drivers/of/of_reserved_mem.c, K4_9 (§7.2 step 7, §7.7): a device whose `memory-region` is node
 * `nodeIndex` gets that region's CMA area as dev->cma_area; a region that is no CMA area (never
 * saved, failed, a coherent pool) leaves it NULL, and dev_get_cma_area() then falls back to the
 * default area.
 */
export function ofReservedMemDeviceArea(
  rmems: readonly ReservedMem[],
  nodeIndex: number,
): number | null {
  return rmems.find((rmem) => rmem.node === nodeIndex)?.cmaArea ?? null;
}
