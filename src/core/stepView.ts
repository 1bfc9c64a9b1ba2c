/**
 * The step view: what an op can change besides the pages it touches, as a flat list of numbers
 * that each implementation writes straight from its state in O(zones × orders) — every zone's
 * counters and nr_free, the head and tail of every free list, totalcma_pages, and the record of
 * the one allocation the op made or acted on. The differential runner compares the two sides'
 * views after every op between full checks (DESIGN.md "check what each step touched, the full
 * check every K steps"), so a counter that drifts, a block put on the wrong list or a wrong
 * allocation record shows at its own step without building two snapshots.
 *
 * It is a projection of the Snapshot: stepViewOfSnapshot() below is its definition, and each
 * side's fast writer (Allocator.stepView) must agree with it (properties/harness/stepView.spec.ts).
 * So a difference in views is always a difference in snapshots, which the runner then explains
 * with a full check at that step (the localized diff of STYLE G9).
 *
 * Numbers, not objects: the runner asks for two views per op, and writing into a reused array
 * costs no garbage (one object per entry doubled the harness's minor GCs).
 */
import { MIGRATE_TYPES } from './migratetype.ts';
import { type AllocationKind } from './op.ts';
import type { AllocationSnapshot, Snapshot } from './snapshot.ts';
import type { World } from './world.ts';

/** Per-zone counters at the start of each zone's entries, in this order. */
export const ZONE_COUNTER_NAMES = [
  'nrFreePages',
  'nrFreeCmaPages',
  'nrIsolatePageblock',
  'managedPages',
] as const;

/** The allocation record's entries (after a 1 that says it is live; a lone -1 when it is not). */
export const ALLOCATION_VIEW_FIELDS = [
  'kind',
  'pfn',
  'pageCount',
  'order',
  'migratetype',
  'sourceList',
  'area',
  'pinned',
  'pinnedPfn',
  'token',
  'frameToken',
] as const satisfies readonly (keyof AllocationSnapshot)[];

export const ALLOCATION_KIND_CODES: readonly AllocationKind[] = ['pages', 'cma', 'dma'];

/** Entries per zone: counters, nr_free per order, then head and tail of each list. */
export function zoneViewLength(maxOrder: number): number {
  return ZONE_COUNTER_NAMES.length + (maxOrder + 1) * (1 + 2 * MIGRATE_TYPES);
}

/**
 * The step view of a snapshot, for the allocation with handle `allocationId`: the definition
 * each side's Allocator.stepView() must reproduce. Lists hold -1 for "empty" head and tail.
 */
export function stepViewOfSnapshot(
  snapshot: Snapshot,
  allocationId: number,
  into: number[],
): number[] {
  into.length = 0;
  for (const zone of snapshot.zones) {
    into.push(zone.nrFreePages, zone.nrFreeCmaPages, zone.nrIsolatePageblock, zone.managedPages);
    for (let order = 0; order <= snapshot.maxOrder; order++) into.push(zone.nrFree[order] ?? 0);
    for (let order = 0; order <= snapshot.maxOrder; order++) {
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const list = zone.freeLists[order]?.[mt] ?? [];
        into.push(list.length === 0 ? -1 : list[0], list.length === 0 ? -1 : list[list.length - 1]);
      }
    }
  }
  into.push(snapshot.totalcmaPages);
  const allocation = snapshot.allocations.find((a) => a.id === allocationId);
  if (allocation === undefined) into.push(-1);
  else pushAllocationView(into, allocation);
  return into;
}

function pushAllocationView(into: number[], a: AllocationSnapshot): void {
  into.push(1, ALLOCATION_KIND_CODES.indexOf(a.kind), a.pfn, a.pageCount, a.order);
  into.push(a.migratetype, a.sourceList, a.area, a.pinned ? 1 : 0, a.pinnedPfn, a.token);
  into.push(a.frameToken);
}

/** Index of the first entry where two views differ, or -1 when they are equal. */
export function firstViewDifference(expected: readonly number[], actual: readonly number[]): number {
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) if (expected[i] !== actual[i]) return i;
  return -1;
}

/** What entry `index` of a step view of `world` stands for, in the snapshot's words. */
export function describeViewEntry(world: World, allocationId: number, index: number): string {
  const zoneLength = zoneViewLength(world.maxOrder);
  const zone = Math.floor(index / zoneLength);
  if (zone < world.zones.length) {
    const where = `zone ${world.zones[zone].name}`;
    let at = index % zoneLength;
    if (at < ZONE_COUNTER_NAMES.length) return `${where} ${ZONE_COUNTER_NAMES[at]}`;
    at -= ZONE_COUNTER_NAMES.length;
    if (at <= world.maxOrder) return `${where} nr_free[${at}]`;
    at -= world.maxOrder + 1;
    const order = Math.floor(at / (2 * MIGRATE_TYPES));
    const mt = Math.floor(at / 2) % MIGRATE_TYPES;
    return `${where} order ${order} migratetype ${mt} list ${at % 2 === 0 ? 'head' : 'tail'}`;
  }
  const rest = index - world.zones.length * zoneLength;
  if (rest === 0) return 'totalcmaPages';
  if (rest === 1) return `allocation #${allocationId} live`;
  return `allocation #${allocationId} ${ALLOCATION_VIEW_FIELDS[rest - 2] ?? 'record length'}`;
}
