/**
 * data-preserved — DESIGN.md "migration moves an allocation's data with it; pinned pages never
 * move"; kernel-semantics.md §12.5–§12.8.
 *
 * An allocation written by a `write` op (token ≠ 0) still holds that token in every one of its
 * page frames (frameToken: the frames' common value, -1 when they differ), wherever migration
 * moved it; a pinned allocation is still at the pfn it had when pinned (a long-term pinned page
 * cannot be migrated, so cma_alloc fails that window with -EBUSY instead). The same in K6_1,
 * whose pin may migrate the page out of CMA *before* it is pinned (mm/gup.c): pinnedPfn is where
 * it was pinned, after that move; cma-movable-only checks that no K6_1 pin stays in CMA.
 */
import type { Invariant } from '../core/violation.ts';
import { closeFindings, describeAllocation, newFindings, report } from './findings.ts';

export const dataPreserved: Invariant = {
  id: 'data-preserved',
  description: 'every written allocation still holds its token, and pinned allocations never'
    + ' move',
  check(snapshot) {
    const findings = newFindings();
    for (const allocation of snapshot.allocations) {
      const { token, frameToken } = allocation;
      if (token !== 0 && frameToken !== token) {
        const found = frameToken === -1 ? 'frames holding different tokens' : `token ${frameToken}`;
        report(findings, [allocation.pfn], () => `${describeAllocation(allocation)} has ${found},`
          + ` expected token ${token} in every frame`);
      }
      if (allocation.pinned && allocation.pfn !== allocation.pinnedPfn) {
        report(findings, [allocation.pinnedPfn, allocation.pfn], () => `pinned`
          + ` ${describeAllocation(allocation)} moved from pfn ${allocation.pinnedPfn}, expected`
          + ' pinned pages never to migrate');
      }
    }
    return closeFindings(findings);
  },
};
