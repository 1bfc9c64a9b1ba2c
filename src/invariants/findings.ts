/**
 * What every invariant shares when it reports: a capped list of findings and the words that
 * name pages, lists and allocations the same way in every explanation (STYLE G8).
 *
 * Convention for `Finding.pfns`: the first pfn of each subject involved — a free block's head,
 * an allocation's first pfn, the first pfn of a run of pages, a pageblock's first pfn — in the
 * order the explanation names them. A summary finding that only counts omitted findings has no
 * pfns.
 *
 * Strings are built only on the finding path: invariants call `report` with a closure, and a
 * report past the cap only counts.
 */
import type { Finding } from '../core/violation.ts';
import type { AllocationSnapshot } from '../core/snapshot.ts';
import type { Pfn } from '../core/world.ts';

/**
 * Findings kept per invariant and check. One fault (a counter off by one, a bitmap shifted)
 * can break thousands of pages; the first few name it, the rest only add noise.
 */
export const FINDINGS_MAX = 8;

export interface Findings {
  list: Finding[];
  omitted: number;
}

export function newFindings(): Findings {
  return { list: [], omitted: 0 };
}

/** Records one finding; past FINDINGS_MAX it is only counted and `explain` is never called. */
export function report(findings: Findings, pfns: Pfn[], explain: () => string): void {
  if (findings.list.length >= FINDINGS_MAX) {
    findings.omitted++;
    return;
  }
  findings.list.push({ pfns, explanation: explain() });
}

/** The findings to return, with one closing line saying how many more were left out. */
export function closeFindings(findings: Findings): Finding[] {
  if (findings.omitted === 0) return findings.list;
  const explanation = `${findings.omitted} more findings of this invariant not listed`
    + ` (at most ${FINDINGS_MAX} are)`;
  return [...findings.list, { pfns: [], explanation }];
}

/** Migratetype names as the free lists are called in reports ("the MOVABLE list"). */
const TYPE_NAMES = ['UNMOVABLE', 'MOVABLE', 'RECLAIMABLE', 'HIGHATOMIC', 'CMA', 'ISOLATE'];

export function typeName(migratetype: number): string {
  return TYPE_NAMES[migratetype] ?? `type ${migratetype}`;
}

/** "pfn 12" for one page, "pfns 12..15" for a run (both ends included). */
export function pfnRun(firstPfn: Pfn, pageCount: number): string {
  return pageCount === 1 ? `pfn ${firstPfn}` : `pfns ${firstPfn}..${firstPfn + pageCount - 1}`;
}

/** "UNMOVABLE allocation #0 (order 0, pfn 8)" or "CMA allocation #2 (pfns 16..17, area 0)". */
export function describeAllocation(allocation: AllocationSnapshot): string {
  const { id, kind, pfn, pageCount } = allocation;
  if (kind === 'pages') {
    return `${typeName(allocation.migratetype)} allocation #${id} (order ${allocation.order},`
      + ` ${pfnRun(pfn, pageCount)})`;
  }
  return `${kind.toUpperCase()} allocation #${id} (${pfnRun(pfn, pageCount)},`
    + ` area ${allocation.area})`;
}
