/**
 * Every invariant of DESIGN.md's table except `model-impl-agree` (the differential runner's
 * own), in the table's order, and the one call the runner makes after a step.
 */
import type { Snapshot } from '../core/snapshot.ts';
import type { CheckContext, Invariant, Violation } from '../core/violation.ts';
import { buddyMerged } from './buddyMerged.ts';
import { cmaAllocAligned } from './cmaAllocAligned.ts';
import { cmaBitmap } from './cmaBitmap.ts';
import { cmaMovableOnly } from './cmaMovableOnly.ts';
import { cmaOneZone } from './cmaOneZone.ts';
import { cmaReleaseReturns } from './cmaReleaseReturns.ts';
import { conservation } from './conservation.ts';
import { counters } from './counters.ts';
import { dataPreserved } from './dataPreserved.ts';
import { fallbackLegal } from './fallbackLegal.ts';
import { freeBlocks } from './freeBlocks.ts';
import { freePlacement } from './freePlacement.ts';
import { shareCoverage } from './coverage.ts';
import { pageblockTypes } from './pageblockTypes.ts';

export const INVARIANTS: readonly Invariant[] = [
  cmaMovableOnly, cmaBitmap, cmaOneZone, cmaReleaseReturns, pageblockTypes, freeBlocks,
  buddyMerged, conservation, counters, fallbackLegal, dataPreserved, cmaAllocAligned,
  freePlacement,
];

/**
 * Runs `invariants` (all of them unless told) on one side's snapshot and stamps each finding
 * with the invariant id, the step and the side ('model', 'impl', a zoo mutant's name). The
 * per-pfn maps (coverage.ts) are built once for all of them.
 */
export function checkInvariants(
  snapshot: Snapshot,
  context: CheckContext,
  side: string,
  invariants: readonly Invariant[] = INVARIANTS,
): Violation[] {
  const violations: Violation[] = [];
  shareCoverage(snapshot, () => {
    for (const invariant of invariants) {
      for (const finding of invariant.check(snapshot, context)) {
        violations.push({ id: invariant.id, step: context.step, side, ...finding });
      }
    }
  });
  return violations;
}
