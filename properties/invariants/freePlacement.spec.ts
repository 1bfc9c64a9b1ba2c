/**
 * free-placement (rule T of __free_one_page(), K4_9 — kernel-semantics.md §2.4, §12.1) on a
 * worked trace whose every list position is derived by hand below, on both implementations;
 * corrupting the list order makes it fire; the rule-t-inverted zoo mutant run against itself
 * (where only the invariants can fail) is caught by it. The model's random traces keep it
 * under both profiles in properties/model/invariantsHold.spec.ts.
 *
 * World: 16 pages, maxOrder 4 (MAX_ORDER 5: rule T below order 3), pageblock order 1 (8
 * pageblocks ≥ MIGRATE_TYPES, so build_all_zonelists() keeps grouping by mobility on), no CMA.
 * Boot (free_all_bootmem, §7.8) frees one order-4 chunk: the order-4 MOVABLE list is [0] (one
 * block, so head and tail agree — a rule-T mutant boots like the model).
 *   0  alloc o0 → 0    __rmqueue_smallest takes 0, expand() keeps the lowest page and puts
 *                      8 (o3), 4 (o2), 2 (o1), 1 (o0) on the lists
 *   1  alloc o0 → 1
 *   2  alloc o0 → 2    splits 2 (o1): 3 → order 0
 *   3  alloc o0 → 3
 *   4  alloc o0 → 4    splits 4 (o2): 6 (o1), 5 (o0)
 *   5  alloc o0 → 5
 *   6  alloc o0 → 6    splits 6 (o1): 7 → order 0; lists o0 [7], o3 [8]
 *   7  free #2 (2)     buddy 3 allocated: stops at o0; parent 2, its o1 buddy 0 is
 *                      allocated → HEAD: o0 [2, 7]
 *   8  free #3 (3)     merges with 2 → o1 2; its buddy 0 allocated: stops at o1; parent 0,
 *                      its o2 buddy 4 allocated → head: o1 [2] (one block: not checked)
 *   9  free #1 (1)     buddy 0 allocated: stops at o0; parent 0, its o1 buddy 2 is a free
 *                      o1 block → TAIL: o0 [7, 1]
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
import { decodeResult } from '../../src/core/result.ts';

const world = parseWorld(
  { name: 'rule-t', pages: 16, maxOrder: 4, pageblockOrder: 1 },
  '<free-placement>',
);
const alloc: Op = { kind: 'alloc', order: 0, migratetype: 'MOVABLE' };
const OPS: Op[] = [
  alloc, alloc, alloc, alloc, alloc, alloc, alloc,
  { kind: 'free', target: 2 }, { kind: 'free', target: 3 }, { kind: 'free', target: 1 },
];
const ALLOCATED = [0, 1, 2, 3, 4, 5, 6];
const ORDER0_MOVABLE_AFTER: Record<number, number[]> = { 7: [2, 7], 9: [7, 1] };

interface Step {
  snapshot: Snapshot;
  context: CheckContext;
}

function runSteps(allocator: Allocator): Step[] {
  allocator.boot(world);
  return OPS.map((op, step) => {
    const result: OpResult = decodeResult(allocator.apply(op, step));
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

  it('follows the derivation: allocations at 0..6, freed pfns in the results', () => {
    expect(steps.slice(0, 7).map((step) => step.context.result?.pfn)).toEqual(ALLOCATED);
    expect(steps.slice(7).map((step) => step.context.result)).toEqual([
      { ok: true, pfn: 2 }, { ok: true, pfn: 3 }, { ok: true, pfn: 1 },
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
    expect(freePlacement.check(reversed, { ...context, result: { ok: false, reason: 'ENOMEM' } }))
      .toEqual([]);
  });

  it('leaves a one-block list alone (head and tail are one place)', () => {
    const { snapshot, context } = steps[8];
    expect(snapshot.zones[0].freeLists[1][MIGRATE_MOVABLE]).toEqual([2]);
    expect(freePlacement.check(snapshot, context)).toEqual([]);
  });
});

describe('the rule-t-inverted mutant', () => {
  const mutant = MUTANTS.find((candidate) => candidate.name === 'rule-t-inverted');
  if (mutant === undefined) throw new Error('zoo:rule-t-inverted is missing');

  it('against itself is caught by free-placement at the first free with a choice (step 7)', () => {
    const outcome = runTrace(world, OPS, { model: mutant.create, impl: mutant.create });
    expect(outcome.failure?.invariant).toBe('free-placement');
    expect(outcome.failure?.step).toBe(7);
  });

  it('against the model is caught at the same step, though the runner skips free-placement'
    + ' while the step views agree (it is `viewed`)', () => {
    expect(freePlacement.viewed).toBe(true);
    const outcome = runTrace(world, OPS, { model: () => new ModelAllocator(), impl: mutant.create });
    expect([outcome.failure?.invariant, outcome.failure?.side, outcome.failure?.step])
      .toEqual(['free-placement', 'zoo:rule-t-inverted', 7]);
  });
});
