/**
 * The model's canonical snapshot (src/core/snapshot.ts): a plain copy of the state in the shared
 * format, with the debugfs views of each CMA area computed the way the kernel computes them.
 */
import { MIGRATE_CMA, MIGRATE_TYPES, migratetypeLetter } from '../src/core/migratetype.ts';
import type {
  AllocationSnapshot,
  CmaAreaSnapshot,
  Snapshot,
  ZoneSnapshot,
} from '../src/core/snapshot.ts';
import { ALLOCATION_KIND_CODES } from '../src/core/stepView.ts';
import type { PfnRange } from '../src/core/world.ts';
import { cmaDebugBitmapWords, cmaDebugMaxchunk, cmaDebugUsed } from './cmaDebug.ts';
import {
  type Allocation,
  type CmaArea,
  type ModelState,
  type Zone,
  OWNER_RESERVED,
} from './state.ts';

/** The canonical snapshot of the state. No kernel counterpart (read like debugfs and /proc). */
export function modelSnapshot(state: ModelState): Snapshot {
  return {
    profile: state.world.profile,
    pages: state.world.pages,
    maxOrder: state.world.maxOrder,
    pageblockOrder: state.world.pageblockOrder,
    zones: state.zones.map(zoneSnapshot),
    pageblocks: state.pageblockMigratetype.map(migratetypeLetter).join(''),
    reserved: reservedRanges(state),
    allocations: [...state.allocations.values()]
      .sort((a, b) => a.id - b.id)
      .map((allocation) => allocationSnapshot(state, allocation)),
    cma: state.cmaAreas.map((area) => cmaAreaSnapshot(state, area)),
    totalcmaPages: state.totalcmaPages,
  };
}

function zoneSnapshot(zone: Zone): ZoneSnapshot {
  return {
    name: zone.name,
    startPfn: zone.startPfn,
    endPfn: zone.endPfn,
    managedPages: zone.managedPages,
    freeLists: zone.freeArea.map((area) => area.freeList.map((list) => [...list])),
    nrFree: zone.freeArea.map((area) => area.nrFree),
    nrFreePages: zone.nrFreePages,
    nrFreeCmaPages: zone.nrFreeCmaPages,
    nrIsolatePageblock: zone.nrIsolatePageblock,
  };
}

/** Maximal runs of PageReserved pages, ascending. */
function reservedRanges(state: ModelState): PfnRange[] {
  const ranges: PfnRange[] = [];
  for (let pfn = 0; pfn < state.world.pages; pfn++) {
    if (state.owner[pfn] !== OWNER_RESERVED) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.endPfn === pfn) last.endPfn = pfn + 1;
    else ranges.push({ startPfn: pfn, endPfn: pfn + 1 });
  }
  return ranges;
}

/**
 * The token the allocation's frames hold: their common value, or -1 when they differ; 0 for an
 * allocation never written (its frames hold whatever a previous owner left, which no op can
 * observe, so the snapshot does not show it). No kernel counterpart: the data tokens are the
 * harness's (DESIGN.md "data tokens"); the explorer's digest reads it too.
 */
export function frameToken(state: ModelState, allocation: Allocation): number {
  if (allocation.token === 0) return 0;
  const first = state.frameToken[allocation.pfn];
  for (let pfn = allocation.pfn + 1; pfn < allocation.pfn + allocation.pageCount; pfn++) {
    if (state.frameToken[pfn] !== first) return -1;
  }
  return first;
}

function allocationSnapshot(state: ModelState, allocation: Allocation): AllocationSnapshot {
  return {
    id: allocation.id,
    kind: allocation.kind,
    pfn: allocation.pfn,
    pageCount: allocation.pageCount,
    order: allocation.order,
    migratetype: allocation.kind === 'pages' ? allocation.migratetype : MIGRATE_CMA,
    sourceList: allocation.sourceList,
    area: allocation.area,
    pinned: allocation.pinned,
    pinnedPfn: allocation.pinnedPfn,
    token: allocation.token,
    frameToken: frameToken(state, allocation),
  };
}

function cmaAreaSnapshot(state: ModelState, area: CmaArea): CmaAreaSnapshot {
  return {
    name: area.name,
    basePfn: area.basePfn,
    count: area.count,
    declaredCount: area.declaredCount,
    orderPerBit: area.orderPerBit,
    state: area.state,
    bitmap: cmaDebugBitmapWords(area),
    used: cmaDebugUsed(area),
    maxchunk: cmaDebugMaxchunk(state, area),
  };
}

/**
 * The step view (src/core/stepView.ts) read straight from the state: zone counters, nr_free,
 * the first and last pfn of every free list, totalcma_pages and one allocation's record.
 * No kernel counterpart: what the runner compares after every op between full checks, so it
 * writes `into` by index (its length stays put from op to op: no garbage, no regrowth).
 */
export function modelStepView(state: ModelState, allocationId: number, into: number[]): number[] {
  let at = 0;
  for (const zone of state.zones) {
    into[at++] = zone.nrFreePages;
    into[at++] = zone.nrFreeCmaPages;
    into[at++] = zone.nrIsolatePageblock;
    into[at++] = zone.managedPages;
    for (const area of zone.freeArea) into[at++] = area.nrFree;
    for (const area of zone.freeArea) {
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const list = area.freeList[mt];
        into[at++] = list.length === 0 ? -1 : list[0];
        into[at++] = list.length === 0 ? -1 : list[list.length - 1];
      }
    }
  }
  into[at++] = state.totalcmaPages;
  const allocation = state.allocations.get(allocationId);
  if (allocation === undefined) into[at++] = -1;
  else at = writeAllocationView(into, at, allocationSnapshot(state, allocation));
  if (into.length !== at) into.length = at;
  return into;
}

function writeAllocationView(into: number[], from: number, record: AllocationSnapshot): number {
  let at = from;
  into[at++] = 1;
  into[at++] = ALLOCATION_KIND_CODES.indexOf(record.kind);
  into[at++] = record.pfn;
  into[at++] = record.pageCount;
  into[at++] = record.order;
  into[at++] = record.migratetype;
  into[at++] = record.sourceList;
  into[at++] = record.area;
  into[at++] = record.pinned ? 1 : 0;
  into[at++] = record.pinnedPfn;
  into[at++] = record.token;
  into[at++] = record.frameToken;
  return at;
}
