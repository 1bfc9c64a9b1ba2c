/**
 * The explorer's state digests read from impl's typed arrays and from the model's plain state
 * (src/explore/implDigest.ts, modelDigest.ts) are the snapshot's digest itself — the same
 * words, hence the same fingerprint — not something equivalent: on random op sequences —
 * every op kind, both profiles, worlds with order_per_bit 1, two zones, reserved memory, and
 * every bug-zoo mutant (whose overridden steps may leave states no correct allocator
 * reaches) — the canonical and naming words equal encodeSnapshot()
 * and encodeNaming() of snapshot(), and the fingerprint fingerprintSnapshot()'s. So the visited
 * set keys and counts states exactly as the snapshot route did, and equal digests on both
 * sides mean what equal snapshots mean.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImplAllocator } from '../../impl/allocator.ts';
import { ModelAllocator } from '../../model/allocator.ts';
import type { Allocator } from '../../src/core/allocator.ts';
import type { World } from '../../src/core/world.ts';
import { parseWorld } from '../../src/core/worldParse.ts';
import { FULL_ALPHABET, enabledOps, fixedOps } from '../../src/explore/alphabet.ts';
import { fingerprintSnapshot } from '../../src/explore/canonical.ts';
import { type Digest, digestSnapshot, digesterFor, newDigest } from '../../src/explore/digest.ts';
import { loadZoo } from '../../zoo/index.ts';
import { MUTANTS } from '../../zoo/mutants.ts';
import { worldFile } from './support.ts';

loadZoo();

const WORLDS: World[] = [
  worldFile('explore-small'),
  parseWorld({ ...worldFile('explore-small'), name: 'explore-small-k6', profile: 'K6_1' }),
  parseWorld({
    name: 'opb1-reserved',
    pages: 32,
    maxOrder: 3,
    pageblockOrder: 2,
    mobilityGroupingDisabled: false,
    reserved: [{ startPfn: 0, endPfn: 2 }],
    cma: [{ base: 16, size: 12, orderPerBit: 1 }],
    devices: [{ name: 'camera' }],
  }),
  parseWorld({
    name: 'two-zones-cma',
    pages: 16,
    maxOrder: 2,
    pageblockOrder: 1,
    mobilityGroupingDisabled: false,
    zones: [
      { name: 'DMA32', startPfn: 0, endPfn: 6 },
      { name: 'Normal', startPfn: 6, endPfn: 16 },
    ],
    cma: [{ base: 4, size: 4, fixed: true }],
  }),
];

/** Op choices as fractions of the alphabet length, so that any draw names an enabled op. */
const choices = fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
  maxLength: 14,
});

/** A digest as plain data: its words, where the canonical part ends, its fingerprint. */
function shown(digest: Digest): object {
  const { words, canonicalLength, canonical } = digest;
  return { words: [...words.words.subarray(0, words.length)], canonicalLength, canonical };
}

function outcome(body: () => void): 'ok' | 'throws' {
  try {
    body();
    return 'ok';
  } catch {
    return 'throws';
  }
}

function digestsAgree(allocator: Allocator, world: World, picks: number[]): void {
  allocator.boot(world);
  const boot = allocator.snapshot();
  const fast = digesterFor(allocator, boot);
  const fixed = fixedOps(world, boot, FULL_ALPHABET);
  const viaState: Digest = newDigest();
  const viaSnapshot: Digest = newDigest();
  // A mutant can break a free list so that snapshot() throws: the digest must throw too.
  const compare = (): void => {
    const fromState = outcome(() => fast.digest(viaState, true));
    const fromSnapshot = outcome(() => digestSnapshot(allocator.snapshot(), viaSnapshot));
    expect(fromState).toBe(fromSnapshot);
    if (fromState === 'ok') {
      expect(shown(viaState)).toEqual(shown(viaSnapshot));
      const fingerprint = { high: 0, low: 0 };
      fingerprintSnapshot(allocator.snapshot(), fingerprint);
      expect(viaState.canonical).toEqual(fingerprint);
    }
  };
  compare();
  for (let step = 0; step < picks.length; step++) {
    try {
      const ops = enabledOps(fixed, allocator.snapshot(), FULL_ALPHABET);
      allocator.apply(ops[Math.floor(picks[step] * ops.length)], step);
    } catch {
      return; // a mutant's own assertion or broken state: the path ends here
    }
    compare();
  }
}

describe('digests read from state equal the snapshot digest', () => {
  for (const world of WORLDS) {
    it(`model and impl on ${world.name}`, () => {
      fc.assert(
        fc.property(choices, (picks) => {
          const model = new ModelAllocator();
          const impl = new ImplAllocator();
          digestsAgree(model, world, picks);
          digestsAgree(impl, world, picks);
          expect(digesterFor(model, model.snapshot()).route).toBe('state');
          expect(digesterFor(impl, impl.snapshot()).route).toBe('state');
        }),
        { numRuns: 60 },
      );
    });
  }

  it('every bug-zoo mutant, on each world', () => {
    for (const mutant of MUTANTS) {
      for (const world of WORLDS) {
        fc.assert(
          fc.property(choices, (picks) => digestsAgree(mutant.create(), world, picks)),
          { numRuns: 8 },
        );
      }
    }
  });

  it('an allocator seen only through the interface is digested through snapshot()', () => {
    const model = new ModelAllocator();
    const bare: Allocator = {
      name: 'bare',
      boot: (w) => model.boot(w),
      apply: (op, step) => model.apply(op, step),
      snapshot: () => model.snapshot(),
      behaviours: () => model.behaviours(),
    };
    bare.boot(WORLDS[0]);
    expect(digesterFor(bare, bare.snapshot()).route).toBe('snapshot');
  });
});
