/**
 * The explorer's parts on their own: the fingerprint table against a Set of strings, the
 * implicit-parent BFS tree against explicit parents, the canonical fingerprint's symmetries,
 * the model's saveState/restoreState against a replay, and the split of invariants into
 * state invariants (checked once per state) and edge invariants (checked on every edge).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelAllocator } from '../../model/allocator.ts';
import type { Allocator } from '../../src/core/allocator.ts';
import { type Op, TARGET_KINDS } from '../../src/core/op.ts';
import type { CheckContext } from '../../src/core/violation.ts';
import { type Fingerprint, fingerprintSnapshot } from '../../src/explore/canonical.ts';
import { FULL_ALPHABET, enabledOps, fixedOps } from '../../src/explore/alphabet.ts';
import { EDGE_INVARIANTS } from '../../src/explore/explorer.ts';
import { FingerprintSet, fingerprintHex } from '../../src/explore/fingerprintSet.ts';
import { AncestorCursor, StateTree } from '../../src/explore/stateTree.ts';
import { INVARIANTS } from '../../src/invariants/index.ts';
import { loadZoo } from '../../zoo/index.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import { fingerprintsOf, microWorld, movableEverything, runExplore, worldFile } from './support.ts';

const world = worldFile('explore-small');

describe('FingerprintSet', () => {
  it('answers like a Set of strings, through growth', () => {
    const pair = fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 0xffffffff }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 3000 }), (pairs) => {
        const set = new FingerprintSet();
        const reference = new Set<string>();
        for (const [high, low] of pairs) {
          const key = fingerprintHex(high, low === 0 && high === 0 ? 1 : low);
          expect(set.add(high, low)).toBe(!reference.has(key));
          reference.add(key);
          expect(set.has(high, low)).toBe(true);
        }
        expect(set.size).toBe(reference.size);
        expect(new Set(set.fingerprints())).toEqual(reference);
      }),
      { numRuns: 30 },
    );
  });

  it('keeps its load between 0.6 and 0.9 once grown: 8.9 to 13.3 bytes per fingerprint', () => {
    const set = new FingerprintSet();
    for (let i = 1; i <= 200_000; i++) set.add(Math.imul(i, 0x9e3779b1), i);
    expect(set.byteLength / set.size).toBeGreaterThanOrEqual(8 / 0.9);
    expect(set.byteLength / set.size).toBeLessThanOrEqual(8 / 0.6);
  });
});

describe('StateTree and AncestorCursor', () => {
  it("find every state's parent from child counts alone", () => {
    const childCounts = fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(childCounts, (levels) => {
        const tree = new StateTree(255);
        const parents: number[] = [-1];
        tree.push(0);
        tree.closeLevel();
        for (const counts of levels) {
          const first = tree.levelStart[tree.levelStart.length - 2];
          const end = tree.size;
          for (let parent = first; parent < end; parent++) {
            for (let c = 0; c < (counts[parent - first] ?? 0); c++) {
              tree.addChild(parent);
              parents[tree.push(c)] = parent;
            }
          }
          tree.closeLevel();
        }
        for (let depth = 1; depth + 1 < tree.levelStart.length; depth++) {
          const cursor = new AncestorCursor(tree, depth);
          for (let state = tree.levelStart[depth]; state < tree.levelStart[depth + 1]; state++) {
            expect(cursor.seek(state)).toBe(parents[state]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

function fingerprintAfter(ops: readonly Op[]): Fingerprint {
  const model = new ModelAllocator();
  model.boot(world);
  ops.forEach((op, step) => model.apply(op, step));
  const fingerprint = { high: 0, low: 0 };
  fingerprintSnapshot(model.snapshot(), fingerprint);
  return fingerprint;
}

describe('the canonical fingerprint', () => {
  const alloc: Op = { kind: 'alloc', order: 0, migratetype: 'MOVABLE' };

  it('ignores handles: the same page held by allocation #0 or by #2', () => {
    // #0 takes pfn 0; freeing it merges the buddies back, so #2 takes pfn 0 again.
    const direct = fingerprintAfter([alloc]);
    const renamed = fingerprintAfter([alloc, { kind: 'free', target: 0 }, alloc]);
    expect(renamed).toEqual(direct);
  });

  it('keeps written-or-not, not the step that wrote', () => {
    // #1 takes pfn 1 (head of the order-0 list) and its free puts pfn 1 back at the head.
    const early = fingerprintAfter([alloc, { kind: 'write', target: 0 }]);
    const late = fingerprintAfter([
      alloc,
      alloc,
      { kind: 'free', target: 1 },
      { kind: 'write', target: 0 },
    ]);
    expect(late).toEqual(early);
    expect(fingerprintAfter([alloc])).not.toEqual(early);
  });

  it('keeps addresses: the same allocation at another pfn is another state', () => {
    const other = fingerprintAfter([alloc, alloc, { kind: 'free', target: 0 }]);
    expect(other).not.toEqual(fingerprintAfter([alloc]));
  });
});

describe('the alphabet', () => {
  it('tries every size and type, and the CMA counts and alignments that fit the area', () => {
    const model = new ModelAllocator();
    model.boot(world);
    const labels = fixedOps(world, model.snapshot(), FULL_ALPHABET).map((op) => JSON.stringify(op));
    expect(labels.filter((label) => label.includes('"alloc"'))).toHaveLength(9);
    const cma = labels
      .filter((label) => label.includes('cmaAlloc'))
      .map((label) => JSON.parse(label) as { count: number; align: number })
      .map(({ count, align }) => `${count}/${align}`);
    // Counts 1, 2, 3, 4, 8 of the 8-page area, align 0 and the natural order; count 1 at
    // align 3 = max(maxOrder, pageblockOrder) + 1, where the K4_9 offset rounding shows.
    expect(cma).toEqual(['1/0', '2/0', '2/1', '3/0', '3/2', '4/0', '4/2', '8/0', '8/3', '1/3']);
  });

  it('adds per allocation, by pfn: free, pin or unpin (MOVABLE), write or check', () => {
    const model = new ModelAllocator();
    model.boot(world);
    model.apply({ kind: 'alloc', order: 0, migratetype: 'MOVABLE' }, 0);
    model.apply({ kind: 'alloc', order: 0, migratetype: 'UNMOVABLE' }, 1);
    model.apply({ kind: 'write', target: 1 }, 2);
    const ops = enabledOps([], model.snapshot(), FULL_ALPHABET);
    const pfnOf = (id: number): number | undefined =>
      model.snapshot().allocations.find((a) => a.id === id)?.pfn;
    const first = (pfnOf(0) ?? 0) < (pfnOf(1) ?? 0) ? 0 : 1;
    const expected: Record<number, Op[]> = {
      0: [
        { kind: 'free', target: 0 },
        { kind: 'pin', target: 0 },
        { kind: 'write', target: 0 },
      ],
      1: [
        { kind: 'free', target: 1 },
        { kind: 'check', target: 1 },
      ],
    };
    expect(ops).toEqual([...expected[first], ...expected[1 - first]]);
  });
});

describe('ModelAllocator saveState/restoreState', () => {
  const opArbitrary: fc.Arbitrary<(ids: number[]) => Op> = fc.oneof(
    fc
      .record({
        order: fc.integer({ min: 0, max: 2 }),
        mt: fc.constantFrom(...FULL_ALPHABET.migratetypes),
      })
      .map(({ order, mt }) => (): Op => ({ kind: 'alloc', order, migratetype: mt })),
    fc
      .record({ count: fc.integer({ min: 1, max: 8 }), align: fc.integer({ min: 0, max: 3 }) })
      .map(({ count, align }) => (): Op => ({ kind: 'cmaAlloc', area: 0, count, align })),
    fc.tuple(fc.constantFrom('free', 'pin', 'unpin', 'write', 'check', 'cmaRelease'), fc.nat()).map(
      ([kind, pick]) =>
        (ids: number[]) =>
          ({ kind, target: ids[pick % ids.length] }) as Op,
    ),
  );

  /** Applies what `makers` make, skipping ops the model would reject (the harness's job). */
  function applyAll(
    model: ModelAllocator,
    makers: ((ids: number[]) => Op)[],
    from: number,
  ): string[] {
    const results: string[] = [];
    makers.forEach((make, index) => {
      const live = model.snapshot().allocations;
      const op = make(live.map((a) => a.id));
      if ('target' in op) {
        const target = live.find((a) => a.id === op.target);
        if (target === undefined || !TARGET_KINDS[op.kind].includes(target.kind)) return;
      }
      results.push(JSON.stringify(model.apply(op, from + index)));
    });
    return results;
  }

  it('restores every state a replay reaches, as often as asked', () => {
    const ops = fc.array(opArbitrary, { maxLength: 12 });
    fc.assert(
      fc.property(ops, ops, (prefix, suffix) => {
        const model = new ModelAllocator();
        model.boot(world);
        applyAll(model, prefix, 0);
        const saved = model.saveState();
        const before = JSON.stringify(model.snapshot());
        const first = applyAll(model, suffix, 100);
        const after = JSON.stringify(model.snapshot());
        for (let round = 0; round < 2; round++) {
          model.restoreState(saved);
          expect(JSON.stringify(model.snapshot())).toBe(before);
          expect(applyAll(model, suffix, 100)).toEqual(first);
          expect(JSON.stringify(model.snapshot())).toBe(after);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a state saved by another boot', () => {
    const one = new ModelAllocator();
    const two = new ModelAllocator();
    one.boot(world);
    two.boot(world);
    expect(() => two.restoreState(one.saveState())).toThrow(/another boot/);
  });
});

describe('forking a side without saveState()', () => {
  it('replays from boot and reaches the same states as saveState()', () => {
    /** The model behind the bare Allocator interface: nothing to save or restore. */
    const bare = (): Allocator => {
      const model = new ModelAllocator();
      return {
        name: 'bare-model',
        boot: (w) => model.boot(w),
        apply: (op, step) => model.apply(op, step),
        snapshot: () => model.snapshot(),
        behaviours: () => model.behaviours(),
      };
    };
    const alphabet = movableEverything;
    const direct = runExplore(microWorld, { alphabet, depthMax: 5 });
    const replayed = runExplore(microWorld, {
      alphabet,
      depthMax: 5,
      implementations: { model: bare, impl: bare },
    });
    expect(replayed.forkModes).toEqual({ model: 'replay', impl: 'replay' });
    expect(direct.forkModes).toEqual({ model: 'saveState', impl: 'saveState' });
    expect(replayed.levelSizes).toEqual(direct.levelSizes);
    expect(fingerprintsOf(replayed)).toEqual(fingerprintsOf(direct));
  });
});

describe('state invariants and edge invariants', () => {
  loadZoo();
  const release: Op = { kind: 'cmaRelease', target: 0 };
  const contexts: CheckContext[] = [
    { world, step: 3, op: null, result: null, targetBefore: null },
    {
      world,
      step: 7,
      op: release,
      result: { ok: true },
      targetBefore: { id: 0, kind: 'cma', pfn: 8, pageCount: 8 },
    },
  ];
  // Snapshots where invariants fire: a mutant's boot state, the model after a CMA allocation.
  const mutant = MUTANTS[0].create();
  mutant.boot(world);
  const model = new ModelAllocator();
  model.boot(world);
  model.apply({ kind: 'cmaAlloc', area: 0, count: 8, align: 0 }, 0);
  const snapshots = [mutant.snapshot(), model.snapshot()];

  it('a state invariant gives the same findings whatever the op that led to the state', () => {
    for (const invariant of INVARIANTS.filter((i) => !EDGE_INVARIANTS.includes(i))) {
      for (const snapshot of snapshots) {
        const [a, b] = contexts.map((context) =>
          JSON.stringify(invariant.check(snapshot, context)),
        );
        expect(b, invariant.id).toBe(a);
      }
    }
  });

  it('an edge invariant reads the op: cma-release-returns fires only after a release', () => {
    const [edge] = EDGE_INVARIANTS;
    expect(edge.id).toBe('cma-release-returns');
    expect(edge.check(snapshots[1], contexts[0])).toEqual([]);
    expect(edge.check(snapshots[1], contexts[1]).length).toBeGreaterThan(0);
  });
});
