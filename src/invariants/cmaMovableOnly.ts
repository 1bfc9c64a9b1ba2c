/**
 * cma-movable-only — kernel-semantics.md §8.1 I7, I8; DESIGN.md "Only MOVABLE allocations ever
 * sit in CMA pageblocks".
 *
 * Every page of a CMA pageblock is free on a CMA list (or an ISOLATE one, which only
 * alloc_contig_range leaves while it runs), held by a CMA or DMA range, or held by a page
 * allocation whose migratetype is MOVABLE — never by an UNMOVABLE or RECLAIMABLE allocation,
 * and never by a reserved range. One finding per holder, however many CMA pages it holds.
 *
 * Profile rule (pinnedMayStayInCma): a long-term pinned MOVABLE allocation may sit in CMA in
 * K4_9 (it only makes cma_alloc windows over it fail, §12.5); in K6_1 it may not — mm/gup.c
 * check_and_migrate_movable_pages() migrates a page out of CMA before a FOLL_LONGTERM pin
 * succeeds (docs/MODEL.md "K6_1").
 *
 * Does not cover: pages held by nothing or by two holders (conservation), and the CMA list on a
 * non-CMA pageblock (free-blocks).
 */
import { MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE } from '../core/migratetype.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Pfn, Profile } from '../core/world.ts';
import {
  COVER_ALLOCATION, COVER_FREE, COVER_RESERVED, type Coverage, coverageOf, describeCover,
} from './coverage.ts';
import { type Findings, closeFindings, newFindings, report } from './findings.ts';

export const cmaMovableOnly: Invariant = {
  id: 'cma-movable-only',
  description: 'a page in a CMA pageblock is free on a CMA list, in a CMA or DMA range, or held'
    + ' by a MOVABLE allocation',
  check(snapshot) {
    const findings = newFindings();
    const coverage = coverageOf(snapshot);
    const types = coverage.pageblockTypes;
    const order = snapshot.pageblockOrder;
    let lastKind = -1;
    let lastIndex = -1;
    for (let block = 0; block < types.length; block++) {
      if (types[block] !== MIGRATE_CMA) continue;
      const endPfn = Math.min(coverage.coverKind.length, (block + 1) << order);
      for (let pfn = block << order; pfn < endPfn; pfn++) {
        const kind = coverage.coverKind[pfn];
        const index = coverage.coverIndex[pfn];
        if (kind === lastKind && index === lastIndex) continue;
        lastKind = kind;
        lastIndex = index;
        if (holderAllowed(snapshot, coverage, pfn)) continue;
        reportHolder(snapshot, coverage, pfn, findings);
      }
    }
    return closeFindings(findings);
  },
};

function holderAllowed(snapshot: Snapshot, coverage: Coverage, pfn: Pfn): boolean {
  const index = coverage.coverIndex[pfn];
  switch (coverage.coverKind[pfn]) {
    case COVER_FREE: {
      const list = coverage.blocks.list[index];
      return list === MIGRATE_CMA || list === MIGRATE_ISOLATE;
    }
    case COVER_ALLOCATION: {
      const allocation = snapshot.allocations[index];
      if (allocation.kind !== 'pages') return true;
      return allocation.migratetype === MIGRATE_MOVABLE
        && (!allocation.pinned || pinnedMayStayInCma(snapshot.profile));
    }
    case COVER_RESERVED: return false;
    default: return true;
  }
}

/**
 * May a long-term pinned page stay in a CMA pageblock? K4_9 yes (FOLL_LONGTERM pins in place);
 * K6_1 no (__gup_longterm_locked → check_and_migrate_movable_pages, mm/gup.c).
 */
export function pinnedMayStayInCma(profile: Profile): boolean {
  switch (profile) {
    case 'K4_9': return true;
    case 'K6_1': return false;
  }
}

function reportHolder(snapshot: Snapshot, coverage: Coverage, pfn: Pfn, findings: Findings): void {
  const index = coverage.coverIndex[pfn];
  const kind = coverage.coverKind[pfn];
  const allocation = kind === COVER_ALLOCATION ? snapshot.allocations[index] : null;
  const subjectPfn = kind === COVER_FREE ? coverage.blocks.pfn[index]
    : allocation !== null ? allocation.pfn : pfn;
  const block = pfn >> snapshot.pageblockOrder;
  const pinnedMovable = allocation !== null && allocation.pinned
    && allocation.migratetype === MIGRATE_MOVABLE;
  const expected = kind === COVER_FREE
    ? 'expected free CMA pages on a CMA list'
    : pinnedMovable
      ? `expected ${snapshot.profile} to migrate a page out of CMA before a long-term pin`
      : 'expected only MOVABLE page allocations and CMA or DMA ranges there';
  report(findings, [subjectPfn], () => `${describeCover(snapshot, coverage, pfn)} holds pfn`
    + ` ${pfn} in CMA pageblock ${block}, ${expected}`);
}
