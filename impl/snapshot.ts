/**
 * impl/snapshot.ts — the canonical Snapshot (src/core/snapshot.ts) of impl's typed-array state.
 * Mirrors model/snapshot.ts; in kernel terms it is what show_free_areas(), /proc/vmstat,
 * /proc/pagetypeinfo and the CMA debugfs files would print (kernel-semantics.md §5.8).
 *
 * O(pages) and allocating: called between ops, never on the hot path — but the runner takes one
 * every K ops and after every CMA op, so it builds each part in one pass without intermediate
 * arrays (the pageblock letters straight into a string, lists walked without per-entry message
 * strings). buildStepView() is the O(zones × orders) view compared after every other op.
 */
import { assert } from '../src/core/assert.ts';
import {
  MIGRATE_CMA, MIGRATE_TYPES, MIGRATETYPE_LETTERS,
} from '../src/core/migratetype.ts';
import type { Migratetype } from '../src/core/migratetype.ts';
import type {
  AllocationSnapshot, CmaAreaSnapshot, Snapshot, ZoneSnapshot,
} from '../src/core/snapshot.ts';
import { ALLOCATION_KIND_CODES } from '../src/core/stepView.ts';
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
    pageblocks: pageblockLetters(core),
    reserved: source.reserved.map((range) => ({ ...range })),
    allocations: table.liveIds().map((id) => allocationSnapshot(table, id)),
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
  const pages = core.pages;
  for (let pfn = core.next[head]; pfn !== head; pfn = core.next[pfn]) {
    // Tested before assert() so that no message is built for a good entry.
    if (pfn < 0 || pfn >= pages) assert(false, `walkList: list ${head} links to ${pfn}`);
    if (pfns.length >= pages) assert(false, `walkList: list ${head} does not end`);
    pfns.push(pfn);
  }
  return pfns;
}

/** One letter per pageblock (get_pageblock_migratetype() of its first pfn), pfn order. */
function pageblockLetters(core: BuddyLayer): string {
  let letters = '';
  const step = 1 << core.pageblockOrder;
  for (let pfn = 0; pfn < core.pages; pfn += step) {
    letters += MIGRATETYPE_LETTERS[core.pageblockMigratetype(pfn)];
  }
  return letters;
}

function allocationSnapshot(table: AllocationTable, id: number): AllocationSnapshot {
  const isPages = table.kindOf(id) === KIND_PAGES;
  return {
    id,
    kind: KIND_NAMES[table.kindOf(id)],
    pfn: table.pfnOf(id),
    pageCount: table.pageCountOf(id),
    order: isPages ? table.orderOf(id) : -1,
    migratetype: (isPages ? table.migratetypeOf(id) : MIGRATE_CMA) as Migratetype,
    sourceList: isPages ? (table.sourceListOf(id) as Migratetype) : -1,
    area: isPages ? -1 : table.areaOf(id),
    pinned: table.isPinned(id),
    pinnedPfn: table.pinnedPfnOf(id),
    token: table.tokenOf(id),
    frameToken: table.frameToken(id),
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

/**
 * The step view (src/core/stepView.ts) straight from the typed arrays: per zone the vmstat
 * counters, nr_free and each list's head (next of its sentinel) and tail (prev of it), then
 * totalcma_pages and the record of handle `allocationId`. Mirrors model/snapshot.ts
 * modelStepView(); O(zones × orders), written into `into` by index (no garbage per op).
 */
export function buildStepView(
  source: SnapshotSource, allocationId: number, into: number[],
): number[] {
  const { world, core } = source;
  const { next, prev } = core;
  let at = 0;
  for (let zone = 0; zone < world.zones.length; zone++) {
    into[at++] = core.nrFreePages(zone);
    into[at++] = core.nrFreeCmaPages(zone);
    into[at++] = core.nrIsolatePageblock[zone];
    into[at++] = core.managedPages[zone];
    for (let order = 0; order <= core.maxOrder; order++) into[at++] = core.nrFreeBlocks(zone, order);
    for (let order = 0; order <= core.maxOrder; order++) {
      for (let migratetype = 0; migratetype < MIGRATE_TYPES; migratetype++) {
        const head = core.listHead(zone, order, migratetype);
        const first = next[head];
        into[at++] = first === head ? -1 : first;
        into[at++] = first === head ? -1 : prev[head];
      }
    }
  }
  into[at++] = totalcmaPages(core.areas, core.isK6_1);
  if (!core.table.isLive(allocationId)) into[at++] = -1;
  else at = writeAllocationView(core.table, allocationId, into, at);
  if (into.length !== at) into.length = at;
  return into;
}

/** The allocation entries of the step view, in ALLOCATION_VIEW_FIELDS order. */
function writeAllocationView(
  table: AllocationTable, id: number, into: number[], from: number,
): number {
  const isPages = table.kindOf(id) === KIND_PAGES;
  let at = from;
  into[at++] = 1;
  into[at++] = ALLOCATION_KIND_CODES.indexOf(KIND_NAMES[table.kindOf(id)]);
  into[at++] = table.pfnOf(id);
  into[at++] = table.pageCountOf(id);
  into[at++] = isPages ? table.orderOf(id) : -1;
  into[at++] = isPages ? table.migratetypeOf(id) : MIGRATE_CMA;
  into[at++] = isPages ? table.sourceListOf(id) : -1;
  into[at++] = isPages ? -1 : table.areaOf(id);
  into[at++] = table.isPinned(id) ? 1 : 0;
  into[at++] = table.pinnedPfnOf(id);
  into[at++] = table.tokenOf(id);
  into[at++] = table.frameToken(id);
  return at;
}
