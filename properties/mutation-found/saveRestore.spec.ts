/**
 * saveState() / restoreState() on both sides, the explorer's fork of a state: on 10 random
 * traces of up to 80 ops per profile (fixed seeds; mutation-found/differential.ts draws them),
 * the ops after a save point give identical results and snapshots on the original run and after
 * the saved state is restored, twice (a saved state is copied in, never shared). impl may also
 * restore into a fresh instance booted on the same world; the model asserts that a state comes
 * from its own boot, so it is restored where it was saved. Behaviour counters are not compared:
 * impl's are part of its saved state, the model's are not (they keep counting across restores).
 *
 * Found by mutation testing: the model's saveState()/restoreState() (model/allocator.ts) had no
 * coverage in the mutation test set (only the explorer specs use them); impl's have
 * properties/impl/stateCopy.spec.ts, whose 120 runs are too long for the mutation run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OpResult } from '../../src/core/allocator.ts';
import type { Op } from '../../src/core/op.ts';
import type { Snapshot } from '../../src/core/snapshot.ts';
import type { Profile, World } from '../../src/core/world.ts';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import { traceArbitrary } from './differential.ts';
import type { Forkable } from '../support/forkable.ts';
import { decodeResult } from '../../src/core/result.ts';

interface Outcome {
  results: OpResult[];
  snapshot: Snapshot;
}

const allocators: readonly { name: string; create: () => Forkable; fresh: boolean }[] = [
  { name: 'model', create: () => new ModelAllocator(), fresh: false },
  { name: 'impl', create: () => new ImplAllocator(), fresh: true },
];

/** Applies ops[from..] with their own step indices. */
function runFrom(allocator: Forkable, ops: readonly Op[], from: number): Outcome {
  const results: OpResult[] = [];
  for (let step = from; step < ops.length; step++) {
    results.push(decodeResult(allocator.apply(ops[step], step)));
  }
  return { results, snapshot: allocator.snapshot() };
}

function booted(create: () => Forkable, world: World): Forkable {
  const allocator = create();
  allocator.boot(world);
  return allocator;
}

const CASES: readonly { profile: Profile; seed: number }[] = [
  { profile: 'K4_9', seed: 49 },
  { profile: 'K6_1', seed: 61 },
];

for (const { name, create, fresh } of allocators) {
  describe(`${name} saveState / restoreState`, () => {
    it.each(CASES)('replays the ops after a save point identically ($profile, seed $seed)',
      ({ profile, seed }) => {
        fc.assert(fc.property(traceArbitrary(profile, 80), fc.nat(), ({ world, ops }, cutDraw) => {
          const cut = cutDraw % (ops.length + 1);
          const original = booted(create, world);
          runFrom(original, ops.slice(0, cut), 0);
          const saved = original.saveState() as never;
          const expected = runFrom(original, ops, cut);
          original.restoreState(saved);
          expect(runFrom(original, ops, cut)).toEqual(expected);
          original.restoreState(saved);
          expect(runFrom(original, ops, cut)).toEqual(expected);
          if (!fresh) return;
          const other = booted(create, world);
          other.restoreState(saved);
          expect(runFrom(other, ops, cut)).toEqual(expected);
        }), { seed, numRuns: 10 });
      });
  });
}
