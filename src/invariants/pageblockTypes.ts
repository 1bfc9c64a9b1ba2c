/**
 * pageblock-types — kernel-semantics.md §8.1 I5, I7, I9; DESIGN.md "Invariants".
 *
 * Between operations: every pageblock type is one of U M E H C I; no pageblock is ISOLATE and
 * no zone counts an isolated pageblock (alloc_contig_range undoes every isolation it made, I9);
 * every pageblock of an active CMA area is CMA (I7); a CMA pageblock lies inside a range the
 * profile allows (cmaBlockRange): K4_9 some area's declared range [basePfn, basePfn +
 * declaredCount) — the declared range, not `count`, because K4_9 leaves the blocks before a zone
 * mismatch CMA in the buddy when activation fails (§5.5); K6_1 an *active* area's range, since
 * it checks the whole area before typing any block and gives a failed one to the buddy as
 * ordinary (MOVABLE) memory (§5.5 K6_1, §9 P22).
 *
 * Does not cover: conversions over time ("CMA pageblocks stay CMA"). A snapshot has no
 * previous state; within one snapshot the active-area rule is what that promise amounts to.
 */
import { MIGRATE_CMA, MIGRATE_ISOLATE } from '../core/migratetype.ts';
import type { CmaAreaSnapshot, Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Profile } from '../core/world.ts';
import { coverageOf } from './coverage.ts';
import { type Findings, closeFindings, newFindings, report, typeName } from './findings.ts';

export const pageblockTypes: Invariant = {
  id: 'pageblock-types',
  description: 'no pageblock is ISOLATE between operations, active CMA areas are wholly CMA, and'
    + ' CMA pageblocks lie only inside declared CMA areas',
  check(snapshot) {
    const findings = newFindings();
    const blockCount = snapshot.pages >> snapshot.pageblockOrder;
    if (snapshot.pageblocks.length !== blockCount) {
      report(findings, [], () => `the pageblock map has ${snapshot.pageblocks.length} entries,`
        + ` expected ${blockCount} (${snapshot.pages} pages / ${1 << snapshot.pageblockOrder})`);
      return closeFindings(findings);
    }
    checkBlockTypes(snapshot, findings);
    checkIsolateCounters(snapshot, findings);
    checkActiveAreas(snapshot, findings);
    return closeFindings(findings);
  },
};

function checkBlockTypes(snapshot: Snapshot, findings: Findings): void {
  const types = coverageOf(snapshot).pageblockTypes;
  const declared = declaredBlocks(snapshot);
  const blockPages = 1 << snapshot.pageblockOrder;
  for (let block = 0; block < types.length; block++) {
    const type = types[block];
    if (type === MIGRATE_ISOLATE) {
      report(findings, [block * blockPages], () => `pageblock ${block} (pfn ${block * blockPages})`
        + ' is ISOLATE between operations, expected its isolation undone');
    } else if (type === MIGRATE_CMA && declared[block] === 0) {
      report(findings, [block * blockPages], () => `pageblock ${block} (pfn ${block * blockPages})`
        + ` is CMA but lies in no ${cmaBlockRangeName(snapshot.profile)}`);
    } else if (type < 0) {
      report(findings, [block * blockPages], () => `pageblock ${block} (pfn ${block * blockPages})`
        + ` has type letter '${snapshot.pageblocks[block]}', expected one of U M E H C I`);
    }
  }
}

/** Per pageblock: 1 when it starts inside a range where the profile allows CMA blocks. */
function declaredBlocks(snapshot: Snapshot): Uint8Array {
  const order = snapshot.pageblockOrder;
  const declared = new Uint8Array(Math.max(0, snapshot.pages >> order));
  for (const area of snapshot.cma) {
    const pageCount = cmaBlockRange(snapshot.profile, area);
    const firstBlock = Math.max(0, Math.ceil(area.basePfn / (1 << order)));
    const endBlock = Math.min(declared.length, (area.basePfn + pageCount) >> order);
    for (let block = firstBlock; block < endBlock; block++) declared[block] = 1;
  }
  return declared;
}

/**
 * How many pages from an area's base may hold CMA pageblocks (§5.5, §9 P22): K4_9 its declared
 * count, whatever became of it; K6_1 its declared count only when active (a failed area has
 * count 0 and none of its blocks were ever typed CMA).
 */
export function cmaBlockRange(profile: Profile, area: CmaAreaSnapshot): number {
  switch (profile) {
    case 'K4_9': return area.declaredCount;
    case 'K6_1': return area.state === 'active' ? area.declaredCount : 0;
  }
}

function cmaBlockRangeName(profile: Profile): string {
  switch (profile) {
    case 'K4_9': return 'CMA area\'s declared range';
    case 'K6_1': return 'active CMA area';
  }
}

function checkIsolateCounters(snapshot: Snapshot, findings: Findings): void {
  for (const zone of snapshot.zones) {
    if (zone.nrIsolatePageblock === 0) continue;
    report(findings, [zone.startPfn], () => `zone ${zone.name} nr_isolate_pageblock is`
      + ` ${zone.nrIsolatePageblock} between operations, expected 0`);
  }
}

function checkActiveAreas(snapshot: Snapshot, findings: Findings): void {
  const types = coverageOf(snapshot).pageblockTypes;
  const order = snapshot.pageblockOrder;
  snapshot.cma.forEach((area, index) => {
    if (area.state !== 'active') return;
    const endBlock = Math.min(types.length, (area.basePfn + area.count) >> order);
    for (let block = Math.max(0, area.basePfn >> order); block < endBlock; block++) {
      // An ISOLATE block is reported once, by checkBlockTypes.
      if (types[block] === MIGRATE_CMA || types[block] === MIGRATE_ISOLATE) continue;
      const pfn = block << order;
      report(findings, [pfn], () => `pageblock ${block} (pfn ${pfn}) of active CMA area ${index}`
        + ` '${area.name}' is ${typeName(types[block])}, expected CMA`);
    }
  });
}
