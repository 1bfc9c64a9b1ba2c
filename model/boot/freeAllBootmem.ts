/**
 * The memblock → buddy hand-over at boot (kernel-semantics.md §7.8, §12.12; docs/MODEL.md "Boot"
 * step 7): every page of memory that no memblock reservation covers is freed to the buddy, in
 * ascending naturally aligned chunks, through the ordinary free path.
 *
 * Not in scope: highmem (max_low_pfn is the end of memory), deferred struct-page init (timing
 * only), memory holes, CMA areas (reserved here; cma_init_reserved_areas frees them later).
 */
import { assert } from '../../src/core/assert.ts';
import type { Pfn, PfnRange } from '../../src/core/world.ts';
import { freePages } from '../allocPages.ts';
import type { FpiFlags } from '../buddy.ts';
import { type ModelState, OWNER_NONE, countBehaviour, zoneOfPfn } from '../state.ts';

/**
 * Mirrors free_all_bootmem() → free_low_memory_core_early() → __free_memory_core() —
 * mm/nobootmem.c, K4_9 / memblock_free_all() → … — mm/memblock.c, K6_1 (kernel-semantics.md
 * §7.8): for each free range (memory [0, pages) minus `reserved`, ascending),
 * __free_pages_memory() frees chunks; each chunk is __free_pages_boot_core() (K4_9) /
 * __free_pages_core() (K6_1): PageReserved cleared (owner OWNER_NONE), managed_pages of the
 * chunk's zone += 2^order, then freed — K4_9 by __free_pages(), so rule T decides head or tail
 * and the highest max-order blocks end up first on their list; K6_1 by __free_pages_ok(..,
 * FPI_TO_TAIL), always at the tail, so the lists run in ascending pfn order (§9 P14).
 *
 * DEVIATION: the kernel's chunks ignore zones: a chunk that straddles a zone boundary is counted
 * in, and freed whole into, the zone of its first page (page_zone(page) in
 * __free_pages_boot_core and free_one_page), leaving pages of the next zone on this zone's
 * lists — which real kernels avoid only because their zone boundaries are MAX_ORDER-aligned
 * (x86: 16 MiB, 4 GiB). cmacheck's zones are only pageblock-aligned, so each free range is cut at
 * zone boundaries as each zone's part would be freed alone (`boot.chunkSplitAtZone`); every
 * chunk that lies in one zone is exactly the kernel's.
 */
export function freeAllBootmem(state: ModelState, reserved: PfnRange[]): void {
  for (const range of freeRanges(state.world.pages, reserved)) {
    freePagesMemory(state, range.startPfn, range.endPfn, true);
  }
}

/**
 * for_each_free_mem_range(): memory [0, pages) minus the union of the reserved ranges, as
 * ascending, disjoint, non-empty ranges.
 */
function freeRanges(pages: number, reserved: readonly PfnRange[]): PfnRange[] {
  const sorted = [...reserved].sort((a, b) => a.startPfn - b.startPfn);
  const ranges: PfnRange[] = [];
  let cursor = 0;
  for (const range of sorted) {
    if (range.startPfn > cursor) ranges.push({ startPfn: cursor, endPfn: range.startPfn });
    cursor = Math.max(cursor, range.endPfn);
  }
  if (cursor < pages) ranges.push({ startPfn: cursor, endPfn: pages });
  return ranges;
}

/**
 * Mirrors __free_pages_memory() — mm/nobootmem.c, K4_9: at each pfn the largest aligned order,
 * min(MAX_ORDER − 1, __ffs(pfn)), lowered until the chunk fits before `endPfn`. __ffs(0) is
 * undefined in the kernel; pfn 0 takes MAX_ORDER − 1 (§12.12). With `splitAtZones`, a chunk
 * that straddles a zone boundary is instead freed as the kernel would free each zone's part
 * (the DEVIATION of freeAllBootmem).
 */
function freePagesMemory(
  state: ModelState,
  startPfn: Pfn,
  endPfn: Pfn,
  splitAtZones: boolean,
): void {
  for (let pfn = startPfn; pfn < endPfn;) {
    let order = pfn === 0 ? state.world.maxOrder : Math.min(state.world.maxOrder, ctz(pfn));
    while (pfn + (1 << order) > endPfn) order--;
    const chunkEndPfn = pfn + (1 << order);
    const zone = zoneOfPfn(state, pfn);
    if (chunkEndPfn <= zone.endPfn) {
      freePagesBootCore(state, pfn, order);
    } else {
      assert(
        splitAtZones,
        () => `freeAllBootmem: zone piece [${pfn}, ${chunkEndPfn}) straddles again`,
      );
      countBehaviour(state, 'boot.chunkSplitAtZone');
      for (let piecePfn = pfn; piecePfn < chunkEndPfn;) {
        const pieceEndPfn = Math.min(chunkEndPfn, zoneOfPfn(state, piecePfn).endPfn);
        freePagesMemory(state, piecePfn, pieceEndPfn, false);
        piecePfn = pieceEndPfn;
      }
    }
    pfn = chunkEndPfn;
  }
}

/** __ffs(): index of the lowest set bit of a positive pfn. */
function ctz(pfn: Pfn): number {
  assert(pfn > 0, () => `ctz: pfn ${pfn} has no set bit`);
  return 31 - Math.clz32(pfn & -pfn);
}

/**
 * __free_pages_boot_core() — mm/page_alloc.c, K4_9 / __free_pages_core() — K6_1: clear
 * PageReserved on every page, credit the zone's managed pages, then free with the profile's
 * fpi_flags (bootFreeFpi).
 */
function freePagesBootCore(state: ModelState, pfn: Pfn, order: number): void {
  for (let page = pfn; page < pfn + (1 << order); page++) state.owner[page] = OWNER_NONE;
  zoneOfPfn(state, pfn).managedPages += 1 << order;
  freePages(state, pfn, order, bootFreeFpi(state));
}

/**
 * How boot memory reaches __free_one_page (§7.8 step 3, §9 P14): K4_9 __free_pages() — no flags,
 * rule T; K6_1 __free_pages_ok(page, order, FPI_TO_TAIL | FPI_SKIP_KASAN_POISON) — the tail.
 */
function bootFreeFpi(state: ModelState): FpiFlags {
  switch (state.world.profile) {
    case 'K4_9':
      return 'none';
    case 'K6_1':
      return 'toTail';
  }
}
