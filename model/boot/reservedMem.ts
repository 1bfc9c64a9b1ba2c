/**
 * Device-tree /reserved-memory at boot, K4_9 (kernel-semantics.md §7.1 step 3, §7.2):
 * early_init_fdt_scan_reserved_mem() in drivers/of/fdt.c reserves static `reg` nodes at once and
 * saves dynamic `size` nodes with base 0; fdt_init_reserved_mem() in drivers/of/of_reserved_mem.c
 * sorts the saved nodes, reports overlaps, allocates the dynamic ones and runs the init function
 * matching each node's compatible — for "shared-dma-pool", rmem_cma_setup()
 * (drivers/base/dma-contiguous.c) and then rmem_dma_setup() (drivers/base/dma-coherent.c).
 *
 * Does *not* cover: /memreserve/ header entries (the world's `reserved` ranges stand for them and
 * the kernel image), #address-cells/#size-cells and property-length checks (a world's properties
 * are well-formed by construction), reg entries after the first, phandles, other compatibles' init
 * functions (such nodes are reserved but initialised by nothing: no message, no area), and
 * CONFIG_ARM's "no-map required" rule of rmem_dma_setup() (the world is arm64).
 */
import type { ReservedMemoryNode } from '../../src/core/world.ts';
import {
  type CmaResult, type DeclareContext, type Errno, assertK4_9, cmaInitReservedMem, cmaMinAlignment,
} from './cmaDeclare.ts';
import {
  type Memblock, type PhysAddr, MEMBLOCK_ALLOC_ANYWHERE, formatMiB, formatPa, memblockAllocBase,
  memblockFree, memblockRemove, memblockReserve, u64,
} from './memblock.ts';

/** MAX_RESERVED_REGIONS — drivers/of/of_reserved_mem.c. */
export const MAX_RESERVED_REGIONS = 16;

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
  memblock: Memblock, base: PhysAddr, size: PhysAddr, nomap: boolean,
): 0 {
  return nomap ? memblockRemove(memblock, base, size) : memblockReserve(memblock, base, size);
}

/**
 * Mirrors fdt_reserved_mem_save_node() — drivers/of/of_reserved_mem.c, K4_9 (§7.1 step 3): append
 * to reserved_mem[], or complain once the MAX_RESERVED_REGIONS slots are full.
 */
export function fdtReservedMemSaveNode(
  ctx: DeclareContext, rmems: ReservedMem[], node: number, name: string, base: PhysAddr,
  size: PhysAddr,
): void {
  if (rmems.length === MAX_RESERVED_REGIONS) {
    ctx.messages.push(`${OF_RESERVED_MEM}not enough space all defined regions.`);
    return;
  }
  rmems.push({ name, node, base, size, cmaArea: null, cmaResult: null });
}

/**
 * Mirrors __reserved_mem_reserve_reg() — drivers/of/fdt.c, K4_9 (§7.1 step 3): a node with `reg` is
 * reserved (or removed, with `no-map`) at once; a zero size prints "failed to reserve" (pr_fmt "OF:
 * fdt:", no space). The node is saved either way. No `reg` → -ENOENT.
 */
export function reservedMemReserveReg(
  ctx: DeclareContext, rmems: ReservedMem[], node: ReservedMemoryNode, index: number,
): 0 | Errno {
  if (node.reg === null) return 'ENOENT';
  const base = BigInt(node.reg[0]);
  const size = BigInt(node.reg[1]);
  if (size === 0n || earlyInitDtReserveMemoryArch(ctx.memblock, base, size, node.noMap) !== 0) {
    ctx.messages.push(`OF: fdt:Reserved memory: failed to reserve memory for node '${node.name}':`
      + ` base ${formatPa(base)}, size ${formatMiB(size)}`);
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
  ctx: DeclareContext, rmems: ReservedMem[], node: ReservedMemoryNode, index: number,
): void {
  if (node.status !== 'okay') return;
  const err = reservedMemReserveReg(ctx, rmems, node, index);
  if (err === 'ENOENT' && node.size !== null) {
    fdtReservedMemSaveNode(ctx, rmems, index, node.name, 0n, 0n);
  }
}

/** __rmem_cmp() — drivers/of/of_reserved_mem.c: by base only. */
function rmemCmp(a: ReservedMem, b: ReservedMem): number {
  return a.base < b.base ? -1 : a.base > b.base ? 1 : 0;
}

/** The sift-down loop shared by both phases of lib/sort.c sort(), on [0, n). */
function siftDown(rmems: ReservedMem[], root: number, n: number): void {
  for (let r = root, c = 0; r * 2 + 1 < n; r = c) {
    c = r * 2 + 1;
    if (c < n - 1 && rmemCmp(rmems[c], rmems[c + 1]) < 0) c++;
    if (rmemCmp(rmems[r], rmems[c]) >= 0) break;
    [rmems[r], rmems[c]] = [rmems[c], rmems[r]];
  }
}

/**
 * Mirrors sort(reserved_mem, …, __rmem_cmp) — lib/sort.c, K4_9 (§7.1 step 3): a heapsort, *not
 * stable*. Nodes with equal bases (every dynamic node has base 0 here) come out permuted: two
 * dynamic nodes are swapped, so the second in the device tree is allocated first.
 */
export function sortReservedMem(rmems: ReservedMem[]): void {
  const n = rmems.length;
  for (let i = Math.floor(n / 2) - 1; i >= 0; i--) siftDown(rmems, i, n);
  for (let i = n - 1; i > 0; i--) {
    [rmems[0], rmems[i]] = [rmems[i], rmems[0]];
    siftDown(rmems, 0, i);
  }
}

/**
 * Mirrors __rmem_check_for_overlap() — drivers/of/of_reserved_mem.c, K4_9 (§7.1 step 3): with two
 * or more saved nodes, sort them and report each overlapping pair of neighbours with non-zero
 * bases. The kernel prints one pr_err with an embedded newline: two log lines, the prefix on the
 * first.
 */
export function rmemCheckForOverlap(ctx: DeclareContext, rmems: ReservedMem[]): void {
  if (rmems.length < 2) return;
  sortReservedMem(rmems);
  for (let i = 0; i < rmems.length - 1; i++) {
    const current = rmems[i];
    const next = rmems[i + 1];
    if (current.base === 0n || next.base === 0n) continue;
    if (u64(current.base + current.size) <= next.base) continue;
    const currentEnd = formatPa(u64(current.base + current.size));
    const nextEnd = formatPa(u64(next.base + next.size));
    ctx.messages.push(`${OF_RESERVED_MEM}OVERLAP DETECTED!`);
    ctx.messages.push(`${current.name} (${formatPa(current.base)}--${currentEnd}) overlaps with`
      + ` ${next.name} (${formatPa(next.base)}--${nextEnd})`);
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
  memblock: Memblock, size: PhysAddr, align: PhysAddr, start: PhysAddr, end: PhysAddr,
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
 * Mirrors __reserved_mem_alloc_size() — drivers/of/of_reserved_mem.c, K4_9 (§7.2): no `size` →
 * -EINVAL; a reusable, mapped "shared-dma-pool" node gets at least the CMA minimum alignment;
 * `alloc-ranges` are tried in order, else anywhere; nothing found → "failed to allocate memory for
 * node" and -ENOMEM.
 */
export function reservedMemAllocSize(
  ctx: DeclareContext, node: ReservedMemoryNode,
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
  const ranges: [PhysAddr, PhysAddr][] = node.allocRanges.length > 0
    ? node.allocRanges.map(allocRangeBounds)
    : [[0n, 0n]];
  for (const [start, end] of ranges) {
    const result = earlyInitDtAllocReservedMemoryArch(
      ctx.memblock, size, align, start, end, node.noMap);
    if (result.ok) {
      base = result.base;
      break;
    }
  }
  if (base === 0n) {
    ctx.messages.push(`${OF_RESERVED_MEM}failed to allocate memory for node '${node.name}'`);
    return { ok: false, errno: 'ENOMEM' };
  }
  return { ok: true, base, size };
}

/**
 * Mirrors rmem_cma_setup() — drivers/base/dma-contiguous.c, K4_9 (§7.2; §9 P30/P32: K6_x bypasses a
 * `linux,cma-default` node when `cma=` is given and gives failed regions back). Checks in order:
 * `reusable` and no `no-map` (else -EINVAL, silent); base and size multiples of the CMA minimum
 * (else "incorrect alignment"); cma_init_reserved_mem() with order_per_bit 0 (else "unable to
 * setup"). Then `linux,cma-default` makes it the default area. pr_fmt is plain here.
 * dma_contiguous_early_fixup() is an arm32-only hook and does nothing on arm64.
 */
export function rmemCmaSetup(
  ctx: DeclareContext, rmem: ReservedMem, node: ReservedMemoryNode,
): CmaResult {
  assertK4_9(ctx.profile, 'rmemCmaSetup (§9 P30, P32)');
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
  ctx.messages.push(`Reserved memory: created CMA memory pool at ${formatPa(rmem.base)},`
    + ` size ${formatMiB(rmem.size)}`);
  return result;
}

/**
 * Mirrors rmem_dma_setup() — drivers/base/dma-coherent.c, K4_9, arm64 (§7.2 step 2): a non-reusable
 * "shared-dma-pool" node becomes a per-device coherent pool (not a CMA area).
 */
export function rmemDmaSetup(
  ctx: DeclareContext, rmem: ReservedMem, node: ReservedMemoryNode,
): 0 | Errno {
  if (node.reusable) return 'EINVAL';
  ctx.messages.push(`Reserved memory: created DMA memory pool at ${formatPa(rmem.base)},`
    + ` size ${formatMiB(rmem.size)}`);
  return 0;
}

type ReservedMemInit =
  (ctx: DeclareContext, rmem: ReservedMem, node: ReservedMemoryNode) => 0 | Errno;

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
 * Mirrors __reserved_mem_init_node() — drivers/of/of_reserved_mem.c, K4_9: the first matching init
 * function that returns 0 wins and "initialized node" is printed; none → -ENOENT. A failed region
 * stays reserved in K4_9 (§9 P32).
 */
export function reservedMemInitNode(
  ctx: DeclareContext, rmem: ReservedMem, node: ReservedMemoryNode,
): 0 | Errno {
  for (const { compatible, init } of RESERVEDMEM_OF_TABLE) {
    if (node.compatible !== compatible) continue;
    if (init(ctx, rmem, node) === 0) {
      ctx.messages.push(
        `${OF_RESERVED_MEM}initialized node ${rmem.name}, compatible id ${compatible}`);
      return 0;
    }
  }
  return 'ENOENT';
}

/**
 * Mirrors fdt_init_reserved_mem() — drivers/of/of_reserved_mem.c, K4_9 (§7.1 step 3): overlap check
 * (which sorts), then for each saved node in sorted order: allocate it if its size is 0, and on
 * success run its init function.
 */
export function fdtInitReservedMem(
  ctx: DeclareContext, rmems: ReservedMem[], nodes: readonly ReservedMemoryNode[],
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
    reservedMemInitNode(ctx, rmem, node);
  }
}

/**
 * Mirrors early_init_fdt_scan_reserved_mem() — drivers/of/fdt.c, K4_9 (§7.1 step 3): scan every
 * child of /reserved-memory in device-tree order, then fdt_init_reserved_mem(). Returns
 * reserved_mem[] in its final (sorted) order.
 */
export function earlyInitFdtScanReservedMem(
  ctx: DeclareContext, nodes: readonly ReservedMemoryNode[],
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
  rmems: readonly ReservedMem[], nodeIndex: number,
): number | null {
  return rmems.find((rmem) => rmem.node === nodeIndex)?.cmaArea ?? null;
}
