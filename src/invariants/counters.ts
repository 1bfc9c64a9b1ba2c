/**
 * counters — kernel-semantics.md §8.1 I1, I9, I10, I13; §12.10, §12.18.
 *
 * Per zone: free_area[o].nr_free = entries on all lists of order o; NR_FREE_PAGES = pages on
 * non-ISOLATE lists; NR_FREE_CMA_PAGES = pages on CMA lists (the counters follow the *list*
 * type at free and alloc time in K4_9/K6_1, I10); nr_isolate_pageblock = ISOLATE pageblocks of
 * the zone. Globally, totalcma_pages = Σ declared counts, minus the areas whose activation
 * failed in K6_1 (cma_activate_area subtracts them there; K4_9 does not, §12.10).
 *
 * Does not cover: whether the lists themselves are right (free-blocks, conservation).
 */
import { MIGRATE_CMA, MIGRATE_ISOLATE } from '../core/migratetype.ts';
import type { CmaAreaSnapshot, Snapshot, ZoneSnapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Profile } from '../core/world.ts';
import { coverageOf } from './coverage.ts';
import { type Findings, closeFindings, newFindings, report } from './findings.ts';

export const counters: Invariant = {
  id: 'counters',
  description: 'nr_free, NR_FREE_PAGES, NR_FREE_CMA_PAGES, nr_isolate_pageblock and'
    + ' totalcma_pages equal what the lists, pageblocks and areas hold',
  check(snapshot) {
    const findings = newFindings();
    snapshot.zones.forEach((zone) => {
      checkNrFree(zone, findings);
      checkFreePages(zone, findings);
      checkIsolateCount(snapshot, zone, findings);
    });
    const expected = expectedTotalcmaPages(snapshot.profile, snapshot.cma);
    if (snapshot.totalcmaPages !== expected) {
      report(findings, [], () => `totalcma_pages is ${snapshot.totalcmaPages}, expected`
        + ` ${expected} (${totalcmaRule(snapshot.profile)})`);
    }
    return closeFindings(findings);
  },
};

function checkNrFree(zone: ZoneSnapshot, findings: Findings): void {
  const orders = Math.max(zone.freeLists.length, zone.nrFree.length);
  for (let order = 0; order < orders; order++) {
    let entries = 0;
    for (const list of zone.freeLists[order] ?? []) entries += list.length;
    const nrFree = zone.nrFree[order] ?? 0;
    if (nrFree === entries) continue;
    report(findings, [], () => `zone ${zone.name} nr_free[${order}] is ${nrFree}, expected`
      + ` ${entries} (the blocks on its order-${order} lists)`);
  }
}

function checkFreePages(zone: ZoneSnapshot, findings: Findings): void {
  let freePages = 0;
  let freeCmaPages = 0;
  zone.freeLists.forEach((lists, order) => {
    lists.forEach((list, migratetype) => {
      const pages = list.length * 2 ** order;
      if (migratetype !== MIGRATE_ISOLATE) freePages += pages;
      if (migratetype === MIGRATE_CMA) freeCmaPages += pages;
    });
  });
  if (zone.nrFreePages !== freePages) {
    report(findings, [], () => `zone ${zone.name} NR_FREE_PAGES is ${zone.nrFreePages}, expected`
      + ` ${freePages} (the pages on its non-ISOLATE lists)`);
  }
  if (zone.nrFreeCmaPages !== freeCmaPages) {
    report(findings, [], () => `zone ${zone.name} NR_FREE_CMA_PAGES is ${zone.nrFreeCmaPages},`
      + ` expected ${freeCmaPages} (the pages on its CMA lists)`);
  }
}

function checkIsolateCount(snapshot: Snapshot, zone: ZoneSnapshot, findings: Findings): void {
  const types = coverageOf(snapshot).pageblockTypes;
  const order = snapshot.pageblockOrder;
  let isolated = 0;
  const endBlock = Math.min(types.length, zone.endPfn >> order);
  for (let block = Math.max(0, zone.startPfn >> order); block < endBlock; block++) {
    if (types[block] === MIGRATE_ISOLATE) isolated++;
  }
  if (zone.nrIsolatePageblock === isolated) return;
  report(findings, [], () => `zone ${zone.name} nr_isolate_pageblock is`
    + ` ${zone.nrIsolatePageblock}, expected ${isolated} (its ISOLATE pageblocks)`);
}

export function expectedTotalcmaPages(profile: Profile, areas: readonly CmaAreaSnapshot[]): number {
  let total = 0;
  for (const area of areas) {
    switch (profile) {
      case 'K4_9':
        total += area.declaredCount;
        break;
      case 'K6_1':
        if (area.state !== 'failed') total += area.declaredCount;
        break;
    }
  }
  return total;
}

function totalcmaRule(profile: Profile): string {
  switch (profile) {
    case 'K4_9': return 'the declared pages of every area; K4_9 keeps failed areas counted';
    case 'K6_1': return 'the declared pages of every area not failed';
  }
}
