/**
 * free-placement (rule T of __free_one_page(), K4_9 — kernel-semantics.md §2.4, §12.1) on a
 * worked trace whose every list position is derived by hand below, on both implementations;
 * corrupting the list order makes it fire; the rule-t-inverted zoo mutant run against itself
 * (where only the invariants can fail) is caught by it. The model's random traces keep it
 * under both profiles in properties/model/invariantsHold.spec.ts.
 *
 * World: 64 pages, maxOrder 4 (MAX_ORDER 5: rule T below order 3), pageblock order 3 (8
 * pageblocks ≥ MIGRATE_TYPES, so build_all_zonelists() keeps grouping by mobility on), no CMA. Boot (free_all_bootmem, §7.8): order-4 chunks at 0, 16, 32, 48, each freed with
 * order 4 ≥ MAX_ORDER − 2 → list head, so the order-4 MOVABLE list is [48, 32, 16, 0].
 *   0  alloc o0 → 48   __rmqueue_smallest takes 48, expand() keeps the lowest page and puts
 *                      56 (o3), 52 (o2), 50 (o1), 49 (o0) on the lists
 *   1  alloc o0 → 49
 *   2  alloc o0 → 50   splits 50 (o1): 51 → order 0
 *   3  alloc o0 → 51
 *   4  alloc o0 → 52   splits 52 (o2): 54 (o1), 53 (o0)
 *   5  alloc o0 → 53
 *   6  alloc o0 → 54   splits 54 (o1): 55 → order 0; lists o0 [55], o3 [56]
 *   7  free #2 (50)    buddy 51 allocated: stops at o0; parent 50, its o1 buddy 48 is
 *                      allocated → HEAD: o0 [50, 55]
 *   8  free #3 (51)    merges with 50 → o1 50; its buddy 48 allocated: stops at o1; parent 48,
 *                      its o2 buddy 52 allocated → head: o1 [50] (one block: not checked)
 *   9  free #1 (49)    buddy 48 allocated: stops at o0; parent 48, its o1 buddy 50 is a free
 *                      o1 block → TAIL: o0 [55, 49]
 */
import { describe, expect, it } from 'vitest';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { Allocator, OpResult } from '../../src/core/allocator.ts';
import { MIGRATE_MOVABLE } from '../../src/core/migratetype.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { CheckContext } from '../../src/core/violation.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { freePlacement } from '../../src/invariants/freePlacement.ts';
import { runTrace } from '../../src/harness/runner.ts';
import { MUTANTS } from '../../zoo/mutants.ts';

const world = parseWorld(
  { name: 'rule-t', pages: 64, maxOrder: 4, pageblockOrder: 3 },
  '<free-placement>',
);
const alloc: Op = { kind: 'alloc', order: 0, migratetype: 'MOVABLE' };
const OPS: Op[] = [
  alloc, alloc, alloc, alloc, alloc, alloc, alloc,
  { kind: 'free', target: 2 }, { kind: 'free', target: 3 }, { kind: 'free', target: 1 },
];
const ALLOCATED = [48, 49, 50, 51, 52, 53, 54];
const ORDER0_MOVABLE_AFTER: Record<number, number[]> = { 7: [50, 55], 9: [55, 49] };

interface Step {
  snapshot: Snapshot;
  context: CheckContext;
}

function runSteps(allocator: Allocator): Step[] {
  allocator.boot(world);
  return OPS.map((op, step) => {
    const result: OpResult = allocator.apply(op, step);
    const targetBefore = null;
    return { snapshot: structuredClone(allocator.snapshot()), context: { world, step, op, result, targetBefore } };
  });
}

function order0Movable(snapshot: Snapshot): number[] {
  return snapshot.zones[0].freeLists[0][MIGRATE_MOVABLE];
}

/** A copy of `snapshot` with its order-0 MOVABLE list reversed. */
function reversedOrder0(snapshot: Snapshot): Snapshot {
  const copy = structuredClone(snapshot);
  copy.zones[0].freeLists[0][MIGRATE_MOVABLE].reverse();
  return copy;
}

describe.each([
  ['model', () => new ModelAllocator()],
  ['impl', () => new ImplAllocator()],
] as const)('free-placement on the worked trace (%s)', (_name, create) => {
  const steps = runSteps(create());

  it('follows the derivation: allocations at 48..54, freed pfns in the results', () => {
    expect(steps.slice(0, 7).map((step) => step.context.result?.pfn)).toEqual(ALLOCATED);
    expect(steps.slice(7).map((step) => step.context.result)).toEqual([
      { ok: true, pfn: 50 }, { ok: true, pfn: 51 }, { ok: true, pfn: 49 },
    ]);
    for (const [step, list] of Object.entries(ORDER0_MOVABLE_AFTER))
      expect(order0Movable(steps[Number(step)].snapshot), `after step ${step}`).toEqual(list);
  });

  it('holds after every step', () => {
    for (const { snapshot, context } of steps)
      expect(freePlacement.check(snapshot, context), `step ${context.step}`).toEqual([]);
  });

  it('fires when the head/tail choice is the other one (steps 7 and 9)', () => {
    for (const step of [7, 9]) {
      const { snapshot, context } = steps[step];
      const findings = freePlacement.check(reversedOrder0(snapshot), context);
      expect(findings.map((finding) => finding.pfns)).toEqual([[context.result?.pfn]]);
      expect(findings[0].explanation).toContain(step === 7 ? 'expected the head' : 'expected the tail');
    }
  });
});

describe('free-placement scope', () => {
  const steps = runSteps(new ModelAllocator());

  it('runs right after a free, and reads nothing else', () => {
    expect(freePlacement.stepOps).toEqual(['free']);
    const { snapshot, context } = steps[9];
    const reversed = reversedOrder0(snapshot);
    expect(freePlacement.check(reversed, { ...context, op: alloc })).toEqual([]);
    expect(freePlacement.check(reversed, { ...context, result: { ok: false, reason: 'x' } }))
      .toEqual([]);
  });

  it('leaves a one-block list alone (head and tail are one place)', () => {
    const { snapshot, context } = steps[8];
    expect(snapshot.zones[0].freeLists[1][MIGRATE_MOVABLE]).toEqual([50]);
    expect(freePlacement.check(snapshot, context)).toEqual([]);
  });
});

describe('the rule-t-inverted mutant against itself', () => {
  it('is caught by free-placement at the first free with a choice (step 7)', () => {
    const mutant = MUTANTS.find((candidate) => candidate.name === 'rule-t-inverted');
    if (mutant === undefined) throw new Error('zoo:rule-t-inverted is missing');
    const outcome = runTrace(world, OPS, { model: mutant.create, impl: mutant.create });
    expect(outcome.failure?.invariant).toBe('free-placement');
    expect(outcome.failure?.step).toBe(7);
  });
});
