/**
 * Localized differences between two snapshots (STYLE G9): the first differing list, pageblock,
 * counter, allocation or CMA bitmap word, named the kernel way, expected (model) first.
 */
import { MIGRATETYPE_NAMES } from '../core/migratetype.ts';
import type {
  AllocationSnapshot,
  CmaAreaSnapshot,
  Snapshot,
  ZoneSnapshot,
} from '../core/snapshot.ts';

const SHOW_MAX = 8;

function show(values: readonly number[]): string {
  const head = values.slice(0, SHOW_MAX).join(', ');
  return `[${head}${values.length > SHOW_MAX ? `, … ${values.length - SHOW_MAX} more` : ''}]`;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function diffZone(expected: ZoneSnapshot, actual: ZoneSnapshot, out: string[]): void {
  const where = `zone ${expected.name}`;
  for (let order = 0; order < expected.freeLists.length; order++) {
    for (let mt = 0; mt < expected.freeLists[order].length; mt++) {
      const e = expected.freeLists[order][mt];
      const a = actual.freeLists[order]?.[mt] ?? [];
      if (!sameList(e, a)) {
        out.push(
          `${where} order ${order} ${MIGRATETYPE_NAMES[mt]} list: expected ${show(e)} actual ${show(a)}`,
        );
      }
    }
  }
  for (const key of [
    'managedPages',
    'nrFreePages',
    'nrFreeCmaPages',
    'nrIsolatePageblock',
  ] as const) {
    if (expected[key] !== actual[key])
      out.push(`${where} ${key}: expected ${expected[key]} actual ${actual[key]}`);
  }
  if (!sameList(expected.nrFree, actual.nrFree)) {
    out.push(
      `${where} nr_free per order: expected ${show(expected.nrFree)} actual ${show(actual.nrFree)}`,
    );
  }
}

function describeAllocation(a: AllocationSnapshot | undefined): string {
  if (a === undefined) return 'none';
  return JSON.stringify(a);
}

function diffAllocations(
  expected: readonly AllocationSnapshot[],
  actual: readonly AllocationSnapshot[],
  out: string[],
): void {
  const byId = new Map(actual.map((a) => [a.id, a]));
  for (const e of expected) {
    const a = byId.get(e.id);
    byId.delete(e.id);
    if (JSON.stringify(e) !== JSON.stringify(a)) {
      out.push(
        `allocation #${e.id}: expected ${describeAllocation(e)} actual ${describeAllocation(a)}`,
      );
    }
  }
  for (const a of byId.values())
    out.push(`allocation #${a.id}: expected none actual ${describeAllocation(a)}`);
}

function diffCma(
  expected: CmaAreaSnapshot,
  actual: CmaAreaSnapshot | undefined,
  index: number,
  out: string[],
): void {
  if (actual === undefined) {
    out.push(`cma area #${index} ${expected.name}: missing in actual`);
    return;
  }
  for (const key of [
    'name',
    'basePfn',
    'count',
    'declaredCount',
    'orderPerBit',
    'state',
    'used',
    'maxchunk',
  ] as const) {
    if (expected[key] !== actual[key])
      out.push(`cma area #${index} ${key}: expected ${expected[key]} actual ${actual[key]}`);
  }
  const word = expected.bitmap.findIndex((value, i) => value !== actual.bitmap[i]);
  if (word >= 0 || expected.bitmap.length !== actual.bitmap.length) {
    const at = word >= 0 ? word : Math.min(expected.bitmap.length, actual.bitmap.length);
    out.push(
      `cma area #${index} bitmap word ${at} (bits ${at * 32}..${at * 32 + 31}): ` +
        `expected ${expected.bitmap[at]} actual ${actual.bitmap[at]}`,
    );
  }
}

/** Every localized difference, expected (model) vs actual (impl); empty when equal. */
export function diffSnapshots(expected: Snapshot, actual: Snapshot): string[] {
  const out: string[] = [];
  for (const key of ['profile', 'pages', 'maxOrder', 'pageblockOrder', 'totalcmaPages'] as const) {
    if (expected[key] !== actual[key])
      out.push(`${key}: expected ${expected[key]} actual ${actual[key]}`);
  }
  expected.zones.forEach((zone, index) => {
    const other = actual.zones[index];
    if (other === undefined) out.push(`zone ${zone.name}: missing in actual`);
    else diffZone(zone, other, out);
  });
  const block = [...expected.pageblocks].findIndex((letter, i) => letter !== actual.pageblocks[i]);
  if (block >= 0 || expected.pageblocks.length !== actual.pageblocks.length) {
    out.push(
      `pageblock ${block}: expected ${expected.pageblocks[block]} actual ${actual.pageblocks[block]}` +
        ` (map expected ${expected.pageblocks} actual ${actual.pageblocks})`,
    );
  }
  if (JSON.stringify(expected.reserved) !== JSON.stringify(actual.reserved)) {
    out.push(
      `reserved ranges: expected ${JSON.stringify(expected.reserved)} actual ${JSON.stringify(actual.reserved)}`,
    );
  }
  diffAllocations(expected.allocations, actual.allocations, out);
  expected.cma.forEach((area, index) => diffCma(area, actual.cma[index], index, out));
  if (actual.cma.length > expected.cma.length)
    out.push(`cma areas: expected ${expected.cma.length} actual ${actual.cma.length}`);
  return out;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameZone(a: ZoneSnapshot, b: ZoneSnapshot): boolean {
  if (
    a.name !== b.name ||
    a.startPfn !== b.startPfn ||
    a.endPfn !== b.endPfn ||
    a.managedPages !== b.managedPages ||
    a.nrFreePages !== b.nrFreePages ||
    a.nrFreeCmaPages !== b.nrFreeCmaPages ||
    a.nrIsolatePageblock !== b.nrIsolatePageblock ||
    !sameNumbers(a.nrFree, b.nrFree) ||
    a.freeLists.length !== b.freeLists.length
  )
    return false;
  for (let order = 0; order < a.freeLists.length; order++) {
    const listsA = a.freeLists[order];
    const listsB = b.freeLists[order];
    if (listsA.length !== listsB.length) return false;
    for (let mt = 0; mt < listsA.length; mt++)
      if (!sameNumbers(listsA[mt], listsB[mt])) return false;
  }
  return true;
}

function sameAllocation(a: AllocationSnapshot, b: AllocationSnapshot): boolean {
  return (
    a.id === b.id &&
    a.kind === b.kind &&
    a.pfn === b.pfn &&
    a.pageCount === b.pageCount &&
    a.order === b.order &&
    a.migratetype === b.migratetype &&
    a.sourceList === b.sourceList &&
    a.area === b.area &&
    a.pinned === b.pinned &&
    a.pinnedPfn === b.pinnedPfn &&
    a.token === b.token &&
    a.frameToken === b.frameToken
  );
}

function sameCma(a: CmaAreaSnapshot, b: CmaAreaSnapshot): boolean {
  return (
    a.name === b.name &&
    a.basePfn === b.basePfn &&
    a.count === b.count &&
    a.declaredCount === b.declaredCount &&
    a.orderPerBit === b.orderPerBit &&
    a.state === b.state &&
    a.used === b.used &&
    a.maxchunk === b.maxchunk &&
    sameNumbers(a.bitmap, b.bitmap)
  );
}

function sameEach<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

/**
 * Whether two snapshots are equal, field by field — the runner's per-check comparison (a
 * structural walk that stops at the first difference; diffSnapshots explains one when found).
 */
export function snapshotsEqual(a: Snapshot, b: Snapshot): boolean {
  return (
    a.profile === b.profile &&
    a.pages === b.pages &&
    a.maxOrder === b.maxOrder &&
    a.pageblockOrder === b.pageblockOrder &&
    a.totalcmaPages === b.totalcmaPages &&
    a.pageblocks === b.pageblocks &&
    sameEach(
      a.reserved,
      b.reserved,
      (x, y) => x.startPfn === y.startPfn && x.endPfn === y.endPfn,
    ) &&
    sameEach(a.zones, b.zones, sameZone) &&
    sameEach(a.allocations, b.allocations, sameAllocation) &&
    sameEach(a.cma, b.cma, sameCma)
  );
}
