/**
 * impl/snapshot.ts — the canonical Snapshot (src/core/snapshot.ts) of impl's typed-array state.
 * Mirrors model/snapshot.ts; in kernel terms it is what show_free_areas(), /proc/vmstat,
 * /proc/pagetypeinfo and the CMA debugfs files would print (kernel-semantics.md §5.8).
 *
 * O(pages) and allocating: called between ops, never on the hot path.
 */
import { assert } from '../src/core/assert.ts';
import { MIGRATE_CMA, MIGRATE_TYPES, migratetypeLetter } from '../src/core/migratetype.ts';
import type { Migratetype } from '../src/core/migratetype.ts';
import type {
  AllocationSnapshot, CmaAreaSnapshot, Snapshot, ZoneSnapshot,
} from '../src/core/snapshot.ts';
import type { PfnRange, World } from '../src/core/world.ts';
import { type AllocationTable, KIND_NAMES, KIND_PAGES } from './allocations.ts';
import type { BuddyLayer } from './buddy.ts';
import { type CmaArea, cmaMaxchunk, cmaUsedPages } from './cma.ts';
import type { BuddyCore } from './core.ts';

export interface SnapshotSource {
  world: World;
  core: BuddyCore;
  reserved: readonly PfnRange[];
}

export function buildSnapshot(source: SnapshotSource): Snapshot {
  const { world, core } = source;
  const { table, areas } = core;
  return {
    profile: world.profile,
    pages: world.pages,
    maxOrder: world.maxOrder,
    pageblockOrder: world.pageblockOrder,
    zones: world.zones.map((zone, index) => zoneSnapshot(core, index, zone.name)),
    pageblocks: core.pageblockMigratetypes().map(migratetypeLetter).join(''),
    reserved: source.reserved.map((range) => ({ ...range })),
    allocations: table.liveSlotsById().map((slot) => allocationSnapshot(table, slot)),
    cma: areas.map((area) => areaSnapshot(area, world)),
    totalcmaPages: totalcmaPages(areas, core.isK6_1),
  };
}

/**
 * totalcma_pages: every registered area's count (cma_init_reserved_mem()); K6_1's
 * cma_activate_area() subtracts a failed area's count again, K4_9's does not (§5.5, I13).
 */
function totalcmaPages(areas: readonly CmaArea[], isK6_1: boolean): number {
  let pages = 0;
  for (const area of areas) {
    if (!(isK6_1 && area.state === 'failed')) pages += area.declaredCount;
  }
  return pages;
}

function zoneSnapshot(core: BuddyLayer, zone: number, name: string): ZoneSnapshot {
  const freeLists: number[][][] = [];
  const nrFree: number[] = [];
  for (let order = 0; order <= core.maxOrder; order++) {
    const lists: number[][] = [];
    for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
      lists.push(walkList(core, core.listHead(zone, order, migratetype)));
    }
    freeLists.push(lists);
    nrFree.push(core.nrFreeBlocks(zone, order));
  }
  return {
    name,
    startPfn: core.zoneStart[zone],
    endPfn: core.zoneEnd[zone],
    managedPages: core.managedPages[zone],
    freeLists,
    nrFree,
    nrFreePages: core.nrFreePages(zone),
    nrFreeCmaPages: core.nrFreeCmaPages(zone),
    nrIsolatePageblock: core.nrIsolatePageblock[zone],
  };
}

/** The heads of one circular list, head first; a cycle that misses the sentinel is a bug. */
export function walkList(core: BuddyLayer, head: number): number[] {
  const pfns: number[] = [];
  for (let pfn = core.next[head]; pfn !== head; pfn = core.next[pfn]) {
    assert(pfn >= 0 && pfn < core.pages, `walkList: list ${head} links to ${pfn}`);
    assert(pfns.length < core.pages, `walkList: list ${head} does not end`);
    pfns.push(pfn);
  }
  return pfns;
}

function allocationSnapshot(table: AllocationTable, slot: number): AllocationSnapshot {
  const isPages = table.kindOf(slot) === KIND_PAGES;
  return {
    id: table.idOf(slot),
    kind: KIND_NAMES[table.kindOf(slot)],
    pfn: table.pfnOf(slot),
    pageCount: table.pageCountOf(slot),
    order: isPages ? table.orderOf(slot) : -1,
    migratetype: (isPages ? table.migratetypeOf(slot) : MIGRATE_CMA) as Migratetype,
    sourceList: isPages ? (table.sourceListOf(slot) as Migratetype) : -1,
    area: isPages ? -1 : table.areaOf(slot),
    pinned: table.isPinned(slot),
    pinnedPfn: table.pinnedPfnOf(slot),
    token: table.tokenOf(slot),
    frameToken: table.frameToken(slot),
  };
}

function areaSnapshot(area: CmaArea, world: World): CmaAreaSnapshot {
  return {
    name: area.name,
    basePfn: area.basePfn,
    count: area.count,
    declaredCount: area.declaredCount,
    orderPerBit: area.orderPerBit,
    state: area.state,
    bitmap: Array.from(area.bitmap),
    used: cmaUsedPages(area),
    maxchunk: cmaMaxchunk(area, world.profile),
  };
}
