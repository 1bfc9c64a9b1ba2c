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
 *
 * K6_1 adds two consequences of its cma_activate_area() (§5.5 K6_1, §9 P22; failedAreaRules):
 * every area is attempted, so none stays 'inactive'; and a failed area handed all its pages to
 * the buddy (free_reserved_page), so none of [basePfn, basePfn + declaredCount) in memory is
 * still reserved.
 */
import type { CmaAreaSnapshot, Snapshot } from '../core/snapshot.ts';
import type { Invariant } from '../core/violation.ts';
import { COVER_RESERVED, coverageOf, zoneIndexOf } from './coverage.ts';
import { type Findings, closeFindings, newFindings, pfnRun, report } from './findings.ts';
import type { Profile } from '../core/world.ts';

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
      if (failedAreaRules(snapshot.profile)) checkK6_1Activation(snapshot, area, name, findings);
    });
    return closeFindings(findings);
  },
};

/**
 * Does cma_init_reserved_areas() try every area and give a failed one back to the buddy (§5.5,
 * §9 P22)? K4_9 no (it stops at the first failure; that area's later blocks stay reserved);
 * K6_1 yes.
 */
export function failedAreaRules(profile: Profile): boolean {
  switch (profile) {
    case 'K4_9': return false;
    case 'K6_1': return true;
  }
}

/** K6_1: no area left 'inactive'; a failed area holds no reserved page any more. */
function checkK6_1Activation(
  snapshot: Snapshot, area: CmaAreaSnapshot, name: string, findings: Findings,
): void {
  if (area.state === 'inactive') {
    report(findings, [area.basePfn], () => `${name} was never activated, expected`
      + ` ${snapshot.profile} to attempt every area (active or failed)`);
  }
  if (area.state !== 'failed') return;
  const { coverKind } = coverageOf(snapshot);
  const endPfn = Math.min(area.basePfn + area.declaredCount, coverKind.length);
  for (let pfn = Math.max(0, area.basePfn); pfn < endPfn; pfn++) {
    if (coverKind[pfn] !== COVER_RESERVED) continue;
    let runEnd = pfn + 1;
    while (runEnd < endPfn && coverKind[runEnd] === COVER_RESERVED) runEnd++;
    const run = pfnRun(pfn, runEnd - pfn);
    report(findings, [pfn], () => `${name} failed activation but ${run} of it are still`
      + ` reserved, expected ${snapshot.profile} to give them to the buddy (free_reserved_page)`);
    return;
  }
}

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
