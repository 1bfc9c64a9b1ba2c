/**
 * fallback-legal — kernel-semantics.md §4.1, §4.2, §8.1 I8, I9; §1.5.
 *
 * A page allocation took its block from its own migratetype's list, from a list its row of
 * fallbacks[][] names (FALLBACKS, src/core/migratetype.ts), or from a CMA list only when it is
 * MOVABLE (K4_9: __rmqueue_cma_fallback for MOVABLE; K6_1: ALLOC_CMA, which only MOVABLE
 * requests get). Never from ISOLATE (isolated blocks are not allocated from) or HIGHATOMIC (no
 * ALLOC_HARDER requests in the op alphabet, docs/MODEL.md "Scope"). The recorded migratetype is
 * the one the allocator used, so with mobility grouping disabled it is UNMOVABLE (§12.9).
 * The rule is the same in K4_9 and K6_1 (in K6_1 the retry after a steal takes the block off the
 * request's own list; the model records the fallback list the steal took it from, as in K4_9:
 * docs/MODEL.md "K6_1").
 *
 * Does not cover: whether the *choice* among legal lists was the profile's (model-impl-agree).
 */
import {
  FALLBACKS, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_PCPTYPES,
} from '../core/migratetype.ts';
import type { Invariant } from '../core/violation.ts';
import { closeFindings, describeAllocation, newFindings, report, typeName } from './findings.ts';

export const fallbackLegal: Invariant = {
  id: 'fallback-legal',
  description: 'each page allocation took its block from its own list, a fallback of it, or'
    + ' (MOVABLE only) a CMA list',
  check(snapshot) {
    const findings = newFindings();
    for (const allocation of snapshot.allocations) {
      if (allocation.kind !== 'pages') continue;
      const { migratetype, sourceList } = allocation;
      if (sourceListLegal(migratetype, sourceList)) continue;
      report(findings, [allocation.pfn], () => `${describeAllocation(allocation)} was taken from`
        + ` the ${typeName(sourceList)} list, expected ${legalSources(migratetype)}`);
    }
    return closeFindings(findings);
  },
};

export function sourceListLegal(migratetype: number, sourceList: number): boolean {
  if (migratetype < 0 || migratetype >= MIGRATE_PCPTYPES) return false;
  if (sourceList === MIGRATE_ISOLATE || sourceList === MIGRATE_HIGHATOMIC) return false;
  if (sourceList === migratetype) return true;
  if (sourceList === MIGRATE_CMA) return migratetype === MIGRATE_MOVABLE;
  return (FALLBACKS[migratetype] as readonly number[]).includes(sourceList);
}

function legalSources(migratetype: number): string {
  if (migratetype < 0 || migratetype >= MIGRATE_PCPTYPES) {
    return `a request type (UNMOVABLE, MOVABLE or RECLAIMABLE), not ${typeName(migratetype)}`;
  }
  const lists = [migratetype, ...FALLBACKS[migratetype]];
  if (migratetype === MIGRATE_MOVABLE) lists.push(MIGRATE_CMA);
  return `one of ${lists.map(typeName).join(', ')}`;
}
