/**
 * conservation — kernel-semantics.md §8.1 I3, I4; DESIGN.md "free + allocated + reserved =
 * managed".
 *
 * Every pfn of [0, pages) is covered exactly once by a free block, a live allocation or a
 * reserved range (pcp lists and guard pages are off, docs/MODEL.md "Scope"), nothing reaches
 * outside [0, pages), and Σ zone.managedPages = pages − reserved pages (managed_pages counts
 * what boot and CMA activation handed to the buddy). Allocations overlapping each other, or a
 * free block, show up as pages covered twice, with every holder named.
 */
import type { Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import type { Pfn } from '../core/world.ts';
import { coverageOf, describeAllCovers, pagesOfOrder } from './coverage.ts';
import { type Findings, closeFindings, newFindings, pfnRun, report } from './findings.ts';

export const conservation: Invariant = {
  id: 'conservation',
  description: 'every page is free, allocated or reserved exactly once, and the zones manage'
    + ' every page that is not reserved',
  check(snapshot) {
    const findings = newFindings();
    checkExtents(snapshot, findings);
    checkCoverage(snapshot, findings);
    checkManaged(snapshot, findings);
    return closeFindings(findings);
  },
};

/** Items that stick out of [0, pages) cannot be seen by the per-pfn map; check them directly. */
function checkExtents(snapshot: Snapshot, findings: Findings): void {
  const { blocks } = coverageOf(snapshot);
  const pages = snapshot.pages;
  const outside = (pfn: Pfn, pageCount: number): boolean => pfn < 0 || pfn + pageCount > pages;
  for (let block = 0; block < blocks.count; block++) {
    const pfn = blocks.pfn[block];
    const pageCount = pagesOfOrder(blocks.order[block]);
    if (!outside(pfn, pageCount)) continue;
    report(findings, [pfn], () => `free block pfn ${pfn} order ${blocks.order[block]} covers`
      + ` [${pfn}, ${pfn + pageCount}), outside memory [0, ${pages})`);
  }
  for (const allocation of snapshot.allocations) {
    if (!outside(allocation.pfn, allocation.pageCount) && allocation.pageCount > 0) continue;
    report(findings, [allocation.pfn], () => `allocation #${allocation.id} covers`
      + ` [${allocation.pfn}, ${allocation.pfn + allocation.pageCount}), expected a non-empty`
      + ` range inside memory [0, ${pages})`);
  }
  for (const range of snapshot.reserved) {
    if (!outside(range.startPfn, range.endPfn - range.startPfn)) continue;
    report(findings, [range.startPfn], () => `reserved range [${range.startPfn},`
      + ` ${range.endPfn}) lies outside memory [0, ${pages})`);
  }
}

/** Runs of pages covered by nothing, or by more than one item. */
function checkCoverage(snapshot: Snapshot, findings: Findings): void {
  const coverage = coverageOf(snapshot);
  const counts = coverage.coverCount;
  let pfn = 0;
  while (pfn < counts.length) {
    const count = counts[pfn];
    if (count === 1) {
      pfn++;
      continue;
    }
    // A run ends where the count changes or, for double cover, where the last holder changes.
    const first = pfn;
    const holder = coverage.coverIndex[pfn];
    const kind = coverage.coverKind[pfn];
    do pfn++;
    while (pfn < counts.length && counts[pfn] === count
      && (count === 0
        || (coverage.coverIndex[pfn] === holder && coverage.coverKind[pfn] === kind)));
    const run = pfnRun(first, pfn - first);
    if (count === 0) {
      report(findings, [first], () => `${run}: covered by nothing, expected each page free,`
        + ' allocated or reserved');
    } else {
      report(findings, [first], () => `${run}: covered ${count} times, by`
        + ` ${describeAllCovers(snapshot, coverage, first).join(' and ')}; expected once`);
    }
  }
}

function checkManaged(snapshot: Snapshot, findings: Findings): void {
  let reservedPages = 0;
  for (const range of snapshot.reserved) reservedPages += range.endPfn - range.startPfn;
  let managedPages = 0;
  for (const zone of snapshot.zones) managedPages += zone.managedPages;
  const expected = snapshot.pages - reservedPages;
  if (managedPages === expected) return;
  report(findings, [], () => `the zones manage ${managedPages} pages in all, expected ${expected}`
    + ` (${snapshot.pages} pages − ${reservedPages} reserved)`);
}
