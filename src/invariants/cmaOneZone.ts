/**
 * cma-one-zone — kernel-semantics.md §5.5, §8.1 I13, §9 P22, §12.10.
 *
 * cma_activate_area() refuses an area whose pages lie in more than one zone: an active area
 * [basePfn, basePfn + count) lies inside one zone; an area whose declared range
 * [basePfn, basePfn + declaredCount) spans zones is not active; an area whose activation failed
 * has count 0 (both profiles; K4_9 keeps the blocks before the bad one, K6_1 frees the whole
 * area as normal memory). The zone check is the only way activation can fail in a world
 * without holes or bitmap allocation failures (docs/MODEL.md "Scope"), so a failed area must
 * span zones. In K4_9 the areas after a failed one stay 'inactive' whatever their layout.
 */
import type { Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import { zoneIndexOf } from './coverage.ts';
import { closeFindings, newFindings, report } from './findings.ts';

export const cmaOneZone: Invariant = {
  id: 'cma-one-zone',
  description: 'an active CMA area lies in one zone, and an area spanning zones is not activated',
  check(snapshot) {
    const findings = newFindings();
    snapshot.cma.forEach((area, index) => {
      const name = `CMA area ${index} '${area.name}'`;
      // Active: count = declaredCount; the larger one is the range the kernel walked.
      const pageCount = Math.max(area.count, area.declaredCount);
      const range = `[${area.basePfn}, ${area.basePfn + pageCount})`;
      const spans = spansZones(snapshot, area.basePfn, pageCount);
      if (area.state === 'active' && spans) {
        report(findings, [area.basePfn], () => `${name} ${range} spans zones`
          + ` ${zonesOf(snapshot, area.basePfn, pageCount)} but is active, expected its`
          + ' activation to fail');
      }
      if (area.state === 'failed' && area.count !== 0) {
        report(findings, [area.basePfn], () => `${name} failed activation but has count`
          + ` ${area.count}, expected 0`);
      }
      if (area.state === 'failed' && !spans) {
        report(findings, [area.basePfn], () => `${name} ${range} failed activation although it`
          + ' lies inside one zone, expected it active');
      }
    });
    return closeFindings(findings);
  },
};

/** Zones are contiguous and ordered, so a range is in one zone iff its ends are. */
function spansZones(snapshot: Snapshot, basePfn: number, pageCount: number): boolean {
  if (pageCount <= 0) return false;
  const first = zoneIndexOf(snapshot, basePfn);
  return first < 0 || zoneIndexOf(snapshot, basePfn + pageCount - 1) !== first;
}

function zonesOf(snapshot: Snapshot, basePfn: number, pageCount: number): string {
  const names = snapshot.zones
    .filter((zone) => zone.startPfn < basePfn + pageCount && basePfn < zone.endPfn)
    .map((zone) => zone.name);
  return names.length === 0 ? '(none)' : names.join(' and ');
}
