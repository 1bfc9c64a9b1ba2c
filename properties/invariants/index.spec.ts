import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/core/snapshot.ts';
import { INVARIANT_IDS } from '../../src/core/violation.ts';
import { dataPreserved } from '../../src/invariants/dataPreserved.ts';
import { FINDINGS_MAX } from '../../src/invariants/findings.ts';
import { INVARIANTS, checkInvariants } from '../../src/invariants/index.ts';
import {
  allocationById, baseSnapshot, baseWorld, failedAreaSnapshot, mutate, quietContext,
} from '../support/snapshots.ts';

const context = quietContext(baseWorld(), 7);

function camelName(id: string): string {
  return id.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

describe('the invariant set', () => {
  it('has every id but model-impl-agree once, in DESIGN.md order', () => {
    expect(INVARIANTS.map((invariant) => invariant.id))
      .toEqual(INVARIANT_IDS.filter((id) => id !== 'model-impl-agree'));
  });

  it.each(INVARIANTS.map((invariant) => [invariant.id, invariant] as const))(
    '%s lives in src/invariants/<camelName>.ts under that name', async (id, invariant) => {
      const path = `../../src/invariants/${camelName(id)}.ts`;
      const module: Record<string, unknown> = await import(path);
      expect(module[camelName(id)]).toBe(invariant);
      expect(invariant.description.length).toBeGreaterThan(20);
    });

  it('stamps each finding with its invariant, the step and the side', () => {
    const broken = mutate(baseSnapshot(), (s) => {
      allocationById(s, 6).frameToken = 0;
      s.zones[0].nrFreePages = 0;
    });
    const violations = checkInvariants(broken, context, 'impl');
    expect(violations.map(({ id, step, side, pfns }) => ({ id, step, side, pfns }))).toEqual([
      { id: 'counters', step: 7, side: 'impl', pfns: [] },
      { id: 'data-preserved', step: 7, side: 'impl', pfns: [18] },
    ]);
    expect(checkInvariants(broken, context, 'model', [dataPreserved]).map((v) => v.id))
      .toEqual(['data-preserved']);
  });

  it(`lists at most ${FINDINGS_MAX} findings per invariant and counts the rest`, () => {
    const flooded = mutate(baseSnapshot(), (s) => {
      for (const allocation of s.allocations) allocation.token = 99;
      for (let id = 10; id < 20; id++) {
        s.allocations.push({ ...allocationById(s, 6), id, pinned: false });
      }
    });
    const findings = dataPreserved.check(flooded, context);
    expect(findings).toHaveLength(FINDINGS_MAX + 1);
    expect(findings[FINDINGS_MAX]).toEqual({
      pfns: [],
      explanation: `9 more findings of this invariant not listed (at most ${FINDINGS_MAX} are)`,
    });
  });
});

/** One corruption a buggy implementation might export: any field, any value in or near range. */
const corruption: fc.Arbitrary<(s: Snapshot) => void> = fc.oneof(
  fc.tuple(fc.nat(7), fc.constantFrom(...'UMEHCIX?')).map(([block, letter]) => (s: Snapshot) => {
    s.pageblocks = s.pageblocks.slice(0, block) + letter + s.pageblocks.slice(block + 1);
  }),
  fc.tuple(fc.nat(5), fc.nat(6), fc.integer({ min: -9, max: 40 })).map(([order, list, pfn]) =>
    (s: Snapshot) => {
      const lists = s.zones[0].freeLists;
      while (lists.length <= order) lists.push([[], [], [], [], [], []]);
      while (lists[order].length <= list) lists[order].push([]);
      lists[order][list].push(pfn);
    }),
  fc.tuple(fc.nat(6), fc.integer({ min: -9, max: 40 }), fc.integer({ min: -2, max: 40 }))
    .map(([index, pfn, pageCount]) => (s: Snapshot) => {
      Object.assign(s.allocations[index], { pfn, pageCount });
    }),
  fc.tuple(fc.nat(1), fc.integer({ min: -1, max: 2 ** 32 - 1 }), fc.nat(2))
    .map(([area, word, words]) => (s: Snapshot) => {
      s.cma[area % s.cma.length].bitmap = Array.from({ length: words }, () => word);
    }),
  fc.tuple(
    fc.nat(1), fc.integer({ min: -8, max: 40 }), fc.constantFrom('active', 'failed', 'inactive'),
  )
    .map(([area, count, state]) => (s: Snapshot) => {
      Object.assign(s.cma[area % s.cma.length], { count, state });
    }),
  fc.tuple(fc.integer({ min: -4, max: 40 }), fc.integer({ min: -4, max: 40 }))
    .map(([startPfn, endPfn]) => (s: Snapshot) => {
      s.reserved.push({ startPfn, endPfn });
    }),
  fc.integer({ min: -3, max: 40 }).map((count) => (s: Snapshot) => {
    Object.assign(s.zones[0], { nrFreePages: count, nrIsolatePageblock: count });
  }),
);

describe('the invariants on corrupt snapshots', () => {
  it('never throw, and return well-formed, capped findings', () => {
    fc.assert(fc.property(
      fc.constantFrom(baseSnapshot, failedAreaSnapshot), fc.array(corruption, { maxLength: 6 }),
      (build, changes) => {
        const snapshot = build();
        if (build === failedAreaSnapshot) snapshot.allocations = baseSnapshot().allocations;
        for (const change of changes) change(snapshot);
        for (const invariant of INVARIANTS) {
          const findings = invariant.check(snapshot, context);
          expect(findings.length).toBeLessThanOrEqual(FINDINGS_MAX + 1);
          for (const finding of findings) {
            expect(finding.explanation.length).toBeGreaterThan(10);
            expect(finding.pfns.every(Number.isInteger)).toBe(true);
          }
        }
      },
    ), { seed: 20261127, numRuns: 500 });
  });

  it('find every single corruption of the base that breaks the kernel rules', () => {
    // A canary for the whole set: a handful of one-field faults, each caught by someone.
    const faults: ((s: Snapshot) => void)[] = [
      (s) => { s.pageblocks = 'MMUUCCCM'; },
      (s) => { s.zones[0].freeLists[0][0].push(11); },
      (s) => { s.allocations[0].pfn = 9; },
      (s) => { s.cma[1].bitmap = [0b1]; },
      (s) => { s.totalcmaPages = 8; },
      (s) => { s.allocations[6].frameToken = 1; },
    ];
    for (const fault of faults) {
      const violations = checkInvariants(mutate(baseSnapshot(), fault), context, 'x');
      expect(violations.length).toBeGreaterThan(0);
    }
  });
});
