/**
 * Behaviours reached: counters the implementations keep (src/core/allocator.ts Behaviours),
 * merged over runs — sums, except `max.*` entries, which keep the maximum. The campaign report
 * lists every behaviour the generators are meant to reach, so one that was never reached shows
 * as 0 instead of being absent.
 */
import type { Behaviours } from '../core/allocator.ts';

/** Behaviours every campaign should reach on the default generators (issue 4). */
export const EXPECTED_BEHAVIOURS: readonly string[] = [
  'alloc.ok',
  'alloc.fail',
  'alloc.cmaFallback',
  'fallback.M->U',
  'fallback.U->M',
  'fallback.E->M',
  'fallback.claim',
  'fallback.stealRange',
  'cma.alloc.ok',
  // every cma_alloc() that returns no page, a DMA request whose device has no area included
  'cma.alloc.fail',
  'cma.ebusyRetry',
  'cma.enomem',
  // base pages migrated, by alloc_contig_range() and by K6_1's long-term pins
  'migrate.pages',
  'boot.activationFailed',
  'max.splitDepth',
  'max.mergeDepth',
];

export function mergeBehaviours(into: Behaviours, from: Behaviours): void {
  for (const [name, value] of Object.entries(from)) {
    if (name.startsWith('max.')) into[name] = Math.max(into[name] ?? 0, value);
    else into[name] = (into[name] ?? 0) + value;
  }
}

/** Sorted entries with every expected behaviour present. */
export function behaviourTable(behaviours: Behaviours): [string, number][] {
  const names = new Set([...EXPECTED_BEHAVIOURS, ...Object.keys(behaviours)]);
  return [...names].sort().map((name) => [name, behaviours[name] ?? 0]);
}
