/**
 * cma-release-returns — DESIGN.md "after cmaRelease, every released page is free in the buddy,
 * in CMA pageblocks, counted in NR_FREE_CMA_PAGES"; kernel-semantics.md §5.7, §6.5, §12.17.
 *
 * After a cmaRelease or dmaFree that succeeded, every page of the range the target held before
 * the op is inside a free block on a CMA list, in a CMA pageblock: free_contig_range() frees
 * each page with its pageblock's type, which is CMA, and the CMA area's alignment keeps merges
 * inside CMA pageblocks (§12.19). Being on a CMA list is what NR_FREE_CMA_PAGES counts
 * (counters checks the count itself).
 *
 * Does not cover: DESIGN's "an identical cmaAlloc succeeds again" — that needs running the
 * allocator, not reading one snapshot (properties/cma/releaseRoundTrip.spec.ts); nor the bits
 * (cma-bitmap: the range is no longer live, so its bits must be clear).
 */
import { MIGRATE_CMA } from '../core/migratetype.ts';
import type { Snapshot } from '../core/snapshot.ts';
import type { CheckContext, Invariant } from '../core/violation.ts';
import type { Pfn } from '../core/world.ts';
import { COVER_FREE, type Coverage, coverageOf, describeCover } from './coverage.ts';
import { closeFindings, newFindings, pfnRun, report, typeName } from './findings.ts';

export const cmaReleaseReturns: Invariant = {
  id: 'cma-release-returns',
  description: 'after cmaRelease or dmaFree every released page is free on a CMA list in a CMA'
    + ' pageblock',
  stepOps: ['cmaRelease', 'dmaFree'],
  check(snapshot, context) {
    const target = releasedRange(context);
    if (target === null) return [];
    const findings = newFindings();
    const coverage = coverageOf(snapshot);
    const endPfn = target.pfn + target.pageCount;
    let pfn = target.pfn;
    while (pfn < endPfn) {
      const problem = pageProblem(snapshot, coverage, pfn);
      if (problem === null) {
        pfn++;
        continue;
      }
      const first = pfn;
      do pfn++;
      while (pfn < endPfn && pageProblem(snapshot, coverage, pfn) === problem);
      const run = pfnRun(first, pfn - first);
      report(findings, [first], () => `released ${run} of ${target.kind.toUpperCase()} allocation`
        + ` #${target.id}: ${problem}, expected free on a CMA list in a CMA pageblock`);
    }
    return closeFindings(findings);
  },
};

/** The range a successful release gave back, or null when the step released nothing. */
function releasedRange(context: CheckContext): CheckContext['targetBefore'] {
  const { op, result, targetBefore } = context;
  if (op === null || (op.kind !== 'cmaRelease' && op.kind !== 'dmaFree')) return null;
  if (targetBefore === null || result?.ok === false) return null;
  return targetBefore;
}

/** What is wrong with one released page, in words that stay equal along a run; null if fine. */
function pageProblem(snapshot: Snapshot, coverage: Coverage, pfn: Pfn): string | null {
  if (pfn < 0 || pfn >= snapshot.pages) return `outside memory [0, ${snapshot.pages})`;
  if (coverage.coverKind[pfn] !== COVER_FREE) {
    return `held by ${describeCover(snapshot, coverage, pfn)}`;
  }
  const list = coverage.blocks.list[coverage.coverIndex[pfn]];
  if (list !== MIGRATE_CMA) return `free on the ${typeName(list)} list`;
  const pageblock = pfn >> snapshot.pageblockOrder;
  const type = coverage.pageblockTypes[pageblock];
  if (type !== MIGRATE_CMA) return `in a ${typeName(type)} pageblock`;
  return null;
}
