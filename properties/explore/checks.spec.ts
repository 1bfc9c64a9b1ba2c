/**
 * Where the explorer checks what (src/explore/explorer.ts header): model and impl compared on
 * every edge by their full digests, so a disagreement on an edge into a state already seen is
 * caught on that edge; edge invariants skipped after a failed op because they have nothing to
 * judge there; and `sides: 'impl'`, impl alone, walking the same state space.
 */
import { describe, expect, it } from 'vitest';
import { type ImplState, ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { OpResult } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { CheckContext } from '../../src/core/violation.ts';
import type { World } from '../../src/core/world.ts';
import { fingerprintSnapshot } from '../../src/explore/canonical.ts';
import { EDGE_INVARIANTS } from '../../src/explore/explorer.ts';
import { loadZoo } from '../../zoo/index.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import { fingerprintsOf, microWorld, movableEverything, runExplore, worldFile } from './support.ts';
import { type ResultCode } from '../../src/core/result.ts';

/**
 * impl with one bug that only the naming part of a snapshot shows: after `unpin` the record
 * keeps the pfn it was pinned at (pinnedPfn should go back to -1). The canonical form folds an
 * unpinned record's pinnedPfn away, so the state after alloc, pin, unpin is — canonically —
 * the state after alloc, seen two levels earlier.
 */
class StaleUnpin extends ImplAllocator {
  #stale = new Map<number, number>();

  constructor() {
    super('stale-unpin');
  }

  override boot(world: World): ReturnType<ImplAllocator['boot']> {
    this.#stale = new Map();
    return super.boot(world);
  }

  override apply(op: Op, step: number): ResultCode {
    if (op.kind === 'unpin') {
      const record = super.snapshot().allocations.find((a) => a.id === op.target);
      if (record?.pinned === true) this.#stale.set(op.target, record.pinnedPfn);
    } else if (op.kind === 'pin' || op.kind === 'free') {
      this.#stale.delete(op.target);
    }
    return super.apply(op, step);
  }

  override snapshot(): Snapshot {
    const snapshot = super.snapshot();
    for (const record of snapshot.allocations) {
      const stale = this.#stale.get(record.id);
      if (stale !== undefined && !record.pinned) record.pinnedPfn = stale;
    }
    return snapshot;
  }

  override saveState(): ImplState & { stale: Map<number, number> } {
    return { ...super.saveState(), stale: new Map(this.#stale) };
  }

  override restoreState(state: ImplState & { stale?: Map<number, number> }): void {
    super.restoreState(state);
    this.#stale = new Map(state.stale);
  }
}

function modelFingerprintAfter(world: World, ops: readonly Op[]): string {
  const model = new ModelAllocator();
  model.boot(world);
  ops.forEach((op, step) => model.apply(op, step));
  const fingerprint = { high: 0, low: 0 };
  fingerprintSnapshot(model.snapshot(), fingerprint);
  return `${fingerprint.high}:${fingerprint.low}`;
}

describe('model and impl are compared on every edge, not only on new states', () => {
  it('catches a disagreement on an edge into a state seen before, with the shortest trace', () => {
    const result = runExplore(microWorld, {
      alphabet: movableEverything,
      implementations: { model: () => new ModelAllocator(), impl: () => new StaleUnpin() },
    });
    expect(result.stop).toBe('violation');
    const ops = result.violationOps ?? [];
    expect(ops.map((op) => op.kind)).toEqual(['alloc', 'pin', 'unpin']);
    // The violating edge leads into a seen state: canonically, the one after the first op.
    expect(modelFingerprintAfter(microWorld, ops)).toBe(
      modelFingerprintAfter(microWorld, ops.slice(0, 1)),
    );
  });
});

describe('edge invariants', () => {
  loadZoo();
  const world = worldFile('explore-small');
  const mutant = MUTANTS[0].create();
  mutant.boot(world);
  const model = new ModelAllocator();
  model.boot(world);
  model.apply({ kind: 'cmaAlloc', area: 0, count: 8, align: 0 }, 0);
  const snapshots = [mutant.snapshot(), model.snapshot()];
  const failed: OpResult[] = [{ ok: false, reason: 'ENOMEM' }, { ok: false, reason: 'no-space' }];

  it('are the invariants that read the op: cma-release-returns, cma-alloc-aligned and'
    + ' free-placement', () => {
    expect(EDGE_INVARIANTS.map((invariant) => invariant.id).sort()).toEqual([
      'cma-alloc-aligned',
      'cma-release-returns',
      'free-placement',
    ]);
  });

  it('find nothing after a failed op, so the explorer skips them there', () => {
    for (const invariant of EDGE_INVARIANTS) {
      for (const kind of invariant.stepOps ?? []) {
        const op = { kind, target: 0, area: 0, count: 8, align: 3, device: 0, size: 4096 } as Op;
        for (const result of failed) {
          const context: CheckContext = {
            world,
            step: 0,
            op,
            result,
            targetBefore: { id: 0, kind: 'cma', pfn: 8, pageCount: 8 },
          };
          for (const snapshot of snapshots) {
            expect(invariant.check(snapshot, context), `${invariant.id} ${kind}`).toEqual([]);
          }
        }
      }
    }
  });
});

describe("sides 'impl': impl alone", () => {
  it('walks the same states as model and impl together', () => {
    const both = runExplore(microWorld, { alphabet: movableEverything, depthMax: 6 });
    const alone = runExplore(microWorld, {
      alphabet: movableEverything,
      depthMax: 6,
      sides: 'impl',
    });
    expect(alone.levelSizes).toEqual(both.levelSizes);
    expect(fingerprintsOf(alone)).toEqual(fingerprintsOf(both));
    expect(alone.forkModes).toEqual({ model: 'none', impl: 'saveState' });
  });

  it('still finds a mutant the invariants catch by themselves', () => {
    loadZoo();
    const mutant = MUTANTS.find((m) => m.name === 'cma-free-not-counted');
    if (mutant === undefined) throw new Error('zoo: cma-free-not-counted is gone');
    const result = runExplore(worldFile('explore-small'), {
      implementations: { model: () => new ModelAllocator(), impl: mutant.create },
      sides: 'impl',
      depthMax: 4,
    });
    expect(result.stop).toBe('violation');
  });
});
